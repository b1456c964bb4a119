"""The settings Posthouse keeps at AWS's defaults, read as infrastructure tools read them after a deploy
(Terraform's aws_lambda_function reads the code-signing and recursion settings): AWS's answers for a
function and an account that never changed them."""

from __future__ import annotations

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.test_lambda_functions import python_function


def test_a_functions_default_settings(lam: BaseClient) -> None:
    name = python_function(lam, "def handler(event, context):\n    return None\n", {})
    arn = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
    signing = lam.get_function_code_signing_config(FunctionName=name)
    assert (signing["CodeSigningConfigArn"], signing["FunctionName"]) == ("", name)
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"
    runtime = lam.get_runtime_management_config(FunctionName=name)
    assert (runtime["UpdateRuntimeOn"], runtime["FunctionArn"]) == ("Auto", arn)
    assert lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"] == []
    assert lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"] == []
    with pytest.raises(ClientError) as excinfo:
        lam.get_function_code_signing_config(FunctionName=name + "-gone")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_account_settings_count_this_accounts_functions(lam: BaseClient) -> None:
    before = lam.get_account_settings()
    name = python_function(lam, "def handler(event, context):\n    return None\n", {})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=7)
    after = lam.get_account_settings()
    assert after["AccountUsage"]["FunctionCount"] == before["AccountUsage"]["FunctionCount"] + 1
    assert after["AccountUsage"]["TotalCodeSize"] > before["AccountUsage"]["TotalCodeSize"]
    limit = after["AccountLimit"]
    assert limit["ConcurrentExecutions"] == 1000
    assert (
        limit["UnreservedConcurrentExecutions"]
        == before["AccountLimit"]["UnreservedConcurrentExecutions"] - 7
    )
    assert limit["CodeSizeZipped"] == 52_428_800
