// AWS Signature Version 4 for the console's DynamoDB requests, in the browser.
// Web Crypto (crypto.subtle) where the page is a secure context (https, localhost, 127.0.0.1);
// elsewhere (http://a-lan-host:8000) a small SHA-256 / HMAC in JavaScript, so signing never depends
// on how the console was reached. The canonical request is the one the SDKs send for DynamoDB:
// POST /, no query, headers content-type;host;x-amz-date;x-amz-target, the body's SHA-256.
"use strict";
const Sigv4 = (() => {
  const enc = new TextEncoder();
  const subtle = globalThis.isSecureContext && globalThis.crypto && crypto.subtle;
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const bytesOf = (x) => (typeof x === "string" ? enc.encode(x) : x);

  // SHA-256 (FIPS 180-4); the constants are the fractional parts of the primes' roots.
  const K = new Uint32Array(64), H0 = new Uint32Array(8);
  for (let n = 2, i = 0; i < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (!prime) continue;
    if (i < 8) H0[i] = ((Math.sqrt(n) % 1) * 4294967296) >>> 0;
    K[i++] = ((Math.cbrt(n) % 1) * 4294967296) >>> 0;
  }
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  function jsSha256(data) {
    const len = data.length, total = ((len + 72) >> 6) << 6;
    const m = new Uint8Array(total);
    m.set(data);
    m[len] = 0x80;
    const view = new DataView(m.buffer);
    view.setUint32(total - 8, Math.floor(len / 0x20000000));
    view.setUint32(total - 4, (len * 8) >>> 0);
    const h = H0.slice(), w = new Uint32Array(64);
    for (let off = 0; off < total; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
      for (let i = 16; i < 64; i++) {
        const a = w[i - 15], b = w[i - 2];
        const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3), s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    const out = new Uint8Array(32);
    const ov = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) ov.setUint32(i * 4, h[i]);
    return out;
  }
  function jsHmac(key, data) {
    if (key.length > 64) key = jsSha256(key);
    const inner = new Uint8Array(64 + data.length), outer = new Uint8Array(96);
    for (let i = 0; i < 64; i++) {
      inner[i] = (key[i] || 0) ^ 0x36;
      outer[i] = (key[i] || 0) ^ 0x5c;
    }
    inner.set(data, 64);
    outer.set(jsSha256(inner), 64);
    return jsSha256(outer);
  }

  async function sha256(data, forceJs) {
    data = bytesOf(data);
    if (subtle && !forceJs) return new Uint8Array(await subtle.digest("SHA-256", data));
    return jsSha256(data);
  }
  async function hmac(key, data, forceJs) {
    key = bytesOf(key);
    data = bytesOf(data);
    if (subtle && !forceJs) {
      const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return new Uint8Array(await subtle.sign("HMAC", k, data));
    }
    return jsHmac(key, data);
  }

  // "20261130T212500Z" for a Date.
  const amzDate = (d) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

  // The Authorization header for a POST to "/" with `headers` (lower-case names, each signed) and
  // `body` (a string), at time `date`.
  async function authorization({ headers, body, accessKey, secretKey, region, date, forceJs }) {
    const stamp = amzDate(date), day = stamp.slice(0, 8);
    const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
    const lower = {};
    for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = String(v).trim().replace(/\s+/g, " ");
    const signed = names.join(";");
    const canonical = ["POST", "/", "", ...names.map((n) => `${n}:${lower[n]}`), "", signed,
      hex(await sha256(body, forceJs))].join("\n");
    const scope = `${day}/${region}/dynamodb/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", stamp, scope, hex(await sha256(canonical, forceJs))].join("\n");
    let key = await hmac("AWS4" + secretKey, day, forceJs);
    for (const part of [region, "dynamodb", "aws4_request"]) key = await hmac(key, part, forceJs);
    const signature = hex(await hmac(key, toSign, forceJs));
    return `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${signed}, Signature=${signature}`;
  }

  return { authorization, amzDate, sha256, hmac, hex };
})();
