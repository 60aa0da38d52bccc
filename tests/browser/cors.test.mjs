// CORS with a real browser (issue 17): a page served from another origin (a python http.server on
// another free port) calls Cairn with fetch, sending the headers an SDK sends (X-Amz-Target,
// X-Amz-Date, Authorization, a JSON content type), so chromium sends a preflight first. With the
// default --cors "*" the preflight succeeds and the page reads the answer, its body and the
// exposed headers (x-amzn-RequestId, x-amz-crc32); with --cors naming another origin, the browser
// refuses the call.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ddb, freePort, launchBrowser, newPage, screenshot, startCairn, waitForHttp } from "./harness.mjs";

let browser, site, siteUrl, siteDir;

const PAGE = `<!doctype html><meta charset="utf-8"><title>another origin</title>
<pre id="out">running</pre>
<script>
async function callCairn(base) {
  const out = document.getElementById("out");
  try {
    const resp = await fetch(base + "/", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "X-Amz-Date": "20260101T000000Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=cors-test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00",
      },
      body: "{}",
    });
    const body = await resp.json();
    const result = { status: resp.status, body, requestId: resp.headers.get("x-amzn-RequestId"), crc32: resp.headers.get("x-amz-crc32") };
    out.textContent = JSON.stringify(result);
    return result;
  } catch (e) {
    out.textContent = "blocked: " + e.message;
    return { error: e.message };
  }
}
</script>`;

before(async () => {
  browser = await launchBrowser();
  siteDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-cors-"));
  fs.writeFileSync(path.join(siteDir, "index.html"), PAGE);
  const port = await freePort();
  site = spawn("/usr/bin/python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", siteDir], { stdio: "ignore" });
  siteUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(siteUrl + "/index.html");
});

after(async () => {
  if (browser) await browser.close();
  if (site) site.kill();
  if (siteDir) fs.rmSync(siteDir, { recursive: true, force: true });
});

// Loads the page of the other origin, calls Cairn from it; returns the page's result and the
// preflights chromium reported (DevTools protocol: the request and its response status).
async function callFrom(cairnUrl) {
  const page = await newPage(browser);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const preflights = new Map();
  cdp.on("Network.requestWillBeSent", (e) => {
    if (e.request.method === "OPTIONS") preflights.set(e.requestId, { url: e.request.url, headers: e.request.headers });
  });
  cdp.on("Network.responseReceived", (e) => {
    if (preflights.has(e.requestId)) preflights.get(e.requestId).status = e.response.status;
  });
  await page.goto(siteUrl + "/index.html");
  const result = await page.evaluate((base) => callCairn(base), cairnUrl);
  return { page, result, preflights: [...preflights.values()] };
}

test("a page of another origin calls Cairn: the preflight succeeds, the answer is readable", async () => {
  const cairn = await startCairn();
  try {
    await ddb(cairn.url, "CreateTable", { TableName: "FromBrowser", AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }, { accessKey: "cors-test" });
    const { page, result, preflights } = await callFrom(cairn.url);
    assert.equal(result.error, undefined, `fetch failed: ${result.error}`);
    assert.equal(result.status, 200);
    assert.deepEqual(result.body.TableNames, ["FromBrowser"]);
    assert.match(result.requestId, /\S+/);           // an exposed header, readable by the page
    assert.match(result.crc32, /^\d+$/);
    assert.equal(preflights.length, 1, JSON.stringify(preflights));
    assert.equal(preflights[0].status, 200);
    await screenshot(page, "cors-allowed");
    await page.context().close();
  } finally {
    await cairn.stop();
  }
});

test("with --cors naming another origin, the browser refuses the call", async () => {
  const cairn = await startCairn(["--cors", "http://127.0.0.1:1"]);
  try {
    const { page, result, preflights } = await callFrom(cairn.url);
    assert.match(result.error || "", /Failed to fetch/);
    assert.equal(preflights.length, 1);
    assert.equal(preflights[0].status, 403);
    await screenshot(page, "cors-refused");
    await page.context().close();
  } finally {
    await cairn.stop();
  }
});
