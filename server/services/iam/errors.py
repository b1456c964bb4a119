"""IAM's errors, with AWS's codes, statuses and texts."""

from __future__ import annotations

from server.errors import AwsError

NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
_MISSING = {
    "policy": "Policy {} does not exist or is not attachable.",
    "attached": "Policy {} was not found.",
    "inline": "The role policy with name {} cannot be found.",
    "access key": "The Access Key with id {} cannot be found.",
    "version": "Policy version {} does not exist or is not attachable.",
}


def no_such_entity(kind: str, name: str) -> AwsError:
    message = _MISSING.get(kind, f"The {kind} with name {{}} cannot be found.").format(name)
    return AwsError("NoSuchEntity", message, status=404, shape="NoSuchEntityException")


def already_exists(kind: str, name: str) -> AwsError:
    noun = {"role": "Role", "policy": "A policy called", "user": "User"}[kind]
    suffix = " already exists. Duplicate names are not allowed." if kind == "policy" else " already exists."
    return AwsError(
        "EntityAlreadyExists",
        f"{noun} with name {name}{suffix}",
        status=409,
        shape="EntityAlreadyExistsException",
    )


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message, status=409, shape="DeleteConflictException")


def malformed_policy(message: str = "This policy contains invalid Json") -> AwsError:
    return AwsError("MalformedPolicyDocument", message, shape="MalformedPolicyDocumentException")


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceeded", message, status=409, shape="LimitExceededException")


def validation(member: str, value: str, constraint: str) -> AwsError:
    return AwsError(
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}",
        shape="ValidationException",
    )


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInput", message, shape="InvalidInputException")
