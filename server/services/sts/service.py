"""The STS service: issues temporary credentials, remembers them (in the database and in memory), and says
which account an access key acts as."""

from __future__ import annotations

import secrets
import string

from persistence import credentials
from persistence.engine import Database
from persistence.records import IssuedCredentials
from server.clock import Clock

_KEY_ALPHABET = string.ascii_uppercase + string.digits


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


class StsService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self.clock = clock
        self._issued: dict[str, IssuedCredentials] = {}

    async def start(self) -> None:
        now_ms = self.clock.now_ms()
        await self._db.run(lambda conn: credentials.delete_expired(conn, now_ms))
        self._issued = {
            c.access_key_id: c for c in await self._db.read(lambda conn: credentials.unexpired(conn, now_ms))
        }

    async def stop(self) -> None:
        return None

    def release_pollers(self) -> None:
        return None  # nothing of STS waits

    async def reset(self) -> None:
        await self._db.run(credentials.delete_all)
        self._issued.clear()

    def issued(self, access_key: str | None) -> IssuedCredentials | None:
        """The temporary credentials this access key belongs to, if STS issued it."""
        return self._issued.get(access_key) if access_key else None

    def account_of(self, access_key: str) -> str | None:
        """The account an access key issued here acts as (None for keys STS did not issue)."""
        found = self._issued.get(access_key)
        return found.account if found else None

    async def issue(self, account: str, arn: str, user_id: str, duration_s: int) -> IssuedCredentials:
        issued = IssuedCredentials(
            access_key_id="ASIA" + _random(_KEY_ALPHABET, 16),
            secret_access_key=_random(string.ascii_letters + string.digits + "+/", 40),
            session_token="FwoGZXIvYXdzE" + secrets.token_urlsafe(180),
            account=account,
            arn=arn,
            user_id=user_id,
            expires_ms=self.clock.now_ms() + duration_s * 1000,
        )
        await self._db.run(lambda conn: credentials.save(conn, issued))
        self._issued[issued.access_key_id] = issued
        return issued
