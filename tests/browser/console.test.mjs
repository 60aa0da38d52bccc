// The web console (GET /console) in a real browser: Debian's chromium, headless. Each test works
// the console as a person would (forms, buttons, keyboard), asserts on the DOM and on the data
// through the DynamoDB API, and keeps a screenshot in the build folder (harness.mjs).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { ddb, launchBrowser, newPage, screenshot, startCairn } from "./harness.mjs";

const KEY = "console-test";
const REGION = "us-east-1";
let server, browser, page;

before(async () => {
  server = await startCairn();
  browser = await launchBrowser();
  page = await newPage(browser);
  // The console starts on the access key and region it was last used with.
  await page.goto(server.url + "/console");
  await page.evaluate(([k, r]) => { localStorage.setItem("cairn.accessKey", k); localStorage.setItem("cairn.region", r); }, [KEY, REGION]);
  await page.goto(server.url + "/console#/tables");
  await page.reload();
  await page.locator("#tables").waitFor();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// No uncaught exception in the page, no error left unread on screen.
function assertNoProblems() {
  assert.deepEqual(page.problems, []);
}
const rows = (tableId) => page.locator(`#${tableId} tbody tr[data-row]`);
async function waitRows(tableId, n) {
  await page.waitForFunction(([id, want]) => document.querySelectorAll(`#${id} tbody tr[data-row]`).length === want, [tableId, n]);
}
async function cellTexts(tableId, column) {
  return page.evaluate(([id, col]) => {
    const table = document.getElementById(id);
    const idx = [...table.querySelectorAll("thead th")].findIndex((th) => th.textContent === col);
    return [...table.querySelectorAll("tbody tr[data-row]")].map((tr) => tr.children[idx].textContent);
  }, [tableId, column]);
}

test("create a table with a GSI, a stream and TTL from the form", async () => {
  await page.click("#create-table");
  await page.fill("#ct-name", "Orders");
  await page.fill("#ct-pk", "customer");
  await page.fill("#ct-sk", "order");
  await page.selectOption("#ct-sk-type", "N");
  await page.selectOption("#ct-stream", "NEW_AND_OLD_IMAGES");
  await page.fill("#ct-ttl", "expires");
  await page.click("#ct-add-gsi");
  await page.fill(".gsi-name", "byStatus");
  await page.fill(".gsi-pk", "status:S");
  await page.fill(".gsi-sk", "total:N");
  await page.click("#ct-add-lsi");
  await page.fill(".lsi-name", "byTotal");
  await page.fill(".lsi-sk", "total:N");
  await page.selectOption(".lsi-proj", "INCLUDE");
  await page.fill(".lsi-include", "status");
  // The request preview follows the form.
  const preview = JSON.parse(await page.textContent("#ct-preview"));
  assert.equal(preview.GlobalSecondaryIndexes[0].IndexName, "byStatus");
  assert.deepEqual(preview.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
  await screenshot(page, "01-create-table-form");
  await page.click("#ct-submit");
  await page.waitForURL(/#\/table\/Orders\/items/);
  await page.locator("#items-table").waitFor();
  assert.equal(await page.textContent("#table-name"), "Orders");
  const t = (await ddb(server.url, "DescribeTable", { TableName: "Orders" }, { accessKey: KEY })).Table;
  assert.equal(t.GlobalSecondaryIndexes[0].IndexName, "byStatus");
  assert.deepEqual(t.LocalSecondaryIndexes[0].Projection, { ProjectionType: "INCLUDE", NonKeyAttributes: ["status"] });
  assert.equal(t.StreamSpecification.StreamViewType, "NEW_AND_OLD_IMAGES");
  const ttl = await ddb(server.url, "DescribeTimeToLive", { TableName: "Orders" }, { accessKey: KEY });
  assert.equal(ttl.TimeToLiveDescription.AttributeName, "expires");
  // The table list shows it with its settings.
  await page.click("#nav-tables");
  const row = page.locator('#tables tr[data-table="Orders"]');
  await row.waitFor();
  const text = await row.textContent();
  assert.match(text, /ACTIVE/);
  assert.match(text, /on demand/);
  assert.match(text, /1 GSI, 1 LSI/);
  assert.match(text, /NEW_AND_OLD_IMAGES/);
  assert.match(text, /expires/);
  await screenshot(page, "02-tables");
  assertNoProblems();
});

test("the server's validation message is shown as it words it", async () => {
  await page.goto(server.url + "/console#/table/Orders/items");
  await page.click("#new-item");
  await page.fill("#item-text", JSON.stringify({ customer: { S: "c1" }, order: { S: "not a number" } }));
  await page.click("#item-save");
  const line = page.locator("#item-error");
  await page.waitForFunction(() => document.getElementById("item-error").textContent !== "");
  const msg = await line.textContent();
  assert.match(msg, /^ValidationException: /);
  assert.match(msg, /key/i);
  // Not JSON at all: the console says so before sending.
  await page.fill("#item-text", "{ nope");
  await page.click("#item-save");
  await page.waitForFunction(() => /Not valid JSON/.test(document.getElementById("item-error").textContent));
  await screenshot(page, "03-validation-error");
  await page.keyboard.press("Escape");
  assertNoProblems();
});

test("add and edit items (DynamoDB JSON and plain JSON), then duplicate one", async () => {
  await page.goto(server.url + "/console#/table/Orders/items");
  await page.click("#new-item");
  await page.selectOption("#item-format", "ddb");
  await page.fill("#item-text", JSON.stringify({ customer: { S: "alice" }, order: { N: "1" }, status: { S: "open" }, total: { N: "42.5" }, tags: { SS: ["a", "b"] } }));
  await page.click("#item-save");
  await waitRows("items-table", 1);
  assert.deepEqual(await cellTexts("items-table", "customer"), ["alice"]);
  // Edit: open the row with the keyboard, switch to plain JSON (the item has a set: refused).
  await rows("items-table").first().focus();
  await page.keyboard.press("Enter");
  await page.selectOption("#item-format", "plain");
  await page.waitForFunction(() => /sets or binary/.test(document.getElementById("item-error").textContent));
  const edited = JSON.parse(await page.inputValue("#item-text"));
  delete edited.tags;
  edited.total = { N: "99.95" };
  await page.fill("#item-text", JSON.stringify(edited));
  await page.selectOption("#item-format", "plain");
  const plain = JSON.parse(await page.inputValue("#item-text"));
  assert.deepEqual(plain, { customer: "alice", order: 1, status: "open", total: 99.95 });
  plain.status = "shipped";
  await page.fill("#item-text", JSON.stringify(plain));
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction(() => !document.getElementById("dialog").open);
  await page.waitForFunction(() => [...document.querySelectorAll("#items-table td")].some((td) => td.textContent === "shipped"));
  const got = await ddb(server.url, "GetItem", { TableName: "Orders", Key: { customer: { S: "alice" }, order: { N: "1" } } }, { accessKey: KEY });
  assert.deepEqual(got.Item, { customer: { S: "alice" }, order: { N: "1" }, status: { S: "shipped" }, total: { N: "99.95" } });
  // Duplicate: a new item from this one, refused while its key is the same.
  await rows("items-table").first().click();
  await page.click("#item-duplicate");
  await page.click("#item-save");
  await page.waitForFunction(() => /ConditionalCheckFailedException/.test(document.getElementById("item-error").textContent));
  const copy = Ddb_plain(await page.inputValue("#item-text"));
  copy.order = 2;
  await page.fill("#item-text", JSON.stringify(copy));
  await page.click("#item-save");
  await waitRows("items-table", 2);
  await screenshot(page, "04-items");
  assertNoProblems();
});
const Ddb_plain = (text) => JSON.parse(text);

test("page through 250 items, 100 a page, forward", async () => {
  const requests = [];
  for (let i = 0; i < 250; i++) {
    requests.push({ PutRequest: { Item: { customer: { S: `bulk-${i % 10}` }, order: { N: String(i) }, status: { S: i % 2 ? "open" : "closed" }, total: { N: String(i * 3) } } } });
  }
  for (let i = 0; i < requests.length; i += 25) {
    await ddb(server.url, "BatchWriteItem", { RequestItems: { Orders: requests.slice(i, i + 25) } }, { accessKey: KEY });
  }
  await page.goto(server.url + "/console#/table/Orders/items");
  await page.selectOption("#page-size", "100");
  const seen = new Set();
  const collect = async () => {
    const c = await cellTexts("items-table", "customer"), o = await cellTexts("items-table", "order");
    c.forEach((x, i) => seen.add(`${x}/${o[i]}`));
  };
  await waitRows("items-table", 100);
  assert.match(await page.textContent("#page-info"), /^Page 1 · 100 items$/);
  await collect();
  await page.click("#next-page");
  await page.waitForFunction(() => /^Page 2/.test(document.getElementById("page-info").textContent));
  await waitRows("items-table", 100);
  await collect();
  await page.click("#next-page");
  await page.waitForFunction(() => /^Page 3/.test(document.getElementById("page-info").textContent));
  await waitRows("items-table", 52);
  await collect();
  assert.match(await page.textContent("#page-info"), /end of table/);
  assert.ok(await page.isDisabled("#next-page"));
  assert.equal(seen.size, 252);  // 250 + alice's two, each once
  await screenshot(page, "05-paging");
  // Export of the current page, as CSV.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(".export-csv")]);
  const csv = fs.readFileSync(await download.path(), "utf8").trim().split("\r\n");
  assert.equal(csv[0].split(",")[0], "customer");
  assert.equal(csv.length, 1 + 52);
  const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.click(".export-json")]);
  const exported = JSON.parse(fs.readFileSync(await jsonDownload.path(), "utf8"));
  assert.equal(exported.length, 52);
  assert.equal(typeof exported[0].order, "number");
  // Choose the columns: hide "total".
  await page.click("#columns");
  await page.uncheck('#dialog input[value="total"]');
  await page.click("#dialog button.primary");
  await page.waitForFunction(() => ![...document.querySelectorAll("#items-table th")].some((th) => th.textContent === "total"));
  await page.click("#columns");
  await page.check('#dialog input[value="total"]');
  await page.click("#dialog button.primary");
  await page.waitForFunction(() => [...document.querySelectorAll("#items-table th")].some((th) => th.textContent === "total"));
  assertNoProblems();
});

test("run a Query on the GSI; the boto3 and AWS CLI forms match it", async () => {
  await page.goto(server.url + "/console#/table/Orders/query");
  await page.selectOption("#q-index", "byStatus");
  await page.fill('.q-key[data-attr="status"] .q-v1', "open");
  await page.selectOption('.q-key[data-attr="total"] .q-op', ">=");
  await page.fill('.q-key[data-attr="total"] .q-v1', "600");
  await page.selectOption("#q-order", "desc");
  assert.ok(await page.isDisabled("#q-consistent"));  // a GSI has no strongly consistent reads
  const req = JSON.parse(await page.textContent("#q-code-text"));
  assert.equal(req.IndexName, "byStatus");
  assert.equal(req.KeyConditionExpression, "#n0 = :v0 AND #n1 >= :v1");
  assert.equal(req.ScanIndexForward, false);
  await page.keyboard.press("Control+Enter");
  // open items (odd i) with total = 3i >= 600: i in 201..249 odd -> 25 items, descending.
  await waitRows("q-table", 25);
  const totals = (await cellTexts("q-table", "total")).map(Number);
  assert.deepEqual(totals, [...totals].sort((a, b) => b - a));
  assert.equal(totals[0], 747);
  assert.match(await page.textContent("#q-info"), /^25 items \(25 scanned\)/);
  await page.selectOption("#q-code", "boto3");
  const py = await page.textContent("#q-code-text");
  assert.match(py, /client\.query\(/);
  assert.match(py, /IndexName="byStatus"/);
  assert.match(py, /ScanIndexForward=False/);
  await screenshot(page, "06-query-gsi");
  await page.selectOption("#q-code", "cli");
  const cli = await page.textContent("#q-code-text");
  assert.match(cli, /aws dynamodb query/);
  assert.match(cli, /--index-name byStatus/);
  assert.match(cli, /--no-scan-index-forward/);
  // A Scan with a filter and a limit, then its next page.
  await page.selectOption("#q-mode", "Scan");
  await page.selectOption("#q-index", "");
  await page.click("#q-add-filter");
  await page.fill(".f-attr", "status");
  await page.fill(".f-v1", "closed");
  await page.fill("#q-limit", "100");
  await page.click("#q-run");
  // The Query's answer ("25 items (25 scanned)") is still shown until the Scan's arrives.
  await page.waitForFunction(() => /\(100 scanned\)/.test(document.getElementById("q-info").textContent));
  assert.match(await page.textContent("#q-info"), /\(100 scanned\) · more pages/);
  // An error is shown as the server words it: a key value of the wrong type.
  await page.selectOption("#q-mode", "Query");
  await page.fill('.q-key[data-attr="customer"] .q-v1', "alice");
  await page.selectOption('.q-key[data-attr="order"] .q-op', "=");
  await page.fill('.q-key[data-attr="order"] .q-v1', "abc");
  await page.click("#q-run");
  await page.waitForFunction(() => /^ValidationException: /.test(document.getElementById("q-error").textContent));
  assertNoProblems();
});

test("delete an item, with confirmation", async () => {
  await page.goto(server.url + "/console#/table/Orders/items");
  await page.selectOption("#page-size", "250");
  await page.waitForFunction(() => /^Page 1 · 250/.test(document.getElementById("page-info").textContent));
  const customers = await cellTexts("items-table", "customer");
  const i = customers.indexOf("alice");
  await rows("items-table").nth(i).click();
  await page.click("#item-delete");
  await page.locator("#confirm-ok").waitFor();
  await screenshot(page, "07-delete-item-confirm");
  await page.click("#confirm-ok");
  await page.waitForFunction(() => !document.getElementById("dialog").open);
  await page.waitForFunction(() => [...document.querySelectorAll("#items-table td")].filter((td) => td.textContent === "alice").length === 1);
  const got = await ddb(server.url, "Scan", { TableName: "Orders", FilterExpression: "customer = :c", ExpressionAttributeValues: { ":c": { S: "alice" } } }, { accessKey: KEY });
  assert.equal(got.Count, 1);
  assertNoProblems();
});

test("see a stream record appear", async () => {
  await page.goto(server.url + "/console#/table/Orders/stream");
  await page.locator("#stream-records").waitFor();
  await page.waitForFunction(() => /shard/.test(document.getElementById("stream-status").textContent));
  await ddb(server.url, "PutItem", { TableName: "Orders", Item: { customer: { S: "streamed" }, order: { N: "7" }, status: { S: "new" } } }, { accessKey: KEY });
  await page.waitForFunction(() => [...document.querySelectorAll("#stream-records tr")].some((tr) => /streamed/.test(tr.textContent) && /INSERT/.test(tr.textContent)), null, { timeout: 15000 });
  const first = await page.textContent("#stream-records tr:first-child");
  assert.match(first, /INSERT/);
  assert.match(first, /"customer":"streamed"/);
  await screenshot(page, "08-stream");
  assertNoProblems();
});

test("PartiQL: statement, parameters, results, NextToken", async () => {
  await page.goto(server.url + "/console#/partiql");
  await page.fill("#pq-statement", 'SELECT * FROM "Orders" WHERE customer = ?');
  await page.fill("#pq-params", '[{"S": "bulk-3"}]');
  await page.keyboard.press("Control+Enter");
  await waitRows("pq-table", 25);
  assert.ok((await cellTexts("pq-table", "customer")).every((c) => c === "bulk-3"));
  await page.fill("#pq-limit", "10");
  await page.click("#pq-run");
  await waitRows("pq-table", 10);
  // Forward through the pages with NextToken: every item once.
  const orders = new Set(await cellTexts("pq-table", "order"));
  let pages = 1;
  while (/NextToken/.test(await page.textContent("#pq-info"))) {
    assert.ok(pages < 5, "too many pages");
    const before = await page.textContent("#pq-table tbody");
    await page.click("#pq-next");
    await page.waitForFunction((b) => document.querySelector("#pq-table tbody").textContent !== b, before);
    (await cellTexts("pq-table", "order")).forEach((o) => orders.add(o));
    pages++;
  }
  assert.equal(orders.size, 25);
  assert.ok(pages >= 3);
  await screenshot(page, "09-partiql");
  await page.fill("#pq-statement", "SELEC nonsense");
  await page.click("#pq-run");
  await page.waitForFunction(() => /Exception: /.test(document.getElementById("pq-error").textContent));
  assertNoProblems();
});

test("the whole DescribeTable, and the details", async () => {
  await page.goto(server.url + "/console#/table/Orders/details");
  const json = JSON.parse(await page.textContent("#describe-json"));
  assert.equal(json.TableName, "Orders");
  assert.equal(json.GlobalSecondaryIndexes[0].IndexName, "byStatus");
  await screenshot(page, "10-details");
  assertNoProblems();
});

test("switch namespace: every access key / region with tables, with counts", async () => {
  await ddb(server.url, "CreateTable", { TableName: "Elsewhere", AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }, { accessKey: "other-key", region: "eu-west-1" });
  await ddb(server.url, "CreateTable", { TableName: "Elsewhere2", AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }, { accessKey: "other-key", region: "eu-west-1" });
  await page.goto(server.url + "/console#/tables");
  await page.reload();
  await page.locator('#tables tr[data-table="Orders"]').waitFor();
  const options = await page.$$eval("#namespace option", (os) => os.map((o) => o.textContent));
  assert.ok(options.includes("console-test / us-east-1 — 1 table"), options.join("|"));
  assert.ok(options.includes("other-key / eu-west-1 — 2 tables"), options.join("|"));
  await page.selectOption("#namespace", { label: "other-key / eu-west-1 — 2 tables" });
  await page.locator('#tables tr[data-table="Elsewhere"]').waitFor();
  assert.equal(await page.locator("#tables tr[data-table]").count(), 2);
  await screenshot(page, "11-namespaces");
  // Another key typed by hand, through the credentials dialog.
  await page.click("#credentials-button");
  await page.fill("#cred-key", "nobody");
  await page.fill("#cred-region", "ap-south-1");
  await page.click("#cred-save");
  await page.waitForFunction(() => /No tables under this access key/.test(document.getElementById("tables").textContent));
  await page.selectOption("#namespace", { label: "console-test / us-east-1 — 1 table" });
  await page.locator('#tables tr[data-table="Orders"]').waitFor();
  assertNoProblems();
});

test("requests are signed as botocore signs them (Web Crypto and the JavaScript fallback)", async () => {
  const args = { headers: { "content-type": "application/x-amz-json-1.0", host: "127.0.0.1:8000", "x-amz-date": "20261130T120000Z", "x-amz-target": "DynamoDB_20120810.ListTables" },
    body: "{}", accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1" };
  const [web, js] = await page.evaluate(async (a) => {
    const date = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
    return [await Sigv4.authorization({ ...a, date }), await Sigv4.authorization({ ...a, date, forceJs: true })];
  }, args);
  const py = `
import datetime
from unittest import mock
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
req = AWSRequest(method="POST", url="http://127.0.0.1:8000/", data=b"{}", headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables"})
with mock.patch("botocore.auth.datetime") as dt:
    dt.datetime.utcnow.return_value = datetime.datetime(2026, 11, 30, 12, 0, 0)
    dt.datetime.now.return_value = datetime.datetime(2026, 11, 30, 12, 0, 0, tzinfo=datetime.timezone.utc)
    SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "dynamodb", "us-east-1").add_auth(req)
print(req.headers["Authorization"])
`;
  const expected = execFileSync("/usr/bin/python3", ["-c", py], { encoding: "utf8" }).trim();
  assert.equal(web, expected);
  assert.equal(js, expected);
  // Long input (several SHA-256 blocks, a key over 64 bytes) agrees too.
  const same = await page.evaluate(async () => {
    const long = "x".repeat(1000);
    const a = Sigv4.hex(await Sigv4.hmac(long, long)), b = Sigv4.hex(await Sigv4.hmac(long, long, true));
    return a === b;
  });
  assert.ok(same);
});

test("usable at 800 px wide: nothing overflows sideways", async () => {
  const narrow = await newPage(browser, { width: 800, height: 700 });
  await narrow.goto(server.url + "/console");
  await narrow.evaluate(([k, r]) => { localStorage.setItem("cairn.accessKey", k); localStorage.setItem("cairn.region", r); }, [KEY, REGION]);
  await narrow.goto(server.url + "/console#/table/Orders/query");
  await narrow.reload();
  await narrow.locator("#q-form").waitFor();
  const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 800, `page is ${width} px wide`);
  await screenshot(narrow, "12-narrow-query");
  await narrow.goto(server.url + "/console#/tables");
  await narrow.locator('#tables tr[data-table="Orders"]').waitFor();
  assert.ok(await narrow.evaluate(() => document.documentElement.scrollWidth) <= 800);
  await screenshot(narrow, "13-narrow-tables");
  assert.deepEqual(narrow.problems, []);
  await narrow.context().close();
});

test("delete a table: it must be named to confirm", async () => {
  await page.goto(server.url + "/console#/table/Orders/details");
  await page.click("#delete-table");
  await page.fill("#confirm-input", "Order");
  await page.click("#confirm-ok");
  await page.waitForFunction(() => /Type Orders exactly/.test(document.querySelector("#dialog .inline-error").textContent));
  await page.fill("#confirm-input", "Orders");
  await page.click("#confirm-ok");
  await page.waitForURL(/#\/tables$/);
  await page.waitForFunction(() => !document.querySelector('#tables tr[data-table="Orders"]'));
  const names = (await ddb(server.url, "ListTables", {}, { accessKey: KEY })).TableNames;
  assert.ok(!names.includes("Orders"));
  assertNoProblems();
});
