// RocksDBEngine: the Engine of engine.h on an embedded RocksDB (7.8), on disk or all in memory.
//
// One RocksDB database with the column families "default" (unused), "meta", "data", "index" and
// "stream" (Column in engine.h); missing ones are created on open, unknown ones are opened and left
// alone. On disk it lives in Options::data_dir (created with its parents); with
// Options::in_memory it lives in a private file system in memory (memory_file_system.h) at a fixed
// path, so nothing touches the disk and nothing survives the engine.
//
// Durability: on disk the write-ahead log is always on; WriteOptions.sync = Options::sync. Closing
// flushes nothing (the WAL is replayed on the next open). In memory there is no WAL (nothing would
// replay it), no block cache (Options::block_cache_bytes is ignored: the table files are memory
// already) and no compression, so that the data is held once: Stats() reports no WAL bytes and no
// block cache (-1).
// Errors: rocksdb::Status maps to cairn::Status: NotFound -> NotFound, Corruption -> Corruption,
// InvalidArgument and NotSupported -> InvalidArgument, Busy, TryAgain and TimedOut -> Busy,
// everything else (IOError, Incomplete, ShutdownInProgress, Aborted, ...) -> IOError. The message
// is RocksDB's own text. Write() rejects a batch holding a DeleteRange whose begin > end with
// InvalidArgument before writing anything (RocksDB itself would apply the ops before it).
//
// CompactRange: requests go to a queue drained by one background thread the engine owns; it runs
// rocksdb::DB::CompactRange (non-exclusive, so automatic compactions continue). The destructor
// cancels a running manual compaction (DisableManualCompaction), drops queued requests and joins
// the thread before closing the database, so a request can never outlive the engine. This keeps
// DeleteTable's caller fast while still reclaiming the space of DeleteRange tombstones promptly.
//
// Thread safety: every Engine method may be called concurrently. Iterators and snapshots must be
// destroyed before the engine (REQUIRES), and each is used by one thread at a time.
#pragma once

#include <memory>

#include "storage/engine.h"
#include "util/status.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace cairn::storage {

// OpenRocksDBEngine (engine.h) on the given Env instead of RocksDB's default one, for tests that put
// a fault-injecting file system under the engine (tests/unit/storage/power_loss_test.cc: a
// rocksdb::FileSystemWrapper in rocksdb::NewCompositeEnv). `env` is borrowed and must outlive the
// engine; nullptr means the default. Ignored with Options::in_memory (its private file system wins).
// The server never calls this: main.cc uses OpenRocksDBEngine(options).
Result<std::unique_ptr<Engine>> OpenRocksDBEngine(const Options& options, rocksdb::Env* env);

// Defined in rocksdb_engine.cc; OpenRocksDBEngine (engine.h) is the public way to create one.
class RocksDBEngine;

}  // namespace cairn::storage
