// SQS checks run with the AWS SDK for JavaScript v3, which verifies every MD5 digest it receives and sends
// each request to the host of the QueueUrl it names. Prints one JSON object: {check: {ok, detail}}.
// Environment: ENDPOINT, REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, PREFIX (unique queue names).
import {
  SQSClient,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  DeleteMessageBatchCommand,
  QueueDoesNotExist,
} from "@aws-sdk/client-sqs";
import { expect, runChecks } from "./checks.mjs";

const client = new SQSClient({
  endpoint: process.env.ENDPOINT,
  region: process.env.REGION || "us-east-1",
  maxAttempts: 1,
});
const prefix = process.env.PREFIX || `js-${Date.now()}`;
const created = [];

async function queue(name, attributes = {}) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: `${prefix}-${name}`, Attributes: attributes }));
  created.push(QueueUrl);
  return QueueUrl;
}

const attributes = {
  text: { DataType: "String", StringValue: "héllo ✓" },
  count: { DataType: "Number", StringValue: "42.5" },
  blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
  custom: { DataType: "String.custom", StringValue: "x" },
};

const checks = {
  // The SDK compares the body digests of every reply (send, batch, receive) with its own and throws when
  // they differ; attribute digests are compared here.
  async send_receive_delete_with_attributes() {
    const url = await queue("attrs");
    const body = "line one\r\nline two 🚀 <&>";
    const sent = await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attributes }));
    expect(sent.MessageId && sent.MD5OfMessageAttributes, "send reply lacks MessageId or MD5OfMessageAttributes");
    const { Messages } = await client.send(new ReceiveMessageCommand({
      QueueUrl: url, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"], WaitTimeSeconds: 1,
    }));
    expect(Messages?.length === 1, `expected 1 message, got ${Messages?.length}`);
    const [message] = Messages;
    expect(message.Body === body, "body changed in transit");
    expect(message.MessageId === sent.MessageId, "MessageId differs");
    expect(Buffer.from(message.MessageAttributes.blob.BinaryValue).equals(Buffer.from([0, 1, 2, 255])), "binary attribute changed");
    expect(message.Attributes.ApproximateReceiveCount === "1", "ApproximateReceiveCount is not 1");
    expect(message.MD5OfMessageAttributes === sent.MD5OfMessageAttributes, "attribute digests differ");
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    return `MessageId ${sent.MessageId}, digests verified by the SDK`;
  },

  async batch_send_receive_delete() {
    const url = await queue("batch");
    const entries = Array.from({ length: 10 }, (_, i) => ({
      Id: `e${i}`, MessageBody: `message ${i} ✓`, MessageAttributes: i % 2 ? attributes : undefined,
    }));
    const sent = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(sent.Successful?.length === 10 && !sent.Failed?.length, "not all 10 entries succeeded");
    const received = [];
    while (received.length < 10) {
      const { Messages } = await client.send(new ReceiveMessageCommand({
        QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], WaitTimeSeconds: 1,
      }));
      expect(Messages?.length, `only ${received.length} of 10 messages came back`);
      received.push(...Messages);
    }
    const deleted = await client.send(new DeleteMessageBatchCommand({
      QueueUrl: url, Entries: received.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
    }));
    expect(deleted.Successful?.length === 10, "not all 10 deletes succeeded");
    return "10 sent, received and deleted; digests verified by the SDK";
  },

  async fifo_send_and_receive_in_order() {
    const url = await queue("order.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    const numbers = [];
    for (let i = 0; i < 3; i++) {
      const sent = await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}`, MessageGroupId: "g" }));
      numbers.push(BigInt(sent.SequenceNumber));
    }
    expect(numbers[0] < numbers[1] && numbers[1] < numbers[2], "SequenceNumbers do not increase");
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(Messages?.map((m) => m.Body).join() === "m0,m1,m2", "group not delivered in order");
    return "3 messages, increasing SequenceNumbers, delivered in order";
  },

  async error_maps_to_exception_class() {
    try {
      await client.send(new GetQueueUrlCommand({ QueueName: `${prefix}-never-created` }));
    } catch (error) {
      expect(error instanceof QueueDoesNotExist, `got ${error.name}, not QueueDoesNotExist`);
      expect(error.$metadata.httpStatusCode === 400, `HTTP ${error.$metadata.httpStatusCode}, not 400`);
      return `${error.name}: ${error.message}`;
    }
    throw new Error("GetQueueUrl of a missing queue succeeded");
  },
};

await runChecks(checks, async () => {
  for (const url of created) {
    await client.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => {});
  }
});
