"""The HTTPS listener's certificate: the one given with --tls-cert, else a self-signed one made once and kept as
`tls.pem` in the data directory (certificate and key in one file, readable by its owner only). It names the
local names (localhost, 127.0.0.1, ::1, host.docker.internal), the listening host and the base URL's host.
A client trusts it by adding that file to its CA bundle (NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE, `--cafile`)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from server.certificates import key_pem, self_signed, write_privately
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
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        write_privately(path, key_pem(key) + self_signed(key, "Posthouse local HTTPS", _names(config)))
    return path


def _names(config: Config) -> list[str]:
    names = list(_LOCAL_NAMES)
    base_host = urlsplit(config.base_url).hostname if config.base_url else None
    for name in (config.host, base_host):
        if name and name not in ("0.0.0.0", "::") and name not in names:
            names.append(name)
    return names
