"""Lambda on the wire: REST-JSON under `/2015-03-31` (tags under `/2017-03-31`), SigV4 service `lambda`."""

from __future__ import annotations

from server.services.lambda_.errors import (
    DIRECT_UPLOAD_BYTES,
    SYNC_PAYLOAD_BYTES,
    error_body,
    request_too_large,
)
from server.services.lambda_.operations import OPERATIONS
from server.wire import Reply, RestWire, Route, ServiceDescriptor

_FUNCTIONS = "/2015-03-31/functions"
_MAPPINGS = "/2015-03-31/event-source-mappings"
_INVOKE_CONFIG = "/2019-09-25/functions/{FunctionName}/event-invoke-config"
_QUALIFIED = {"Qualifier": "Qualifier"}
_PAGED = {"Marker": "Marker", "MaxItems": "MaxItems"}
_COUNTED = {"MaxItems": "integer"}

ROUTES = (
    Route("CreateFunction", "POST", _FUNCTIONS, 201, max_body=DIRECT_UPLOAD_BYTES),
    Route(
        "ListFunctions",
        "GET",
        _FUNCTIONS,
        query=_PAGED | {"FunctionVersion": "FunctionVersion", "MasterRegion": "MasterRegion"},
        kinds=_COUNTED,
    ),
    Route("GetFunction", "GET", _FUNCTIONS + "/{FunctionName}", query=_QUALIFIED),
    Route(
        "DeleteFunction",
        "DELETE",
        _FUNCTIONS + "/{FunctionName}",
        query=_QUALIFIED,
        reply=Reply("StatusCode"),
    ),
    Route("GetFunctionConfiguration", "GET", _FUNCTIONS + "/{FunctionName}/configuration", query=_QUALIFIED),
    Route("UpdateFunctionConfiguration", "PUT", _FUNCTIONS + "/{FunctionName}/configuration"),
    Route("UpdateFunctionCode", "PUT", _FUNCTIONS + "/{FunctionName}/code", max_body=DIRECT_UPLOAD_BYTES),
    Route(
        "Invoke",
        "POST",
        _FUNCTIONS + "/{FunctionName}/invocations",
        query=_QUALIFIED,
        headers={
            "InvocationType": "X-Amz-Invocation-Type",
            "LogType": "X-Amz-Log-Type",
            "ClientContext": "X-Amz-Client-Context",
            "DurableExecutionName": "X-Amz-Durable-Execution-Name",
            "TenantId": "X-Amz-Tenant-Id",
        },
        payload="Payload",
        max_body=SYNC_PAYLOAD_BYTES,
        reply=Reply(
            "StatusCode",
            {
                "FunctionError": "X-Amz-Function-Error",
                "LogResult": "X-Amz-Log-Result",
                "ExecutedVersion": "X-Amz-Executed-Version",
            },
            "Payload",
        ),
    ),
    Route("GetFunctionCodeSigningConfig", "GET", "/2020-06-30/functions/{FunctionName}/code-signing-config"),
    Route("GetFunctionRecursionConfig", "GET", "/2024-08-31/functions/{FunctionName}/recursion-config"),
    Route(
        "GetRuntimeManagementConfig",
        "GET",
        "/2021-07-20/functions/{FunctionName}/runtime-management-config",
        query=_QUALIFIED,
    ),
    Route(
        "ListFunctionUrlConfigs",
        "GET",
        "/2021-10-31/functions/{FunctionName}/urls",
        query=_PAGED,
        kinds=_COUNTED,
    ),
    Route(
        "ListProvisionedConcurrencyConfigs",
        "GET",
        "/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL",
        query=_PAGED,
        kinds=_COUNTED,
    ),
    Route("GetAccountSettings", "GET", "/2016-08-19/account-settings"),
    Route("AddPermission", "POST", _FUNCTIONS + "/{FunctionName}/policy", 201, query=_QUALIFIED),
    Route("GetPolicy", "GET", _FUNCTIONS + "/{FunctionName}/policy", query=_QUALIFIED),
    Route(
        "RemovePermission",
        "DELETE",
        _FUNCTIONS + "/{FunctionName}/policy/{StatementId}",
        204,
        query=_QUALIFIED | {"RevisionId": "RevisionId"},
    ),
    Route("PublishVersion", "POST", _FUNCTIONS + "/{FunctionName}/versions", 201),
    Route(
        "ListVersionsByFunction", "GET", _FUNCTIONS + "/{FunctionName}/versions", query=_PAGED, kinds=_COUNTED
    ),
    Route("CreateAlias", "POST", _FUNCTIONS + "/{FunctionName}/aliases", 201),
    Route(
        "ListAliases",
        "GET",
        _FUNCTIONS + "/{FunctionName}/aliases",
        query=_PAGED | {"FunctionVersion": "FunctionVersion"},
        kinds=_COUNTED,
    ),
    Route("GetAlias", "GET", _FUNCTIONS + "/{FunctionName}/aliases/{Name}"),
    Route("UpdateAlias", "PUT", _FUNCTIONS + "/{FunctionName}/aliases/{Name}"),
    Route("DeleteAlias", "DELETE", _FUNCTIONS + "/{FunctionName}/aliases/{Name}", 204),
    Route("CreateEventSourceMapping", "POST", _MAPPINGS, 202),
    Route("CreateEventSourceMapping", "POST", _MAPPINGS + "/", 202),
    Route(
        "ListEventSourceMappings",
        "GET",
        _MAPPINGS,
        query={
            "EventSourceArn": "EventSourceArn",
            "FunctionName": "FunctionName",
            "Marker": "Marker",
            "MaxItems": "MaxItems",
        },
        kinds={"MaxItems": "integer"},
    ),
    Route("GetEventSourceMapping", "GET", _MAPPINGS + "/{UUID}"),
    Route("UpdateEventSourceMapping", "PUT", _MAPPINGS + "/{UUID}", 202),
    Route("DeleteEventSourceMapping", "DELETE", _MAPPINGS + "/{UUID}", 202),
    Route("PutFunctionEventInvokeConfig", "PUT", _INVOKE_CONFIG, query=_QUALIFIED),
    Route("UpdateFunctionEventInvokeConfig", "POST", _INVOKE_CONFIG, query=_QUALIFIED),
    Route("GetFunctionEventInvokeConfig", "GET", _INVOKE_CONFIG, query=_QUALIFIED),
    Route("DeleteFunctionEventInvokeConfig", "DELETE", _INVOKE_CONFIG, 204, query=_QUALIFIED),
    Route("ListFunctionEventInvokeConfigs", "GET", _INVOKE_CONFIG + "/list", query=_PAGED, kinds=_COUNTED),
    Route("PutFunctionConcurrency", "PUT", "/2017-10-31/functions/{FunctionName}/concurrency"),
    Route("GetFunctionConcurrency", "GET", "/2019-09-30/functions/{FunctionName}/concurrency"),
    Route("DeleteFunctionConcurrency", "DELETE", "/2017-10-31/functions/{FunctionName}/concurrency", 204),
    Route("TagResource", "POST", "/2017-03-31/tags/{Resource}", 204),
    Route(
        "UntagResource",
        "DELETE",
        "/2017-03-31/tags/{Resource}",
        204,
        query={"TagKeys": "tagKeys"},
        kinds={"TagKeys": "list"},
    ),
    Route("ListTags", "GET", "/2017-03-31/tags/{Resource}"),
)

DESCRIPTOR = ServiceDescriptor(
    name="lambda",
    signing_name="lambda",
    operations=OPERATIONS,
    rest=RestWire(ROUTES, error_body, too_large=request_too_large),
)
