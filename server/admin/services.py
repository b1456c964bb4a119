"""The running services an admin route works on, found from its request."""

from __future__ import annotations

from starlette.requests import Request

from server.runtime import Runtime
from server.services.lambda_.service import LambdaService
from server.services.sns.service import SnsService
from server.services.sqs.service import SqsService


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def sqs_of(request: Request) -> SqsService:
    service = runtime_of(request).service("sqs")
    assert isinstance(service, SqsService)
    return service


def sns_of(request: Request) -> SnsService:
    service = runtime_of(request).service("sns")
    assert isinstance(service, SnsService)
    return service


def lambda_of(request: Request) -> LambdaService:
    service = runtime_of(request).service("lambda")
    assert isinstance(service, LambdaService)
    return service
