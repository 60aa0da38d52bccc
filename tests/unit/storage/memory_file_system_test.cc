// MemoryFileSystem: bytes written come back from any offset, across its chunk boundaries (64 KB
// doubling to 2 MB, then 2 MB); mapped reads point into a chunk and copy only across one; a file's
// data outlives its name while a handle holds it; names,
// directories, locks and truncation behave as RocksDB expects of a file system (a missing
// path is PathNotFound, as POSIX's ENOENT is; FileExists says NotFound); and a real RocksDB
// flushes, compacts, closes and reopens on it without losing a key.
#include "storage/memory_file_system.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace cairn::storage {
namespace {

using rocksdb::FileOptions;
using rocksdb::IOOptions;
using rocksdb::Slice;

// Byte i of the test pattern: not periodic at any chunk size.
char PatternByte(uint64_t i) { return static_cast<char>((i * 2654435761u) >> 13); }
std::string Pattern(uint64_t from, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = PatternByte(from + i);
  return s;
}

class MemoryFileSystemTest : public ::testing::Test {
 protected:
  // Writes `total` bytes of the pattern to `name` in appends of `piece` bytes; closes the file.
  void WriteFile(const std::string& name, uint64_t total, size_t piece) {
    std::unique_ptr<rocksdb::FSWritableFile> w;
    ASSERT_TRUE(fs_->NewWritableFile(name, FileOptions(), &w, nullptr).ok());
    for (uint64_t at = 0; at < total; at += piece) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(piece, total - at));
      ASSERT_TRUE(w->Append(Pattern(at, n), IOOptions(), nullptr).ok());
    }
    EXPECT_EQ(w->GetFileSize(IOOptions(), nullptr), total);
    ASSERT_TRUE(w->Close(IOOptions(), nullptr).ok());
  }
  std::string ReadAt(rocksdb::FSRandomAccessFile& f, uint64_t offset, size_t n) {
    std::string scratch(n, '\0');
    Slice result;
    EXPECT_TRUE(f.Read(offset, n, IOOptions(), &result, scratch.data(), nullptr).ok());
    return result.ToString();
  }
  bool Exists(const std::string& name) { return fs_->FileExists(name, IOOptions(), nullptr).ok(); }

  std::shared_ptr<rocksdb::FileSystem> fs_ = NewMemoryFileSystem();
};

TEST_F(MemoryFileSystemTest, ReadsBackEveryByteAcrossChunkBoundaries) {
  const uint64_t total = (uint64_t{9} << 20) + 12345;  // past several 2 MB chunks
  WriteFile("/db/a.sst", total, 7919);
  uint64_t size = 0;
  ASSERT_TRUE(fs_->GetFileSize("/db/a.sst", IOOptions(), &size, nullptr).ok());
  EXPECT_EQ(size, total);
  std::unique_ptr<rocksdb::FSRandomAccessFile> r;
  ASSERT_TRUE(fs_->NewRandomAccessFile("/db/a.sst", FileOptions(), &r, nullptr).ok());
  // Chunk ends: 64K, 64K+128K, ..., then every 2 MB; reads straddle each of them.
  std::vector<uint64_t> edges;
  uint64_t end = 0;
  for (uint64_t cap = 64 << 10; end < total; cap = std::min<uint64_t>(cap * 2, 2 << 20)) {
    end += cap;
    edges.push_back(end);
  }
  for (uint64_t edge : edges) {
    if (edge >= total) break;
    EXPECT_EQ(ReadAt(*r, edge - 100, 200), Pattern(edge - 100, 200)) << "at " << edge;
    EXPECT_EQ(ReadAt(*r, edge, 1), Pattern(edge, 1)) << "at " << edge;
  }
  // A read spanning more than two chunks, one from the start, one past the end.
  EXPECT_EQ(ReadAt(*r, 1000, 5 << 20), Pattern(1000, 5 << 20));
  EXPECT_EQ(ReadAt(*r, 0, 10), Pattern(0, 10));
  EXPECT_EQ(ReadAt(*r, total - 5, 100), Pattern(total - 5, 5));
  EXPECT_EQ(ReadAt(*r, total, 100), "");
  EXPECT_EQ(ReadAt(*r, total + 1000, 100), "");
}

TEST_F(MemoryFileSystemTest, MappedReadsPointIntoTheFileInsideAChunkAndCopyAcrossOne) {
  const uint64_t total = (uint64_t{5} << 20) + 777;
  WriteFile("/db/m.sst", total, 4093);
  FileOptions mapped;
  mapped.use_mmap_reads = true;  // what RocksDB asks for under allow_mmap_reads
  std::unique_ptr<rocksdb::FSRandomAccessFile> r;
  ASSERT_TRUE(fs_->NewRandomAccessFile("/db/m.sst", mapped, &r, nullptr).ok());
  std::string scratch(300000, '\0');
  auto read = [&](uint64_t offset, size_t n) {
    Slice got;
    EXPECT_TRUE(r->Read(offset, n, IOOptions(), &got, scratch.data(), nullptr).ok());
    return got;
  };
  auto in_scratch = [&](const Slice& got) {
    return got.data() >= scratch.data() && got.data() < scratch.data() + scratch.size();
  };
  // Inside the first chunk (64 KB), and inside a 2 MB chunk: a pointer into the file.
  const Slice a = read(100, 4000);
  EXPECT_FALSE(in_scratch(a));
  EXPECT_EQ(a.ToString(), Pattern(100, 4000));
  const uint64_t in_huge = (uint64_t{3} << 20) + 5000;
  const Slice b = read(in_huge, 200000);
  EXPECT_FALSE(in_scratch(b));
  EXPECT_EQ(b.ToString(), Pattern(in_huge, 200000));
  // Across the end of the first chunk: copied into scratch.
  const Slice c = read((64 << 10) - 10, 20);
  EXPECT_TRUE(in_scratch(c));
  EXPECT_EQ(c.ToString(), Pattern((64 << 10) - 10, 20));
  // Without a buffer: a range inside a chunk still reads in place; one across chunks has
  // nowhere to be copied to and is refused, as a copying read without a buffer is.
  Slice bare;
  ASSERT_TRUE(r->Read(100, 4000, IOOptions(), &bare, nullptr, nullptr).ok());
  EXPECT_EQ(bare.ToString(), Pattern(100, 4000));
  EXPECT_TRUE(
      r->Read((64 << 10) - 10, 20, IOOptions(), &bare, nullptr, nullptr).IsInvalidArgument());
  // The tail is cut at the end of the file; past it, nothing.
  EXPECT_EQ(read(total - 7, 100).ToString(), Pattern(total - 7, 7));
  EXPECT_EQ(read(total, 100).size(), 0u);
  // Prefetch has nothing to do: it succeeds, so RocksDB puts no prefetch buffer of its own
  // between the file and its reads.
  EXPECT_TRUE(r->Prefetch(0, 1 << 20, IOOptions(), nullptr).ok());
  // A pointer handed out stays valid and unchanged while a handle holds the file, after its name
  // is gone and another file takes the name.
  const std::string before = a.ToString();
  ASSERT_TRUE(fs_->DeleteFile("/db/m.sst", IOOptions(), nullptr).ok());
  WriteFile("/db/m.sst", 100000, 1000);
  EXPECT_EQ(a.ToString(), before);
  // Without use_mmap_reads every read lands in scratch.
  std::unique_ptr<rocksdb::FSRandomAccessFile> copied;
  ASSERT_TRUE(fs_->NewRandomAccessFile("/db/m.sst", FileOptions(), &copied, nullptr).ok());
  Slice got;
  ASSERT_TRUE(copied->Read(100, 4000, IOOptions(), &got, scratch.data(), nullptr).ok());
  EXPECT_TRUE(in_scratch(got));
  EXPECT_EQ(got.ToString(), Pattern(100, 4000));
}

TEST_F(MemoryFileSystemTest, SequentialReadsAndSkips) {
  WriteFile("/db/MANIFEST-000001", 300000, 1000);
  std::unique_ptr<rocksdb::FSSequentialFile> s;
  ASSERT_TRUE(fs_->NewSequentialFile("/db/MANIFEST-000001", FileOptions(), &s, nullptr).ok());
  std::string scratch(70000, '\0');
  Slice got;
  ASSERT_TRUE(s->Read(70000, IOOptions(), &got, scratch.data(), nullptr).ok());
  EXPECT_EQ(got.ToString(), Pattern(0, 70000));
  ASSERT_TRUE(s->Skip(200000).ok());
  ASSERT_TRUE(s->Read(70000, IOOptions(), &got, scratch.data(), nullptr).ok());
  EXPECT_EQ(got.ToString(), Pattern(270000, 30000));  // the rest only
  ASSERT_TRUE(s->Read(70000, IOOptions(), &got, scratch.data(), nullptr).ok());
  EXPECT_EQ(got.size(), 0u);
  ASSERT_TRUE(s->Skip(10).ok());  // past the end: stays at the end
  ASSERT_TRUE(s->PositionedRead(5, 10, IOOptions(), &got, scratch.data(), nullptr).ok());
  EXPECT_EQ(got.ToString(), Pattern(5, 10));
}

TEST_F(MemoryFileSystemTest, DataOutlivesItsNameWhileAHandleHoldsIt) {
  WriteFile("/db/old.sst", 100000, 4096);
  std::unique_ptr<rocksdb::FSRandomAccessFile> r;
  ASSERT_TRUE(fs_->NewRandomAccessFile("/db/old.sst", FileOptions(), &r, nullptr).ok());
  ASSERT_TRUE(fs_->DeleteFile("/db/old.sst", IOOptions(), nullptr).ok());
  EXPECT_FALSE(Exists("/db/old.sst"));
  EXPECT_TRUE(fs_->DeleteFile("/db/old.sst", IOOptions(), nullptr).IsPathNotFound());
  EXPECT_EQ(ReadAt(*r, 99000, 1000), Pattern(99000, 1000));
  std::unique_ptr<rocksdb::FSRandomAccessFile> gone;
  EXPECT_TRUE(
      fs_->NewRandomAccessFile("/db/old.sst", FileOptions(), &gone, nullptr).IsPathNotFound());
}

TEST_F(MemoryFileSystemTest, RenameMovesAndNewWritableReplaces) {
  WriteFile("/db/CURRENT.dbtmp", 16, 16);
  ASSERT_TRUE(fs_->RenameFile("/db/CURRENT.dbtmp", "/db/CURRENT", IOOptions(), nullptr).ok());
  EXPECT_FALSE(Exists("/db/CURRENT.dbtmp"));
  EXPECT_TRUE(Exists("/db/CURRENT"));
  EXPECT_TRUE(fs_->RenameFile("/db/none", "/db/x", IOOptions(), nullptr).IsPathNotFound());

  uint64_t size = 0;
  // A new writable file of an existing name starts empty; reopening appends.
  WriteFile("/db/CURRENT", 5, 5);
  ASSERT_TRUE(fs_->GetFileSize("/db/CURRENT", IOOptions(), &size, nullptr).ok());
  EXPECT_EQ(size, 5u);
  std::unique_ptr<rocksdb::FSWritableFile> w;
  ASSERT_TRUE(fs_->ReopenWritableFile("/db/CURRENT", FileOptions(), &w, nullptr).ok());
  ASSERT_TRUE(w->Append("xyz", IOOptions(), nullptr).ok());
  ASSERT_TRUE(fs_->GetFileSize("/db/CURRENT", IOOptions(), &size, nullptr).ok());
  EXPECT_EQ(size, 8u);
}

TEST_F(MemoryFileSystemTest, DirectoriesListTheirDirectChildrenOnly) {
  ASSERT_TRUE(fs_->CreateDirIfMissing("/db", IOOptions(), nullptr).ok());
  ASSERT_TRUE(fs_->CreateDirIfMissing("/db", IOOptions(), nullptr).ok());
  EXPECT_TRUE(fs_->CreateDir("/db", IOOptions(), nullptr).IsIOError());
  std::vector<std::string> children;
  ASSERT_TRUE(fs_->GetChildren("/db", IOOptions(), &children, nullptr).ok());
  EXPECT_TRUE(children.empty());
  WriteFile("/db//000004.log", 10, 10);  // repeated slashes are one
  WriteFile("/db/sub/x", 10, 10);
  WriteFile("/dbx/y", 10, 10);  // a sibling whose name starts alike
  ASSERT_TRUE(fs_->GetChildren("/db/", IOOptions(), &children, nullptr).ok());
  EXPECT_EQ(children, (std::vector<std::string>{"000004.log", "sub"}));
  EXPECT_TRUE(fs_->GetChildren("/nowhere", IOOptions(), &children, nullptr).IsPathNotFound());
  bool is_dir = false;
  ASSERT_TRUE(fs_->IsDirectory("/db", IOOptions(), &is_dir, nullptr).ok());
  EXPECT_TRUE(is_dir);
  ASSERT_TRUE(fs_->IsDirectory("/db/000004.log", IOOptions(), &is_dir, nullptr).ok());
  EXPECT_FALSE(is_dir);
  EXPECT_TRUE(fs_->IsDirectory("/nowhere", IOOptions(), &is_dir, nullptr).IsPathNotFound());
  EXPECT_TRUE(fs_->CreateDirIfMissing("/db/000004.log", IOOptions(), nullptr).IsIOError());
  ASSERT_TRUE(fs_->DeleteDir("/db", IOOptions(), nullptr).ok());
  EXPECT_TRUE(fs_->DeleteDir("/db", IOOptions(), nullptr).IsPathNotFound());
}

TEST_F(MemoryFileSystemTest, ALockIsHeldOnceUntilUnlocked) {
  rocksdb::FileLock* lock = nullptr;
  ASSERT_TRUE(fs_->LockFile("/db/LOCK", IOOptions(), &lock, nullptr).ok());
  rocksdb::FileLock* second = nullptr;
  EXPECT_TRUE(fs_->LockFile("/db/LOCK", IOOptions(), &second, nullptr).IsIOError());
  ASSERT_TRUE(fs_->UnlockFile(lock, IOOptions(), nullptr).ok());
  ASSERT_TRUE(fs_->LockFile("/db/LOCK", IOOptions(), &second, nullptr).ok());
  ASSERT_TRUE(fs_->UnlockFile(second, IOOptions(), nullptr).ok());
}

TEST_F(MemoryFileSystemTest, TruncateShrinksOrGrowsWithZeros) {
  WriteFile("/db/t", 200000, 50000);
  ASSERT_TRUE(fs_->Truncate("/db/t", 70000, IOOptions(), nullptr).ok());
  std::unique_ptr<rocksdb::FSWritableFile> w;
  ASSERT_TRUE(fs_->ReopenWritableFile("/db/t", FileOptions(), &w, nullptr).ok());
  ASSERT_TRUE(w->Append("tail", IOOptions(), nullptr).ok());  // lands at 70000, in chunk 2
  ASSERT_TRUE(w->Truncate(70010, IOOptions(), nullptr).ok());
  std::unique_ptr<rocksdb::FSRandomAccessFile> r;
  ASSERT_TRUE(fs_->NewRandomAccessFile("/db/t", FileOptions(), &r, nullptr).ok());
  EXPECT_EQ(ReadAt(*r, 69990, 100), Pattern(69990, 10) + "tail" + std::string(6, '\0'));
  EXPECT_TRUE(fs_->Truncate("/db/none", 1, IOOptions(), nullptr).IsPathNotFound());
}

TEST_F(MemoryFileSystemTest, ReadersSeeAConsistentPrefixWhileTheWriterAppends) {
  std::unique_ptr<rocksdb::FSWritableFile> w;
  ASSERT_TRUE(fs_->NewWritableFile("/db/m", FileOptions(), &w, nullptr).ok());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (uint64_t at = 0; at < (uint64_t{6} << 20); at += 3000)
      ASSERT_TRUE(w->Append(Pattern(at, 3000), IOOptions(), nullptr).ok());
    done = true;
  });
  std::unique_ptr<rocksdb::FSRandomAccessFile> r;
  ASSERT_TRUE(fs_->NewRandomAccessFile("/db/m", FileOptions(), &r, nullptr).ok());
  int reads = 0;
  while (!done || reads == 0) {
    uint64_t size = 0;
    ASSERT_TRUE(fs_->GetFileSize("/db/m", IOOptions(), &size, nullptr).ok());
    if (size < 4096) continue;
    const uint64_t at = size - 4096;
    ASSERT_EQ(ReadAt(*r, at, 4096), Pattern(at, 4096));
    ++reads;
  }
  writer.join();
  EXPECT_GT(reads, 0);
}

// With RocksDB's reads copying into its buffers, and with its mapped reads (the in-memory engine's
// setting: blocks are used where the file holds them, and iterators' readahead calls Prefetch).
class MemoryFileSystemRocksDBTest : public MemoryFileSystemTest,
                                    public ::testing::WithParamInterface<bool> {};

TEST_P(MemoryFileSystemRocksDBTest, RocksDBFlushesCompactsAndReopensOnIt) {
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs_);
  rocksdb::Options o;
  o.env = env.get();
  o.allow_mmap_reads = GetParam();
  o.create_if_missing = true;
  o.write_buffer_size = 256 << 10;  // many flushes, and compactions of their files
  o.target_file_size_base = 512 << 10;
  o.max_bytes_for_level_base = 2 << 20;
  const std::string path = "/cairn-in-memory";
  const int n = 60000;
  auto value = [](int i) { return Pattern(static_cast<uint64_t>(i) * 131, 120); };
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k" + std::to_string(i), value(i)).ok());
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    ASSERT_TRUE(db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
    // Compacted: table files exist, none left in level 0.
    std::vector<rocksdb::LiveFileMetaData> files;
    db->GetLiveFilesMetaData(&files);
    EXPECT_FALSE(files.empty());
    for (const auto& f : files) EXPECT_GT(f.level, 0) << f.name;
    ASSERT_TRUE(db->Close().ok());
  }
  // The file system outlives the database: reopening finds every key through the manifest.
  rocksdb::DB* raw = nullptr;
  o.create_if_missing = false;
  ASSERT_TRUE(rocksdb::DB::Open(o, path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  int seen = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++seen;
  ASSERT_TRUE(it->status().ok());
  EXPECT_EQ(seen, n);
  for (int i = 0; i < n; i += 997) {
    std::string got;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "k" + std::to_string(i), &got).ok());
    EXPECT_EQ(got, value(i));
  }
}

INSTANTIATE_TEST_SUITE_P(Reads, MemoryFileSystemRocksDBTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Mapped" : "Copied";
                         });

}  // namespace
}  // namespace cairn::storage
