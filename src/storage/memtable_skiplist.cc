// The skip list memtable (memtable_skiplist.h): Node, SkipListRep (search, insert, iterator) and
// the factory. The list is LevelDB's design: one writer, readers synchronized by release/acquire on
// the links, heights drawn with branching factor 4 up to 12 levels, as RocksDB's own list.
#include "storage/memtable_skiplist.h"

#include <rocksdb/slice.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace rocksdb {
// RocksDB-internal classes that rocksdb/memtablerep.h only names, reduced to what this file calls
// (all exported by librocksdb):
// memory/arena.h's Arena: RocksDB asks for iterators placed in its arena (GetIterator).
class Arena {
 public:
  char* AllocateAligned(size_t bytes, size_t huge_page_size, Logger* logger);
};
// db/lookup_key.h's LookupKey: what a point read looks for. Its first member is `start_`, the
// memtable key (varint32 length, internal key) that Get() reads; LookupKeyLayoutIsKnown() checks
// that with a real one before any list is made. (RocksDB 7.8's default MemTableRep::Get, which
// would need no such knowledge, never deletes the iterator it makes: a leak on every read.)
class LookupKey {
 public:
  LookupKey(const Slice& user_key, uint64_t sequence, const Slice* timestamp);
  ~LookupKey();
};
}  // namespace rocksdb

namespace cairn::storage {
namespace {

using rocksdb::KeyHandle;
using rocksdb::MemTableRep;
using rocksdb::Slice;

constexpr int kMaxHeight = 12;
constexpr unsigned kBranching = 4;

// A varint32 at p (at most 5 bytes, before `limit`); nullptr when malformed.
const char* DecodeVarint32(const char* p, const char* limit, uint32_t* value) {
  uint32_t result = 0;
  for (uint32_t shift = 0; shift <= 28 && p < limit; shift += 7) {
    const uint32_t byte = static_cast<unsigned char>(*p++);
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return p;
    }
  }
  return nullptr;
}

uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// MemTable::KeyComparator's order for a bytewise user comparator: user key (the internal key
// without its 8-byte trailer) bytewise, then the sequence number (the trailer without its type
// byte) decreasing. Both keys have at least 8 bytes (the caller checks).
int CompareBytewise(const char* a, size_t a_size, const char* b, size_t b_size) {
  const size_t a_user = a_size - 8, b_user = b_size - 8;
  int r = std::memcmp(a, b, std::min(a_user, b_user));
  if (r == 0 && a_user != b_user) r = a_user < b_user ? -1 : 1;
  if (r != 0) return r;
  const uint64_t a_seq = DecodeFixed64(a + a_user) >> 8, b_seq = DecodeFixed64(b + b_user) >> 8;
  return a_seq > b_seq ? -1 : (a_seq < b_seq ? 1 : 0);
}

// The internal key a LookupKey holds: after the varint32 length at its first member, `start_`.
Slice InternalKeyOf(const rocksdb::LookupKey& k) {
  const char* memtable_key = *reinterpret_cast<const char* const*>(&k);
  uint32_t size = 0;
  const char* key = DecodeVarint32(memtable_key, memtable_key + 5, &size);
  return Slice(key, size);
}

// A node: its internal key (inside its entry), then `height` links, then the entry. The links
// are not a member array, so that no access to them is past a declared bound.
struct Node {
  const char* key = nullptr;  // the internal key, inside the entry (set by InsertKey)
  uint32_t key_size = 0;
  uint8_t height = 0;

  static size_t HeaderSize(int height) {
    return sizeof(Node) + sizeof(std::atomic<Node*>) * static_cast<size_t>(height);
  }
  // Constructs a node of `height` null links at `at` (HeaderSize(height) bytes, aligned).
  static Node* Make(void* at, int height) {
    Node* node = new (at) Node();
    node->height = static_cast<uint8_t>(height);
    for (int i = 0; i < height; ++i) new (node->link(i)) std::atomic<Node*>(nullptr);
    return node;
  }
  std::atomic<Node*>* link(int level) {
    return reinterpret_cast<std::atomic<Node*>*>(reinterpret_cast<char*>(this) + sizeof(Node)) +
           level;
  }
  const std::atomic<Node*>* link(int level) const { return const_cast<Node*>(this)->link(level); }
  char* entry() { return reinterpret_cast<char*>(this) + HeaderSize(height); }
  const char* entry() const { return const_cast<Node*>(this)->entry(); }
  Node* Next(int level) const { return link(level)->load(std::memory_order_acquire); }
  Node* NextRelaxed(int level) const { return link(level)->load(std::memory_order_relaxed); }
  void SetNext(int level, Node* n) { link(level)->store(n, std::memory_order_release); }
};
static_assert(alignof(Node) >= alignof(std::atomic<Node*>) && sizeof(Node) % alignof(Node) == 0);

class SkipListRep final : public MemTableRep {
 public:
  SkipListRep(const KeyComparator& compare, rocksdb::Allocator* allocator)
      : MemTableRep(allocator), compare_(compare), bytewise_(AgreesWithBytewise(compare)) {
    head_ = Node::Make(head_storage_, kMaxHeight);
  }

  KeyHandle Allocate(const size_t len, char** buf) override {
    const int height = RandomHeight();
    const size_t header = Node::HeaderSize(height);
    char* raw = nullptr;
    // RocksDB's arena (the base class's Allocate) is not aligned: ask for room to align.
    MemTableRep::Allocate(header + len + alignof(Node) - 1, &raw);
    const uintptr_t at = (reinterpret_cast<uintptr_t>(raw) + alignof(Node) - 1) &
                         ~static_cast<uintptr_t>(alignof(Node) - 1);
    Node* node = Node::Make(reinterpret_cast<void*>(at), height);
    *buf = node->entry();
    return node;
  }

  void Insert(KeyHandle handle) override { InsertKey(handle); }

  bool InsertKey(KeyHandle handle) override {
    Node* x = static_cast<Node*>(handle);
    const char* entry = x->entry();
    uint32_t key_size = 0;
    x->key = DecodeVarint32(entry, entry + 5, &key_size);
    x->key_size = key_size;
    const Slice key(x->key, key_size);
    Node* prev[kMaxHeight];
    Node* p = head_;
    const int top = max_height_.load(std::memory_order_relaxed);
    for (int level = top - 1; level >= 0; --level) {
      for (Node* next = p->NextRelaxed(level); next != nullptr; next = p->NextRelaxed(level)) {
        const int c = Compare(next, key);
        if (c == 0) return false;  // this key and sequence number are already here
        if (c > 0) break;
        p = next;
      }
      prev[level] = p;
    }
    const int height = x->height;
    if (height > top) {
      for (int level = top; level < height; ++level) prev[level] = head_;
      // Readers that see the new height before the links find nullptr at the new levels of
      // head_ and go down: harmless.
      max_height_.store(height, std::memory_order_relaxed);
    }
    for (int level = 0; level < height; ++level) {
      x->link(level)->store(prev[level]->NextRelaxed(level), std::memory_order_relaxed);
      prev[level]->SetNext(level, x);  // release: x is whole before it is reachable
    }
    return true;
  }

  bool Contains(const char* entry) const override {
    uint32_t key_size = 0;
    const char* key = DecodeVarint32(entry, entry + 5, &key_size);
    const Slice target(key, key_size);
    Node* x = FindGreaterOrEqual(target);
    return x != nullptr && Compare(x, target) == 0;
  }

  size_t ApproximateMemoryUsage() override { return 0; }  // all of it is in the memtable's arena

  void Get(const rocksdb::LookupKey& k, void* arg,
           bool (*callback)(void* arg, const char* entry)) override {
    const Slice target = InternalKeyOf(k);
    for (Node* x = FindGreaterOrEqual(target); x != nullptr && callback(arg, x->entry());
         x = x->Next(0)) {
    }
  }

  class Iterator final : public MemTableRep::Iterator {
   public:
    explicit Iterator(const SkipListRep* list) : list_(list) {}
    bool Valid() const override { return node_ != nullptr; }
    const char* key() const override { return node_->entry(); }
    void Next() override { node_ = node_->Next(0); }
    void Prev() override {
      node_ = list_->FindLessThan(Slice(node_->key, node_->key_size));
      if (node_ == list_->head_) node_ = nullptr;
    }
    void Seek(const Slice& internal_key, const char* /*memtable_key*/) override {
      node_ = list_->FindGreaterOrEqual(internal_key);
    }
    void SeekForPrev(const Slice& internal_key, const char* /*memtable_key*/) override {
      Seek(internal_key, nullptr);
      if (node_ == nullptr) SeekToLast();
      while (node_ != nullptr && list_->Compare(node_, internal_key) > 0) Prev();
    }
    void SeekToFirst() override { node_ = list_->head_->Next(0); }
    void SeekToLast() override {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipListRep* list_;
    Node* node_ = nullptr;
  };

  MemTableRep::Iterator* GetIterator(rocksdb::Arena* arena) override {
    if (arena == nullptr) return new Iterator(this);
    void* mem = arena->AllocateAligned(sizeof(Iterator), 0, nullptr);
    return new (mem) Iterator(this);
  }

 private:
  // The order of node x against an internal key.
  int Compare(const Node* x, const Slice& key) const {
    if (bytewise_ && x->key_size >= 8 && key.size() >= 8)
      return CompareBytewise(x->key, x->key_size, key.data(), key.size());
    return compare_(x->entry(), key);
  }

  // The first node at or after `key`, or nullptr; *before (when given) gets the last node before
  // `key`, or head_. It returns the node it compared, not a second read of the link: a node
  // inserted meanwhile right after *before may itself be before `key` (a newer version of the key
  // a snapshot read looks for, which must not be seen).
  Node* FindGreaterOrEqual(const Slice& key, Node** before = nullptr) const {
    Node* x = head_;
    Node* next = nullptr;
    for (int level = max_height_.load(std::memory_order_relaxed) - 1; level >= 0; --level) {
      for (next = x->Next(level); next != nullptr && Compare(next, key) < 0; next = x->Next(level))
        x = next;
    }
    if (before != nullptr) *before = x;
    return next;
  }

  // The last node before `key`, or head_.
  Node* FindLessThan(const Slice& key) const {
    Node* before = nullptr;
    FindGreaterOrEqual(key, &before);
    return before;
  }

  // The last node, or head_ when the list is empty.
  Node* FindLast() const {
    Node* x = head_;
    for (int level = max_height_.load(std::memory_order_relaxed) - 1; level >= 0; --level) {
      for (Node* next = x->Next(level); next != nullptr; next = x->Next(level)) x = next;
    }
    return x;
  }

  // 1 + the number of times a 1-in-4 draw succeeds in a row, at most kMaxHeight. Only the writer
  // draws (Allocate precedes its InsertKey); the state is atomic only so that no reading of it is
  // ever a data race.
  int RandomHeight() {
    uint64_t s = rng_.load(std::memory_order_relaxed);
    int height = 1;
    while (height < kMaxHeight) {
      s ^= s << 13;  // xorshift64
      s ^= s >> 7;
      s ^= s << 17;
      if (s % kBranching != 0) break;
      ++height;
    }
    rng_.store(s, std::memory_order_relaxed);
    return height;
  }

  // True when `compare` orders a set of probe keys as CompareBytewise does: user keys that a
  // reversed, signed-byte, length-first or case-blind order would sort otherwise, and sequence
  // numbers with the type byte ignored.
  static bool AgreesWithBytewise(const KeyComparator& compare) {
    struct Probe {
      std::string_view a;
      uint64_t a_trailer;
      std::string_view b;
      uint64_t b_trailer;
    };
    const Probe probes[] = {
        {"a", 1 << 8, "b", 1 << 8},      {"a", 1 << 8, "ab", 1 << 8},
        {"ab", 1 << 8, "b", 1 << 8},     {"\x7f", 1 << 8, "\x80", 1 << 8},
        {"A", 1 << 8, "a", 1 << 8},      {"", 1 << 8, "a", 1 << 8},
        {"k", 7 << 8, "k", 5 << 8},      {"k", (5 << 8) | 1, "k", 5 << 8},
        {"kk", 5 << 8, "k", 9 << 8},
    };
    auto internal = [](std::string_view user, uint64_t trailer) {
      std::string k(user);
      for (int i = 0; i < 8; ++i) k.push_back(static_cast<char>((trailer >> (8 * i)) & 0xff));
      return k;
    };
    auto sign = [](int v) { return (v > 0) - (v < 0); };
    for (const Probe& p : probes) {
      for (int order = 0; order < 2; ++order) {
        const std::string a = order == 0 ? internal(p.a, p.a_trailer) : internal(p.b, p.b_trailer);
        const std::string b = order == 0 ? internal(p.b, p.b_trailer) : internal(p.a, p.a_trailer);
        std::string entry(1, static_cast<char>(a.size()));  // varint32 of a size < 128
        entry += a;
        if (sign(compare(entry.data(), Slice(b))) !=
            sign(CompareBytewise(a.data(), a.size(), b.data(), b.size())))
          return false;
      }
    }
    return true;
  }

  const KeyComparator& compare_;
  const bool bytewise_;
  alignas(Node) char head_storage_[sizeof(Node) + sizeof(std::atomic<Node*>) * kMaxHeight];
  Node* head_;
  std::atomic<int> max_height_{1};
  std::atomic<uint64_t> rng_{0x9E3779B97F4A7C15ull};
};

// True when a LookupKey made by the linked RocksDB has the layout Get() reads: its first member
// points into the object itself (a short key lives in its inline space), at a varint32 length and
// the internal key of the user key and sequence number asked for.
bool LookupKeyLayoutIsKnown() {
  alignas(std::max_align_t) unsigned char storage[1024] = {};  // LookupKey is 224 bytes in 7.8
  const std::string user = "cairn-lookup-key-probe";
  constexpr uint64_t kSequence = 4242;
  auto* key = new (storage) rocksdb::LookupKey(Slice(user), kSequence, nullptr);
  const char* start = *reinterpret_cast<const char* const*>(storage);
  const auto* begin = reinterpret_cast<const char*>(storage);
  bool known = start >= begin && start + 1 + user.size() + 8 <= begin + sizeof storage;
  if (known) {
    const Slice internal = InternalKeyOf(*key);
    known = internal.data() == start + 1 && internal.size() == user.size() + 8 &&
            std::memcmp(internal.data(), user.data(), user.size()) == 0 &&
            DecodeFixed64(internal.data() + user.size()) >> 8 == kSequence;
  }
  key->~LookupKey();
  return known;
}

class SkipListFactory final : public rocksdb::MemTableRepFactory {
 public:
  using MemTableRepFactory::CreateMemTableRep;
  MemTableRep* CreateMemTableRep(const MemTableRep::KeyComparator& compare,
                                 rocksdb::Allocator* allocator, const rocksdb::SliceTransform*,
                                 rocksdb::Logger*) override {
    return new SkipListRep(compare, allocator);
  }
  const char* Name() const override { return "CairnSkipListFactory"; }
  bool IsInsertConcurrentlySupported() const override { return false; }
  bool CanHandleDuplicatedKey() const override { return true; }
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> NewMemTableSkipListFactory() {
  static const bool known = LookupKeyLayoutIsKnown();
  if (!known) return nullptr;
  return std::make_shared<SkipListFactory>();
}

}  // namespace cairn::storage
