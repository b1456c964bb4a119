"""SNS on the wire: the query protocol (`Version=2010-03-31`), and one plain GET route, the signing
certificate its messages name in SigningCertURL."""

from __future__ import annotations

from collections.abc import Mapping

from server.services.sns.operations import OPERATIONS
from server.services.sns.wire import INPUTS, OUTPUT
from server.wire import QueryWire, Reply, RestWire, Route, ServiceDescriptor

_CERTIFICATE = Route(
    "GetSigningCertificate",
    "GET",
    "/SimpleNotificationService-{CertificateId}.pem",
    reply=Reply(headers={"ContentType": "Content-Type"}, payload="Certificate"),
)


def _names_a_topic(form: Mapping[str, str]) -> bool:
    return "TopicArn" in form or form.get("ResourceArn", "").startswith("arn:aws:sns:")


DESCRIPTOR = ServiceDescriptor(
    name="sns",
    signing_name="sns",
    operations=OPERATIONS,
    query=QueryWire(
        version="2010-03-31",
        inputs=INPUTS,
        names=OUTPUT,
        link_actions=frozenset({"ConfirmSubscription", "Unsubscribe"}),  # the SubscribeURL, UnsubscribeURL
    ),
    rest=RestWire(routes=(_CERTIFICATE,)),
    claims=_names_a_topic,
)
