// The console on a server that checks signatures (--credentials FILE, issue 17): it does not list
// other callers' namespaces, asks for an access key and its secret, signs every request with them
// in the browser (SigV4, Web Crypto), and shows the server's answer to a wrong secret.
// Skipped by a cairn without --credentials.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { CAIRN_BIN, launchBrowser, newPage, screenshot, signedDdb, startCairn } from "./harness.mjs";

const checksSignatures = execFileSync(CAIRN_BIN, ["--help"], { encoding: "utf8" }).includes("--credentials");
const KEY = "AKIDCONSOLE", SECRET = "console/Secret+Key", REGION = "eu-central-1";
let server, browser, dir;

before(async () => {
  if (!checksSignatures) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-credentials-"));
  const file = path.join(dir, "credentials");
  fs.writeFileSync(file, `# for the console test\n${KEY} ${SECRET}\nOTHERKEY other-secret\n`, { mode: 0o600 });
  server = await startCairn(["--credentials", file]);
  browser = await launchBrowser();
  for (const [key, secret, table] of [[KEY, SECRET, "Mine"], ["OTHERKEY", "other-secret", "Theirs"]]) {
    await signedDdb(server.url, "CreateTable", { TableName: table, AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }, { accessKey: key, secretKey: secret, region: REGION });
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("with --credentials the console asks for a key, signs with it, and lists no other namespace",
  { skip: checksSignatures ? false : "this cairn has no --credentials" }, async () => {
    const resp = await fetch(server.url + "/console/api/namespaces");
    assert.equal(resp.status, 403);
    assert.ok(!(await resp.text()).includes("OTHERKEY"));
    const page = await newPage(browser);
    await page.goto(server.url + "/console");
    // No namespace list: the credentials dialog opens by itself, saying why.
    await page.locator("#cred-key").waitFor();
    assert.match(await page.textContent("#dialog .inline-error"), /signatures are not checked/);
    await page.fill("#cred-key", KEY);
    await page.fill("#cred-secret", "a wrong secret");
    await page.fill("#cred-region", REGION);
    await page.click("#cred-save");
    await page.waitForFunction(() => /InvalidSignatureException/.test(document.querySelector("#dialog .inline-error")?.textContent || ""));
    await screenshot(page, "credentials-wrong-secret");
    await page.fill("#cred-secret", SECRET);
    await page.click("#cred-save");
    await page.locator('#tables tr[data-table="Mine"]').waitFor();
    assert.equal(await page.locator("#tables tr[data-table]").count(), 1);
    const options = await page.$$eval("#namespace option", (os) => os.map((o) => o.textContent));
    assert.ok(!options.some((o) => o.includes("OTHERKEY")), options.join("|"));
    await screenshot(page, "credentials-signed-in");
    assert.deepEqual(page.problems, []);
  });
