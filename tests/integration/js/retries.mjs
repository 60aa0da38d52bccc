// The AWS SDK for JavaScript v3 against Cairn's injected faults: run by test_faults_js.py with
// the endpoint as argv[2]; prints one JSON object of what the SDK did.
import { DynamoDBClient, CreateTableCommand, PutItemCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";

const endpoint = process.argv[2];
const admin = async (method, path, body) => {
  const r = await fetch(`${endpoint}/cairn/admin/${path}`, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  return r.json();
};
const client = (maxAttempts, retryMode = "standard") => new DynamoDBClient({
  endpoint, region: "us-east-1", maxAttempts, retryMode,
  credentials: { accessKeyId: "AKIDJSSDKTEST", secretAccessKey: "x" },
});

const out = {};
const c = client(1);
await c.send(new CreateTableCommand({
  TableName: "Orders", BillingMode: "PAY_PER_REQUEST",
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
}));

// Two throttles, then success: 3 attempts.
let { ids } = await admin("POST", "faults", {
  operation: "PutItem", table: "Orders", count: 2, error: "ProvisionedThroughputExceededException",
});
const ok = await client(5).send(new PutItemCommand({ TableName: "Orders", Item: { pk: { S: "a" } } }));
out.success_attempts = ok.$metadata.attempts;
out.success_counters = (await admin("GET", "faults")).rules.find((r) => r.id === ids[0]);

// Always failing, adaptive mode, 3 attempts at most: the final error.
({ ids } = await admin("POST", "faults", {
  operation: "PutItem", table: "Orders", error: "InternalServerError",
}));
try {
  await client(3, "adaptive").send(new PutItemCommand({ TableName: "Orders", Item: { pk: { S: "b" } } }));
  out.final_error = null;
} catch (e) {
  out.final_error = { name: e.name, message: e.message, status: e.$metadata.httpStatusCode,
                      attempts: e.$metadata.attempts };
}
out.final_counters = (await admin("GET", "faults")).rules.find((r) => r.id === ids[0]);
await admin("DELETE", "faults");
const got = await c.send(new GetItemCommand({ TableName: "Orders", Key: { pk: { S: "b" } }, ConsistentRead: true }));
out.failed_item_written = got.Item !== undefined;

// A dropped connection, retried.
await admin("POST", "faults", { operation: "GetItem", count: 1, drop_connection: true });
const again = await client(3).send(new GetItemCommand({ TableName: "Orders", Key: { pk: { S: "a" } } }));
out.drop_attempts = again.$metadata.attempts;
out.drop_item = again.Item;
// Backoff, observed in both retry modes: the SDK's jitter (Math.random) fixed at 0.5, two
// throttling errors, and the time between the attempts as they reach the wire (the deserialize
// step runs once per attempt, inside the retry loop).
const random = Math.random;
Math.random = () => 0.5;
out.backoff = {};
for (const mode of ["standard", "adaptive"]) {
  ({ ids } = await admin("POST", "faults", {
    operation: "PutItem", table: "Orders", count: 2, error: "ProvisionedThroughputExceededException",
  }));
  const cl = client(4, mode);
  const times = [];
  cl.middlewareStack.add((next) => async (args) => {
    times.push(performance.now());
    return next(args);
  }, { step: "deserialize", name: "attemptClock" });
  const r = await cl.send(new PutItemCommand({ TableName: "Orders", Item: { pk: { S: `backoff-${mode}` } } }));
  out.backoff[mode] = {
    attempts: r.$metadata.attempts, total_retry_delay: r.$metadata.totalRetryDelay,
    gaps_ms: times.slice(1).map((t, i) => t - times[i]),
    counters: (await admin("GET", "faults")).rules.find((x) => x.id === ids[0]),
  };
  await admin("DELETE", "faults");
}
Math.random = random;
console.log(JSON.stringify(out));
