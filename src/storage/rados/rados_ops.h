// Small helpers for building and sending RADOS ops, shared by the transaction coordinator
// (rados_txn.cc) and the per-shard batch writer (rados_batch.cc): ops on several objects in
// flight together (Parallel: aio_operate, results in order), omap_cmp(EQ) guards, one object's
// share of a write as omap_rm_keys + omap_set, every omap key of an object page by page, and
// librados errors as Status.
// Thread safety: a Parallel belongs to one thread; the functions are pure.
#pragma once

#include <rados/librados.hpp>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/rados/rados_txn_record.h"
#include "storage/rados/rados_wire.h"
#include "storage/rados/stream_shard.h"
#include "util/status.h"

namespace cairn::storage::rados {

// -ETIMEDOUT, -EAGAIN, -EBUSY: Busy (retryable); others IOError, naming what and which object.
inline Status OpFailed(int r, std::string_view what, std::string_view oid) {
  std::string msg =
      "rados: " + std::string(what) + " " + std::string(oid) + ": " + std::strerror(-r);
  if (r == -ETIMEDOUT || r == -EAGAIN || r == -EBUSY) return Status::Busy(msg);
  return Status::IOError(msg);
}

// Ops on several objects at once (aio_operate); Wait returns each op's result, in order.
class Parallel {
 public:
  explicit Parallel(librados::IoCtx* ctx) : io_(ctx) {}
  void Write(const std::string& oid, librados::ObjectWriteOperation* op) {
    done_.emplace_back(librados::Rados::aio_create_completion());
    started_.push_back(io_->aio_operate(oid, done_.back().get(), op));
  }
  void Read(const std::string& oid, librados::ObjectReadOperation* op) {
    done_.emplace_back(librados::Rados::aio_create_completion());
    started_.push_back(io_->aio_operate(oid, done_.back().get(), op, nullptr));
  }
  // Waits for all; *versions (if given) receives each object's version as the op saw it.
  std::vector<int> Wait(std::vector<uint64_t>* versions = nullptr) {
    std::vector<int> out;
    for (size_t i = 0; i < done_.size(); ++i) {
      if (started_[i] < 0) {
        out.push_back(started_[i]);
        if (versions) versions->push_back(0);
        continue;
      }
      done_[i]->wait_for_complete();
      out.push_back(done_[i]->get_return_value());
      if (versions) versions->push_back(done_[i]->get_version64());
    }
    return out;
  }

 private:
  struct Release {
    void operator()(librados::AioCompletion* c) const { c->release(); }
  };
  librados::IoCtx* io_;
  std::vector<std::unique_ptr<librados::AioCompletion, Release>> done_;
  std::vector<int> started_;
};

// omap_cmp(key == value) for each; value "" for an absent key.
inline void AddCmpEq(const std::map<std::string, std::string>& eq,
                     librados::ObjectWriteOperation* op) {
  if (eq.empty()) return;
  std::map<std::string, std::pair<librados::bufferlist, int>> cmp;
  for (const auto& [k, v] : eq)
    cmp.emplace(k, std::make_pair(Bl(v), int(LIBRADOS_CMPXATTR_OP_EQ)));
  op->omap_cmp(cmp, nullptr);
}

// Key changes of one object: its removals, then its sets, then its stream records (pending keys,
// numbered inside the op by stream_shard.h's exec).
inline void AddKeyChanges(const std::map<std::string, std::optional<std::string>>& keys,
                          librados::ObjectWriteOperation* op) {
  std::set<std::string> rm;
  std::map<std::string, librados::bufferlist> set;
  for (const auto& [k, v] : keys) {
    if (IsPendingRecord(k)) continue;
    if (v)
      set.emplace(k, Bl(*v));
    else
      rm.insert(k);
  }
  if (!rm.empty()) op->omap_rm_keys(rm);
  if (!set.empty()) op->omap_set(set);
  AddPendingRecords(keys, op);
}

// Calls fn(key) for every omap key of `object`, in key order, reading 1,000 keys a round trip.
// Returns 0 (a missing object has no keys) or the librados error of a read.
template <typename Fn>
int ForEachOmapKey(librados::IoCtx* io, const std::string& object, Fn&& fn) {
  std::string after;
  while (true) {
    std::set<std::string> keys;
    bool more = false;
    int rval = 0;
    librados::ObjectReadOperation op;
    op.omap_get_keys2(after, 1000, &keys, &more, &rval);
    const int r = io->operate(object, &op, nullptr);
    if (r == -ENOENT) return 0;
    if (r < 0) return r;
    for (const std::string& k : keys) fn(k);
    if (!more || keys.empty()) return 0;
    after = *keys.rbegin();
  }
}

// One object's share of a write.
inline void AddChange(const ObjectChange& ch, librados::ObjectWriteOperation* op) {
  AddKeyChanges(ch.keys, op);
}

}  // namespace cairn::storage::rados
