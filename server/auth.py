"""Who signed a request: access key, region and service from a SigV4 credential scope. Not verified.

Accepts the `Authorization` header form and the presigned `X-Amz-Credential` form; anything else (SigV2,
no auth at all) yields an empty identity and the configured defaults apply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)  # built per request: plain slots are cheaper to build than frozen
class Identity:
    access_key: str | None = None
    region: str | None = None
    service: str | None = None


def _from_credential(credential: str) -> Identity:
    parts = credential.split("/")
    if len(parts) != 5 or not parts[0]:
        return Identity()
    return Identity(access_key=parts[0], region=parts[2] or None, service=parts[3] or None)


def identify(authorization: str | None, presigned_credential: str | None = None) -> Identity:
    if authorization:
        _, _, rest = authorization.strip().partition(" ")
        for item in rest.split(","):
            name, _, value = item.strip().partition("=")
            if name == "Credential":
                return _from_credential(value)
    if presigned_credential:
        return _from_credential(presigned_credential)
    return Identity()


def account_for(access_key: str | None, default_account: str) -> str:
    """A 12-digit access key id is taken as the account id (LocalStack's convention)."""
    if access_key and len(access_key) == 12 and access_key.isdigit():
        return access_key
    return default_account
