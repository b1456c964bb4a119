// STS checks run with the AWS SDK for JavaScript v3. Prints one JSON object: {check: {ok, detail}}.
// Environment: ENDPOINT, REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { expect, runChecks } from "./checks.mjs";

const client = new STSClient({
  endpoint: process.env.ENDPOINT,
  region: process.env.REGION || "us-east-1",
  maxAttempts: 1,
});

const checks = {
  async caller_identity() {
    const identity = await client.send(new GetCallerIdentityCommand({}));
    expect(/^\d{12}$/.test(identity.Account), `Account ${identity.Account} is not 12 digits`);
    expect(identity.Arn?.startsWith("arn:aws:") && identity.Arn.includes(`:${identity.Account}:`), `Arn ${identity.Arn} is not in the account`);
    expect(identity.UserId, "no UserId");
    return `${identity.Arn}`;
  },

  async assume_role_duration_is_a_validation_error() {
    const { Account } = await client.send(new GetCallerIdentityCommand({}));
    try {
      await client.send(new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${Account}:role/conformance`, RoleSessionName: "check", DurationSeconds: 60,
      }));
    } catch (error) {
      expect(error.name === "ValidationError", `got ${error.name}, not ValidationError`);
      expect(error.$metadata.httpStatusCode === 400, `HTTP ${error.$metadata.httpStatusCode}, not 400`);
      return `${error.name}: ${error.message}`;
    }
    throw new Error("AssumeRole with DurationSeconds=60 succeeded");
  },
};

await runChecks(checks);
