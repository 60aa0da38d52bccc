#include "storage/rados/stream_shard.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <tuple>

#include "storage/rados/rados_ops.h"
#include "storage/rados/rados_wire.h"
#include "util/big_endian.h"

namespace cairn::storage::rados {
namespace {

std::string Digits(uint64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%0*llu", width, static_cast<unsigned long long>(v));
  return buf;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

uint64_t ParseDigits(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = v * 10 + uint64_t(c - '0');
  return v;
}

void AppendLe32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(char((v >> (8 * i)) & 0xFF));
}

// Numbers the records of its input (PendingRecordsInput: per record the stream id, 10 digits;
// the base, 20 digits; the value's length, u32 BE; the value) in the object it runs on.
constexpr const char* kAppendScript = R"(
local cls = objclass
function append(input, output)
  local s = input:str()
  local pos = 1
  local counters = {}
  local order = {}
  while pos <= #s do
    local sid = s:sub(pos, pos + 9)
    local base = math.tointeger(tonumber(s:sub(pos + 10, pos + 29)))
    local len = string.unpack(">I4", s, pos + 30)
    local value = s:sub(pos + 34, pos + 33 + len)
    pos = pos + 34 + len
    local c = counters[sid]
    if c == nil then
      c = {0, 0}
      local ok, v = pcall(cls.map_get_val, "\19" .. sid)
      if ok and v ~= nil then
        local t = v:str()
        c = {math.tointeger(tonumber(t:sub(1, 20))), math.tointeger(tonumber(t:sub(21, 40)))}
      end
      counters[sid] = c
      order[#order + 1] = sid
    end
    local seq = c[1] + 1
    if base > seq then seq = base end
    c[1] = seq
    local ms = string.unpack(">I8", value)
    if ms < c[2] then ms = c[2] end
    local rest = value:sub(9)
    if #value >= 20 and value:byte(9) == 1 then
      -- format 1 keeps the record's ApproximateCreationDateTime at bytes 13-20: it is what
      -- GetRecords shows, so it too never goes below the shard's last time
      local created = string.unpack(">I8", value, 13)
      if created < c[2] then created = c[2] end
      rest = value:sub(9, 12) .. string.pack(">I8", created) .. value:sub(21)
    end
    c[2] = ms
    local bl = bufferlist.new()
    bl:append(string.pack(">I8", ms) .. rest)
    cls.map_set_val("\3" .. sid .. string.format("%020d", seq), bl)
  end
  for _, sid in ipairs(order) do
    local c = counters[sid]
    local bl = bufferlist.new()
    bl:append(string.format("%020d%020d", c[1], c[2]))
    cls.map_set_val("\19" .. sid, bl)
  end
end
cls.register(append)
)";

}  // namespace

std::string StreamDigits(uint32_t stream_id) { return Digits(stream_id, 10); }

std::string RecordOmapKey(uint32_t stream_id, uint64_t seq) {
  return std::string(1, char(kStreamRecordByte)) + StreamDigits(stream_id) + Digits(seq, 20);
}

bool ParseRecordOmapKey(std::string_view key, uint32_t* stream_id, uint64_t* seq) {
  if (key.size() != 31 || uint8_t(key[0]) != kStreamRecordByte || !AllDigits(key.substr(1)))
    return false;
  const uint64_t id = ParseDigits(key.substr(1, 10));
  if (id > UINT32_MAX) return false;
  *stream_id = uint32_t(id);
  *seq = ParseDigits(key.substr(11));
  return true;
}

std::string CounterOmapKey(uint32_t stream_id) {
  return std::string(1, char(kStreamCounterByte)) + StreamDigits(stream_id);
}

std::string HorizonOmapKey(uint32_t stream_id) { return CounterOmapKey(stream_id) + "h"; }

bool ParseCounter(std::string_view value, uint64_t* last_seq, uint64_t* last_ms) {
  *last_seq = *last_ms = 0;
  if (value.size() != 40 || !AllDigits(value)) return false;
  *last_seq = ParseDigits(value.substr(0, 20));
  *last_ms = ParseDigits(value.substr(20));
  return true;
}

std::string PendingRecordKey(uint32_t stream_id, uint64_t base_us, uint32_t index) {
  return std::string(1, char(kPendingRecordByte)) + StreamDigits(stream_id) + Digits(base_us, 20) +
         Digits(index, 10);
}

bool IsPendingRecord(std::string_view omap_key) {
  return omap_key.size() == 41 && uint8_t(omap_key[0]) == kPendingRecordByte;
}

std::string PendingRecordsInput(const std::map<std::string, std::optional<std::string>>& keys) {
  std::string in;
  for (auto it = keys.lower_bound(std::string(1, char(kPendingRecordByte)));
       it != keys.end() && uint8_t(it->first[0]) == kPendingRecordByte; ++it) {
    if (!IsPendingRecord(it->first) || !it->second) continue;
    in.append(it->first, 1, 30);  // stream id and base
    AppendBigEndian32(&in, uint32_t(it->second->size()));
    in.append(*it->second);
  }
  return in;
}

std::string EncodeLuaEval(std::string_view script, std::string_view handler,
                          std::string_view input) {
  std::string body;
  for (std::string_view s : {script, handler, input}) {
    AppendLe32(&body, uint32_t(s.size()));
    body.append(s);
  }
  std::string out;
  out.push_back(1);  // struct_v
  out.push_back(1);  // struct_compat
  AppendLe32(&out, uint32_t(body.size()));
  return out + body;
}

const char* AppendScript() { return kAppendScript; }

void AddPendingRecords(const std::map<std::string, std::optional<std::string>>& keys,
                       librados::ObjectWriteOperation* op) {
  const std::string input = PendingRecordsInput(keys);
  if (input.empty()) return;
  librados::bufferlist in = Bl(EncodeLuaEval(kAppendScript, "append", input));
  op->exec("lua", "eval_bufferlist", in);
}

std::string ShardName(int bits, uint32_t p) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%d-%x", bits, p);
  return buf;
}

bool ParseShardName(std::string_view name, int* bits, uint32_t* p) {
  const size_t dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size() || dash > 2 ||
      name.size() - dash - 1 > 8)
    return false;
  int d = 0;
  for (char c : name.substr(0, dash)) {
    if (c < '0' || c > '9') return false;
    d = d * 10 + (c - '0');
  }
  uint64_t v = 0;
  for (char c : name.substr(dash + 1)) {
    int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (x < 0) return false;
    v = v * 16 + uint64_t(x);
  }
  if (d > 31 || v >= (uint64_t(1) << d)) return false;
  if (ShardName(d, uint32_t(v)) != name) return false;  // one spelling per shard
  *bits = d;
  *p = uint32_t(v);
  return true;
}

std::string ParentShardName(std::string_view name) {
  int d = 0;
  uint32_t p = 0;
  if (!ParseShardName(name, &d, &p) || d == 0) return "";
  return ShardName(d - 1, p >> 1);
}

std::vector<ShardedStreams::Shard> WithParents(const std::vector<std::string>& names) {
  struct Parsed {
    int d;
    uint32_t p;
    std::string name;
  };
  std::vector<Parsed> parsed;
  std::set<std::string> listed(names.begin(), names.end());
  for (const auto& n : names) {
    Parsed x{0, 0, n};
    if (ParseShardName(n, &x.d, &x.p)) parsed.push_back(std::move(x));
  }
  std::sort(parsed.begin(), parsed.end(), [](const Parsed& a, const Parsed& b) {
    return std::tie(a.d, a.p) < std::tie(b.d, b.p);
  });
  std::vector<ShardedStreams::Shard> out;
  for (auto& x : parsed) {
    ShardedStreams::Shard s;
    s.name = x.name;
    std::string parent = ParentShardName(x.name);
    if (!parent.empty() && listed.count(parent)) s.parent = std::move(parent);
    out.push_back(std::move(s));
  }
  return out;
}

Status RadosStreamShards::CheckLua() {
  static constexpr const char* kObject = "cairn.lua.check";
  librados::ObjectWriteOperation op;
  op.create(false);
  librados::bufferlist in = Bl(EncodeLuaEval(
      "function check(input, output) end\nobjclass.register(check)\n", "check", ""));
  op.exec("lua", "eval_bufferlist", in);
  int r = io_->operate(kObject, &op);
  if (r < 0)
    return Status::IOError(std::string("rados: cls_lua does not run on the OSDs (") +
                           std::strerror(-r) +
                           "): writes to tables with a stream will fail; add lua to `osd class "
                           "load list` and `osd class default list`");
  return Status::OK();
}

std::vector<std::string> RadosStreamShards::StreamShardNames(uint32_t table_id,
                                                             std::set<std::string>* closed) const {
  const auto map = layout_->MapOf(layout_->Owner(Column::kData, table_id));
  std::vector<std::string> names;
  for (const auto& shard : map->AllShards()) names.push_back(shard.Name());
  if (closed)
    for (const auto& shard : map->retired()) closed->insert(shard.Name());
  return names;
}

Result<std::vector<ShardedStreams::Shard>> RadosStreamShards::Shards(uint32_t table_id) {
  std::set<std::string> closed;
  std::vector<ShardedStreams::Shard> shards = WithParents(StreamShardNames(table_id, &closed));
  for (auto& s : shards) s.closed = closed.count(s.name) > 0;
  return shards;
}

Result<ShardedStreams::Range> RadosStreamShards::ShardRange(uint32_t table_id,
                                                            const std::string& shard,
                                                            uint32_t stream_id) {
  const std::string oid = ObjectName(table_id, shard);
  librados::ObjectReadOperation op;
  std::map<std::string, librados::bufferlist> vals;
  int rval = 0;
  op.omap_get_vals_by_keys({CounterOmapKey(stream_id), HorizonOmapKey(stream_id)}, &vals, &rval);
  int r = io_->operate(oid, &op, nullptr);
  Range range;
  if (r == -ENOENT) return range;
  if (r < 0) return OpFailed(r, "read from", oid);
  if (auto it = vals.find(CounterOmapKey(stream_id)); it != vals.end()) {
    uint64_t ms = 0;
    ParseCounter(it->second.to_str(), &range.last, &ms);
  }
  if (auto it = vals.find(HorizonOmapKey(stream_id)); it != vals.end()) {
    const std::string h = it->second.to_str();
    if (AllDigits(h)) range.horizon = ParseDigits(h);
  }
  return range;
}

Status RadosStreamShards::Read(uint32_t table_id, const std::string& shard, uint32_t stream_id,
                               uint64_t from, size_t max,
                               std::vector<std::pair<uint64_t, std::string>>* out) {
  out->clear();
  const std::string oid = ObjectName(table_id, shard);
  const std::string prefix = std::string(1, char(kStreamRecordByte)) + StreamDigits(stream_id);
  std::string after = from == 0 ? prefix : RecordOmapKey(stream_id, from - 1);
  while (out->size() < max) {
    librados::ObjectReadOperation op;
    std::map<std::string, librados::bufferlist> vals;
    bool more = false;
    int rval = 0;
    op.omap_get_vals2(after, prefix, std::min<size_t>(max - out->size(), 1000), &vals, &more,
                      &rval);
    int r = io_->operate(oid, &op, nullptr);
    if (r == -ENOENT) return Status::OK();
    if (r < 0) return OpFailed(r, "read from", oid);
    for (auto& [k, v] : vals) {
      uint32_t id = 0;
      uint64_t seq = 0;
      if (!ParseRecordOmapKey(k, &id, &seq) || id != stream_id) continue;
      out->emplace_back(seq, v.to_str());
    }
    if (!more || vals.empty()) break;
    after = vals.rbegin()->first;
  }
  return Status::OK();
}

Status RadosStreamShards::Trim(uint32_t table_id, const std::string& shard, uint32_t stream_id,
                               uint64_t cutoff_ms) {
  const std::string oid = ObjectName(table_id, shard);
  while (true) {
    // The oldest record first (one small read when nothing is due, the usual case), then a page.
    std::vector<std::pair<uint64_t, std::string>> first;
    if (Status s = Read(table_id, shard, stream_id, 0, 1, &first); !s.ok()) return s;
    if (first.empty() || first[0].second.size() < 8 ||
        ReadBigEndian64(first[0].second) >= cutoff_ms)
      return Status::OK();
    if (Status s = Read(table_id, shard, stream_id, 0, 256, &first); !s.ok()) return s;
    // Times never decrease along the shard: the expired records are a prefix.
    std::map<std::string, std::pair<librados::bufferlist, int>> cmp;
    std::set<std::string> rm;
    uint64_t through = 0;
    for (const auto& [seq, value] : first) {
      if (value.size() < 8 || ReadBigEndian64(value) >= cutoff_ms) break;
      const std::string k = RecordOmapKey(stream_id, seq);
      cmp.emplace(k, std::make_pair(Bl(value), int(LIBRADOS_CMPXATTR_OP_EQ)));
      rm.insert(k);
      through = seq;
    }
    if (rm.empty()) return Status::OK();
    // Guarded on the records as read (another server trimming the same ones makes this one a
    // no-op), and the horizon only ever rises.
    const std::string horizon = Digits(through + 1, 20);
    cmp.emplace(HorizonOmapKey(stream_id), std::make_pair(Bl(horizon), int(LIBRADOS_CMPXATTR_OP_LT)));
    librados::ObjectWriteOperation op;
    op.omap_cmp(cmp, nullptr);
    op.omap_rm_keys(rm);
    op.omap_set({{HorizonOmapKey(stream_id), Bl(horizon)}});
    int r = io_->operate(oid, &op);
    if (r == -ECANCELED) return Status::OK();  // another server trimmed meanwhile: next round
    if (r < 0) return OpFailed(r, "write to", oid);
    if (rm.size() < first.size() || first.size() < 256) return Status::OK();
  }
}

}  // namespace cairn::storage::rados
