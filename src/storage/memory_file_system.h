// MemoryFileSystem: the file system of the in-memory engine (--in-memory): RocksDB's table,
// manifest and options files kept in this process's memory, gone with it.
//
// Why not RocksDB's own MemEnv: it keeps a file in one std::string, which a flush or a compaction
// grows by doubling, so writing an 18 MB table file copies it about twice and touches ~57 MB of
// fresh memory (14,000 page faults a flush, measured); with the allocator handing freed pages back
// (util/free_memory.h), every flush pays them again. Here a file is a list of chunks that never
// move: 64 KB, then doubling up to 2 MB, then 2 MB each, so a file touches its own size once.
// Chunks of 2 MB are mapped on their own, aligned, and advised as transparent huge pages: one fault
// per 2 MB where the kernel has a huge page free (an ordinary 4 KB-page fault each otherwise).
//
// Reads opened with use_mmap_reads (RocksDB's allow_mmap_reads, which the in-memory engine sets)
// answer a range inside one chunk with a pointer into it, as a mapped file would: a table's blocks
// are then used where they lie, not copied into a buffer and again into the heap.
//
// Invariants: a chunk's address never changes while its file lives, and a written byte changes
// only if the file is shrunk (Truncate) and written past that point again, which RocksDB never
// does to a table file it reads; so a read copies out of a chunk (or points into it) under a
// shared lock while the file's single writer may append; a file's data outlives its name
// (DeleteFile, RenameFile) while a handle holds it, as a POSIX file does; paths are normalized
// (repeated and trailing slashes dropped); no hard links (LinkFile and its kin answer RocksDB's
// default NotSupported: Cairn takes no checkpoints and ingests no files). RocksDB's info log is
// discarded: nobody could read it (MemEnv kept up to 64 MB of it in memory).
// Thread safety: every method may be called from any thread.
#pragma once

#include <rocksdb/file_system.h>

#include <memory>

namespace cairn::storage {

std::shared_ptr<rocksdb::FileSystem> NewMemoryFileSystem();

}  // namespace cairn::storage
