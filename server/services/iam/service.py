"""The IAM service: roles, customer-managed policies and users with their access keys, per account, kept in
the database and in memory. Nothing is enforced: IAM here is what deploy tools and test fixtures create and
read back (AWS-managed policies exist under `arn:aws:iam::aws:policy/...`)."""

from __future__ import annotations

import secrets
import string
from typing import Any

from persistence import iam
from persistence.engine import Database
from server.clock import Clock
from server.services.iam.errors import no_such_entity

Document = dict[str, Any]
KINDS = ("role", "policy", "user")
_ID_ALPHABET = string.ascii_uppercase + string.digits


def new_id(prefix: str, length: int = 17) -> str:
    """An IAM id in AWS's form: `AROA…` (role), `ANPA…` (policy), `AIDA…` (user), `AKIA…` (access key)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


class IamService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self.clock = clock
        self._entities: dict[tuple[str, str], dict[str, Document]] = {}
        """(account, kind) -> name -> document."""
        self._keys: dict[str, str] = {}
        """Access key id -> the account of the user it belongs to."""

    async def start(self) -> None:
        self._entities.clear()
        self._keys.clear()
        for account, kind, name, document in await self._db.read(iam.load_all):
            self._remember(account, kind, name, document)

    async def stop(self) -> None:
        return None

    def release_pollers(self) -> None:
        return None  # nothing of IAM waits

    async def reset(self) -> None:
        await self._db.run(iam.delete_all)
        self._entities.clear()
        self._keys.clear()

    def account_of(self, access_key: str) -> str | None:
        """The account an access key created here acts as (None for other keys)."""
        return self._keys.get(access_key)

    def all(self, account: str, kind: str) -> list[Document]:
        entities = self._entities.get((account, kind), {})
        return [entities[name] for name in sorted(entities, key=str.lower)]

    def get(self, account: str, kind: str, name: str) -> Document | None:
        return self._entities.get((account, kind), {}).get(name)

    def find(self, account: str, kind: str, name: str) -> Document:
        found = self.get(account, kind, name)
        if found is None:
            raise no_such_entity(kind, name)
        return found

    async def save(self, account: str, kind: str, document: Document) -> None:
        name = document[_NAME[kind]]
        await self._db.run(lambda conn: iam.save(conn, account, kind, name, document))
        self._forget_keys(self.get(account, kind, name))
        self._remember(account, kind, name, document)

    async def delete(self, account: str, kind: str, name: str) -> None:
        await self._db.run(lambda conn: iam.delete(conn, account, kind, name))
        self._forget_keys(self._entities.get((account, kind), {}).pop(name, None))

    def _remember(self, account: str, kind: str, name: str, document: Document) -> None:
        self._entities.setdefault((account, kind), {})[name] = document
        for key in document.get("AccessKeys", []):
            self._keys[key["AccessKeyId"]] = account

    def _forget_keys(self, document: Document | None) -> None:
        for key in (document or {}).get("AccessKeys", []):
            self._keys.pop(key["AccessKeyId"], None)


_NAME = {"role": "RoleName", "policy": "PolicyName", "user": "UserName"}
