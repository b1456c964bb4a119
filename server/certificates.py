"""Self-signed certificates and their keys, as the server makes them for itself (SNS's signing certificate, the
HTTPS listener's), written where only the server's user can read them. cryptography is imported at the first
use: start-up does not pay for it."""

from __future__ import annotations

import datetime
import ipaddress
import os
from collections.abc import Iterable
from typing import Any


def key_pem(key: Any) -> bytes:
    """The private key in PEM (PKCS#8, not encrypted: the file's permissions protect it)."""
    from cryptography.hazmat.primitives import serialization

    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem


def self_signed(key: Any, common_name: str, alternative_names: Iterable[str] = ()) -> bytes:
    """A PEM certificate of `key`, signed by itself, valid 2020-2050 (fixed: validity is not what these are
    about). With alternative names (host names or IP addresses) it is also a CA, so a client can trust it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365 * 30))
    )
    alternatives: list[x509.GeneralName] = []
    for alternative in alternative_names:
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(alternative)))
        except ValueError:
            alternatives.append(x509.DNSName(alternative))
    if alternatives:
        builder = builder.add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def write_privately(path: str, content: bytes) -> None:
    """`content` into `path`, readable by the server's user only, whole or not at all."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    descriptor = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(path + ".tmp", path)
