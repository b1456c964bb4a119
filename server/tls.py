"""The HTTPS listener's certificate: the one given with --tls-cert, else a self-signed one made once and kept as
`tls.pem` in the data directory (certificate and key in one file, readable by its owner only). It names the
local names (localhost, 127.0.0.1, ::1, host.docker.internal), the listening host and the base URL's host.
A client trusts it by adding that file to its CA bundle (NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE, `--cafile`)."""

from __future__ import annotations

import datetime
import ipaddress
import os

from server.config import Config

FILE_NAME = "tls.pem"
_LOCAL_NAMES = ("localhost", "127.0.0.1", "::1", "host.docker.internal", "host.containers.internal")


def certificate_file(config: Config) -> str:
    if config.tls_certificate:
        return config.tls_certificate
    import tempfile

    directory = tempfile.mkdtemp(prefix="posthouse-tls-") if config.in_memory else config.data_dir
    path = os.path.join(os.path.abspath(directory), FILE_NAME)
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(_self_signed(_names(config)))
    return path


def _names(config: Config) -> list[str]:
    names = list(_LOCAL_NAMES)
    base_host = (config.base_url or "").split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    for name in (config.host, base_host):
        if name and name not in ("0.0.0.0", "::") and name not in names:
            names.append(name)
    return names


def _self_signed(names: list[str]) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Posthouse local HTTPS")])
    alternatives: list[x509.GeneralName] = []
    for name in names:
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternatives.append(x509.DNSName(name))
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)  # fixed: validity is not what this is about
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365 * 30))
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem + certificate.public_bytes(serialization.Encoding.PEM)
