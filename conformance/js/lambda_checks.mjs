// Lambda checks run with the AWS SDK for JavaScript v3 (REST-JSON), and its SQS client for a mapping's queue.
// Prints one JSON object: {check: {ok, detail}}.
// Environment: ENDPOINT, REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, PREFIX (unique names),
// FUNCTION_ZIP (base64 zip of a Python handler.handler), ROLE (the function's role).
import {
  LambdaClient,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { SQSClient, CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { expect, runChecks } from "./checks.mjs";

const settings = { endpoint: process.env.ENDPOINT, region: process.env.REGION || "us-east-1", maxAttempts: 1 };
const lambda = new LambdaClient(settings);
const sqs = new SQSClient(settings);
const prefix = process.env.PREFIX || `js-${Date.now()}`;
const functionName = `${prefix}-fn`;
const queues = [];

async function ready() {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: functionName,
    Runtime: "python3.12",
    Role: process.env.ROLE,
    Handler: "handler.handler",
    Code: { ZipFile: Buffer.from(process.env.FUNCTION_ZIP, "base64") },
  }));
  for (let i = 0; i < 120; i++) {
    const { State } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    if (State === "Active") return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("the function never became Active");
}

async function invoke(event) {
  const reply = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(event) }));
  return { reply, payload: JSON.parse(Buffer.from(reply.Payload).toString()) };
}

const created = ready();

const checks = {
  async invoke_returns_the_payload() {
    await created;
    const { reply, payload } = await invoke({ name: "js" });
    expect(reply.StatusCode === 200 && reply.FunctionError === undefined, `status ${reply.StatusCode} ${reply.FunctionError}`);
    expect(payload.greeting === "hello js", `payload ${JSON.stringify(payload)}`);
    return reply.ExecutedVersion;
  },

  async function_error_is_unhandled() {
    await created;
    const { reply, payload } = await invoke({ fail: true });
    expect(reply.FunctionError === "Unhandled", `FunctionError ${reply.FunctionError}`);
    expect(payload.errorType === "RuntimeError" && payload.errorMessage === "js asked to fail", JSON.stringify(payload));
    return payload.errorType;
  },

  async missing_function_is_not_found() {
    try {
      await lambda.send(new InvokeCommand({ FunctionName: `${prefix}-missing`, Payload: "{}" }));
    } catch (error) {
      expect(error instanceof ResourceNotFoundException, `got ${error.name}`);
      expect(error.$metadata.httpStatusCode === 404, `HTTP ${error.$metadata.httpStatusCode}`);
      return error.name;
    }
    throw new Error("a missing function was invoked");
  },

  async alias_runs_its_version() {
    await created;
    const version = await lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
    expect(version.$metadata.httpStatusCode === 201 && version.Version === "1", `Version ${version.Version}`);
    for (let i = 0; i < 120; i++) {
      const { State } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: "1" }));
      if (State === "Active") break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: functionName, Name: "live", FunctionVersion: "1" }));
    expect(alias.AliasArn.endsWith(`:${functionName}:live`), `AliasArn ${alias.AliasArn}`);
    const reply = await lambda.send(new InvokeCommand({ FunctionName: functionName, Qualifier: "live", Payload: JSON.stringify({ name: "alias" }) }));
    const payload = JSON.parse(Buffer.from(reply.Payload).toString());
    expect(reply.ExecutedVersion === "1" && payload.greeting === "hello alias", `${reply.ExecutedVersion} ${JSON.stringify(payload)}`);
    return reply.ExecutedVersion;
  },

  async mapping_is_created_and_deleted() {
    await created;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-src`, Attributes: { VisibilityTimeout: "30" } }));
    queues.push(QueueUrl);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const mapping = await lambda.send(new CreateEventSourceMappingCommand({
      FunctionName: functionName, EventSourceArn: Attributes.QueueArn, BatchSize: 10,
    }));
    expect(mapping.State === "Creating" && mapping.BatchSize === 10, `State ${mapping.State}`);
    expect(mapping.$metadata.httpStatusCode === 202, `HTTP ${mapping.$metadata.httpStatusCode}`);
    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
    expect(deleted.State === "Deleting", `State ${deleted.State}`);
    return mapping.UUID;
  },
};

await runChecks(checks, async () => {
  await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName })).catch(() => {});
  for (const QueueUrl of queues) await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => {});
});
