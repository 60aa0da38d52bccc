// The skip list memtable (memtable_skiplist.h): Node, the prefix index, SkipListRep (search,
// insert, iterator) and the factory. The list is LevelDB's design: one writer, readers
// synchronized by release/acquire on the links, heights drawn with branching factor 4 up to 12
// levels, as RocksDB's own list.
#include "storage/memtable_skiplist.h"

#include <rocksdb/slice.h>
#include <xxhash.h>

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
// The prefix index's buckets, made in a memtable's arena at its first indexed insert: one per
// 512 bytes of the memtable's size, a power of two between 64 and 32,768 (256 KB of a 16 MB
// memtable, which holds about 70,000 entries of 200-byte items, or 200,000 of tiny ones: even
// with each entry in a partition of its own a chain holds a few entries, and a step along it
// compares the entry's hash before it reads the node).
size_t PrefixBuckets(size_t write_buffer_bytes) {
  return std::bit_floor(std::clamp<size_t>(write_buffer_bytes / 512, 64, 32768));
}
// How many nodes a search may step over from the first node of a prefix before it gives up and
// searches from the head (and marks the prefix crowded, so that later searches do so at once).
constexpr int kMaxPrefixSteps = 16;

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

// One prefix in the prefix index: the first node (in the list's order) whose user key starts with
// it. Entries live in the memtable's arena and are never removed; `first` only moves to a smaller
// node, after that node is linked at level 0.
struct PrefixEntry {
  std::atomic<Node*> first;
  PrefixEntry* next;          // in its bucket's chain; fixed before the entry is published
  uint64_t hash;              // of the prefix; fixed before the entry is published
  std::atomic<bool> crowded;  // a search stepped past kMaxPrefixSteps nodes of this prefix
};

class SkipListRep final : public MemTableRep {
 public:
  SkipListRep(const KeyComparator& compare, rocksdb::Allocator* allocator, size_t prefix_bytes,
              size_t buckets)
      : MemTableRep(allocator),
        compare_(compare),
        bytewise_(AgreesWithBytewise(compare)),
        prefix_bytes_(bytewise_ ? prefix_bytes : 0),
        bucket_mask_(buckets - 1) {
    head_ = Node::Make(head_storage_, kMaxHeight);
  }

  KeyHandle Allocate(const size_t len, char** buf) override {
    const int height = RandomHeight();
    Node* node = Node::Make(ArenaAligned(Node::HeaderSize(height) + len, alignof(Node)), height);
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
    const int height = x->height;
    Node* prev[kMaxHeight];
    bool found = false;  // prev[0 .. height) are set
    PrefixEntry* prefix = nullptr;
    int versus_first = 0;  // the order of the prefix's first node against key, when there is one
    const bool indexed = Indexed(key);
    if (indexed) {
      if (buckets_.load(std::memory_order_relaxed) == nullptr) MakeBuckets();
      prefix = Lookup(buckets_.load(std::memory_order_relaxed), key);
      // A crowded prefix's first node is not kept: no search starts from it any more.
      if (prefix != nullptr && !prefix->crowded.load(std::memory_order_relaxed)) {
        Node* first = prefix->first.load(std::memory_order_relaxed);
        versus_first = Compare(first, key);
        if (versus_first == 0) return false;
        // A node of height 1 needs only its predecessor at level 0: after the prefix's first
        // node, among the prefix's own nodes.
        if (versus_first < 0 && height == 1) {
          int order = 0;
          Node* next = SearchFrom(first, key, prefix, &prev[0], &order);
          if (next != nullptr && order == 0) return false;  // this key and sequence number
          found = prev[0] != nullptr;
        }
      }
    }
    const int top = max_height_.load(std::memory_order_relaxed);
    if (!found) {
      Node* p = head_;
      for (int level = top - 1; level >= 0; --level) {
        for (Node* next = p->NextRelaxed(level); next != nullptr; next = p->NextRelaxed(level)) {
          const int c = Compare(next, key);
          if (c == 0) return false;  // this key and sequence number are already here
          if (c > 0) break;
          p = next;
        }
        prev[level] = p;
      }
    }
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
    // The index learns of x once x is linked: a reader that starts from x finds what follows.
    if (indexed) {
      if (prefix == nullptr) {
        Publish(x);
      } else if (versus_first > 0) {
        prefix->first.store(x, std::memory_order_release);
      }
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
    PrefixEntry* prefix = nullptr;
    if (Indexed(target)) {
      const std::atomic<PrefixEntry*>* buckets = buckets_.load(std::memory_order_acquire);
      if (buckets != nullptr) {
        prefix = Lookup(buckets, target);
        // No node starts with the key's prefix: none has its user key, and the callback would
        // stop at the first node it saw.
        if (prefix == nullptr) return;
      }
    }
    for (Node* x = FindGreaterOrEqualFrom(prefix, target);
         x != nullptr && callback(arg, x->entry()); x = x->Next(0)) {
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
  //
  // With the prefix index, the search starts at the first node of the key's prefix when that node
  // is before `key` (or, without `before`, at or after it: then it is the answer, as every node
  // before it has a smaller prefix). A node of that prefix being inserted meanwhile may be missed:
  // it is not yet published, so no read may see it.
  Node* FindGreaterOrEqual(const Slice& key, Node** before = nullptr) const {
    return FindGreaterOrEqualFrom(PrefixOf(key), key, before);
  }

  // FindGreaterOrEqual with the entry of key's prefix (PrefixOf), or nullptr: the search starts
  // from the head instead when there is none or it is crowded.
  Node* FindGreaterOrEqualFrom(PrefixEntry* prefix, const Slice& key,
                               Node** before = nullptr) const {
    if (prefix != nullptr && !prefix->crowded.load(std::memory_order_relaxed)) {
      Node* first = prefix->first.load(std::memory_order_acquire);
      const int c = Compare(first, key);
      if (c >= 0 && before == nullptr) return first;
      if (c < 0) {
        Node* last = nullptr;
        int order = 0;
        Node* next = SearchFrom(first, key, prefix, &last, &order);
        if (last != nullptr) {
          if (before != nullptr) *before = last;
          return next;
        }
      }
    }
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

  // The search of FindGreaterOrEqual from `start`, a node before `key`, at most kMaxPrefixSteps
  // steps: returns the first node at or after `key` (or nullptr) and sets *before to the last node
  // before it and *order to the order of the returned node against `key`. Past the bound, marks
  // `prefix` crowded and sets *before to nullptr (search from the head instead).
  Node* SearchFrom(Node* start, const Slice& key, PrefixEntry* prefix, Node** before,
                   int* order) const {
    Node* x = start;
    Node* next = nullptr;
    int steps = 0;
    for (int level = start->height - 1; level >= 0; --level) {
      for (next = x->Next(level); next != nullptr; next = x->Next(level)) {
        *order = Compare(next, key);
        if (*order >= 0) break;
        if (++steps > kMaxPrefixSteps) {
          prefix->crowded.store(true, std::memory_order_relaxed);
          *before = nullptr;
          return nullptr;
        }
        x = next;
      }
    }
    *before = x;
    return next;
  }

  // The prefix index: for each prefix of prefix_bytes_ bytes that user keys start with, the
  // first node with it. Keys of one prefix are contiguous in a bytewise order, so a search may
  // start from that node instead of the head. Off (prefix_bytes_ 0) for other comparators.

  // True when `key` (an internal key) has a user key long enough to have an indexed prefix.
  bool Indexed(const Slice& key) const {
    return prefix_bytes_ != 0 && key.size() >= prefix_bytes_ + 8;
  }

  uint64_t HashOf(const char* key) const { return XXH3_64bits(key, prefix_bytes_); }

  // The entry of `key`'s prefix, or nullptr when no node has that prefix.
  // REQUIRES: Indexed(key) and the buckets made.
  PrefixEntry* Lookup(const std::atomic<PrefixEntry*>* buckets, const Slice& key) const {
    const uint64_t hash = HashOf(key.data());
    for (PrefixEntry* e = buckets[hash & bucket_mask_].load(std::memory_order_acquire);
         e != nullptr; e = e->next) {
      if (e->hash != hash) continue;
      const Node* first = e->first.load(std::memory_order_acquire);
      if (std::memcmp(first->key, key.data(), prefix_bytes_) == 0) return e;
    }
    return nullptr;
  }

  // The entry of `key`'s prefix, or nullptr (not indexed, no buckets yet, or no node has it).
  PrefixEntry* PrefixOf(const Slice& key) const {
    if (!Indexed(key)) return nullptr;
    const std::atomic<PrefixEntry*>* buckets = buckets_.load(std::memory_order_acquire);
    return buckets == nullptr ? nullptr : Lookup(buckets, key);
  }

  // The writer's: the bucket array, all chains empty.
  void MakeBuckets() {
    auto* buckets = static_cast<std::atomic<PrefixEntry*>*>(
        ArenaAligned(sizeof(std::atomic<PrefixEntry*>) * (bucket_mask_ + 1),
                     alignof(std::atomic<PrefixEntry*>)));
    for (size_t i = 0; i <= bucket_mask_; ++i) new (&buckets[i]) std::atomic<PrefixEntry*>(nullptr);
    buckets_.store(buckets, std::memory_order_release);
  }

  // The writer's: a new entry for the prefix of x, linked node whose prefix has none.
  void Publish(Node* x) {
    const uint64_t hash = HashOf(x->key);
    std::atomic<PrefixEntry*>& bucket =
        buckets_.load(std::memory_order_relaxed)[hash & bucket_mask_];
    auto* e = new (ArenaAligned(sizeof(PrefixEntry), alignof(PrefixEntry))) PrefixEntry();
    e->first.store(x, std::memory_order_relaxed);
    e->next = bucket.load(std::memory_order_relaxed);
    e->hash = hash;
    e->crowded.store(false, std::memory_order_relaxed);
    bucket.store(e, std::memory_order_release);
  }

  // `bytes` of the memtable's arena aligned on `align` (RocksDB's arena, the base class's
  // Allocate, is not aligned: ask for room to align).
  void* ArenaAligned(size_t bytes, size_t align) {
    char* raw = nullptr;
    MemTableRep::Allocate(bytes + align - 1, &raw);
    return reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(raw) + align - 1) &
                                   ~static_cast<uintptr_t>(align - 1));
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
        {"a", 1 << 8, "b", 1 << 8},  {"a", 1 << 8, "ab", 1 << 8},
        {"ab", 1 << 8, "b", 1 << 8}, {"\x7f", 1 << 8, "\x80", 1 << 8},
        {"A", 1 << 8, "a", 1 << 8},  {"", 1 << 8, "a", 1 << 8},
        {"k", 7 << 8, "k", 5 << 8},  {"k", (5 << 8) | 1, "k", 5 << 8},
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
  const size_t prefix_bytes_;  // 0: no prefix index
  const size_t bucket_mask_;   // the number of buckets - 1 (a power of two - 1)
  std::atomic<std::atomic<PrefixEntry*>*> buckets_{nullptr};  // the chains, or null
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
  SkipListFactory(size_t prefix_bytes, size_t write_buffer_bytes)
      : prefix_bytes_(prefix_bytes), buckets_(PrefixBuckets(write_buffer_bytes)) {}
  using MemTableRepFactory::CreateMemTableRep;
  MemTableRep* CreateMemTableRep(const MemTableRep::KeyComparator& compare,
                                 rocksdb::Allocator* allocator, const rocksdb::SliceTransform*,
                                 rocksdb::Logger*) override {
    return new SkipListRep(compare, allocator, prefix_bytes_, buckets_);
  }
  const char* Name() const override { return "CairnSkipListFactory"; }
  bool IsInsertConcurrentlySupported() const override { return false; }
  bool CanHandleDuplicatedKey() const override { return true; }

 private:
  const size_t prefix_bytes_;
  const size_t buckets_;
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> NewMemTableSkipListFactory(size_t prefix_bytes,
                                                                        size_t write_buffer_bytes) {
  static const bool known = LookupKeyLayoutIsKnown();
  if (!known) return nullptr;
  return std::make_shared<SkipListFactory>(prefix_bytes, write_buffer_bytes);
}

}  // namespace cairn::storage
