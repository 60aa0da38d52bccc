-- wrk script for the Cairn benchmark: one DynamoDB workload per run, chosen by the first argument.
--
--   wrk ... -s dynamo.lua -- <mode> <partitions> <items_per_partition> <check> [<first_item> <n_items>]
--
-- mode: get | put | update | query | mix (80% GetItem / 20% UpdateItem) | load
--       | txn2 | txn25 (TransactWriteItems of 2 or 25 `SET c = c + :one` Updates of distinct items)
-- check: "on"     count answers that are not the requested item (see below),
--        "ignore" do the same work but count nothing (the nginx ceiling answers a fixed body).
-- load: BatchWriteItem of items first_item .. first_item+n_items-1 (25 per request, or PutItem when
--       <check> is "put"), then stops wrk by sending it SIGINT. Run it with one wrk thread. Its time
--       (load_us) runs from the first request sent to the last answer read: wrk's own duration also
--       holds its start and up to 100 ms of its stop (its threads look for the stop every 100 ms).
-- Latency at a fixed request rate is not measured with wrk but with bench/pace/pace.cc (open
-- loop), which sends the same requests: keep the two in step.
--
-- Data set (the same for every target): table "bench", item i has pk = "p%07d" % (i // ipp),
-- sk = "s%02d" % (i % ipp), c = 0 (a number), d = a ~180-character string; about 200 bytes each.
--
-- Every answer with HTTP status >= 300 is an error ("non2xx"). Checks of the 2xx answers ("wrong"):
-- a GetItem answer must hold an Item whose pk is one this thread has asked for and not yet seen
-- answered (wrk does not say which connection an answer belongs to, so the requested pks are kept as a
-- multiset); a Query answer must hold Count 10 and such a pk; in the mix, an answer without Item must
-- match an outstanding UpdateItem. Every answer is checked, not a sample: it costs wrk well under 1 us.
-- Results are printed by done() as one line starting with "RESULT " (key=value pairs).

mode, parts, ipp, check = "get", 10000, 10, "on"
local first_item, n_items = 0, 0

local prefix = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" ..
  "Content-Type: application/x-amz-json-1.0\r\n" ..
  "Authorization: AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/dynamodb/aws4_request, " ..
  "SignedHeaders=host, Signature=0\r\nX-Amz-Date: 20240101T000000Z\r\n" ..
  "X-Amz-Target: DynamoDB_20120810."

local function http_request(op, body)
  return prefix .. op .. "\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local pool = {}  -- random ~180-character values for d, so that blocks of items do not compress away

local function make_pool()
  for i = 1, 1021 do
    local t = {}
    for j = 1, 180 do
      local k = math.random(1, 64)
      t[j] = alphabet:sub(k, k)
    end
    pool[i] = table.concat(t)
  end
end

local function pk_of(p) return string.format("p%07d", p) end
local function sk_of(s) return string.format("s%02d", s) end

local function item_json(p, s)
  return '{"pk":{"S":"' .. pk_of(p) .. '"},"sk":{"S":"' .. sk_of(s) ..
    '"},"c":{"N":"0"},"d":{"S":"' .. pool[math.random(1, #pool)] .. '"}}'
end

local function key_json(p, s)
  return '{"pk":{"S":"' .. pk_of(p) .. '"},"sk":{"S":"' .. sk_of(s) .. '"}}'
end

-- Per-thread counters, read by done() through thread:get().
non2xx, wrong, answers, statuses = 0, 0, 0, ""
local status_seen = {}

-- Outstanding requested pks (a multiset) and outstanding update count, for the checks.
local want = {}
local want_updates = 0

local function expect(pk)
  want[pk] = (want[pk] or 0) + 1
end

local function check_item(body, need_count)
  local pk = body:match('"pk":{"S":"(p%d+)"}')
  if pk == nil or (need_count and not body:find('"Count":10', 1, true)) then
    return false
  end
  local n = want[pk]
  if n == nil then return false end
  if n == 1 then want[pk] = nil else want[pk] = n - 1 end
  return true
end

-- Load state (globals: done() reads them through thread:get()).
next_item, batches_total, batches_ok, batches_sent, batch_answers, unprocessed = 0, 0, 0, 0, 0, 0
load_first_us, load_last_us = 0, 0  -- when the first load request was made, the last answer read
local load_put = false
local verified = false  -- wrk calls request() once on thread 0 before the run, to verify it

-- Microseconds of CLOCK_MONOTONIC.
local ffi = require("ffi")
pcall(ffi.cdef, "typedef struct { long tv_sec; long tv_nsec; } bench_timespec; " ..
  "int clock_gettime(int clock, bench_timespec* ts);")
local timespec = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, timespec)
  return tonumber(timespec.tv_sec) * 1e6 + tonumber(timespec.tv_nsec) / 1e3
end

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or mode
  parts = tonumber(args[2] or parts)
  ipp = tonumber(args[3] or ipp)
  check = args[4] or check
  if mode == "load" then
    first_item = tonumber(args[5] or 0)
    n_items = tonumber(args[6] or 0)
  end
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919 + math.floor(os.clock() * 1e6))
  make_pool()
  if mode == "load" then
    load_put = (check == "put")
    next_item = first_item
    local per = load_put and 1 or 25
    batches_total = math.ceil(n_items / per)
  else
    delay = nil
  end
end

-- The next batch (or item), or, once all are sent, a DescribeTable that the response hook skips.
local function load_request()
  local last = first_item + n_items
  if next_item >= last then
    return http_request("DescribeTable", '{"TableName":"bench"}')
  end
  local i, body = next_item, nil
  if load_put then
    i = i + 1
    body = http_request("PutItem", '{"TableName":"bench","Item":' ..
      item_json(math.floor(next_item / ipp), next_item % ipp) .. '}')
  else
    local t = {}
    while i < last and #t < 25 do
      t[#t + 1] = '{"PutRequest":{"Item":' .. item_json(math.floor(i / ipp), i % ipp) .. '}}'
      i = i + 1
    end
    body = http_request("BatchWriteItem",
      '{"RequestItems":{"bench":[' .. table.concat(t, ",") .. ']}}')
  end
  if not verified and thread_id == 0 then
    verified = true  -- the verification call: this request is never sent
  else
    if batches_sent == 0 then load_first_us = now_us() end
    next_item = i
    batches_sent = batches_sent + 1
  end
  return body
end

-- Idle load connections wait here once everything has been sent (wrk asks delay() before each
-- request when the script defines it; init() removes it for the other modes, where it would cost).
function delay()
  if next_item >= first_item + n_items then return 3600000 end
  return 0
end

local function get_request()
  local p, s = math.random(0, parts - 1), math.random(0, ipp - 1)
  expect(pk_of(p))
  return http_request("GetItem", '{"TableName":"bench","Key":' .. key_json(p, s) .. '}')
end

local function update_request()
  local p, s = math.random(0, parts - 1), math.random(0, ipp - 1)
  want_updates = want_updates + 1
  return http_request("UpdateItem", '{"TableName":"bench","Key":' .. key_json(p, s) ..
    ',"UpdateExpression":"SET c = c + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}')
end

local function txn_request(n)
  local picked, actions = {}, {}
  while #actions < n do
    local i = math.random(0, parts * ipp - 1)
    if not picked[i] then
      picked[i] = true
      actions[#actions + 1] = '{"Update":{"TableName":"bench","Key":' ..
        key_json(math.floor(i / ipp), i % ipp) .. ',"UpdateExpression":"SET c = c + :one",' ..
        '"ExpressionAttributeValues":{":one":{"N":"1"}}}}'
    end
  end
  return http_request("TransactWriteItems",
    '{"TransactItems":[' .. table.concat(actions, ",") .. ']}')
end

function request()
  if mode == "get" then
    return get_request()
  elseif mode == "put" then
    local p, s = math.random(0, parts - 1), math.random(0, ipp - 1)
    return http_request("PutItem", '{"TableName":"bench","Item":' .. item_json(p, s) .. '}')
  elseif mode == "update" then
    return update_request()
  elseif mode == "query" then
    local p = math.random(0, parts - 1)
    expect(pk_of(p))
    return http_request("Query", '{"TableName":"bench","KeyConditionExpression":"pk = :p",' ..
      '"ExpressionAttributeValues":{":p":{"S":"' .. pk_of(p) .. '"}}}')
  elseif mode == "mix" then
    if math.random(1, 10) <= 8 then return get_request() end
    return update_request()
  elseif mode == "txn2" then
    return txn_request(2)
  elseif mode == "txn25" then
    return txn_request(25)
  elseif mode == "load" then
    return load_request()
  end
  error("unknown mode " .. tostring(mode))
end

local function stop_wrk()
  -- wrk's main thread sleeps for the whole -d duration; SIGINT wakes it and ends the run.
  pcall(ffi.cdef, "int kill(int pid, int sig); int getpid(void);")
  ffi.C.kill(ffi.C.getpid(), 2)
end

function response(status, headers, body)
  answers = answers + 1
  if status >= 300 then
    non2xx = non2xx + 1
    if not status_seen[status] then
      status_seen[status] = true
      statuses = statuses .. status .. ":" .. (body or ""):sub(1, 160):gsub("[%s|]", " ") .. "|"
    end
  end
  local ok = status < 300
  if mode == "load" then
    if ok and body:find('"Table":{', 1, true) then return end  -- a filler DescribeTable
    batch_answers = batch_answers + 1
    if ok and not load_put and not body:find('"UnprocessedItems":{}', 1, true) then
      unprocessed = unprocessed + 1
    end
    if ok then batches_ok = batches_ok + 1 end
    if batch_answers == batches_total then
      load_last_us = now_us()
      stop_wrk()
    end
    return
  end
  if not ok then return end
  local good = true
  if mode == "get" then
    good = check_item(body, false)
  elseif mode == "query" then
    good = check_item(body, true)
  elseif mode == "mix" then
    if body:find('"Item"', 1, true) then
      good = check_item(body, false)
    elseif want_updates > 0 then
      want_updates = want_updates - 1
    else
      good = false  -- a GetItem answered without Item: all keys exist
    end
  elseif mode == "txn2" or mode == "txn25" then
    good = (body == "{}")  -- no ConsumedCapacity or metrics asked for
  end
  if not good and check == "on" then wrong = wrong + 1 end
end

function done(summary, latency, requests)
  local t_non2xx, t_wrong, t_answers, t_unprocessed, t_ok, t_statuses = 0, 0, 0, 0, 0, ""
  local first, last = math.huge, 0
  for _, thread in ipairs(threads) do
    t_non2xx = t_non2xx + thread:get("non2xx")
    t_wrong = t_wrong + thread:get("wrong")
    t_answers = t_answers + thread:get("answers")
    t_statuses = t_statuses .. thread:get("statuses")
    t_unprocessed = t_unprocessed + thread:get("unprocessed")
    t_ok = t_ok + thread:get("batches_ok")
    local f, l = thread:get("load_first_us"), thread:get("load_last_us")
    if f > 0 and f < first then first = f end
    if l > last then last = l end
  end
  local load_us = (last > 0 and first < last) and (last - first) or 0
  t_statuses = t_statuses:gsub("%s", "_")
  if t_statuses == "" then t_statuses = "-" end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d answers=%d non2xx=%d wrong=%d sock_connect=%d " ..
    "sock_read=%d sock_write=%d sock_timeout=%d p50_us=%d p99_us=%d max_us=%d mean_us=%.1f " ..
    "load_ok=%d unprocessed=%d load_us=%d statuses=%s\n",
    summary.requests, summary.duration, t_answers, t_non2xx, t_wrong, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max, latency.mean,
    t_ok, t_unprocessed, load_us, t_statuses))
end
