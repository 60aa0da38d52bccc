#include "ttl/expirer.h"

#include "util/clock.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "storage/key_encoding.h"
#include "types/binary_codec.h"
#include "types/number.h"

namespace cairn::ttl {
namespace {

constexpr double kFiveYearsSeconds = 5 * 365.25 * 24 * 3600;

// An iterator over `table`'s items.
std::unique_ptr<storage::Iterator> TableItems(storage::Engine* engine, uint32_t table_id,
                                              storage::ReadOptions* ro) {
  ro->lower_bound = storage::TablePrefix(table_id);
  ro->upper_bound = storage::TableEnd(table_id);
  auto it = engine->NewIterator(storage::Column::kData, *ro);
  it->Seek(ro->lower_bound);
  return it;
}

}  // namespace

bool Expired(const Item& item, const std::string& attribute, double now, double* expiry) {
  auto it = item.find(attribute);
  if (it == item.end() || it->second.type != AttributeType::kN) return false;
  char* end = nullptr;
  double when = std::strtod(it->second.s.c_str(), &end);
  if (when > now || when < now - kFiveYearsSeconds) return false;
  if (expiry != nullptr) *expiry = when;
  return true;
}

Backlog CountBacklog(storage::Engine* engine, const storage::TableInfo& table, double now) {
  Backlog b;
  if (!table.ttl_enabled) return b;
  storage::ReadOptions ro;
  for (auto it = TableItems(engine, table.id, &ro); it->Valid(); it->Next()) {
    auto item = DecodeItem(it->value());
    double expiry = 0;
    if (!item.ok() || !Expired(*item, table.ttl_attribute, now, &expiry)) continue;
    ++b.items;
    b.oldest_seconds = std::max(b.oldest_seconds, now - expiry);
  }
  return b;
}

void Expirer::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Expirer::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Expirer::Run() {
  auto interval = std::chrono::milliseconds(int64_t(interval_seconds_ * 1000));
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, interval, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    items_deleted_.fetch_add(SweepOnce(), std::memory_order_relaxed);
    sweeps_.fetch_add(1, std::memory_order_relaxed);
    if (streams_) streams_->Trim(catalog_);
    lock.lock();
  }
}

size_t Expirer::SweepOnce() {
  size_t deleted = 0;
  for (const auto& t : catalog_->AllTables()) {
    if (!t->ttl_enabled) continue;
    double now = EpochSeconds();
    storage::ReadOptions ro;
    for (auto it = TableItems(engine_, t->id, &ro); it->Valid(); it->Next()) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return deleted;
      }
      auto item = DecodeItem(it->value());
      if (!item.ok() || !Expired(*item, t->ttl_attribute, now)) continue;
      // Delete through the item writer, with the item and the table as they are now.
      bool ttl_off = false;
      std::optional<Item> old;
      Status s = writer_->Write(
          *t, it->key(), write::ReadOld::kAlways, &old,
          [&](const storage::TableInfo& current, const Item* now_item, write::Change* c) {
            ttl_off = !current.ttl_enabled;
            if (ttl_off || !now_item || !Expired(*now_item, current.ttl_attribute, now))
              return false;
            c->kind = write::Change::Kind::kDelete;
            c->by_service = true;
            return true;
          });
      if (s.ok()) {
        ++deleted;
      } else if (s.IsNotFound() || ttl_off) {
        break;  // the table was dropped, or its TTL disabled, meanwhile
      } else if (!s.IsAborted() && !s.IsBusy()) {  // Busy: a transaction has it; next sweep
        spdlog::error("ttl: {}", s.ToString());
        return deleted;
      }
    }
  }
  return deleted;
}

}  // namespace cairn::ttl
