// RADOS probe: checks, against a live cluster, the librados primitives docs/rados.md builds Cairn's
// RADOS engine on, and measures the latency of a guarded write. Each check prints "ok" or "FAIL"
// with what it saw; the exit status is the number of failures (0: all held).
//
//   probe CONF POOL     (tests/rados/run builds it and runs it against tests/rados/cluster)
//
// Checks (the design note's section in brackets):
//   guard_insert       omap_cmp(key == "") passes for an absent key; a second such insert fails with
//                      -ECANCELED and changes nothing                                    [2]
//   guard_update       omap_cmp(key == old) + omap_set + omap_rm_keys: applied together; a stale
//                      guard cancels the whole op (none of its sets or removals happen)  [2]
//   guard_direction    omap_cmp(key, v, LT) passes exactly when the STORED value < v; an absent key
//                      compares as empty                                                 [2, GSI guards]
//   guard_signed       ...but bytes compare as signed char (0x7f LT 0x80 is false): LT/GT guards
//                      need values whose bytes are all < 0x80, e.g. decimal versions     [2, GSI guards]
//   assert_exists      an op with assert_exists() on a missing object fails -ENOENT and creates
//                      nothing; so does an op guarded by omap_cmp alone                  [5]
//   range_order        omap_get_vals2 returns keys in unsigned bytewise (memcmp) order, 0x00 and
//                      0xFF bytes included, paged by start_after/max with `more`, filtered by
//                      filter_prefix                                                     [1]
//   range_inclusive    one ObjectReadOperation with omap_get_vals_by_keys({begin}) and
//                      omap_get_vals2(start_after=begin) reads [begin, ...) at one state [1]
//   object_version     a read's completion gives the object version it saw; assert_version of it
//                      holds until any write to the object, then fails                   [6 TransactGetItems]
//   lease              cls_lock lock_exclusive: a second cookie gets -EBUSY while the lease runs,
//                      and gets it after the duration lapses                             [2 leases]
//   numops             exec("numops", "add") increments an omap counter server-side      [1 count]
//   latency            sync guarded writes, then aio_operate with 32 in flight: ops/s and mean
//   stream_lua         a stream record numbered server-side by cls_lua inside the guarded op: a
//                      failed guard numbers nothing                                      [4]
//   stream_contention  8 writers of one shard: cls_lua numbering vs a guarded counter (retries) [4]
#include <rados/librados.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using librados::bufferlist;
using Clock = std::chrono::steady_clock;

int failures = 0;

void Check(const char* name, bool ok, const std::string& detail) {
  std::printf("%-16s %s  %s\n", name, ok ? "ok  " : "FAIL", detail.c_str());
  if (!ok) ++failures;
}

bufferlist Bl(const std::string& s) {
  bufferlist bl;
  bl.append(s);
  return bl;
}

std::string Str(const bufferlist& bl) { return bl.to_str(); }

// The omap values of `keys` in `oid` (absent keys are left out).
std::map<std::string, std::string> Values(librados::IoCtx& io, const std::string& oid,
                                          const std::set<std::string>& keys) {
  std::map<std::string, bufferlist> got;
  io.omap_get_vals_by_keys(oid, keys, &got);
  std::map<std::string, std::string> out;
  for (auto& [k, v] : got) out[k] = Str(v);
  return out;
}

// A guarded write: the assertions, then the sets and removals, as one atomic operation.
int GuardedWrite(librados::IoCtx& io, const std::string& oid,
                 const std::map<std::string, std::pair<std::string, int>>& cmp,
                 const std::map<std::string, std::string>& set, const std::set<std::string>& rm) {
  librados::ObjectWriteOperation op;
  std::map<std::string, std::pair<bufferlist, int>> assertions;
  for (auto& [k, v] : cmp) assertions[k] = {Bl(v.first), v.second};
  int cmp_rval = 0;
  if (!assertions.empty()) op.omap_cmp(assertions, &cmp_rval);
  std::map<std::string, bufferlist> to_set;
  for (auto& [k, v] : set) to_set[k] = Bl(v);
  if (!to_set.empty()) op.omap_set(to_set);
  if (!rm.empty()) op.omap_rm_keys(rm);
  return io.operate(oid, &op);
}

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

void GuardInsert(librados::IoCtx& io, const std::string& oid) {
  int r1 = GuardedWrite(io, oid, {{"item", {"", LIBRADOS_CMPXATTR_OP_EQ}}}, {{"item", "v1"}}, {});
  int r2 = GuardedWrite(io, oid, {{"item", {"", LIBRADOS_CMPXATTR_OP_EQ}}}, {{"item", "v2"}}, {});
  auto v = Values(io, oid, {"item"});
  Check("guard_insert", r1 == 0 && r2 == -ECANCELED && v["item"] == "v1",
        "first " + std::to_string(r1) + ", second " + std::to_string(r2) + " (ECANCELED is -" +
            std::to_string(ECANCELED) + "), value " + v["item"]);
}

void GuardUpdate(librados::IoCtx& io, const std::string& oid) {
  GuardedWrite(io, oid, {}, {{"lsi", "old-entry"}}, {});
  // Stale guard: expects v0, the item holds v1. Nothing of the op may happen.
  int stale = GuardedWrite(io, oid, {{"item", {"v0", LIBRADOS_CMPXATTR_OP_EQ}}},
                           {{"item", "v2"}, {"stream", "rec"}}, {"lsi"});
  auto after_stale = Values(io, oid, {"item", "lsi", "stream"});
  // Right guard: every part applies.
  int good = GuardedWrite(io, oid, {{"item", {"v1", LIBRADOS_CMPXATTR_OP_EQ}}},
                          {{"item", "v2"}, {"stream", "rec"}}, {"lsi"});
  auto after_good = Values(io, oid, {"item", "lsi", "stream"});
  bool ok = stale == -ECANCELED && after_stale.size() == 2 && after_stale["item"] == "v1" &&
            after_stale["lsi"] == "old-entry" && good == 0 && after_good.size() == 2 &&
            after_good["item"] == "v2" && after_good["stream"] == "rec" && !after_good.count("lsi");
  Check("guard_update", ok,
        "stale " + std::to_string(stale) + " left " + std::to_string(after_stale.size()) +
            " keys (item " + after_stale["item"] + "); good " + std::to_string(good) +
            " -> item " + after_good["item"] + ", lsi " +
            (after_good.count("lsi") ? "kept" : "removed") + ", stream " + after_good["stream"]);
}

void GuardDirection(librados::IoCtx& io, const std::string& oid) {
  GuardedWrite(io, oid, {}, {{"g", "b"}}, {});
  auto try_cmp = [&](const std::string& key, const std::string& v, int op) {
    return GuardedWrite(io, oid, {{key, {v, op}}}, {{"touched", v}}, {});
  };
  int stored_b_lt_c = try_cmp("g", "c", LIBRADOS_CMPXATTR_OP_LT);  // "b" < "c": passes if stored-left
  int stored_b_lt_a = try_cmp("g", "a", LIBRADOS_CMPXATTR_OP_LT);  // "b" < "a": false
  int stored_b_gt_a = try_cmp("g", "a", LIBRADOS_CMPXATTR_OP_GT);
  int absent_lt = try_cmp("absent", "a", LIBRADOS_CMPXATTR_OP_LT);  // "" < "a"
  int absent_eq = try_cmp("absent", "", LIBRADOS_CMPXATTR_OP_EQ);
  bool ok = stored_b_lt_c == 0 && stored_b_lt_a == -ECANCELED && stored_b_gt_a == 0 &&
            absent_lt == 0 && absent_eq == 0;
  Check("guard_direction", ok,
        "stored b LT c " + std::to_string(stored_b_lt_c) + ", b LT a " +
            std::to_string(stored_b_lt_a) + ", b GT a " + std::to_string(stored_b_gt_a) +
            ", absent LT a " + std::to_string(absent_lt) + ", absent EQ '' " +
            std::to_string(absent_eq));
}

void GuardSigned(librados::IoCtx& io, const std::string& oid) {
  auto try_cmp = [&](const std::string& key, const std::string& v, int op) {
    return GuardedWrite(io, oid, {{key, {v, op}}}, {{"touched", v}}, {});
  };
  // The OSD compares omap values as bufferlists, byte by byte as (signed) char: 0x7f LT 0x80 is
  // false there, unlike memcmp. So LT/GT guards only hold for values whose bytes are all < 0x80.
  GuardedWrite(io, oid, {}, {{"u", std::string("\x7f", 1)}}, {});
  int binary_lt = try_cmp("u", std::string("\x80", 1), LIBRADOS_CMPXATTR_OP_LT);
  int binary_gt = try_cmp("u", std::string("\x80", 1), LIBRADOS_CMPXATTR_OP_GT);
  // A version as 20 decimal digits (every byte < 0x80) compares as numbers, then the value.
  GuardedWrite(io, oid, {}, {{"ver", "00000000000000000127|zzz"}}, {});
  int decimal_lt = try_cmp("ver", "00000000000000000128|aaa", LIBRADOS_CMPXATTR_OP_LT);
  int decimal_not_lt = try_cmp("ver", "00000000000000000126|zzz", LIBRADOS_CMPXATTR_OP_LT);
  bool ok = binary_lt == -ECANCELED && binary_gt == 0 && decimal_lt == 0 &&
            decimal_not_lt == -ECANCELED;
  Check("guard_signed", ok,
        "stored 7f LT 80 " + std::to_string(binary_lt) + ", 7f GT 80 " +
            std::to_string(binary_gt) + " (signed bytes); decimal versions 127 LT 128 " +
            std::to_string(decimal_lt) + ", 127 LT 126 " + std::to_string(decimal_not_lt));
}

void AssertExists(librados::IoCtx& io) {
  const std::string oid = "probe.missing";
  io.remove(oid);
  librados::ObjectWriteOperation op;
  op.assert_exists();
  std::map<std::string, bufferlist> kv{{"k", Bl("v")}};
  op.omap_set(kv);
  int r = io.operate(oid, &op);
  uint64_t size = 0;
  time_t mtime = 0;
  int st = io.stat(oid, &size, &mtime);
  // A guard alone on a missing object fails too (so shard objects must exist before writes).
  int guard = GuardedWrite(io, oid, {{"k", {"", LIBRADOS_CMPXATTR_OP_EQ}}}, {{"k", "v"}}, {});
  int st2 = io.stat(oid, &size, &mtime);
  Check("assert_exists", r == -ENOENT && st == -ENOENT && guard == -ENOENT && st2 == -ENOENT,
        "write " + std::to_string(r) + ", stat afterwards " + std::to_string(st) +
            "; omap_cmp alone " + std::to_string(guard) + ", stat " + std::to_string(st2));
}

void RangeOrder(librados::IoCtx& io, const std::string& oid) {
  // Keys with a one-byte column prefix, then random bytes (0x00 and 0xFF frequent).
  std::mt19937 rng(20);
  std::set<std::string> keys;
  const std::string prefix("\x01", 1);
  while (keys.size() < 300) {
    std::string k = prefix;
    int len = 1 + rng() % 6;
    for (int i = 0; i < len; ++i) {
      int pick = rng() % 4;
      k.push_back(pick == 0 ? '\0' : pick == 1 ? '\xff' : static_cast<char>(rng() % 256));
    }
    keys.insert(k);
  }
  std::vector<std::string> shuffled(keys.begin(), keys.end());
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  for (size_t i = 0; i < shuffled.size(); i += 50) {
    std::map<std::string, std::string> batch;
    for (size_t j = i; j < std::min(i + 50, shuffled.size()); ++j) batch[shuffled[j]] = "x";
    GuardedWrite(io, oid, {}, batch, {});
  }
  // Keys of another column, which the filter must leave out.
  GuardedWrite(io, oid, {}, {{std::string("\x02\x00", 2), "y"}, {std::string("\x00z", 2), "y"}}, {});

  std::vector<std::string> got;
  std::string after;
  int pages = 0, rval = 0;
  bool more = true;
  while (more && pages < 100) {
    librados::ObjectReadOperation op;
    std::map<std::string, bufferlist> vals;
    op.omap_get_vals2(after, prefix, 64, &vals, &more, &rval);
    int r = io.operate(oid, &op, nullptr);
    if (r < 0 || rval < 0) break;
    ++pages;
    for (auto& [k, v] : vals) got.push_back(k);
    if (!vals.empty()) after = vals.rbegin()->first;
  }
  std::vector<std::string> want(keys.begin(), keys.end());  // std::string order = unsigned memcmp
  Check("range_order", got == want,
        std::to_string(got.size()) + " keys in " + std::to_string(pages) +
            " pages of 64, memcmp order " + (got == want ? "equal" : "DIFFERENT"));

  // [begin, ...): begin itself plus the keys after it, read atomically in one op.
  const std::string begin = want[100];
  librados::ObjectReadOperation op;
  std::map<std::string, bufferlist> first, rest;
  int r1 = 0, r2 = 0;
  bool more2 = false;
  op.omap_get_vals_by_keys({begin}, &first, &r1);
  op.omap_get_vals2(begin, prefix, 10, &rest, &more2, &r2);
  int r = io.operate(oid, &op, nullptr);
  std::vector<std::string> window;
  for (auto& [k, v] : first) window.push_back(k);
  for (auto& [k, v] : rest) window.push_back(k);
  std::vector<std::string> expect(want.begin() + 100, want.begin() + 111);
  Check("range_inclusive", r == 0 && r1 == 0 && r2 == 0 && window == expect && more2,
        "begin " + Hex(begin) + ": " + std::to_string(window.size()) + " keys " +
            (window == expect ? "as expected" : "WRONG"));
}

void ObjectVersion(librados::IoCtx& io, const std::string& oid) {
  // Round 1: a read notes the object version it saw.
  librados::ObjectReadOperation read;
  std::map<std::string, bufferlist> vals;
  int rval = 0;
  read.omap_get_vals_by_keys({"item"}, &vals, &rval);
  auto* c = librados::Rados::aio_create_completion();
  io.aio_operate(oid, c, &read, nullptr);
  c->wait_for_complete();
  int r1 = c->get_return_value();
  uint64_t seen = c->get_version64();
  c->release();
  // Round 2 with nothing written meanwhile: assert_version holds.
  librados::ObjectReadOperation same;
  same.assert_version(seen);
  int unchanged = io.operate(oid, &same, nullptr);
  // A write to another key of the object moves the version: assert_version fails.
  GuardedWrite(io, oid, {}, {{"other", "x"}}, {});
  librados::ObjectReadOperation again;
  again.assert_version(seen);
  int changed = io.operate(oid, &again, nullptr);
  Check("object_version", r1 == 0 && seen > 0 && unchanged == 0 && changed < 0,
        "read saw version " + std::to_string(seen) + "; assert_version unchanged " +
            std::to_string(unchanged) + ", after a write " + std::to_string(changed));
}

void Lease(librados::IoCtx& io, const std::string& oid) {
  timeval duration{2, 0};
  int a = io.lock_exclusive(oid, "outbox", "server-a", "probe", &duration, 0);
  int b_during = io.lock_exclusive(oid, "outbox", "server-b", "probe", &duration, 0);
  int a_renew = io.lock_exclusive(oid, "outbox", "server-a", "probe", &duration,
                                  LIBRADOS_LOCK_FLAG_RENEW);
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));
  int b_after = io.lock_exclusive(oid, "outbox", "server-b", "probe", &duration, 0);
  io.unlock(oid, "outbox", "server-b");
  Check("lease", a == 0 && b_during == -EBUSY && a_renew == 0 && b_after == 0,
        "a " + std::to_string(a) + ", b while held " + std::to_string(b_during) + ", a renews " +
            std::to_string(a_renew) + ", b after 2 s lapse " + std::to_string(b_after));
}

// Ceph's encoding of a std::string: u32 little-endian length, then the bytes.
void EncodeString(bufferlist* bl, const std::string& s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  char len[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                 static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
  bl->append(len, 4);
  bl->append(s);
}

void Numops(librados::IoCtx& io, const std::string& oid) {
  int rs[3];
  for (int i = 0; i < 3; ++i) {
    bufferlist in;
    EncodeString(&in, "count");  // the key
    EncodeString(&in, "1");      // the amount, as text
    librados::ObjectWriteOperation op;
    op.exec("numops", "add", in);
    rs[i] = io.operate(oid, &op);
  }
  auto v = Values(io, oid, {"count"});
  Check("numops", rs[0] == 0 && rs[1] == 0 && rs[2] == 0 && v["count"] == "3",
        "add x3 -> " + std::to_string(rs[0]) + "/" + std::to_string(rs[1]) + "/" +
            std::to_string(rs[2]) + ", count = '" + v["count"] + "'");
}

void Latency(librados::IoCtx& io, const std::string& oid) {
  const int n = 500;
  const int depth = 32;
  // omap_cmp needs the object to exist: create the objects first, as CreateTable creates shards.
  io.create(oid, false);
  for (int i = 0; i < depth; ++i) io.create(oid + ".aio" + std::to_string(i), false);
  auto t0 = Clock::now();
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    std::string key = "lat" + std::to_string(i);
    if (GuardedWrite(io, oid, {{key, {"", LIBRADOS_CMPXATTR_OP_EQ}}}, {{key, "v"}}, {}) != 0) ++bad;
  }
  double sync_s = std::chrono::duration<double>(Clock::now() - t0).count();

  // The same with aio_operate, 32 in flight, on 32 objects (as 32 shards would be).
  std::vector<librados::AioCompletion*> inflight;
  auto t1 = Clock::now();
  for (int i = 0; i < n; ++i) {
    librados::ObjectWriteOperation op;
    std::string key = "aio" + std::to_string(i);
    std::map<std::string, std::pair<bufferlist, int>> assertions{
        {key, {Bl(""), LIBRADOS_CMPXATTR_OP_EQ}}};
    int rval = 0;
    op.omap_cmp(assertions, &rval);
    std::map<std::string, bufferlist> kv{{key, Bl("v")}};
    op.omap_set(kv);
    auto* c = librados::Rados::aio_create_completion();
    io.aio_operate(oid + ".aio" + std::to_string(i % depth), c, &op);
    inflight.push_back(c);
    if (inflight.size() == depth) {
      for (auto* x : inflight) {
        x->wait_for_complete();
        if (x->get_return_value() != 0) ++bad;
        x->release();
      }
      inflight.clear();
    }
  }
  for (auto* x : inflight) {
    x->wait_for_complete();
    if (x->get_return_value() != 0) ++bad;
    x->release();
  }
  double aio_s = std::chrono::duration<double>(Clock::now() - t1).count();
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "%d guarded writes: sync %.0f ops/s (%.2f ms each); aio x%d %.0f ops/s; %d failed",
                n, n / sync_s, 1000 * sync_s / n, depth, n / aio_s, bad);
  Check("latency", bad == 0, buf);
  for (int i = 0; i < depth; ++i) io.remove(oid + ".aio" + std::to_string(i));
}

// A stream record appended server-side by cls_lua: reads "seq", writes the record under seq+1 and
// stores seq+1, inside the caller's operation (so after its guards, atomically with its writes).
// (cls_lua's library is the global `objclass`.)
const char* kAppendScript = R"(
local cls = objclass
function append(input, output)
  local n = 0
  local ok, v = pcall(cls.map_get_val, "seq")
  if ok then n = tonumber(v:str()) end
  n = n + 1
  local bl = bufferlist.new()
  bl:append(tostring(n))
  cls.map_set_val("seq", bl)
  cls.map_set_val("rec" .. string.format("%020d", n), input)
end
cls.register(append)
)";

// The eval_json input of cls_lua: {"script": ..., "handler": "append", "input": ...}.
bufferlist LuaAppend(const std::string& record) {
  auto quote = [](const std::string& x) {
    std::string out = "\"";
    for (char c : x) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out.push_back(c);
      }
    }
    return out + "\"";
  };
  return Bl("{\"script\": " + quote(kAppendScript) + ", \"handler\": \"append\", \"input\": " +
            quote(record) + "}");
}

// One item write with its stream record: guard, item, and the record through cls_lua.
int LuaWrite(librados::IoCtx& io, const std::string& oid, const std::string& key,
             const std::string& old_value, const std::string& new_value) {
  librados::ObjectWriteOperation op;
  std::map<std::string, std::pair<bufferlist, int>> assertions{
      {key, {Bl(old_value), LIBRADOS_CMPXATTR_OP_EQ}}};
  int rval = 0;
  op.omap_cmp(assertions, &rval);
  std::map<std::string, bufferlist> kv{{key, Bl(new_value)}};
  op.omap_set(kv);
  bufferlist in = LuaAppend(key + "=" + new_value);
  op.exec("lua", "eval_json", in);
  return io.operate(oid, &op);
}

// The same record through a guarded counter: read seq, then guard on it (retrying on -ECANCELED).
// Returns the number of retries, or -1 on another error.
int CounterWrite(librados::IoCtx& io, const std::string& oid, const std::string& key,
                 const std::string& value) {
  for (int retries = 0; retries < 1000; ++retries) {
    auto cur = Values(io, oid, {"seq"});
    long n = cur.count("seq") ? std::stol(cur["seq"]) : 0;
    char rec[32];
    std::snprintf(rec, sizeof rec, "rec%020ld", n + 1);
    int r = GuardedWrite(io, oid, {{"seq", {cur.count("seq") ? cur["seq"] : "", LIBRADOS_CMPXATTR_OP_EQ}}},
                         {{"seq", std::to_string(n + 1)}, {key, value}, {rec, key}}, {});
    if (r == 0) return retries;
    if (r != -ECANCELED) return -1;
  }
  return -1;
}

void StreamSequence(librados::IoCtx& io, const std::string& oid) {
  io.create(oid, false);
  int first = LuaWrite(io, oid, "item", "", "v1");
  int stale = LuaWrite(io, oid, "item", "v0", "v2");  // guard fails: no record, seq unchanged
  int second = LuaWrite(io, oid, "item", "v1", "v2");
  std::map<std::string, bufferlist> vals;
  io.omap_get_vals2(oid, "", "rec", 100, &vals, nullptr);
  auto seq = Values(io, oid, {"seq"});
  std::string recs;
  for (auto& [k, v] : vals) recs += " " + k.substr(k.size() - 1) + ":" + Str(v);
  Check("stream_lua", first == 0 && stale == -ECANCELED && second == 0 && seq["seq"] == "2" &&
                          vals.size() == 2,
        "writes " + std::to_string(first) + "/" + std::to_string(stale) + "/" +
            std::to_string(second) + ", seq " + seq["seq"] + ", records" + recs);

  // Contention: 8 threads x 25 writes of different items to one shard, each with its record.
  const int threads = 8, per = 25;
  auto run = [&](const std::string& obj, bool lua, int* retries, int* errors) {
    io.create(obj, false);
    std::vector<std::thread> ts;
    std::vector<int> r(threads, 0), e(threads, 0);
    auto t0 = Clock::now();
    for (int t = 0; t < threads; ++t)
      ts.emplace_back([&, t] {
        for (int i = 0; i < per; ++i) {
          std::string key = "k" + std::to_string(t) + "." + std::to_string(i);
          if (lua) {
            if (LuaWrite(io, obj, key, "", "v") != 0) ++e[t];
          } else {
            int n = CounterWrite(io, obj, key, "v");
            if (n < 0) ++e[t]; else r[t] += n;
          }
        }
      });
    for (auto& t : ts) t.join();
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    for (int t = 0; t < threads; ++t) { *retries += r[t]; *errors += e[t]; }
    auto last = Values(io, obj, {"seq"});
    io.remove(obj);
    return std::make_pair(threads * per / secs, last["seq"]);
  };
  int lr = 0, le = 0, cr = 0, ce = 0;
  auto [lua_rate, lua_seq] = run(oid + ".lua", true, &lr, &le);
  auto [ctr_rate, ctr_seq] = run(oid + ".ctr", false, &cr, &ce);
  const std::string want = std::to_string(threads * per);
  char buf[240];
  std::snprintf(buf, sizeof buf,
                "%d writers x %d on one shard: cls_lua %.0f ops/s (seq %s); guarded counter %.0f "
                "ops/s (seq %s, %d retries); %d errors",
                threads, per, lua_rate, lua_seq.c_str(), ctr_rate, ctr_seq.c_str(), cr, le + ce);
  Check("stream_contention", le == 0 && ce == 0 && lua_seq == want && ctr_seq == want, buf);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: probe CEPH_CONF POOL\n");
    return 100;
  }
  librados::Rados cluster;
  int r = cluster.init2("client.admin", "ceph", 0);
  if (r == 0) r = cluster.conf_read_file(argv[1]);
  if (r == 0) r = cluster.conf_set("client_mount_timeout", "30");
  if (r == 0) r = cluster.connect();
  if (r < 0) {
    std::fprintf(stderr, "probe: cannot connect with %s: %d\n", argv[1], r);
    return 100;
  }
  librados::IoCtx io;
  r = cluster.ioctx_create(argv[2], io);
  if (r < 0) {
    std::fprintf(stderr, "probe: no pool %s: %d\n", argv[2], r);
    return 100;
  }
  const std::string shard = "t1.0-0";
  io.remove(shard);
  {
    librados::ObjectWriteOperation create;
    create.create(true);
    std::map<std::string, bufferlist> state{{std::string("\0state", 6), Bl("active:1")}};
    create.omap_set(state);
    r = io.operate(shard, &create);
    Check("create", r == 0, "exclusive create of " + shard + ": " + std::to_string(r));
  }
  GuardInsert(io, shard);
  GuardUpdate(io, shard);
  GuardDirection(io, shard);
  GuardSigned(io, shard);
  AssertExists(io);
  RangeOrder(io, "t1.range");
  ObjectVersion(io, shard);
  Lease(io, shard);
  Numops(io, shard);
  Latency(io, "t1.lat");
  StreamSequence(io, "t1.stream");
  for (const char* oid : {"t1.0-0", "t1.range", "t1.lat", "t1.stream"}) io.remove(oid);
  io.close();
  cluster.shutdown();
  std::printf("%s: %d failed\n", failures ? "FAIL" : "PASS", failures);
  return failures;
}
