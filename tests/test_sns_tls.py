"""With --tls-port, Posthouse also answers over HTTPS and SNS's SigningCertURL points there: the certificate is
fetched over https, the signatures verify, and of the two common npm validators sns-validator accepts the
messages when told the local host (and Node trusts the listener's certificate), while sns-payload-validator,
which accepts only AWS's own certificate URLs, refuses them (as the README says)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import ssl
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.harness import ServerProcess, free_port
from tests.test_sns_topics import unique

VALIDATORS = Path(__file__).parent / "js_validators"


def _client(service: str, url: str, bundle: Path | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        verify=str(bundle) if bundle else None,
    )


def _signed_envelope(server: ServerProcess, https_url: str, bundle: Path) -> dict[str, Any]:
    sns, sqs = _client("sns", https_url, bundle), _client("sqs", server.url)
    topic = sns.create_topic(Name=unique())["TopicArn"]
    queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="over https", Subject="s")
    envelope: dict[str, Any] = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])
    return envelope


@pytest.fixture
def tls_server(data_dir: Path) -> Any:
    port = free_port()
    with ServerProcess(data_dir, "--tls-port", str(port)).start() as server:
        yield server, f"https://127.0.0.1:{port}", data_dir / "tls.pem"


def test_the_certificate_is_served_over_https_and_verifies(tls_server: Any) -> None:
    server, https_url, bundle = tls_server
    envelope = _signed_envelope(server, https_url, bundle)
    url = envelope["SigningCertURL"]
    assert re.fullmatch(rf"{re.escape(https_url)}/SimpleNotificationService-[0-9a-f]{{32}}\.pem", url)
    with urllib.request.urlopen(url, context=ssl.create_default_context(cafile=bundle)) as reply:
        certificate = x509.load_pem_x509_certificate(reply.read())
    names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    canonical = "".join(f"{name}\n{envelope[name]}\n" for name in names if name in envelope).encode()
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(base64.b64decode(envelope["Signature"]), canonical, padding.PKCS1v15(), hashes.SHA1())
    assert _client("sqs", server.url).list_queues()  # the plain listener still answers


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="needs node and npm")
def test_what_the_common_npm_validators_say(tls_server: Any, tmp_path: Path) -> None:
    server, https_url, bundle = tls_server
    if not (VALIDATORS / "node_modules" / "sns-validator").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=VALIDATORS, check=True, timeout=300
        )
    message = tmp_path / "message.json"
    message.write_text(json.dumps(_signed_envelope(server, https_url, bundle)))
    host = https_url.removeprefix("https://")
    done = subprocess.run(
        ["node", "check.cjs", str(message)],
        cwd=VALIDATORS,
        env={
            "PATH": os.environ["PATH"],
            "NODE_EXTRA_CA_CERTS": str(bundle),
            "CERT_HOST_PATTERN": f"^{re.escape(host)}$",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) == {
        "sns-validator": "The certificate is located on an invalid domain.",
        "sns-validator with a local host pattern": "valid",
        "sns-payload-validator": "Invalid SigningCertURL",
    }
