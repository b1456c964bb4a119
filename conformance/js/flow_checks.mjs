// The end-to-end flow real test suites run around Lambda, with the AWS SDK for JavaScript v3: a role with
// AWS's SQS execution policy, a function with it mapped to a queue, a message sent, and what the function
// printed read back from CloudWatch Logs. Prints one JSON object: {check: {ok, detail}}.
// Environment: ENDPOINT, REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, PREFIX, FUNCTION_ZIP (base64 zip of
// a Python handler.handler that prints "got <body>" for each record).
import {
  IAMClient, CreateRoleCommand, AttachRolePolicyCommand, DetachRolePolicyCommand, DeleteRoleCommand,
} from "@aws-sdk/client-iam";
import {
  LambdaClient, CreateFunctionCommand, GetFunctionConfigurationCommand, CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand, DeleteFunctionCommand,
} from "@aws-sdk/client-lambda";
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, DeleteQueueCommand,
} from "@aws-sdk/client-sqs";
import {
  CloudWatchLogsClient, FilterLogEventsCommand, DeleteLogGroupCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { expect, runChecks } from "./checks.mjs";

const settings = { endpoint: process.env.ENDPOINT, region: process.env.REGION || "us-east-1", maxAttempts: 1 };
const iam = new IAMClient(settings);
const lambda = new LambdaClient(settings);
const sqs = new SQSClient(settings);
const logs = new CloudWatchLogsClient(settings);
const SQS_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole";
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function createFunction(name, role) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await lambda.send(new CreateFunctionCommand({
        FunctionName: name, Runtime: "python3.12", Role: role, Handler: "handler.handler", Timeout: 10,
        Code: { ZipFile: Buffer.from(process.env.FUNCTION_ZIP, "base64") },
      }));
      return;
    } catch (error) {  // AWS: the new role is not assumable for a few seconds
      if (!/role/i.test(error.message) || Date.now() > deadline) throw error;
      await sleep(3000);
    }
  }
}

const checks = {
  async role_function_mapping_and_logs() {
    const name = `${process.env.PREFIX}-flow`;
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: SQS_EXECUTION }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    let mapping;
    try {
      await createFunction(name, Role.Arn);
      for (let i = 0; i < 120; i++) {
        const { State } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
        if (State === "Active") break;
        await sleep(500);
      }
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
      ({ UUID: mapping } = await lambda.send(new CreateEventSourceMappingCommand({
        EventSourceArn: Attributes.QueueArn, FunctionName: name, BatchSize: 10,
      })));
      const startTime = Date.now() - 60_000;
      const body = `from-js-${Math.random().toString(16).slice(2, 8)}`;
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      const deadline = Date.now() + 180_000;
      for (;;) {
        try {
          const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, startTime }));
          const line = (events || []).find((event) => event.message.includes(body));
          if (line) return line.message.trim();
        } catch (error) {
          if (error.name !== "ResourceNotFoundException") throw error;  // the group comes with the first output
        }
        expect(Date.now() < deadline, "the function's output never showed in its log group");
        await sleep(2000);
      }
    } finally {
      if (mapping) await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping }));
      await lambda.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => {});
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
      await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: SQS_EXECUTION }));
      await iam.send(new DeleteRoleCommand({ RoleName: name }));
      await logs.send(new DeleteLogGroupCommand({ logGroupName: `/aws/lambda/${name}` })).catch(() => {});
    }
  },
};

await runChecks(checks);
