"""The SDK clients the suites drive: current boto3 (AWS JSON 1.0) and botocore with botocore 1.31's models (SQS
in the query protocol, and STS as that release knew it).

Only the endpoint, region and credentials are given; nothing here knows which server answers.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.client import BaseClient
from botocore.config import Config as BotoConfig

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache"
# The last botocore whose SQS model speaks the query protocol; fetched from PyPI, never committed.
QUERY_BOTOCORE = "botocore==1.31.60"
QUERY_MODEL_DIR = CACHE / "botocore-1.31-models"
QUERY_MODELS = ("sqs/2012-11-05", "sts/2011-06-15")
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
NO_RETRIES = BotoConfig(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=70)


def query_model_dir() -> Path:
    """A data folder holding botocore 1.31's SQS (query protocol) and STS models, taken off PyPI."""
    if not all((QUERY_MODEL_DIR / model / "service-2.json").exists() for model in QUERY_MODELS):
        with tempfile.TemporaryDirectory() as download:
            pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", download]
            subprocess.run([*pip, QUERY_BOTOCORE], check=True)
            (wheel,) = Path(download).glob("botocore-*.whl")
            with zipfile.ZipFile(io.BytesIO(wheel.read_bytes())) as archive:
                for model in QUERY_MODELS:
                    (QUERY_MODEL_DIR / model).mkdir(parents=True, exist_ok=True)
                    for name in archive.namelist():
                        if name.startswith(f"botocore/data/{model}/"):
                            (QUERY_MODEL_DIR / model / Path(name).name).write_bytes(archive.read(name))
    return QUERY_MODEL_DIR


def legacy_client(name: str, **kwargs: Any) -> BaseClient:
    """A client of botocore with 1.31's model of the service."""
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(query_model_dir()))
    return session.create_client(name, **kwargs)


def sqs_client(
    endpoint: str,
    protocol: str,
    region: str = "us-east-1",
    config: BotoConfig = NO_RETRIES,
    **credentials: str,
) -> BaseClient:
    """A real SQS client: current boto3 (AWS JSON 1.0) or botocore with the query-protocol model."""
    kwargs: dict[str, Any] = {
        "endpoint_url": endpoint,
        "region_name": region,
        "config": config,
        **(credentials or CREDENTIALS),
    }
    if protocol == "json":
        return boto3.session.Session().client("sqs", **kwargs)
    client = legacy_client("sqs", **kwargs)
    assert client.meta.service_model.protocol == "query"
    return client


def sns_client(endpoint: str, region: str = "us-east-1", **credentials: str) -> BaseClient:
    """boto3's SNS client (query protocol), without client-side validation, so bad input reaches the server."""
    config = NO_RETRIES.merge(BotoConfig(parameter_validation=False))
    return boto3.session.Session().client(
        "sns", endpoint_url=endpoint, region_name=region, config=config, **(credentials or CREDENTIALS)
    )


def lambda_client(endpoint: str, region: str = "us-east-1", **credentials: str) -> BaseClient:
    """boto3's Lambda client (REST-JSON), without client-side validation, so bad input reaches the server."""
    config = NO_RETRIES.merge(BotoConfig(parameter_validation=False))
    return boto3.session.Session().client(
        "lambda", endpoint_url=endpoint, region_name=region, config=config, **(credentials or CREDENTIALS)
    )
