// This file implements the in-memory file system (memory_file_system.h): the chunked file data,
// the file handles RocksDB reads and writes through, and the namespace of files and directories.
#include "storage/memory_file_system.h"

#include <rocksdb/env.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace cairn::storage {
namespace {

using rocksdb::FileOptions;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

constexpr size_t kFirstChunk = size_t{64} << 10;
constexpr size_t kHugeChunk = size_t{2} << 20;  // a transparent huge page on x86-64

// 2 MB of memory aligned on 2 MB and advised as a huge page, or nullptr.
char* MapHugeChunk() {
  const size_t span = 2 * kHugeChunk;
  void* p = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const auto base = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (base + kHugeChunk - 1) & ~(uintptr_t{kHugeChunk} - 1);
  if (aligned > base) munmap(p, aligned - base);
  const uintptr_t end = aligned + kHugeChunk;
  if (base + span > end) munmap(reinterpret_cast<void*>(end), base + span - end);
  madvise(reinterpret_cast<void*>(aligned), kHugeChunk, MADV_HUGEPAGE);  // a hint: may not take
  return reinterpret_cast<char*>(aligned);
}

// One file's bytes: chunks at fixed addresses, filled in order.
class FileData {
 public:
  FileData() : mtime_(Now()) {}
  ~FileData() {
    for (const Chunk& c : chunks_) Free(c);
  }
  FileData(const FileData&) = delete;
  FileData& operator=(const FileData&) = delete;

  uint64_t Size() const {
    std::shared_lock lock(mu_);
    return size_;
  }
  uint64_t ModificationTime() const {
    std::shared_lock lock(mu_);
    return mtime_;
  }

  IOStatus Append(const Slice& data) {
    std::unique_lock lock(mu_);
    const char* src = data.data();
    size_t left = data.size();
    while (left > 0) {
      if (chunks_.empty() || size_ == chunks_.back().start + chunks_.back().capacity) {
        if (!Grow()) return IOStatus::NoSpace("out of memory for the in-memory database");
      }
      Chunk& c = ChunkAt(size_);
      const size_t at = static_cast<size_t>(size_ - c.start);
      const size_t n = std::min(left, c.capacity - at);
      std::memcpy(c.data + at, src, n);
      src += n;
      left -= n;
      size_ += n;
    }
    mtime_ = Now();
    return IOStatus::OK();
  }

  // Reads up to n bytes from `offset`; *result is what was read (empty at the end). With
  // `in_place`, a range inside one chunk is answered with a pointer into it, which stays valid
  // while the file lives (a shrunk file keeps its chunks); any other range is copied into scratch.
  IOStatus Read(uint64_t offset, size_t n, Slice* result, char* scratch, bool in_place) const {
    std::shared_lock lock(mu_);
    if (offset >= size_ || n == 0) {
      *result = Slice();
      return IOStatus::OK();
    }
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    if (in_place) {
      const Chunk& c = ChunkAt(offset);
      const size_t at = static_cast<size_t>(offset - c.start);
      if (n <= c.capacity - at) {
        *result = Slice(c.data + at, n);
        return IOStatus::OK();
      }
    }
    if (scratch == nullptr) return IOStatus::InvalidArgument("a read needs a buffer");
    size_t done = 0;
    while (done < n) {
      const Chunk& c = ChunkAt(offset + done);
      const size_t at = static_cast<size_t>(offset + done - c.start);
      const size_t k = std::min(n - done, c.capacity - at);
      std::memcpy(scratch + done, c.data + at, k);
      done += k;
    }
    *result = Slice(scratch, n);
    return IOStatus::OK();
  }

  // Shrinks (or, filling with zeros, grows) the file to `size` bytes.
  IOStatus Truncate(uint64_t size) {
    {
      std::unique_lock lock(mu_);
      if (size <= size_) {
        size_ = size;
        mtime_ = Now();
        return IOStatus::OK();
      }
    }
    const std::string zeros(static_cast<size_t>(size - Size()), '\0');
    return Append(zeros);
  }

 private:
  struct Chunk {
    char* data;
    size_t capacity;
    uint64_t start;  // the file offset of data[0]
    bool mapped;     // from MapHugeChunk (munmap), otherwise new[]
  };

  static uint64_t Now() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }
  static void Free(const Chunk& c) {
    if (c.mapped)
      munmap(c.data, c.capacity);
    else
      delete[] c.data;
  }

  // Adds the next chunk: twice the last one's size, up to kHugeChunk.
  bool Grow() {
    const size_t cap =
        chunks_.empty() ? kFirstChunk : std::min(chunks_.back().capacity * 2, kHugeChunk);
    const uint64_t start = chunks_.empty() ? 0 : chunks_.back().start + chunks_.back().capacity;
    if (cap == kHugeChunk) {
      if (char* p = MapHugeChunk()) {
        chunks_.push_back({p, cap, start, true});
        return true;
      }
    }
    char* p = new (std::nothrow) char[cap];
    if (p == nullptr) return false;
    chunks_.push_back({p, cap, start, false});
    return true;
  }

  // The chunk holding `offset` (< the end of the last chunk).
  const Chunk& ChunkAt(uint64_t offset) const {
    auto it = std::upper_bound(chunks_.begin(), chunks_.end(), offset,
                               [](uint64_t off, const Chunk& c) { return off < c.start; });
    return *(it - 1);
  }
  Chunk& ChunkAt(uint64_t offset) {
    return const_cast<Chunk&>(static_cast<const FileData*>(this)->ChunkAt(offset));
  }

  mutable std::shared_mutex mu_;
  std::vector<Chunk> chunks_;  // GUARDED_BY(mu_)
  uint64_t size_ = 0;          // GUARDED_BY(mu_)
  uint64_t mtime_;             // GUARDED_BY(mu_); seconds since the epoch
};

using FilePtr = std::shared_ptr<FileData>;

class SequentialFile final : public rocksdb::FSSequentialFile {
 public:
  explicit SequentialFile(FilePtr file) : file_(std::move(file)) {}
  IOStatus Read(size_t n, const IOOptions&, Slice* result, char* scratch,
                IODebugContext*) override {
    IOStatus s = file_->Read(pos_, n, result, scratch, false);
    if (s.ok()) pos_ += result->size();
    return s;
  }
  IOStatus Skip(uint64_t n) override {
    pos_ = std::min(pos_ + n, file_->Size());
    return IOStatus::OK();
  }
  IOStatus PositionedRead(uint64_t offset, size_t n, const IOOptions&, Slice* result, char* scratch,
                          IODebugContext*) override {
    return file_->Read(offset, n, result, scratch, false);
  }

 private:
  FilePtr file_;
  uint64_t pos_ = 0;
};

// With `in_place` (RocksDB's allow_mmap_reads, which the in-memory engine sets), reads answer
// pointers into the file's chunks, as a mapped file would: RocksDB then keeps a table's blocks
// where they are instead of copying each block read into a buffer and again into the heap.
// Prefetch succeeds at once (the bytes already are in memory), so that RocksDB's readahead never
// puts a prefetch buffer of its own between the file and its reads.
class RandomAccessFile final : public rocksdb::FSRandomAccessFile {
 public:
  RandomAccessFile(FilePtr file, bool in_place) : file_(std::move(file)), in_place_(in_place) {}
  IOStatus Read(uint64_t offset, size_t n, const IOOptions&, Slice* result, char* scratch,
                IODebugContext*) const override {
    return file_->Read(offset, n, result, scratch, in_place_);
  }
  IOStatus Prefetch(uint64_t, size_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::OK();
  }

 private:
  FilePtr file_;
  const bool in_place_;
};

class WritableFile final : public rocksdb::FSWritableFile {
 public:
  WritableFile(FilePtr file, const FileOptions& options)
      : rocksdb::FSWritableFile(options), file_(std::move(file)) {}
  IOStatus Append(const Slice& data, const IOOptions&, IODebugContext*) override {
    return file_->Append(data);
  }
  IOStatus Truncate(uint64_t size, const IOOptions&, IODebugContext*) override {
    return file_->Truncate(size);
  }
  IOStatus Close(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  IOStatus Flush(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  IOStatus Sync(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  bool IsSyncThreadSafe() const override { return true; }
  uint64_t GetFileSize(const IOOptions&, IODebugContext*) override { return file_->Size(); }

 private:
  FilePtr file_;
};

class Directory final : public rocksdb::FSDirectory {
 public:
  IOStatus Fsync(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
};

class Lock final : public rocksdb::FileLock {
 public:
  explicit Lock(std::string path) : name(std::move(path)) {}
  const std::string name;
};

// The info log of an in-memory database: nobody could read it, so nothing is kept.
class NullLogger final : public rocksdb::Logger {
 public:
  NullLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::HEADER_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
  size_t GetLogFileSize() const override { return 0; }
};

// Drops repeated and trailing slashes: "/db//000001.sst/" -> "/db/000001.sst".
std::string Normalize(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

class MemoryFileSystem final : public rocksdb::FileSystem {
 public:
  const char* Name() const override { return "CairnMemoryFileSystem"; }

  IOStatus NewSequentialFile(const std::string& fname, const FileOptions&,
                             std::unique_ptr<rocksdb::FSSequentialFile>* result,
                             IODebugContext*) override {
    FilePtr f = Find(fname);
    if (!f) return NotFound(fname);
    *result = std::make_unique<SequentialFile>(std::move(f));
    return IOStatus::OK();
  }

  IOStatus NewRandomAccessFile(const std::string& fname, const FileOptions& options,
                               std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                               IODebugContext*) override {
    FilePtr f = Find(fname);
    if (!f) return NotFound(fname);
    *result = std::make_unique<RandomAccessFile>(std::move(f), options.use_mmap_reads);
    return IOStatus::OK();
  }

  IOStatus NewWritableFile(const std::string& fname, const FileOptions& options,
                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                           IODebugContext*) override {
    auto f = std::make_shared<FileData>();
    {
      std::lock_guard lock(mu_);
      files_[Normalize(fname)] = f;  // replaces an existing file, as O_TRUNC would
    }
    *result = std::make_unique<WritableFile>(std::move(f), options);
    return IOStatus::OK();
  }

  IOStatus ReopenWritableFile(const std::string& fname, const FileOptions& options,
                              std::unique_ptr<rocksdb::FSWritableFile>* result,
                              IODebugContext*) override {
    FilePtr f;
    {
      std::lock_guard lock(mu_);
      FilePtr& slot = files_[Normalize(fname)];
      if (!slot) slot = std::make_shared<FileData>();
      f = slot;
    }
    *result = std::make_unique<WritableFile>(std::move(f), options);
    return IOStatus::OK();
  }

  IOStatus NewDirectory(const std::string&, const IOOptions&,
                        std::unique_ptr<rocksdb::FSDirectory>* result, IODebugContext*) override {
    *result = std::make_unique<Directory>();
    return IOStatus::OK();
  }

  IOStatus FileExists(const std::string& fname, const IOOptions&, IODebugContext*) override {
    const std::string p = Normalize(fname);
    std::lock_guard lock(mu_);
    if (files_.count(p) || dirs_.count(p)) return IOStatus::OK();
    return IOStatus::NotFound();
  }

  IOStatus GetChildren(const std::string& dir, const IOOptions&, std::vector<std::string>* result,
                       IODebugContext*) override {
    const std::string d = Normalize(dir);
    const std::string prefix = d == "/" ? d : d + "/";
    result->clear();
    std::lock_guard lock(mu_);
    bool found = dirs_.count(d) > 0;
    std::set<std::string> names;
    auto collect = [&](const std::string& path) {
      if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return;
      found = true;
      const std::string rest = path.substr(prefix.size());
      names.insert(rest.substr(0, rest.find('/')));
    };
    for (const auto& [path, file] : files_) collect(path);
    for (const std::string& path : dirs_) collect(path);
    if (!found) return NotFound(dir);
    result->assign(names.begin(), names.end());
    return IOStatus::OK();
  }

  IOStatus DeleteFile(const std::string& fname, const IOOptions&, IODebugContext*) override {
    std::lock_guard lock(mu_);
    if (files_.erase(Normalize(fname)) == 0) return NotFound(fname);
    return IOStatus::OK();
  }

  IOStatus Truncate(const std::string& fname, size_t size, const IOOptions&,
                    IODebugContext*) override {
    FilePtr f = Find(fname);
    if (!f) return NotFound(fname);
    return f->Truncate(size);
  }

  IOStatus CreateDir(const std::string& dirname, const IOOptions&, IODebugContext*) override {
    const std::string d = Normalize(dirname);
    std::lock_guard lock(mu_);
    if (files_.count(d) || dirs_.count(d)) return IOStatus::IOError(dirname + ": exists");
    dirs_.insert(d);
    return IOStatus::OK();
  }

  IOStatus CreateDirIfMissing(const std::string& dirname, const IOOptions&,
                              IODebugContext*) override {
    const std::string d = Normalize(dirname);
    std::lock_guard lock(mu_);
    if (files_.count(d)) return IOStatus::IOError(dirname + ": is a file");
    dirs_.insert(d);
    return IOStatus::OK();
  }

  IOStatus DeleteDir(const std::string& dirname, const IOOptions&, IODebugContext*) override {
    std::lock_guard lock(mu_);
    if (dirs_.erase(Normalize(dirname)) == 0) return NotFound(dirname);
    return IOStatus::OK();
  }

  IOStatus IsDirectory(const std::string& path, const IOOptions&, bool* is_dir,
                       IODebugContext*) override {
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    if (dirs_.count(p)) {
      *is_dir = true;
      return IOStatus::OK();
    }
    if (files_.count(p)) {
      *is_dir = false;
      return IOStatus::OK();
    }
    return NotFound(path);
  }

  IOStatus GetFileSize(const std::string& fname, const IOOptions&, uint64_t* size,
                       IODebugContext*) override {
    FilePtr f = Find(fname);
    if (!f) return NotFound(fname);
    *size = f->Size();
    return IOStatus::OK();
  }

  IOStatus GetFileModificationTime(const std::string& fname, const IOOptions&, uint64_t* mtime,
                                   IODebugContext*) override {
    FilePtr f = Find(fname);
    if (!f) return NotFound(fname);
    *mtime = f->ModificationTime();
    return IOStatus::OK();
  }

  IOStatus RenameFile(const std::string& src, const std::string& target, const IOOptions&,
                      IODebugContext*) override {
    std::lock_guard lock(mu_);
    auto it = files_.find(Normalize(src));
    if (it == files_.end()) return NotFound(src);
    FilePtr f = std::move(it->second);
    files_.erase(it);
    files_[Normalize(target)] = std::move(f);
    return IOStatus::OK();
  }

  IOStatus LockFile(const std::string& fname, const IOOptions&, rocksdb::FileLock** lock,
                    IODebugContext*) override {
    const std::string p = Normalize(fname);
    std::lock_guard guard(mu_);
    if (!locks_.insert(p).second) return IOStatus::IOError("lock " + fname + ": already held");
    if (!files_.count(p)) files_[p] = std::make_shared<FileData>();
    *lock = new Lock(p);
    return IOStatus::OK();
  }

  IOStatus UnlockFile(rocksdb::FileLock* lock, const IOOptions&, IODebugContext*) override {
    auto* l = static_cast<Lock*>(lock);
    {
      std::lock_guard guard(mu_);
      locks_.erase(l->name);
    }
    delete l;
    return IOStatus::OK();
  }

  IOStatus GetTestDirectory(const IOOptions&, std::string* path, IODebugContext*) override {
    *path = "/test";
    return IOStatus::OK();
  }

  IOStatus NewLogger(const std::string&, const IOOptions&, std::shared_ptr<rocksdb::Logger>* result,
                     IODebugContext*) override {
    *result = std::make_shared<NullLogger>();
    return IOStatus::OK();
  }

  IOStatus GetAbsolutePath(const std::string& db_path, const IOOptions&, std::string* output_path,
                           IODebugContext*) override {
    *output_path = Normalize(db_path);
    if (output_path->empty() || output_path->front() != '/') *output_path = "/" + *output_path;
    return IOStatus::OK();
  }

 private:
  static IOStatus NotFound(const std::string& path) {
    return IOStatus::PathNotFound(path + ": no such file or directory");
  }

  FilePtr Find(const std::string& fname) {
    std::lock_guard lock(mu_);
    auto it = files_.find(Normalize(fname));
    return it == files_.end() ? nullptr : it->second;
  }

  std::mutex mu_;
  std::map<std::string, FilePtr> files_;  // GUARDED_BY(mu_)
  std::set<std::string> dirs_;            // GUARDED_BY(mu_)
  std::set<std::string> locks_;           // GUARDED_BY(mu_)
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewMemoryFileSystem() {
  return std::make_shared<MemoryFileSystem>();
}

}  // namespace cairn::storage
