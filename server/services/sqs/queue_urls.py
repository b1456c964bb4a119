"""Queue URLs: the styles Posthouse hands out, and every style (AWS's and LocalStack's) it understands.

Handed out, one style per server (`--queue-url-style`, LocalStack's `SQS_ENDPOINT_STRATEGY` names):
- `off` (default): `http://host:port/<account>/<name>`
- `standard`: `http://sqs.<region>.host:port/<account>/<name>`, as AWS's own URLs are built
- `domain`: `http://<region>.queue.host:port/<account>/<name>`, AWS's older form
- `path`: `http://host:port/queue/<region>/<account>/<name>`

Understood on input, whatever the setting: all of the above, AWS's URLs, a bare queue name (AWS resolves it
in the caller's account and region) and the path alone (clients that send the request to the queue's URL).
A region the URL names wins over the region the request was signed for.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from persistence.records import QueueRecord
from server.config import QueueUrlStyle

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
# The older form leaves us-east-1 out of the host; only these well-known hosts are read that way, so a server
# of your own named `queue.something` keeps the signing region.
_LEGACY_HOSTS = frozenset({"queue.amazonaws.com", "queue.localhost.localstack.cloud"})


@dataclass(frozen=True, slots=True)
class QueueAddress:
    """What a QueueUrl names; None where it leaves the caller's own account or region."""

    name: str
    account: str | None = None
    region: str | None = None


def queue_url(style: QueueUrlStyle, base_url: str, queue: QueueRecord) -> str:
    if style == "off":
        return f"{base_url}/{queue.account}/{queue.name}"
    scheme, _, host = base_url.partition("://")
    if style == "path" or _is_address(host):  # an IP address has no subdomain to carry the region
        return f"{base_url}/queue/{queue.region}/{queue.account}/{queue.name}"
    if style == "standard":
        return f"{scheme}://sqs.{queue.region}.{host}/{queue.account}/{queue.name}"
    return f"{scheme}://{queue.region}.queue.{host}/{queue.account}/{queue.name}"


def parse_queue_url(url: str) -> QueueAddress | None:
    """The queue a QueueUrl (or a request path) names, or None when it cannot name one.

    Plain string work: urllib's urlsplit caches only 128 URLs, and this runs on every message request.
    """
    if "://" in url:
        host, _, path = url.partition("://")[2].partition("/")
    elif url.startswith("/"):
        host, path = "", url[1:]
    elif url:
        return QueueAddress(url)
    else:
        return None
    parts = path.partition("?")[0].rstrip("/").split("/")
    if len(parts) == 2 and parts[0] and parts[1]:
        return QueueAddress(parts[1], parts[0], _region_of_host(host) if host else None)
    if len(parts) == 4 and parts[0] == "queue" and all(parts[1:]):
        return QueueAddress(parts[3], parts[2], parts[1])
    return None


def _region_of_host(host: str) -> str | None:
    """`sqs.<region>.…`, `<region>.queue.…` or AWS's `queue.amazonaws.com` (us-east-1); other hosts name none."""
    first, _, rest = host.partition(".")
    if first == "sqs":
        region = rest.partition(".")[0]
        return region if _REGION.fullmatch(region) else None
    if host.partition(":")[0] in _LEGACY_HOSTS:
        return "us-east-1"
    if rest.startswith("queue.") and _REGION.fullmatch(first):
        return first
    return None


def _is_address(host: str) -> bool:
    name = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
