// The Cairn console: tables, items, Query/Scan, PartiQL, streams and namespaces, over the DynamoDB
// JSON API (ddb.js) and one extension, GET /console/api/namespaces. Plain DOM, hash routes:
//   #/tables  #/create  #/partiql  #/table/NAME/(items|query|stream|details)
// Every failure is shown (errors panel, or the open dialog's error line), never swallowed.
"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  // h("tag.class#id", {attrs, on*: handlers}, children...)
  function h(spec, attrs, ...children) {
    const m = spec.match(/^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i);
    const el = document.createElement(m[1] || "div");
    for (const part of m[2].match(/[.#][\w-]+/g) || []) {
      if (part[0] === ".") el.classList.add(part.slice(1)); else el.id = part.slice(1);
    }
    if (attrs !== null && attrs !== undefined && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
      children.unshift(attrs);
      attrs = null;
    }
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "value") el.value = v;
      else if (k === "checked") el.checked = !!v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    const add = (c) => {
      if (c === null || c === undefined || c === false) return;
      if (Array.isArray(c)) c.forEach(add);
      else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    };
    children.forEach(add);
    return el;
  }
  const fmtBytes = (n) => (n === undefined ? "" : n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` :
    `${(n / 1048576).toFixed(1)} MB`);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // --- errors -----------------------------------------------------------------------------------
  function showError(e) {
    const type = e && e.type ? e.type : e && e.name && e.name !== "Error" ? e.name : "Error";
    const msg = e && e.message !== undefined ? e.message : String(e);
    const box = h("div.error", h("span.type", type), h("span.msg", msg),
      h("button", { type: "button", title: "Dismiss", "aria-label": "Dismiss", onclick: () => box.remove() }, "×"));
    const area = $("#errors");
    area.append(box);
    while (area.children.length > 4) area.firstElementChild.remove();
    console.error(e);
  }
  window.addEventListener("error", (ev) => showError(ev.error || ev.message));
  window.addEventListener("unhandledrejection", (ev) => showError(ev.reason));
  const errText = (e) => (e && e.type ? `${e.type}: ${e.message}` : String(e && e.message || e));
  // Runs fn; an error goes to `line` (an element of the open form) or the errors panel.
  async function guarded(fn, line) {
    if (line) line.textContent = "";
    try { return await fn(); } catch (e) {
      if (line) line.textContent = errText(e); else showError(e);
      return undefined;
    }
  }

  // --- credentials and namespaces ------------------------------------------------------------------
  const DEFAULT_SECRET = "cairn-console";  // any secret works while signatures are not checked
  const store = { get: (k) => localStorage.getItem("cairn." + k), set: (k, v) => localStorage.setItem("cairn." + k, v) };
  function setCreds(accessKey, region, secret) {
    Ddb.creds.accessKey = accessKey;
    Ddb.creds.region = region;
    Ddb.creds.secretKey = secret || sessionStorage.getItem("cairn.secret") || DEFAULT_SECRET;
    store.set("accessKey", accessKey);
    store.set("region", region);
    if (secret) sessionStorage.setItem("cairn.secret", secret);
  }
  let namespaces = null;  // the server's answer, or null when it offers none
  let sharedDb = false;

  async function loadNamespaces() {
    const resp = await fetch("/console/api/namespaces", { cache: "no-store" });
    const body = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      namespaces = null;
      return body.message || `HTTP ${resp.status}`;
    }
    namespaces = body.Namespaces;
    sharedDb = body.SharedDb;
    return null;
  }
  function renderNamespaceSelect() {
    const sel = $("#namespace");
    sel.replaceChildren();
    const current = `${Ddb.creds.accessKey}\n${Ddb.creds.region}`;
    let found = false;
    if (sharedDb) {
      const n = namespaces && namespaces[0] ? namespaces[0].TableCount : 0;
      sel.append(h("option", { value: current }, `shared database (every key) — ${n} table${n === 1 ? "" : "s"}`));
      found = true;
    } else {
      for (const ns of namespaces || []) {
        const v = `${ns.AccessKeyId}\n${ns.Region}`;
        if (v === current) found = true;
        sel.append(h("option", { value: v }, `${ns.AccessKeyId} / ${ns.Region} — ${ns.TableCount} table${ns.TableCount === 1 ? "" : "s"}`));
      }
    }
    if (!found) sel.prepend(h("option", { value: current }, `${Ddb.creds.accessKey} / ${Ddb.creds.region} — no tables`));
    sel.append(h("option", { value: "\u0000other" }, "Other access key or region…"));
    sel.value = current;
  }
  $("#namespace").addEventListener("change", (ev) => {
    const v = ev.target.value;
    if (v === "\u0000other") { renderNamespaceSelect(); credentialsDialog(); return; }
    const [key, region] = v.split("\n");
    setCreds(key, region);
    location.hash = "#/tables";
    route();
  });
  $("#credentials-button").addEventListener("click", () => credentialsDialog());

  function credentialsDialog(reason) {
    const key = h("input#cred-key", { value: Ddb.creds.accessKey, required: true, autocomplete: "username", size: 30 });
    const secret = h("input#cred-secret", { type: "password", autocomplete: "current-password", size: 30,
      placeholder: namespaces ? "not needed: signatures are not checked" : "required" });
    const region = h("input#cred-region", { value: Ddb.creds.region, required: true, size: 16 });
    const line = h("div.inline-error", reason || "");
    openDialog([h("h2", "Credentials"),
      h("p.muted", "Tables belong to an access key and a region, as in DynamoDB Local. Requests are signed (SigV4) with the secret, in this browser; the secret stays in this tab."),
      h("div.form-grid", h("label", { for: "cred-key" }, "Access key id"), key,
        h("label", { for: "cred-secret" }, "Secret access key"), secret,
        h("label", { for: "cred-region" }, "Region"), region),
      line,
      h("div.actions", h("button", { value: "cancel", formnovalidate: true }, "Cancel"),
        h("button.primary#cred-save", { value: "ok" }, "Use these"))],
    async () => {
      setCreds(key.value.trim(), region.value.trim(), secret.value);
      closeDialog();
      await refreshNamespaces();
      location.hash = "#/tables";
      route();
      return true;
    }, line);
  }

  async function refreshNamespaces() {
    const problem = await loadNamespaces().catch((e) => e.message);
    renderNamespaceSelect();
    return problem;
  }

  // --- dialog ---------------------------------------------------------------------------------------
  const dialog = $("#dialog");
  let dialogSubmit = null;
  function openDialog(children, onSubmit, errorLine) {
    const form = $("#dialog-body");
    form.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
    dialogSubmit = async (ev) => {
      const submitter = ev.submitter;
      if (submitter && submitter.value === "cancel") return;  // the dialog closes itself
      ev.preventDefault();
      if (onSubmit) await guarded(() => onSubmit(submitter ? submitter.value : "ok"), errorLine);
    };
    if (!dialog.open) dialog.showModal();
    const first = form.querySelector("input:not([type=hidden]),textarea,select");
    if (first) first.focus();
  }
  $("#dialog-body").addEventListener("submit", (ev) => dialogSubmit && dialogSubmit(ev));
  function closeDialog() { if (dialog.open) dialog.close(); }

  function confirmDialog(title, text, confirmLabel, action, typed) {
    const input = typed ? h("input#confirm-input", { size: 30, autocomplete: "off", required: true }) : null;
    const line = h("div.inline-error");
    openDialog([h("h2", title), h("p", text),
      typed ? h("p", h("label", { for: "confirm-input" }, `Type ${typed} to confirm:`), " ", input) : null,
      line,
      h("div.actions", h("button", { value: "cancel", formnovalidate: true }, "Cancel"),
        h("button.danger.solid#confirm-ok", { value: "ok" }, confirmLabel))],
    async () => {
      if (typed && input.value !== typed) throw new Error(`Type ${typed} exactly.`);
      await action();
      closeDialog();
    }, line);
  }

  // --- tables ---------------------------------------------------------------------------------------
  async function listTableNames() {
    const names = [];
    let start;
    for (let i = 0; i < 1000; i++) {
      const r = await Ddb.call("ListTables", start ? { ExclusiveStartTableName: start } : {});
      names.push(...r.TableNames);
      if (!r.LastEvaluatedTableName) break;
      start = r.LastEvaluatedTableName;
    }
    return names;
  }
  async function describe(name) { return (await Ddb.call("DescribeTable", { TableName: name })).Table; }
  async function describeTtl(name) {
    const r = await Ddb.call("DescribeTimeToLive", { TableName: name });
    return r.TimeToLiveDescription || {};
  }
  // Runs fn over items, at most `width` at once.
  async function pool(items, width, fn) {
    const out = new Array(items.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) { const i = next++; out[i] = await fn(items[i]); }
    }));
    return out;
  }
  const streamText = (t) => (t.StreamSpecification && t.StreamSpecification.StreamEnabled ? t.StreamSpecification.StreamViewType : "off");
  const ttlText = (ttl) => (ttl.TimeToLiveStatus === "ENABLED" || ttl.TimeToLiveStatus === "ENABLING"
    ? `${ttl.AttributeName} (${ttl.TimeToLiveStatus.toLowerCase()})` : "off");
  const billingText = (t) => (t.BillingModeSummary && t.BillingModeSummary.BillingMode === "PAY_PER_REQUEST" ? "on demand"
    : `provisioned ${t.ProvisionedThroughput.ReadCapacityUnits}/${t.ProvisionedThroughput.WriteCapacityUnits}`);

  async function viewTables(main) {
    const body = h("tbody");
    const count = h("span.muted", "");
    main.append(h("h1", "Tables ", count),
      h("div.toolbar", h("button.primary#create-table", { type: "button", onclick: () => { location.hash = "#/create"; } }, "Create table"),
        h("button", { type: "button", onclick: route, title: "r" }, "Refresh"), h("span.grow"),
        h("span.muted", `${Ddb.creds.accessKey} / ${Ddb.creds.region}`)),
      h("div.scroll", h("table.data#tables", h("thead", h("tr", ["Name", "Status", "Items", "Size", "Billing", "Indexes", "Stream", "TTL"]
        .map((c) => h("th", c)))), body)));
    const names = await listTableNames();
    count.textContent = `(${names.length})`;
    if (!names.length) {
      body.append(h("tr", h("td", { colspan: 8 }, h("span.muted", "No tables under this access key and region. "),
        namespaces && namespaces.length ? "Other namespaces are in the switch above." : "")));
      return;
    }
    const rows = await pool(names, 6, async (name) => {
      try {
        const [t, ttl] = await Promise.all([describe(name), describeTtl(name)]);
        return { name, t, ttl };
      } catch (e) { return { name, error: e }; }
    });
    for (const { name, t, ttl, error } of rows) {
      const link = h("a", { href: `#/table/${encodeURIComponent(name)}/items` }, name);
      if (error) { body.append(h("tr", h("td", link), h("td", { colspan: 7 }, h("span.inline-error", errText(error))))); continue; }
      const gsi = (t.GlobalSecondaryIndexes || []).length, lsi = (t.LocalSecondaryIndexes || []).length;
      body.append(h("tr", { "data-table": name }, h("td", link), h("td", h("span.badge." + t.TableStatus, t.TableStatus)),
        h("td.num", t.ItemCount), h("td.num", fmtBytes(t.TableSizeBytes)), h("td", billingText(t)),
        h("td", gsi || lsi ? `${gsi} GSI, ${lsi} LSI` : "none"), h("td", streamText(t)), h("td", ttlText(ttl))));
    }
  }

  // --- create table ---------------------------------------------------------------------------------
  const TYPES = ["S", "N", "B"];
  const typeSelect = (id, value = "S") => h("select", { id, "aria-label": "type" }, TYPES.map((t) => h("option", { value: t, selected: t === value }, t)));
  // "a:S, b:N" -> [{name, type}]
  function parseKeyList(text, what) {
    const out = [];
    for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
      const m = part.match(/^(.+?)(?::\s*([SNB]))?$/);
      out.push({ name: m[1].trim(), type: m[2] || "S" });
    }
    if (!out.length && what) throw new Error(`${what}: give at least one attribute (name:TYPE).`);
    return out;
  }

  function viewCreate(main) {
    const name = h("input#ct-name", { size: 32, required: true, placeholder: "Orders" });
    const pk = h("input#ct-pk", { size: 20, placeholder: "pk" }), pkType = typeSelect("ct-pk-type");
    const sk = h("input#ct-sk", { size: 20, placeholder: "(none)" }), skType = typeSelect("ct-sk-type");
    const billing = h("select#ct-billing", h("option", { value: "PAY_PER_REQUEST" }, "On demand (PAY_PER_REQUEST)"),
      h("option", { value: "PROVISIONED" }, "Provisioned"));
    const rcu = h("input#ct-rcu", { type: "number", min: 1, value: 5, size: 5 }), wcu = h("input#ct-wcu", { type: "number", min: 1, value: 5, size: 5 });
    const stream = h("select#ct-stream", ["off", "NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY"].map((v) => h("option", { value: v }, v)));
    const ttl = h("input#ct-ttl", { size: 20, placeholder: "(off)" });
    const gsis = h("div#ct-gsis"), lsis = h("div#ct-lsis");
    const preview = h("pre.code#ct-preview");
    const line = h("div.inline-error#ct-error");
    const projection = (prefix) => {
      const type = h("select", { class: prefix + "-proj", "aria-label": "projection" }, ["ALL", "KEYS_ONLY", "INCLUDE"].map((v) => h("option", { value: v }, v)));
      const attrs = h("input", { class: prefix + "-include", size: 16, placeholder: "INCLUDE: a, b" });
      return [type, attrs];
    };
    const addGsi = () => {
      const [proj, inc] = projection("gsi");
      const row = h("div.row.gsi", h("input.gsi-name", { size: 14, placeholder: "index name", "aria-label": "GSI name" }),
        h("input.gsi-pk", { size: 18, placeholder: "partition: a:S, b:N", "aria-label": "GSI partition key attributes" }),
        h("input.gsi-sk", { size: 18, placeholder: "sort: c:S (optional)", "aria-label": "GSI sort key attributes" }), proj, inc,
        h("button", { type: "button", onclick: () => { row.remove(); update(); } }, "Remove"));
      gsis.append(row);
      row.querySelector("input").focus();
      update();
    };
    const addLsi = () => {
      const [proj, inc] = projection("lsi");
      const row = h("div.row.lsi", h("input.lsi-name", { size: 14, placeholder: "index name", "aria-label": "LSI name" }),
        h("input.lsi-sk", { size: 18, placeholder: "sort key: c:S", "aria-label": "LSI sort key" }), proj, inc,
        h("button", { type: "button", onclick: () => { row.remove(); update(); } }, "Remove"));
      lsis.append(row);
      row.querySelector("input").focus();
      update();
    };
    function request() {
      const defs = new Map();
      const def = (a) => { if (!defs.has(a.name + a.type)) defs.set(a.name + a.type, { AttributeName: a.name, AttributeType: a.type }); };
      const keys = [{ name: pk.value.trim(), type: pkType.value }];
      def(keys[0]);
      const ks = [{ AttributeName: keys[0].name, KeyType: "HASH" }];
      if (sk.value.trim()) { def({ name: sk.value.trim(), type: skType.value }); ks.push({ AttributeName: sk.value.trim(), KeyType: "RANGE" }); }
      const proj = (row, p) => {
        const t = row.querySelector(`.${p}-proj`).value;
        const out = { ProjectionType: t };
        if (t === "INCLUDE") out.NonKeyAttributes = row.querySelector(`.${p}-include`).value.split(",").map((s) => s.trim()).filter(Boolean);
        return out;
      };
      const req = { TableName: name.value.trim(), AttributeDefinitions: [], KeySchema: ks, BillingMode: billing.value };
      const g = [...gsis.querySelectorAll(".gsi")].map((row) => {
        const p = parseKeyList(row.querySelector(".gsi-pk").value), s = parseKeyList(row.querySelector(".gsi-sk").value);
        [...p, ...s].forEach(def);
        const idx = { IndexName: row.querySelector(".gsi-name").value.trim(),
          KeySchema: [...p.map((a) => ({ AttributeName: a.name, KeyType: "HASH" })), ...s.map((a) => ({ AttributeName: a.name, KeyType: "RANGE" }))],
          Projection: proj(row, "gsi") };
        if (billing.value === "PROVISIONED") idx.ProvisionedThroughput = { ReadCapacityUnits: +rcu.value, WriteCapacityUnits: +wcu.value };
        return idx;
      });
      const l = [...lsis.querySelectorAll(".lsi")].map((row) => {
        const s = parseKeyList(row.querySelector(".lsi-sk").value);
        s.forEach(def);
        return { IndexName: row.querySelector(".lsi-name").value.trim(),
          KeySchema: [{ AttributeName: keys[0].name, KeyType: "HASH" }, ...s.map((a) => ({ AttributeName: a.name, KeyType: "RANGE" }))],
          Projection: proj(row, "lsi") };
      });
      if (g.length) req.GlobalSecondaryIndexes = g;
      if (l.length) req.LocalSecondaryIndexes = l;
      req.AttributeDefinitions = [...defs.values()];
      if (billing.value === "PROVISIONED") req.ProvisionedThroughput = { ReadCapacityUnits: +rcu.value, WriteCapacityUnits: +wcu.value };
      if (stream.value !== "off") req.StreamSpecification = { StreamEnabled: true, StreamViewType: stream.value };
      return req;
    }
    function update() {
      rcu.disabled = wcu.disabled = billing.value !== "PROVISIONED";
      try { preview.textContent = JSON.stringify(request(), null, 2); } catch (e) { preview.textContent = errText(e); }
    }
    async function create() {
      const req = request();
      await Ddb.call("CreateTable", req);
      line.textContent = "";
      for (let i = 0; i < 100; i++) {  // until ACTIVE, at most ~30 s
        const t = await describe(req.TableName);
        if (t.TableStatus === "ACTIVE") break;
        await sleep(300);
      }
      if (ttl.value.trim()) {
        await Ddb.call("UpdateTimeToLive", { TableName: req.TableName,
          TimeToLiveSpecification: { Enabled: true, AttributeName: ttl.value.trim() } });
      }
      refreshNamespaces();
      location.hash = `#/table/${encodeURIComponent(req.TableName)}/items`;
    }
    const form = h("form#create-form", { onsubmit: (ev) => { ev.preventDefault(); guarded(create, line); }, oninput: update, onchange: update },
      h("div.split",
        h("div",
          h("div.panel", h("div.form-grid",
            h("label", { for: "ct-name" }, "Table name"), name,
            h("label", { for: "ct-pk" }, "Partition key"), h("div.row", pk, pkType),
            h("label", { for: "ct-sk" }, "Sort key"), h("div.row", sk, skType),
            h("label", { for: "ct-billing" }, "Capacity"), h("div.row", billing, h("label", "read", rcu), h("label", "write", wcu)),
            h("label", { for: "ct-stream" }, "Stream"), stream,
            h("label", { for: "ct-ttl" }, "Time to Live attribute"), ttl)),
          h("fieldset", h("legend", "Global secondary indexes"), h("p.muted", "Keys as name:TYPE; up to four partition and four sort attributes each (multi-attribute keys)."), gsis,
            h("button#ct-add-gsi", { type: "button", onclick: addGsi }, "Add GSI")),
          h("fieldset", h("legend", "Local secondary indexes"), lsis, h("button#ct-add-lsi", { type: "button", onclick: addLsi }, "Add LSI")),
          line,
          h("div.toolbar", h("button.primary#ct-submit", { type: "submit" }, "Create table"),
            h("a.button", { href: "#/tables" }, "Cancel"))),
        h("div", h("h2", "CreateTable request"), preview)));
    main.append(h("h1", "Create table"), form);
    update();
    name.focus();
  }

  // --- items: shared rendering ---------------------------------------------------------------------
  const keyNames = (t, indexName) => {
    const idx = indexName ? [...(t.GlobalSecondaryIndexes || []), ...(t.LocalSecondaryIndexes || [])].find((i) => i.IndexName === indexName) : null;
    const names = t.KeySchema.map((k) => k.AttributeName);
    if (idx) for (const k of idx.KeySchema) if (!names.includes(k.AttributeName)) names.push(k.AttributeName);
    return names;
  };
  function columnsOf(items, keys) {
    const seen = new Set(keys);
    const rest = [];
    for (const it of items) for (const k of Object.keys(it)) if (!seen.has(k)) { seen.add(k); rest.push(k); }
    return [...keys, ...rest.sort()];
  }
  // A table of items; `onOpen(item)` on click or Enter.
  function itemsTable(items, columns, keys, onOpen, id) {
    const body = h("tbody");
    items.forEach((item, i) => {
      const tr = h("tr.clickable", { tabindex: 0, "data-row": i, onclick: () => onOpen && onOpen(item),
        onkeydown: (ev) => { if (ev.key === "Enter" && onOpen) onOpen(item); } },
      columns.map((c) => h("td" + (item[c] && item[c].N !== undefined ? ".num" : ""), { title: Ddb.cellText(item[c]) }, Ddb.cellText(item[c]))));
      body.append(tr);
    });
    if (!items.length) body.append(h("tr", h("td", { colspan: Math.max(columns.length, 1) }, h("span.muted", "No items."))));
    return h("div.scroll", h("table.data", { id }, h("thead", h("tr", columns.map((c) => h("th" + (keys.includes(c) ? ".key" : ""), c)))), body));
  }
  function download(name, type, text) {
    const a = h("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  function exportButtons(getItems, getColumns, base) {
    return [h("button.export-json", { type: "button", onclick: () => download(`${base}.json`, "application/json",
      Ddb.plainText(getItems().map(Ddb.itemToPlain)) + "\n") }, "Export JSON"),  // numbers exact
    h("button.export-csv", { type: "button", onclick: () => download(`${base}.csv`, "text/csv", Ddb.csv(getItems(), getColumns())) }, "Export CSV")];
  }

  // --- item editor ------------------------------------------------------------------------------------
  // mode: "edit" (an existing item), "new" (must not exist yet).
  function itemDialog(table, item, mode, onDone) {
    const keys = table.KeySchema.map((k) => k.AttributeName);
    let format = store.get("itemFormat") === "plain" && !Ddb.itemHasNonPlain(item) ? "plain" : "ddb";
    const text = h("textarea.code#item-text", { rows: 18, spellcheck: "false" });
    const note = h("p.muted#item-note");
    const line = h("div.inline-error#item-error");
    const render = (it) => {
      text.value = format === "ddb" ? JSON.stringify(it, null, 2) : Ddb.plainText(Ddb.itemToPlain(it));
      note.textContent = format === "plain" ? "Plain JSON: strings, numbers, booleans, null, lists and maps." :
        'DynamoDB JSON: each value typed, as {"S": "text"}, {"N": "1"}, {"SS": [...]}...';
    };
    const parse = () => {
      let v;
      try { v = format === "ddb" ? JSON.parse(text.value) : Ddb.parsePlain(text.value); } catch (e) { throw new Error(`Not valid JSON: ${e.message}`); }
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("An item is a JSON object of attributes.");
      return format === "ddb" ? v : Ddb.itemFromPlain(v);
    };
    const fmt = h("select#item-format", { "aria-label": "format", onchange: () => guarded(() => {
      const it = parse();
      if (fmt.value === "plain" && Ddb.itemHasNonPlain(it)) { fmt.value = "ddb"; throw new Error("This item has sets or binary values, which plain JSON cannot express: edit it as DynamoDB JSON."); }
      format = fmt.value;
      store.set("itemFormat", format);
      render(it);
    }, line) }, h("option", { value: "ddb", selected: format === "ddb" }, "DynamoDB JSON"), h("option", { value: "plain", selected: format === "plain" }, "Plain JSON"));
    const keyOf = (it) => Object.fromEntries(keys.map((k) => [k, it[k]]));
    const sameKey = (a, b) => JSON.stringify(keyOf(a)) === JSON.stringify(keyOf(b));
    render(item);
    openDialog([h("h2", mode === "new" ? `New item in ${table.TableName}` : `Item in ${table.TableName}`),
      h("div.toolbar", h("label", "Format", fmt), h("span.grow"), h("span.muted", "Key: " + keys.join(", "))), note, text, line,
      h("div.actions",
        mode === "edit" ? h("button.danger#item-delete", { value: "delete", formnovalidate: true }, "Delete") : null,
        mode === "edit" ? h("button#item-duplicate", { value: "duplicate", formnovalidate: true }, "Duplicate") : null,
        h("span.grow"), h("button", { value: "cancel", formnovalidate: true }, "Cancel"),
        h("button.primary#item-save", { value: "save" }, mode === "new" ? "Create item" : "Save"))],
    async (action) => {
      if (action === "duplicate") { itemDialog(table, parse(), "new", onDone); return; }
      if (action === "delete") {
        confirmDialog("Delete item", `Delete the item ${Ddb.plainText(Ddb.itemToPlain(keyOf(item)), 0)} from ${table.TableName}?`, "Delete", async () => {
          await Ddb.call("DeleteItem", { TableName: table.TableName, Key: keyOf(item) });
          onDone();
        });
        return;
      }
      const it = parse();
      const req = { TableName: table.TableName, Item: it };
      if (mode === "new" || !sameKey(it, item)) {  // never overwrite another item silently
        req.ConditionExpression = "attribute_not_exists(#k)";
        req.ExpressionAttributeNames = { "#k": keys[0] };
      }
      await Ddb.call("PutItem", req);
      closeDialog();
      onDone();
    }, line);
    text.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); $("#item-save").click(); } });
  }

  // --- table page ---------------------------------------------------------------------------------------
  let stopTimers = [];
  async function viewTable(main, name, tab) {
    const t = await describe(name);
    const tabs = [["items", "Items"], ["query", "Query / Scan"], ["stream", "Stream"], ["details", "Details"]];
    main.append(h("h1", h("span#table-name", name), h("span.badge." + t.TableStatus, t.TableStatus), h("span.grow"),
      h("button.danger#delete-table", { type: "button", onclick: () => confirmDialog("Delete table",
        `Delete ${name} and its ${t.ItemCount} items? This cannot be undone.`, "Delete table", async () => {
          await Ddb.call("DeleteTable", { TableName: name });
          refreshNamespaces();
          location.hash = "#/tables";
        }, name) }, "Delete table")),
    h("nav.tabs", tabs.map(([id, label]) => h("a" + (id === tab ? ".active" : ""), { href: `#/table/${encodeURIComponent(name)}/${id}`, id: "tab-" + id }, label))));
    const pane = h("section#pane");
    main.append(pane);
    if (tab === "items") await paneItems(pane, t);
    else if (tab === "query") paneQuery(pane, t);
    else if (tab === "stream") await paneStream(pane, t);
    else await paneDetails(pane, t);
  }

  async function paneItems(pane, t) {
    const keys = keyNames(t);
    const size = h("select#page-size", { "aria-label": "page size" }, [["25", "25 items"], ["100", "100 items"], ["250", "250 items"], ["", "1 MB (DynamoDB's page)"]]
      .map(([v, l]) => h("option", { value: v, selected: v === (store.get("pageSize") ?? "100") }, l)));
    let page = 0, lastKey = null, items = [], hidden = new Set(JSON.parse(store.get("hidden." + t.TableName) || "[]"));
    const info = h("span.muted#page-info"), results = h("div#items"), next = h("button#next-page", { type: "button" }, "Next page →");
    const visible = () => columnsOf(items, keys).filter((c) => !hidden.has(c));
    const draw = () => {
      results.replaceChildren(itemsTable(items, visible(), keys, (it) => itemDialog(t, it, "edit", () => load(true)), "items-table"));
      info.textContent = `Page ${page} · ${items.length} item${items.length === 1 ? "" : "s"}` + (lastKey ? "" : " · end of table");
      next.disabled = !lastKey;
    };
    let startKey = null;
    async function load(reload) {
      if (!reload) startKey = lastKey; else if (page > 0) page--;
      const req = { TableName: t.TableName };
      if (size.value) req.Limit = +size.value;
      if (startKey) req.ExclusiveStartKey = startKey;
      const r = await Ddb.call("Scan", req);
      items = r.Items;
      lastKey = r.LastEvaluatedKey || null;
      page++;
      draw();
    }
    const first = () => guarded(() => { page = 0; lastKey = null; return load(false); });
    next.addEventListener("click", () => guarded(() => load(false)));
    size.addEventListener("change", () => { store.set("pageSize", size.value); first(); });
    const columnsButton = h("button#columns", { type: "button", onclick: () => {
      const all = columnsOf(items, keys);
      const boxes = all.map((c) => h("label", h("input", { type: "checkbox", value: c, checked: !hidden.has(c) }), c));
      openDialog([h("h2", "Columns"), h("div.cols", boxes), h("div.actions", h("button", { value: "cancel", formnovalidate: true }, "Cancel"),
        h("button.primary", { value: "ok" }, "Show"))], () => {
        hidden = new Set(boxes.map((b) => b.firstChild).filter((i) => !i.checked).map((i) => i.value));
        store.set("hidden." + t.TableName, JSON.stringify([...hidden]));
        closeDialog();
        draw();
      });
    } }, "Columns…");
    pane.append(h("div.toolbar",
      h("button.primary#new-item", { type: "button", onclick: () => {
        const blank = Object.fromEntries(t.KeySchema.map((k) => [k.AttributeName, { [t.AttributeDefinitions.find((d) => d.AttributeName === k.AttributeName).AttributeType]: "" }]));
        itemDialog(t, blank, "new", () => first());
      } }, "New item"),
      h("button", { type: "button", onclick: first }, "First page"), h("label", "Page", size), columnsButton, h("span.grow"),
      exportButtons(() => items, visible, t.TableName)),
    results, h("div.pager", next, info));
    await first();
  }

  // The Query / Scan builder.
  function paneQuery(pane, t) {
    const indexes = [...(t.GlobalSecondaryIndexes || []).map((i) => ({ ...i, kind: "GSI" })), ...(t.LocalSecondaryIndexes || []).map((i) => ({ ...i, kind: "LSI" }))];
    const typeOf = (a) => (t.AttributeDefinitions.find((d) => d.AttributeName === a) || {}).AttributeType || "S";
    const index = h("select#q-index", { "aria-label": "table or index" }, h("option", { value: "" }, `${t.TableName} (table)`),
      indexes.map((i) => h("option", { value: i.IndexName }, `${i.IndexName} (${i.kind})`)));
    const mode = h("select#q-mode", { "aria-label": "operation" }, h("option", { value: "Query" }, "Query"), h("option", { value: "Scan" }, "Scan"));
    const keyBox = h("div#q-keys"), filters = h("div#q-filters");
    const projection = h("input#q-projection", { size: 30, placeholder: "all attributes" });
    const order = h("select#q-order", h("option", { value: "asc" }, "ascending"), h("option", { value: "desc" }, "descending"));
    const limit = h("input#q-limit", { type: "number", min: 1, size: 6, placeholder: "none" });
    const consistent = h("input#q-consistent", { type: "checkbox" });
    const codeTab = h("select#q-code", { "aria-label": "code" }, h("option", { value: "json" }, "Request JSON"), h("option", { value: "boto3" }, "boto3"), h("option", { value: "cli" }, "AWS CLI"));
    const code = h("pre.code#q-code-text");
    const line = h("div.inline-error#q-error");
    const results = h("div#q-results"), info = h("span.muted#q-info"), next = h("button#q-next", { type: "button", disabled: true }, "Next page →");
    let items = [], lastKey = null, columns = [];
    const schema = () => (index.value ? indexes.find((i) => i.IndexName === index.value).KeySchema : t.KeySchema);
    function drawKeys() {
      keyBox.replaceChildren();
      if (mode.value !== "Query") { keyBox.append(h("p.muted", "A Scan reads every item (of the index); add filters to narrow the result.")); return; }
      for (const k of schema()) {
        const ty = typeOf(k.AttributeName);
        if (k.KeyType === "HASH") {
          keyBox.append(h("div.row.q-key", { "data-attr": k.AttributeName, "data-kind": "HASH" }, h("code", k.AttributeName), h("span.muted", ty), "=",
            h("input.q-v1", { size: 24, "aria-label": `${k.AttributeName} value`, required: true })));
        } else {
          keyBox.append(h("div.row.q-key", { "data-attr": k.AttributeName, "data-kind": "RANGE" }, h("code", k.AttributeName), h("span.muted", ty),
            h("select.q-op", { "aria-label": `${k.AttributeName} condition` }, ["", "=", "<", "<=", ">", ">=", "between", "begins_with"].map((o) => h("option", { value: o }, o || "(any)"))),
            h("input.q-v1", { size: 18, "aria-label": `${k.AttributeName} value` }), h("input.q-v2", { size: 12, placeholder: "and", "aria-label": `${k.AttributeName} upper value` })));
        }
      }
    }
    const addFilter = () => {
      const row = h("div.row.q-filter", h("input.f-attr", { size: 14, placeholder: "attribute", "aria-label": "filter attribute" }),
        h("select.f-op", { "aria-label": "filter operator" }, ["=", "<>", "<", "<=", ">", ">=", "between", "begins_with", "contains", "attribute_exists", "attribute_not_exists"].map((o) => h("option", { value: o }, o))),
        h("select.f-type", { "aria-label": "value type" }, ["S", "N", "BOOL", "NULL"].map((o) => h("option", { value: o }, o))),
        h("input.f-v1", { size: 14, placeholder: "value", "aria-label": "filter value" }), h("input.f-v2", { size: 10, placeholder: "and", "aria-label": "filter upper value" }),
        h("button", { type: "button", onclick: () => { row.remove(); update(); } }, "Remove"));
      filters.append(row);
      row.querySelector("input").focus();
      update();
    };
    function request() {
      const names = {}, values = {};
      let n = 0, v = 0;
      const nameOf = (a) => { const k = `#n${n++}`; names[k] = a; return k; };
      const valueOf = (av) => { const k = `:v${v++}`; values[k] = av; return k; };
      const typed = (type, s) => (type === "N" ? { N: s.trim() } : type === "B" ? { B: s.trim() } : type === "BOOL" ? { BOOL: s.trim() === "true" } : type === "NULL" ? { NULL: true } : { S: s });
      const cond = (path, op, av1, av2) => (op === "between" ? `${path} BETWEEN ${av1()} AND ${av2()}` : op === "begins_with" || op === "contains" ? `${op}(${path}, ${av1()})`
        : op === "attribute_exists" || op === "attribute_not_exists" ? `${op}(${path})` : `${path} ${op} ${av1()}`);
      const req = { TableName: t.TableName };
      if (index.value) req.IndexName = index.value;
      if (mode.value === "Query") {
        const parts = [];
        for (const row of keyBox.querySelectorAll(".q-key")) {
          const a = row.dataset.attr, ty = typeOf(a), op = row.dataset.kind === "HASH" ? "=" : row.querySelector(".q-op").value;
          if (!op) continue;
          parts.push(cond(nameOf(a), op, () => valueOf(typed(ty, row.querySelector(".q-v1").value)), () => valueOf(typed(ty, row.querySelector(".q-v2").value))));
        }
        req.KeyConditionExpression = parts.join(" AND ");
      }
      const fparts = [];
      for (const row of filters.querySelectorAll(".q-filter")) {
        const a = row.querySelector(".f-attr").value.trim();
        if (!a) continue;
        const ty = row.querySelector(".f-type").value;
        fparts.push(cond(nameOf(a), row.querySelector(".f-op").value, () => valueOf(typed(ty, row.querySelector(".f-v1").value)), () => valueOf(typed(ty, row.querySelector(".f-v2").value))));
      }
      if (fparts.length) req.FilterExpression = fparts.join(" AND ");
      const proj = projection.value.split(",").map((s) => s.trim()).filter(Boolean);
      if (proj.length) req.ProjectionExpression = proj.map(nameOf).join(", ");
      if (Object.keys(names).length) req.ExpressionAttributeNames = names;
      if (Object.keys(values).length) req.ExpressionAttributeValues = values;
      if (mode.value === "Query" && order.value === "desc") req.ScanIndexForward = false;
      if (limit.value) req.Limit = +limit.value;
      if (consistent.checked && !consistent.disabled) req.ConsistentRead = true;
      return req;
    }
    function update() {
      const idx = index.value && indexes.find((i) => i.IndexName === index.value);
      consistent.disabled = !!(idx && idx.kind === "GSI");
      order.disabled = mode.value !== "Query";
      const req = request();
      code.textContent = codeTab.value === "json" ? JSON.stringify(req, null, 2) : codeTab.value === "boto3" ? Ddb.boto3(mode.value, req) : Ddb.awsCli(mode.value, req);
    }
    async function run(more) {
      const req = request();
      if (more) req.ExclusiveStartKey = lastKey;
      const r = await Ddb.call(mode.value, req);
      items = r.Items;
      lastKey = r.LastEvaluatedKey || null;
      const keys = keyNames(t, index.value);
      columns = columnsOf(items, keys);
      results.replaceChildren(itemsTable(items, columns, keys, (it) => guarded(async () => {
        const full = (await Ddb.call("GetItem", { TableName: t.TableName, Key: Object.fromEntries(t.KeySchema.map((k) => [k.AttributeName, it[k.AttributeName]])) })).Item;
        if (!full) throw new Error("That item is gone.");
        itemDialog(t, full, "edit", () => run(false));
      }), "q-table"));
      info.textContent = `${r.Count} item${r.Count === 1 ? "" : "s"} (${r.ScannedCount} scanned)` + (lastKey ? " · more pages" : "");
      next.disabled = !lastKey;
    }
    index.addEventListener("change", () => { drawKeys(); update(); });
    mode.addEventListener("change", () => { drawKeys(); update(); });
    next.addEventListener("click", () => guarded(() => run(true), line));
    const form = h("form#q-form", { oninput: update, onchange: update, onsubmit: (ev) => { ev.preventDefault(); guarded(() => run(false), line); },
      onkeydown: (ev) => { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); guarded(() => run(false), line); } } },
    h("div.split",
      h("div.panel",
        h("div.row", mode, "on", index),
        h("h2", "Key condition"), keyBox,
        h("h2", "Filter"), filters, h("button#q-add-filter", { type: "button", onclick: addFilter }, "Add filter"),
        h("h2", "Options"),
        h("div.form-grid", h("label", { for: "q-projection" }, "Projection"), projection, h("label", { for: "q-order" }, "Sort order"), order,
          h("label", { for: "q-limit" }, "Limit"), limit, h("label", { for: "q-consistent" }, "Consistent read"), consistent),
        line,
        h("div.toolbar", h("button.primary#q-run", { type: "submit", title: "Ctrl+Enter" }, "Run"), h("span.muted", h("kbd", "Ctrl"), "+", h("kbd", "Enter")))),
      h("div", h("div.toolbar", h("label", "Show", codeTab)), code)));
    pane.append(form, h("div.toolbar", h("h2", "Results"), h("span.grow"), exportButtons(() => items, () => columns, t.TableName + "-result")), results, h("div.pager", next, info));
    drawKeys();
    update();
  }

  // Stream: the latest records, polled while the tab is open.
  async function paneStream(pane, t) {
    if (!t.LatestStreamArn || !(t.StreamSpecification && t.StreamSpecification.StreamEnabled)) {
      const view = h("select#stream-view", ["NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY"].map((v) => h("option", { value: v }, v)));
      pane.append(h("p", "This table has no stream enabled."), h("div.toolbar", view, h("button.primary#stream-enable", { type: "button", onclick: () => guarded(async () => {
        await Ddb.call("UpdateTable", { TableName: t.TableName, StreamSpecification: { StreamEnabled: true, StreamViewType: view.value } });
        route();
      }) }, "Enable stream")));
      return;
    }
    const MAX = 200;
    const records = [];
    const iterators = new Map();  // shard id -> iterator (null: closed)
    const live = h("input#stream-live", { type: "checkbox", checked: true });
    const status = h("span.muted#stream-status");
    const body = h("tbody#stream-records");
    const show = (av) => (av ? Ddb.plainText(Ddb.itemToPlain(av), 0) : "");
    function draw() {
      body.replaceChildren(...records.slice().reverse().map((r) => h("tr",
        h("td", new Date(r.dynamodb.ApproximateCreationDateTime * 1000).toLocaleTimeString()),
        h("td", h("span.badge." + r.eventName, r.eventName)), h("td.mono", show(r.dynamodb.Keys)),
        h("td.mono", { title: show(r.dynamodb.NewImage) }, show(r.dynamodb.NewImage)), h("td.mono", { title: show(r.dynamodb.OldImage) }, show(r.dynamodb.OldImage)),
        h("td.mono.muted", r.dynamodb.SequenceNumber))));
      if (!records.length) body.append(h("tr", h("td", { colspan: 6 }, h("span.muted", "No records yet: write an item and it appears here."))));
    }
    async function poll() {
      const d = (await Ddb.call("DescribeStream", { StreamArn: t.LatestStreamArn }, { streams: true })).StreamDescription;
      for (const s of d.Shards) {
        if (iterators.has(s.ShardId)) continue;
        const it = await Ddb.call("GetShardIterator", { StreamArn: t.LatestStreamArn, ShardId: s.ShardId, ShardIteratorType: "TRIM_HORIZON" }, { streams: true });
        iterators.set(s.ShardId, it.ShardIterator);
      }
      for (const [shard, start] of iterators) {
        let it = start;
        for (let i = 0; it && i < 20; i++) {  // bounded catch-up per poll
          const r = await Ddb.call("GetRecords", { ShardIterator: it, Limit: 1000 }, { streams: true });
          records.push(...r.Records);
          it = r.NextShardIterator || null;
          if (!r.Records.length) break;
        }
        iterators.set(shard, it);
      }
      if (records.length > MAX) records.splice(0, records.length - MAX);
      status.textContent = `${d.StreamViewType} · ${d.Shards.length} shard${d.Shards.length === 1 ? "" : "s"} · updated ${new Date().toLocaleTimeString()}`;
      draw();
    }
    pane.append(h("div.toolbar", h("label", live, "Live (every 1.5 s)"), h("button", { type: "button", onclick: () => guarded(poll) }, "Refresh"), h("span.grow"), status),
      h("div.scroll", h("table.data#stream-table", h("thead", h("tr", ["Time", "Event", "Keys", "New image", "Old image", "Sequence"].map((c) => h("th", c)))), body)));
    let stopped = false, busy = false;
    stopTimers.push(() => { stopped = true; });
    await guarded(poll);
    const timer = setInterval(async () => {
      if (stopped || busy || !live.checked) return;
      busy = true;
      try { await poll(); } catch (e) { live.checked = false; showError(e); } finally { busy = false; }
    }, 1500);
    stopTimers.push(() => clearInterval(timer));
  }

  async function paneDetails(pane, t) {
    const ttl = await describeTtl(t.TableName);
    const keyText = (ks) => ks.map((k) => `${k.AttributeName} (${k.KeyType === "HASH" ? "partition" : "sort"})`).join(", ");
    const idxRows = [...(t.GlobalSecondaryIndexes || []).map((i) => ["GSI", i]), ...(t.LocalSecondaryIndexes || []).map((i) => ["LSI", i])]
      .map(([kind, i]) => h("tr", h("td", i.IndexName), h("td", kind), h("td", keyText(i.KeySchema)),
        h("td", i.Projection.ProjectionType + (i.Projection.NonKeyAttributes ? `: ${i.Projection.NonKeyAttributes.join(", ")}` : "")),
        h("td", i.IndexStatus || "ACTIVE"), h("td.num", i.ItemCount), h("td.num", fmtBytes(i.IndexSizeBytes))));
    const ttlAttr = h("input#ttl-attr", { size: 18, value: ttl.AttributeName || "" });
    const ttlOn = ttl.TimeToLiveStatus === "ENABLED" || ttl.TimeToLiveStatus === "ENABLING";
    const line = h("div.inline-error");
    pane.append(h("div.split",
      h("div.panel", h("dl.kv",
        h("dt", "Key"), h("dd", keyText(t.KeySchema)),
        h("dt", "Attributes"), h("dd", t.AttributeDefinitions.map((d) => `${d.AttributeName}: ${d.AttributeType}`).join(", ")),
        h("dt", "Status"), h("dd", t.TableStatus), h("dt", "Items"), h("dd", t.ItemCount), h("dt", "Size"), h("dd", fmtBytes(t.TableSizeBytes)),
        h("dt", "Capacity"), h("dd", billingText(t)), h("dt", "Stream"), h("dd", streamText(t) + (t.LatestStreamArn ? ` (${t.LatestStreamArn})` : "")),
        h("dt", "Time to Live"), h("dd", ttlText(ttl)), h("dt", "Created"), h("dd", new Date(t.CreationDateTime * 1000).toLocaleString()),
        h("dt", "ARN"), h("dd.mono", t.TableArn)),
      h("h2", "Time to Live"), h("div.toolbar", h("label", "Attribute", ttlAttr),
        h("button#ttl-toggle", { type: "button", onclick: () => guarded(async () => {
          await Ddb.call("UpdateTimeToLive", { TableName: t.TableName, TimeToLiveSpecification: { Enabled: !ttlOn, AttributeName: ttlAttr.value.trim() } });
          route();
        }, line) }, ttlOn ? "Disable" : "Enable")), line,
      idxRows.length ? [h("h2", "Indexes"), h("div.scroll", h("table.data", h("thead", h("tr", ["Name", "Kind", "Key", "Projection", "Status", "Items", "Size"].map((c) => h("th", c)))), h("tbody", idxRows)))] : null),
      h("div", h("h2", "DescribeTable"), h("pre.code#describe-json", JSON.stringify(t, null, 2)))));
  }

  // --- PartiQL ------------------------------------------------------------------------------------------
  function viewPartiql(main) {
    const stmt = h("textarea.code#pq-statement", { rows: 6, spellcheck: "false", placeholder: 'SELECT * FROM "Orders" WHERE pk = ?' });
    stmt.value = sessionStorage.getItem("cairn.partiql") || "";
    const params = h("textarea.code#pq-params", { rows: 3, spellcheck: "false", placeholder: '[{"S": "order-1"}]   (optional, DynamoDB JSON)' });
    const consistent = h("input#pq-consistent", { type: "checkbox" });
    const limit = h("input#pq-limit", { type: "number", min: 1, size: 6, placeholder: "none" });
    const line = h("div.inline-error#pq-error"), results = h("div#pq-results"), info = h("span.muted#pq-info");
    const next = h("button#pq-next", { type: "button", disabled: true }, "Next page →");
    let items = [], columns = [], token = null;
    async function run(more) {
      sessionStorage.setItem("cairn.partiql", stmt.value);
      const req = { Statement: stmt.value };
      if (params.value.trim()) {
        try { req.Parameters = JSON.parse(params.value); } catch (e) { throw new Error(`Parameters: not valid JSON: ${e.message}`); }
      }
      if (consistent.checked) req.ConsistentRead = true;
      if (limit.value) req.Limit = +limit.value;
      if (more) req.NextToken = token;
      const r = await Ddb.call("ExecuteStatement", req);
      items = r.Items || [];
      token = r.NextToken || null;
      columns = columnsOf(items, []);
      results.replaceChildren(itemsTable(items, columns, [], null, "pq-table"));
      info.textContent = `${items.length} item${items.length === 1 ? "" : "s"}` + (token ? " · more pages (NextToken)" : "");
      next.disabled = !token;
    }
    next.addEventListener("click", () => guarded(() => run(true), line));
    const form = h("form#pq-form", { onsubmit: (ev) => { ev.preventDefault(); guarded(() => run(false), line); },
      onkeydown: (ev) => { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); guarded(() => run(false), line); } } },
    h("div.panel", h("label", { for: "pq-statement" }, "Statement"), stmt, h("label", { for: "pq-params" }, "Parameters"), params,
      h("div.toolbar", h("label", consistent, "Consistent read"), h("label", "Limit", limit), h("span.grow"),
        h("button.primary#pq-run", { type: "submit", title: "Ctrl+Enter" }, "Run"), h("span.muted", h("kbd", "Ctrl"), "+", h("kbd", "Enter"))), line));
    main.append(h("h1", "PartiQL"), form, h("div.toolbar", h("h2", "Results"), h("span.grow"), exportButtons(() => items, () => columns, "partiql-result")), results, h("div.pager", next, info));
    stmt.focus();
  }

  // --- routing --------------------------------------------------------------------------------------------
  let routeSeq = 0;
  async function route() {
    const seq = ++routeSeq;
    stopTimers.forEach((f) => f());
    stopTimers = [];
    const main = $("#main");
    main.replaceChildren();
    const parts = (location.hash.replace(/^#\/?/, "") || "tables").split("/").map(decodeURIComponent);
    $("#nav-tables").classList.toggle("active", parts[0] !== "partiql");
    $("#nav-partiql").classList.toggle("active", parts[0] === "partiql");
    const view = h("div");
    main.append(view);
    try {
      if (parts[0] === "create") viewCreate(view);
      else if (parts[0] === "partiql") viewPartiql(view);
      else if (parts[0] === "table" && parts[1]) await viewTable(view, parts[1], parts[2] || "items");
      else await viewTables(view);
    } catch (e) {
      if (seq !== routeSeq) return;
      // A key the server does not take: the credentials dialog says why and asks again.
      if (["UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationTokenException",
        "IncompleteSignatureException"].includes(e.type)) {
        view.append(h("p.inline-error", `${e.type}: sign in with another access key or secret (Credentials…).`));
        credentialsDialog(errText(e));
        return;
      }
      view.append(h("p.inline-error", errText(e)));
      showError(e);
    }
  }
  window.addEventListener("hashchange", route);

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || dialog.open) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) return;
    const go = { t: "#/tables", p: "#/partiql", c: "#/create" }[ev.key];
    if (go) { location.hash = go; ev.preventDefault(); } else if (ev.key === "r") { route(); ev.preventDefault(); }
  });

  // --- start ------------------------------------------------------------------------------------------------
  async function start() {
    const problem = await loadNamespaces().catch((e) => e.message);
    let key = store.get("accessKey"), region = store.get("region");
    if (!key || !region) {
      const first = namespaces && namespaces.find((n) => n.AccessKeyId);
      key = first ? first.AccessKeyId : "local";
      region = first ? first.Region : "us-east-1";
    }
    setCreds(key, region);
    renderNamespaceSelect();
    // No namespace list (signatures are checked): ask for a key and its secret before any call.
    if (problem && !sessionStorage.getItem("cairn.secret")) {
      $("#main").replaceChildren(h("p.muted", "Sign in with an access key (Credentials…)."));
      credentialsDialog(problem);
      return;
    }
    route();
  }
  start();
})();
