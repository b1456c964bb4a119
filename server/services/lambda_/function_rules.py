"""What CreateFunction and UpdateFunctionConfiguration accept, how a request names a function, and the
configuration GetFunctionConfiguration shows."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from typing import Any

from server.context import RequestContext
from server.errors import AwsError
from server.services.lambda_ import packages
from server.services.lambda_.errors import invalid_value, validation
from server.services.params import Params, shown

RUNTIMES = (
    *(f"nodejs{v}.x" for v in (18, 20, 22, 24)),
    *(f"python3.{v}" for v in range(9, 15)),
    *(f"java{v}" for v in (11, 17, 21, 25)),
    "dotnet8",
    "dotnet10",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
    "provided.al2",
    "provided.al2023",
)
"""The runtimes AWS accepts for new functions."""
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ROLE = re.compile(r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")
_ARN = re.compile(
    r"(arn:aws[a-zA-Z-]*:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
MAX_ZIP = 50 * 1024 * 1024
DEFAULTS: dict[str, Any] = {"Timeout": 3, "MemorySize": 128, "Description": ""}
NOT_SHOWN = {
    "ReservedConcurrentExecutions",
    "EventInvokeConfig",
    "QualifiedEventInvokeConfigs",
    "LastVersion",
    "PublishedRevision",
    "Policies",
}
"""The function's own settings, not its versions' (a published version's snapshot leaves them out). Kept with
the configuration, shown elsewhere (GetFunction's `Concurrency`, GetFunctionConcurrency, the
event-invoke configuration, GetPolicy) or not at all (the last version number and the revision it was
published from)."""


def function_arn(ctx: RequestContext, name: str) -> str:
    return f"arn:aws:lambda:{ctx.region}:{ctx.account}:function:{name}"


def named(ctx: RequestContext, function_name: str) -> tuple[str, str | None]:
    """(ARN, qualifier) of what a request names: a name, `name:qualifier`, a partial or a full ARN."""
    match = _ARN.fullmatch(function_name)
    if match is None or len(function_name) > 170:
        raise validation(
            "functionName", function_name, "Member must satisfy regular expression pattern: " + _ARN.pattern
        )
    region = (match[2] or f"{ctx.region}:")[:-1]
    account = (match[4] or f"{ctx.account}:")[:-1]
    return f"arn:aws:lambda:{region}:{account}:function:{match[6]}", match[8]


def page_size(params: Params, default: int) -> int:
    """MaxItems of a List call: 1 to 10,000 (AWS's model), `default` when not given."""
    size = params.integer("MaxItems")
    if size is None:
        return default
    if not 1 <= size <= 10000:
        raise invalid_value("MaxItems must be between 1 and 10000.")
    return size


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise validation(
            "functionName", name, "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+"
        )
    return name


def check_role(role: Any) -> str:
    if not isinstance(role, str) or not _ROLE.fullmatch(role):
        raise validation("role", role, "Member must satisfy regular expression pattern: " + _ROLE.pattern)
    return role


def check_runtime(runtime: Any) -> str:
    if not isinstance(runtime, str) or runtime not in RUNTIMES:
        raise invalid_value(
            f"Value {shown(runtime)} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set:"
            f" [{', '.join(RUNTIMES)}] or be a valid ARN"
        )
    return str(runtime)


RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
        "TZ",
    }
)
"""The runtime's own variables, which a function's configuration may not set (AWS's list)."""


def check_variables(variables: dict[str, Any]) -> None:
    reserved = sorted(name for name in variables if name in RESERVED_VARIABLES)
    if reserved:
        raise invalid_value(
            "Lambda was unable to configure your environment variables because the environment variables you"
            " have provided contains reserved keys that are currently not supported for modification. Reserved"
            f" keys used in this request: {', '.join(reserved)}"
        )


_TARGET_ARN = re.compile(r"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()")


def check_dead_letter(configuration: dict[str, Any]) -> None:
    """DeadLetterConfig is an object whose TargetArn is an ARN (an SQS queue or SNS topic), or empty."""
    if "DeadLetterConfig" not in configuration:
        return
    dead_letter = configuration["DeadLetterConfig"]
    if not isinstance(dead_letter, dict):
        raise invalid_value('DeadLetterConfig must be an object, such as {"TargetArn": "arn:aws:sqs:..."}.')
    target = dead_letter.get("TargetArn", "")
    if not isinstance(target, str) or not _TARGET_ARN.fullmatch(target):
        raise validation(
            "deadLetterConfig.targetArn",
            target,
            "Member must satisfy regular expression pattern: " + _TARGET_ARN.pattern,
        )
    if target and not target.startswith(("arn:aws:sqs:", "arn:aws:sns:")):
        raise invalid_value(f"The target ARN {target} is not an SQS queue or an SNS topic.")
    configuration["DeadLetterConfig"] = {"TargetArn": target} if target else {}


def check_limits(configuration: dict[str, Any]) -> None:
    timeout, memory = configuration.get("Timeout"), configuration.get("MemorySize")
    if timeout is not None and (not isinstance(timeout, int) or not 1 <= timeout <= 900):
        raise validation("timeout", timeout, "Member must have value less than or equal to 900")
    if memory is not None and (not isinstance(memory, int) or not 128 <= memory <= 10240):
        raise validation("memorySize", memory, "Member must have value less than or equal to 10240")


def zip_of(code: Any) -> bytes:
    """The deployment package of a `Code` / UpdateFunctionCode `ZipFile` (base64 in JSON), checked (it reads
    the whole zip: call it in a thread)."""
    text = code.get("ZipFile") if isinstance(code, dict) else None
    if not isinstance(text, str):
        raise invalid_value("Please provide a source for function code.")
    try:
        package = base64.b64decode(text, validate=True)
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            packages.check_unzipped_size(archive)  # before reading a byte of it: a zip bomb costs nothing
            archive.testzip()
    except (ValueError, zipfile.BadZipFile):
        raise invalid_value(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from None
    if len(package) > MAX_ZIP:
        raise AwsError(
            "RequestEntityTooLargeException", f"Zipped size must be smaller than {MAX_ZIP} bytes", status=413
        )
    return package


def code_facts(package: bytes) -> dict[str, Any]:
    return {
        "CodeSize": len(package),
        "CodeSha256": base64.b64encode(hashlib.sha256(package).digest()).decode(),
    }


def view(arn: str, name: str, configuration: dict[str, Any]) -> dict[str, Any]:
    """FunctionConfiguration as AWS shows it: the stored fields among AWS's fixed ones."""
    return {
        "FunctionName": name,
        "FunctionArn": arn,
        **DEFAULTS,
        "Environment": {"Variables": {}},
        "TracingConfig": {"Mode": "PassThrough"},
        "Version": "$LATEST",
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        **{k: v for k, v in configuration.items() if k not in NOT_SHOWN},
    }
