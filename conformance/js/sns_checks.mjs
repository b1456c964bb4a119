// SNS checks run with the AWS SDK for JavaScript v3 (and its SQS client to read what SNS delivered).
// Prints one JSON object: {check: {ok, detail}}.
// Environment: ENDPOINT, REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, PREFIX (unique names).
import {
  SNSClient,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  PublishCommand,
  PublishBatchCommand,
  SubscribeCommand,
  NotFoundException,
  InvalidParameterException,
} from "@aws-sdk/client-sns";
import {
  SQSClient,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { expect, runChecks } from "./checks.mjs";

const settings = { endpoint: process.env.ENDPOINT, region: process.env.REGION || "us-east-1", maxAttempts: 1 };
const sns = new SNSClient(settings);
const sqs = new SQSClient(settings);
const prefix = process.env.PREFIX || `js-${Date.now()}`;
const topics = [];
const queues = [];

async function topic(name) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${prefix}-${name}` }));
  topics.push(TopicArn);
  return TopicArn;
}

async function subscribedQueue(topicArn, name, attributes = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${name}` }));
  queues.push(QueueUrl);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const policy = {
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage",
      Resource: Attributes.QueueArn, Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
    }],
  };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: Attributes.QueueArn, Attributes: attributes }));
  return QueueUrl;
}

async function receiveOne(QueueUrl) {
  for (let tries = 0; tries < 20; tries++) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl, WaitTimeSeconds: 1, MessageAttributeNames: ["All"],
    }));
    if (Messages?.length) return Messages[0];
  }
  throw new Error("nothing arrived");
}

const checks = {
  async publish_reaches_a_queue_in_an_envelope() {
    const arn = await topic("envelope");
    const url = await subscribedQueue(arn, "envelope");
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: "from js", Subject: "js" }));
    const envelope = JSON.parse((await receiveOne(url)).Body);
    expect(envelope.Type === "Notification", `Type ${envelope.Type}`);
    expect(envelope.MessageId === MessageId, `MessageId ${envelope.MessageId} is not ${MessageId}`);
    expect(envelope.Message === "from js" && envelope.Subject === "js", "message or subject changed");
    expect(envelope.Signature && envelope.SigningCertURL, "not signed");
    return MessageId;
  },

  async raw_delivery_keeps_attributes() {
    const arn = await topic("raw");
    const url = await subscribedQueue(arn, "raw", { RawMessageDelivery: "true" });
    await sns.send(new PublishCommand({
      TopicArn: arn, Message: "raw js", MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
    }));
    const message = await receiveOne(url);
    expect(message.Body === "raw js", `body ${message.Body}`);
    expect(message.MessageAttributes?.k?.StringValue === "v", `attributes ${JSON.stringify(message.MessageAttributes)}`);
    return "raw";
  },

  async publish_batch_answers_every_id() {
    const arn = await topic("batch");
    const entries = ["a", "b", "c"].map((Id) => ({ Id, Message: `m-${Id}` }));
    const { Successful, Failed } = await sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: entries }));
    expect(Successful.length === 3 && (Failed ?? []).length === 0, `${Successful.length} ok, ${Failed?.length} failed`);
    return Successful.map((e) => e.Id).join(",");
  },

  async missing_topic_is_not_found() {
    const arn = await topic("gone");
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    try {
      await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    } catch (error) {
      expect(error instanceof NotFoundException, `got ${error.name}`);
      expect(error.$metadata.httpStatusCode === 404, `HTTP ${error.$metadata.httpStatusCode}`);
      return error.message;
    }
    throw new Error("GetTopicAttributes of a deleted topic succeeded");
  },

  async empty_message_is_invalid_parameter() {
    const arn = await topic("empty");
    try {
      await sns.send(new PublishCommand({ TopicArn: arn, Message: "" }));
    } catch (error) {
      expect(error instanceof InvalidParameterException, `got ${error.name}`);
      return error.message;
    }
    throw new Error("an empty message was published");
  },
};

await runChecks(checks, async () => {
  for (const TopicArn of topics) await sns.send(new DeleteTopicCommand({ TopicArn })).catch(() => {});
  for (const QueueUrl of queues) await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => {});
});
