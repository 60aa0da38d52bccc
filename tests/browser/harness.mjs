// Shared by the browser tests: a real cairn binary on a free port, Debian's chromium (headless,
// driven by playwright-core; never a downloaded browser), screenshots kept in the build folder.
// Environment: CAIRN_BIN (default <repo>/build/cairn), CHROMIUM (default /usr/bin/chromium),
// CAIRN_SCREENSHOTS (default <the binary's folder>/browser-screenshots).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CAIRN_BIN = process.env.CAIRN_BIN || path.join(REPO, "build", "cairn");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const SCREENSHOTS = process.env.CAIRN_SCREENSHOTS || path.join(path.dirname(CAIRN_BIN), "browser-screenshots");

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// Waits until `url` answers (any HTTP status), at most `ms`.
export async function waitForHttp(url, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try { await fetch(url); return; } catch (e) {
      if (Date.now() > deadline) throw new Error(`${url} did not answer in ${ms} ms: ${e.message}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

// Starts cairn (in memory) with extra flags; returns { url, port, stop(), log() }.
export async function startCairn(flags = []) {
  const port = await freePort();
  let log = "";
  const proc = spawn(CAIRN_BIN, ["--in-memory", "--port", String(port), "--threads", "2", ...flags], { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout.on("data", (d) => { log += d; });
  proc.stderr.on("data", (d) => { log += d; });
  const exited = new Promise((r) => proc.on("exit", r));
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([waitForHttp(url + "/"), exited.then(() => { throw new Error(`cairn exited: ${log}`); })]);
  return {
    url, port, log: () => log,
    async stop() { if (proc.exitCode === null) { proc.kill("SIGTERM"); await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]); if (proc.exitCode === null) proc.kill("SIGKILL"); } },
  };
}

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

// A page that fails the test on any console error or uncaught exception it reports.
export async function newPage(browser, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
  page.setDefaultTimeout(20000);  // generous: the machine may be busy (2 cores, shared)
  return page;
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// A DynamoDB call from Node with a SigV4-shaped header for `accessKey`/`region` (the server
// reads the scope; the signature is not checked unless --credentials is given).
export async function ddb(url, operation, body, { accessKey = "console-test", region = "us-east-1", streams = false } = {}) {
  const resp = await fetch(url + "/", {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": (streams ? "DynamoDBStreams_20120810." : "DynamoDB_20120810.") + operation,
      "x-amz-date": "20260101T000000Z",
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/20260101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=00`,
    },
    body: JSON.stringify(body),
  });
  const json = await resp.json();
  if (!resp.ok) throw new Error(`${operation}: ${json.__type} ${json.message}`);
  return json;
}

// The console's own signer (console/sigv4.js, its JavaScript SHA-256 path), loaded into Node: for
// requests to a server that checks signatures (--credentials).
let sigv4 = null;
function consoleSigner() {
  if (!sigv4) {
    const context = vm.createContext({ TextEncoder, Math, DataView, Uint8Array, Uint32Array, Array, Object, String, globalThis: {} });
    vm.runInContext(fs.readFileSync(path.join(REPO, "console", "sigv4.js"), "utf8") + "\nglobalThis.Sigv4 = Sigv4;", context);
    sigv4 = context.globalThis.Sigv4;
  }
  return sigv4;
}
export async function signedDdb(url, operation, body, { accessKey, secretKey, region = "us-east-1" }) {
  const text = JSON.stringify(body);
  const date = new Date();
  const headers = { "content-type": "application/x-amz-json-1.0", host: new URL(url).host,
    "x-amz-date": consoleSigner().amzDate(date), "x-amz-target": "DynamoDB_20120810." + operation };
  const authorization = await consoleSigner().authorization({ headers, body: text, date, accessKey, secretKey, region });
  delete headers.host;
  const resp = await fetch(url + "/", { method: "POST", headers: { ...headers, authorization }, body: text });
  const json = await resp.json();
  if (!resp.ok) throw new Error(`${operation}: ${json.__type} ${json.message}`);
  return json;
}
