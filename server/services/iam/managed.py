"""AWS-managed policies people attach (Lambda's, SQS's, SNS's, CloudWatch Logs'), at their ARNs under
`arn:aws:iam::aws:policy/...`: what AWS documents each to allow, version v1."""

from __future__ import annotations

from typing import Any

_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
_SQS_POLL = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
# name -> (path, actions allowed on every resource, description)
_MANAGED: dict[str, tuple[str, list[str], str]] = {
    "AWSLambdaBasicExecutionRole": (
        "/service-role/",
        _LOGS,
        "Provides write permissions to CloudWatch Logs.",
    ),
    "AWSLambdaSQSQueueExecutionRole": (
        "/service-role/",
        [*_SQS_POLL, *_LOGS],
        "Provides receive message, delete message, and read attribute access to SQS queues, and write"
        " permissions to CloudWatch logs.",
    ),
    "AWSLambdaRole": (
        "/service-role/",
        ["lambda:InvokeFunction"],
        "Default policy for AWS Lambda service role.",
    ),
    "AWSLambdaExecute": (
        "/",
        ["logs:*", "s3:GetObject", "s3:PutObject"],
        "Provides Put, Get access to S3 and full access to CloudWatch Logs.",
    ),
    "AWSLambda_FullAccess": (
        "/",
        ["lambda:*", "logs:*", "sqs:*", "sns:*"],
        "Grants full access to AWS Lambda service.",
    ),
    "AWSLambda_ReadOnlyAccess": (
        "/",
        ["lambda:Get*", "lambda:List*"],
        "Grants read-only access to AWS Lambda service.",
    ),
    "AmazonSQSFullAccess": (
        "/",
        ["sqs:*"],
        "Provides full access to Amazon SQS via the AWS Management Console.",
    ),
    "AmazonSQSReadOnlyAccess": (
        "/",
        ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueues"],
        "Provides read only access to Amazon SQS via the AWS Management Console.",
    ),
    "AmazonSNSFullAccess": (
        "/",
        ["sns:*"],
        "Provides full access to Amazon SNS via the AWS Management Console.",
    ),
    "AmazonSNSReadOnlyAccess": (
        "/",
        ["sns:GetTopicAttributes", "sns:List*"],
        "Provides read only access to Amazon SNS via the AWS Management Console.",
    ),
    "CloudWatchLogsFullAccess": ("/", ["logs:*"], "Provides full access to CloudWatch Logs"),
    "CloudWatchLogsReadOnlyAccess": (
        "/",
        ["logs:Describe*", "logs:Get*", "logs:List*", "logs:FilterLogEvents"],
        "Provides read only access to CloudWatch Logs",
    ),
    "AdministratorAccess": ("/", ["*"], "Provides full access to AWS services and resources."),
}
CREATED = "2015-02-06T18:40:00Z"


def managed_policies() -> dict[str, dict[str, Any]]:
    """ARN -> the policy, as IAM shows it (versions included)."""
    policies = {}
    for name, (path, actions, description) in _MANAGED.items():
        arn = f"arn:aws:iam::aws:policy{path}{name}"
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
        }
        policies[arn] = {
            "PolicyName": name,
            "PolicyId": "ANPA" + name.upper().replace("_", "")[:17].ljust(17, "X"),
            "Arn": arn,
            "Path": path,
            "DefaultVersionId": "v1",
            "Description": description,
            "CreateDate": CREATED,
            "UpdateDate": CREATED,
            "Versions": [
                {"VersionId": "v1", "Document": document, "IsDefaultVersion": True, "CreateDate": CREATED}
            ],
            "Tags": [],
        }
    return policies
