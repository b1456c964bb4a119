"""Signing SNS messages as AWS does: RSA over a canonical string of the message's fields, SHA1 for
SignatureVersion 1 and SHA256 for 2, with a key and self-signed certificate this server makes at first use
(and keeps in its data directory). The certificate is served at the SigningCertURL the messages carry, so a
subscriber that verifies the AWS way (download the certificate, check the signature) accepts them.

The key is RSA-1024: a signature costs about 75 µs against 250 µs for RSA-2048, on every publish. It proves
nothing beyond "this emulator sent it", which is all a local stand-in can prove. A publish's few signatures
are made on the event loop (on a thread each one waited for the GIL to come back, and publishes to one queue
went from 4,200 to 2,300 a second); a batch of `HAND_OVER` or more goes to a helper process in one frame.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from server.certificates import key_pem, self_signed, write_privately
from server.services.sns.signing_process import SigningProcess

if TYPE_CHECKING:  # cryptography itself is imported at the first signature: start-up does not pay for it
    from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 1024
FILE_NAME = "sns-signing.pem"
HAND_OVER = 4
"""Signatures from which a publish hands them to the helper process (one round trip, about 40 µs)."""
PLACEHOLDER = base64.b64encode(bytes(KEY_BITS // 8)).decode()
"""The Signature of every message under `--sns-unsigned`: base64 of the right length, of zeros."""


def canonical(fields: Iterable[tuple[str, str | None]]) -> bytes:
    """`name\\nvalue\\n` for each field present, in the order given (AWS's order is alphabetical)."""
    return "".join(f"{name}\n{value}\n" for name, value in fields if value is not None).encode()


class Signer:
    def __init__(
        self, directory: str | None, signed: bool, now_ms: Callable[[], int], tls_port: int | None = None
    ) -> None:
        self._tls_port = tls_port
        """With an HTTPS listener, the certificate's URL points at it."""
        self._path = os.path.join(directory, FILE_NAME) if directory else None
        self._signed = signed
        """False (`--sns-unsigned`): every Signature is the same placeholder, which verifies against nothing."""
        self._key: rsa.RSAPrivateKey | None = None
        self._certificate = b""
        self._certificate_id = ""
        self._padding: Any = None
        self._hashes: dict[str, Any] = {}
        self._helper = SigningProcess(lambda: key_pem(self._loaded()), now_ms)

    def _loaded(self) -> rsa.RSAPrivateKey:
        if self._key is None:
            self._load()
            assert self._key is not None
        return self._key

    def _load(self) -> None:
        """Read the key and certificate, or make them (and keep them, when there is a data directory): at
        the first signature or look at the certificate."""
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        if self._path and os.path.exists(self._path):
            with open(self._path, "rb") as file:
                pem = file.read()
            key = serialization.load_pem_private_key(pem, password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            certificate = pem[pem.index(b"-----BEGIN CERTIFICATE-----") :]
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
            certificate = self_signed(key, "sns.amazonaws.com")
            if self._path:
                write_privately(self._path, key_pem(key) + certificate)
        self._padding, self._hashes = padding.PKCS1v15(), {"1": hashes.SHA1(), "2": hashes.SHA256()}
        self._key, self._certificate = key, certificate
        self._certificate_id = hashlib.md5(certificate).hexdigest()  # 32 hex digits, as AWS's ids are

    @property
    def certificate(self) -> bytes:
        if self._key is None:
            self._load()
        return self._certificate

    @property
    def certificate_id(self) -> str:
        """What the certificate's URL names it by: `SimpleNotificationService-<id>.pem`."""
        if self._key is None:
            self._load()
        return self._certificate_id

    def certificate_url(self, base_url: str) -> str:
        """Where a subscriber fetches the certificate: this server's HTTPS listener on the base URL's host when
        there is one (validators want https), else the base URL itself."""
        path = f"/SimpleNotificationService-{self.certificate_id}.pem"
        if self._tls_port is None:
            return base_url + path
        host = urlsplit(base_url).hostname or "localhost"
        return f"https://{f'[{host}]' if ':' in host else host}:{self._tls_port}{path}"

    def sign(self, fields: Iterable[tuple[str, str | None]], version: str) -> str:
        return self._signed_here([canonical(fields)], version)[0]

    async def sign_all(self, documents: list[bytes], version: str) -> list[str]:
        """The canonical documents' signatures: a batch by the helper process when it can, else here."""
        if self._signed and len(documents) >= HAND_OVER:
            signatures = await self._helper.sign(version, documents)
            if signatures is not None:
                return signatures
        return self._signed_here(documents, version)

    def _signed_here(self, documents: list[bytes], version: str) -> list[str]:
        if not self._signed:
            return [PLACEHOLDER] * len(documents)
        key, digest = self._loaded(), self._hashes[version]
        return [
            base64.b64encode(key.sign(document, self._padding, digest)).decode() for document in documents
        ]

    async def close(self) -> None:
        await self._helper.close()
