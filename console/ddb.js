// The console's DynamoDB client: every call is a signed POST of the JSON protocol to this origin,
// as any SDK sends it. Plus the conversions people need around it: DynamoDB JSON <-> plain JSON
// (numbers kept exact), CSV, and the boto3 / AWS CLI form of a request.
"use strict";
const Ddb = (() => {
  class DdbError extends Error {
    constructor(type, message, status) {
      super(message);
      this.type = type;
      this.status = status;
    }
    toString() { return this.type ? `${this.type}: ${this.message}` : this.message; }
  }

  // { accessKey, secretKey, region }, set by the page.
  const creds = { accessKey: "", secretKey: "", region: "" };

  async function call(operation, body, { streams = false } = {}) {
    const target = (streams ? "DynamoDBStreams_20120810." : "DynamoDB_20120810.") + operation;
    const text = JSON.stringify(body || {});
    const date = new Date();
    const headers = {
      "content-type": "application/x-amz-json-1.0",
      host: location.host,
      "x-amz-date": Sigv4.amzDate(date),
      "x-amz-target": target,
    };
    const authorization = await Sigv4.authorization({ headers, body: text, date, ...creds });
    delete headers.host;  // the browser sends it
    let resp;
    try {
      resp = await fetch("/", { method: "POST", headers: { ...headers, authorization }, body: text });
    } catch (e) {
      throw new DdbError("NetworkError", `${operation}: the server did not answer (${e.message})`, 0);
    }
    const answer = await resp.text();
    let json = null;
    try { json = answer ? JSON.parse(answer) : {}; } catch (e) { /* reported below */ }
    if (!resp.ok || json === null) {
      const type = json && json.__type ? String(json.__type).split("#").pop() : `HTTP ${resp.status}`;
      const message = json ? json.message || json.Message || "" : answer.slice(0, 300);
      throw new DdbError(type, message, resp.status);
    }
    return json;
  }

  // --- DynamoDB JSON <-> plain JSON -----------------------------------------------------------
  // A number stays its exact text: plain values hold it as {$n: "text"}, written without quotes.
  const isNum = (v) => v !== null && typeof v === "object" && typeof v.$n === "string";
  function toPlain(av) {
    const [type, v] = Object.entries(av)[0] || [];
    switch (type) {
      case "S": return v;
      case "N": return { $n: v };
      case "BOOL": return v;
      case "NULL": return null;
      case "L": return v.map(toPlain);
      case "M": return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
      case "SS": return [...v];
      case "NS": return v.map((n) => ({ $n: n }));
      case "B": return v;
      case "BS": return [...v];
      default: return av;
    }
  }
  // True when the item has a set or a binary value, which plain JSON cannot express.
  function hasNonPlain(av) {
    const [type, v] = Object.entries(av)[0] || [];
    if (["SS", "NS", "BS", "B"].includes(type)) return true;
    if (type === "L") return v.some(hasNonPlain);
    if (type === "M") return Object.values(v).some(hasNonPlain);
    return false;
  }
  const itemHasNonPlain = (item) => Object.values(item).some(hasNonPlain);
  function fromPlain(v) {
    if (v === null) return { NULL: true };
    if (typeof v === "string") return { S: v };
    if (typeof v === "boolean") return { BOOL: v };
    if (typeof v === "number") return { N: String(v) };
    if (isNum(v)) return { N: v.$n };
    if (Array.isArray(v)) return { L: v.map(fromPlain) };
    return { M: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromPlain(x)])) };
  }
  const itemToPlain = (item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toPlain(v)]));
  const itemFromPlain = (obj) => Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fromPlain(v)]));

  // JSON text of a plain value, numbers written exactly.
  function plainText(v, indent = 2, depth = 0) {
    const pad = indent ? "\n" + " ".repeat(indent * (depth + 1)) : "";
    const end = indent ? "\n" + " ".repeat(indent * depth) : "";
    if (isNum(v)) return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(v.$n) ? v.$n : JSON.stringify(v.$n);
    if (Array.isArray(v)) {
      if (!v.length) return "[]";
      return "[" + v.map((x) => pad + plainText(x, indent, depth + 1)).join(",") + end + "]";
    }
    if (v !== null && typeof v === "object") {
      const e = Object.entries(v);
      if (!e.length) return "{}";
      return "{" + e.map(([k, x]) => pad + JSON.stringify(k) + (indent ? ": " : ":") +
        plainText(x, indent, depth + 1)).join(",") + end + "}";
    }
    return JSON.stringify(v);
  }
  // Parses plain JSON keeping each number's text (JSON.parse's source text, where the browser
  // offers it).
  function parsePlain(text) {
    return JSON.parse(text, (key, value, context) =>
      typeof value === "number" ? { $n: context && context.source ? context.source : String(value) } : value);
  }

  // A cell's short text.
  function cellText(av) {
    if (av === undefined) return "";
    const [type, v] = Object.entries(av)[0] || [];
    switch (type) {
      case "S": case "N": return v;
      case "BOOL": return String(v);
      case "NULL": return "null";
      case "SS": case "NS": case "BS": return "{" + v.join(", ") + "}";
      case "B": return "b64:" + v;
      default: return plainText(toPlain(av), 0);
    }
  }

  // --- export ---------------------------------------------------------------------------------
  function csv(items, columns) {
    const quote = (s) => (/[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
    const lines = [columns.map(quote).join(",")];
    for (const item of items) lines.push(columns.map((c) => quote(cellText(item[c]))).join(","));
    return lines.join("\r\n") + "\r\n";
  }

  // --- the same request in boto3 and the AWS CLI ------------------------------------------------
  function pyLiteral(v, depth = 0) {
    const pad = "    ".repeat(depth + 1), end = "    ".repeat(depth);
    if (v === null) return "None";
    if (v === true) return "True";
    if (v === false) return "False";
    if (typeof v === "number") return String(v);
    if (typeof v === "string") return JSON.stringify(v);
    if (Array.isArray(v)) return v.length ? "[\n" + v.map((x) => pad + pyLiteral(x, depth + 1) + ",\n").join("") + end + "]" : "[]";
    const e = Object.entries(v);
    return e.length ? "{\n" + e.map(([k, x]) => pad + JSON.stringify(k) + ": " + pyLiteral(x, depth + 1) + ",\n").join("") + end + "}" : "{}";
  }
  const snake = (op) => op.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
  const kebab = (name) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
  const shq = (s) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'");

  function boto3(operation, request) {
    const lines = ["import boto3", "", "client = boto3.client(",
      `    "dynamodb",`, `    endpoint_url=${JSON.stringify(location.origin)},`,
      `    region_name=${JSON.stringify(creds.region)},`,
      `    aws_access_key_id=${JSON.stringify(creds.accessKey)},`,
      `    aws_secret_access_key="...",`, ")", `response = client.${snake(operation)}(`];
    for (const [k, v] of Object.entries(request)) lines.push(`    ${k}=${pyLiteral(v, 1)},`);
    lines.push(")", 'print(response["Items"])');
    return lines.join("\n");
  }
  function awsCli(operation, request) {
    const parts = [`aws dynamodb ${kebab(operation)}`, `--endpoint-url ${location.origin}`, `--region ${shq(creds.region)}`];
    for (const [k, v] of Object.entries(request)) {
      if (typeof v === "boolean") parts.push(v ? `--${kebab(k)}` : `--no-${kebab(k)}`);
      else if (typeof v === "string") parts.push(`--${kebab(k)} ${shq(v)}`);
      else if (typeof v === "number") parts.push(`--${kebab(k)} ${v}`);
      else parts.push(`--${kebab(k)} ${shq(JSON.stringify(v))}`);
    }
    if ("Limit" in request) parts.push("--no-paginate");  // one page, as the console asked
    return `AWS_ACCESS_KEY_ID=${shq(creds.accessKey)} AWS_SECRET_ACCESS_KEY=... \\\n  ` + parts.join(" \\\n  ");
  }

  return { call, creds, DdbError, toPlain, fromPlain, itemToPlain, itemFromPlain, itemHasNonPlain,
    plainText, parsePlain, cellText, csv, boto3, awsCli, pyLiteral };
})();
