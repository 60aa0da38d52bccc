// Backups (backup/backups.h) on the in-memory engine: the record format round-trips and refuses
// truncation; a backup holds the table as it was when it was taken, whatever is written after; a
// restore fills a CREATING table that then becomes ACTIVE; a point-in-time restore shows exactly
// the writes staged at or before its time; the change log is written only while PITR is on.
#include "backup/backups.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "backup/point_in_time.h"
#include "storage/backup_keys.h"
#include "storage/key_encoding.h"
#include "storage/rocksdb_engine.h"
#include "types/binary_codec.h"
#include "util/clock.h"

namespace cairn::backup {
namespace {

using storage::Column;
using storage::TableInfo;

TableInfo SampleTable() {
  TableInfo t;
  t.id = 3;
  t.ns = "ns";
  t.name = "src";
  t.region = "us-east-1";
  t.table_uuid = "00000000-0000-4000-8000-000000000000";
  t.hash = {"pk", AttributeType::kS};
  t.attribute_definitions = {t.hash};
  return t;
}

TEST(BackupRecordTest, RoundTrips) {
  BackupRecord r;
  r.arn = "arn:aws:dynamodb:us-east-1:000000000000:table/src/backup/01764000000000-0badf00d";
  r.name = "nightly";
  r.ns = "ns";
  r.status = BackupStatus::kAvailable;
  r.creation_time = 1764000000.125;
  r.size_bytes = 12345;
  r.item_count = 67;
  r.id = 42;
  r.table = SampleTable();
  auto back = DecodeBackupRecord(EncodeBackupRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->arn, r.arn);
  EXPECT_EQ(back->name, r.name);
  EXPECT_EQ(back->ns, r.ns);
  EXPECT_EQ(back->status, r.status);
  EXPECT_EQ(back->creation_time, r.creation_time);
  EXPECT_EQ(back->size_bytes, r.size_bytes);
  EXPECT_EQ(back->item_count, r.item_count);
  EXPECT_EQ(back->id, r.id);
  EXPECT_EQ(back->table.name, "src");
  EXPECT_EQ(back->table.table_uuid, r.table.table_uuid);
  EXPECT_EQ(back->type, BackupType::kUser);
  r.type = BackupType::kSystem;
  back = DecodeBackupRecord(EncodeBackupRecord(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->type, BackupType::kSystem);
  EXPECT_EQ(back->expiry_time(), r.creation_time + 35 * 86400);
}

// A record written before BackupType was stored (version 1: no type field) is a USER backup.
TEST(BackupRecordTest, VersionOneIsAUserBackup) {
  BackupRecord r;
  r.arn = "a";
  r.table = SampleTable();
  r.type = BackupType::kSystem;
  std::string bytes = EncodeBackupRecord(r);
  bytes.resize(bytes.size() - 5);  // the type field: u32 length 1, "1"
  bytes[0] = 1;
  auto back = DecodeBackupRecord(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->type, BackupType::kUser);
  EXPECT_EQ(back->expiry_time(), 0);
}

TEST(BackupRecordTest, TruncationAndBadBytesAreCorruption) {
  BackupRecord r;
  r.arn = "a";
  r.table = SampleTable();
  const std::string bytes = EncodeBackupRecord(r);
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_FALSE(DecodeBackupRecord(bytes.substr(0, cut)).ok()) << cut;
  EXPECT_FALSE(DecodeBackupRecord(bytes + "x").ok());
  std::string bad_version = bytes;
  bad_version[0] = 9;
  EXPECT_FALSE(DecodeBackupRecord(bad_version).ok());
}

class BackupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::Options o;
    o.in_memory = true;
    o.block_cache_bytes = 8 << 20;
    auto e = storage::OpenRocksDBEngine(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    catalog_ = std::make_unique<storage::Catalog>(engine_.get());
    ASSERT_TRUE(catalog_->Load().ok());
    writer_ = std::make_unique<write::ItemWriter>(engine_.get(), catalog_.get(), &locks_, nullptr,
                                                  write::ItemWriter::Options());
    backups_ = std::make_unique<Backups>(engine_.get(), catalog_.get(), writer_.get(),
                                         Backups::Options());
    ASSERT_TRUE(backups_->Start().ok());
    TableInfo t = SampleTable();
    t.id = 0;
    auto created = catalog_->Create(t);
    ASSERT_TRUE(created.ok());
    table_ = *created;
  }

  std::string Key(uint32_t table_id, const std::string& pk) {
    std::string k;
    storage::AppendItemKey(&k, table_id, AttributeValue::String(pk), nullptr);
    return k;
  }

  void Put(const std::string& pk, const std::string& v) {
    auto current = catalog_->Find("ns", "src");
    Item item;
    item.emplace("pk", AttributeValue::String(pk));
    item.emplace("v", AttributeValue::String(v));
    std::optional<Item> old;
    ASSERT_TRUE(writer_
                    ->Write(*current, Key(current->id, pk), write::ReadOld::kIfMaintained, &old,
                            [&](const TableInfo&, const Item*, write::Change* c) {
                              c->kind = write::Change::Kind::kPut;
                              c->new_item = &item;
                              return true;
                            })
                    .ok());
  }

  void Delete(const std::string& pk) {
    auto current = catalog_->Find("ns", "src");
    std::optional<Item> old;
    ASSERT_TRUE(writer_
                    ->Write(*current, Key(current->id, pk), write::ReadOld::kIfMaintained, &old,
                            [&](const TableInfo&, const Item*, write::Change* c) {
                              c->kind = write::Change::Kind::kDelete;
                              return true;
                            })
                    .ok());
  }

  // pk -> v of every item of table `name`.
  std::map<std::string, std::string> Contents(const std::string& name) {
    auto t = catalog_->Find("ns", name);
    std::map<std::string, std::string> out;
    storage::ReadOptions ro;
    ro.lower_bound = storage::TablePrefix(t->id);
    ro.upper_bound = storage::TableEnd(t->id);
    auto it = engine_->NewIterator(Column::kData, ro);
    for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
      auto item = DecodeItem(it->value());
      EXPECT_TRUE(item.ok());
      out[item->at("pk").s] = item->at("v").s;
    }
    return out;
  }

  size_t ChangeRecords() {
    storage::ReadOptions ro;
    ro.lower_bound = storage::TablePrefix(table_->id);
    ro.upper_bound = storage::TableEnd(table_->id);
    auto it = engine_->NewIterator(Column::kBackup, ro);
    size_t n = 0;
    for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) ++n;
    return n;
  }

  // Waits (bounded) until table `name` is no longer being restored.
  void WaitRestored(const std::string& name) {
    for (int i = 0; i < 2000; ++i) {
      auto t = catalog_->Find("ns", name);
      ASSERT_TRUE(t);
      if (!t->restoring()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL() << "restore of " << name << " did not finish";
  }

  TableInfo Target(const std::string& name) {
    TableInfo t = *table_;
    t.id = 0;
    t.name = name;
    t.pitr_enabled_time = 0;
    t.restore_in_progress = true;
    return t;
  }

  void SetPitr(bool on) {
    ASSERT_TRUE(catalog_
                    ->Modify("ns", "src", table_->id,
                             [on](TableInfo& t) {
                               t.pitr_enabled_time = on ? EpochSeconds() : 0;
                               return Status::OK();
                             })
                    .ok());
  }

  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<storage::Catalog> catalog_;
  txn::LockTable locks_;
  std::unique_ptr<write::ItemWriter> writer_;
  std::unique_ptr<Backups> backups_;
  std::shared_ptr<const TableInfo> table_;
};

TEST_F(BackupsTest, BackupIsTheTableWhenTakenAndRestores) {
  Put("a", "1");
  Put("b", "1");
  auto r = backups_->Create(table_, "bk1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Put("a", "2");
  Delete("b");
  Put("c", "2");
  for (int i = 0; i < 2000 && backups_->Find("ns", (*r)->arn)->status != BackupStatus::kAvailable;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto done = backups_->Find("ns", (*r)->arn);
  ASSERT_EQ(done->status, BackupStatus::kAvailable);
  EXPECT_EQ(done->item_count, 2);
  EXPECT_GT(done->size_bytes, 0);
  EXPECT_EQ(backups_->List("ns").size(), 1u);

  TableInfo target = Target("dst");
  target.restore_source_backup_arn = (*r)->arn;
  target.restore_date_time = (*r)->creation_time;
  auto restored = backups_->StartRestore(target);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_TRUE((*restored)->restoring());
  // Busy while read by the restore, or done by then; either way the backup stays consistent.
  WaitRestored("dst");
  EXPECT_EQ(Contents("dst"), (std::map<std::string, std::string>{{"a", "1"}, {"b", "1"}}));
  EXPECT_EQ(Contents("src"), (std::map<std::string, std::string>{{"a", "2"}, {"c", "2"}}));

  auto deleted = backups_->Delete("ns", (*r)->arn);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(backups_->Find("ns", (*r)->arn), nullptr);
  EXPECT_TRUE(backups_->Delete("ns", (*r)->arn).status().IsNotFound());
  target.name = "dst2";
  EXPECT_TRUE(backups_->StartRestore(target).status().IsNotFound());
}

TEST_F(BackupsTest, PointInTimeRestoreUndoesLaterWrites) {
  Put("before", "0");  // before PITR: no change record
  EXPECT_EQ(ChangeRecords(), 0u);
  SetPitr(true);
  Put("a", "1");
  Put("b", "1");
  EXPECT_EQ(ChangeRecords(), 2u);
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  const double t = EpochSeconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  Put("a", "2");
  Put("a", "3");
  Delete("b");
  Put("c", "2");
  Delete("before");
  TableInfo target = Target("then");
  target.restore_source_table_arn = table_->Arn();
  target.restore_source_id = table_->id;
  target.restore_date_time = t;
  ASSERT_TRUE(backups_->StartRestore(target).ok());
  WaitRestored("then");
  EXPECT_EQ(Contents("then"),
            (std::map<std::string, std::string>{{"before", "0"}, {"a", "1"}, {"b", "1"}}));
  // Off: the change log goes, and writes log nothing more.
  SetPitr(false);
  backups_->DropChangeLog(table_->id);
  EXPECT_EQ(ChangeRecords(), 0u);
  Put("d", "1");
  EXPECT_EQ(ChangeRecords(), 0u);
}

TEST_F(BackupsTest, ChangeLogIsTrimmedToTheRecoveryPeriod) {
  SetPitr(true);
  ASSERT_TRUE(catalog_
                  ->Modify("ns", "src", table_->id,
                           [](TableInfo& t) {
                             t.pitr_recovery_days = 2;
                             return Status::OK();
                           })
                  .ok());
  Put("a", "1");
  Put("b", "1");
  const double now = EpochSeconds();
  backups_->TrimChangeLogs(now + 2 * 86400 - 60);  // still within two days: kept
  EXPECT_EQ(ChangeRecords(), 2u);
  backups_->TrimChangeLogs(now + 2 * 86400 + 60);  // older than two days: gone
  EXPECT_EQ(ChangeRecords(), 0u);
}

// A SYSTEM backup holds the snapshot it was given (the table just before DeleteTable dropped it),
// and the trimming thread deletes it 35 days after its creation, not before.
TEST_F(BackupsTest, SystemBackupHoldsItsSnapshotAndExpires) {
  Put("a", "1");
  std::shared_ptr<storage::Snapshot> before = engine_->GetSnapshot();
  Put("b", "1");
  auto r = backups_->CreateSystemBackup(table_, before);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->type, BackupType::kSystem);
  EXPECT_EQ((*r)->name, "src$DeletedTableBackup");
  for (int i = 0; i < 2000 && backups_->Find("ns", (*r)->arn)->status != BackupStatus::kAvailable;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(backups_->Find("ns", (*r)->arn)->status, BackupStatus::kAvailable);
  EXPECT_EQ(backups_->Find("ns", (*r)->arn)->item_count, 1);
  const double created = (*r)->creation_time;
  backups_->TrimChangeLogs(created + 35 * 86400 - 60);
  EXPECT_NE(backups_->Find("ns", (*r)->arn), nullptr);
  backups_->TrimChangeLogs(created + 35 * 86400 + 1);
  EXPECT_EQ(backups_->Find("ns", (*r)->arn), nullptr);
}

// point_in_time.h: the table at a time, and the net changes of a period, from the change log.
TEST_F(BackupsTest, TableAtATimeAndNetChangesOfAPeriod) {
  SetPitr(true);
  Put("a", "1");
  Put("b", "1");
  auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(3)); };
  pause();
  const uint64_t from = MicrosOf(EpochSeconds());
  pause();
  Put("a", "2");
  Put("a", "3");
  Delete("b");
  Put("c", "1");
  Put("d", "1");  // created and deleted in the period: no net change
  Delete("d");
  pause();
  const uint64_t to = MicrosOf(EpochSeconds());
  pause();
  Put("a", "4");
  Put("e", "1");
  auto snapshot = engine_->GetSnapshot();
  auto value = [](const std::optional<std::string>& bytes) -> std::string {
    if (!bytes) return "-";
    auto item = DecodeItem(*bytes);
    return item.ok() ? item->at("v").s : "?";
  };
  std::map<std::string, std::string> at;
  ASSERT_TRUE(ForEachItemAt(*engine_, snapshot.get(), table_->id, from,
                            [&](std::string_view, std::string_view bytes) {
                              at[DecodeItem(bytes)->at("pk").s] = value(std::string(bytes));
                              return Status::OK();
                            })
                  .ok());
  EXPECT_EQ(at, (std::map<std::string, std::string>{{"a", "1"}, {"b", "1"}}));
  std::map<std::string, std::pair<std::string, std::string>> changes;
  ASSERT_TRUE(ForEachChangeBetween(*engine_, snapshot.get(), table_->id, from, to,
                                   [&](const NetChange& c) {
                                     EXPECT_GE(c.last_write_us, from);
                                     EXPECT_LT(c.last_write_us, to);
                                     const auto& any = *c.new_bytes ? *c.new_bytes : *c.old_bytes;
                                     changes[DecodeItem(*any)->at("pk").s] = {
                                         value(*c.old_bytes), value(*c.new_bytes)};
                                     return Status::OK();
                                   })
                  .ok());
  EXPECT_EQ(changes, (std::map<std::string, std::pair<std::string, std::string>>{
                         {"a", {"1", "3"}}, {"b", {"1", "-"}}, {"c", {"-", "1"}}}));
}

// Catalog::Modify stages a schema record while PITR is on and what a restore takes changes;
// TableInfoAt reads the schema of a time from them, and the item readers skip them.
TEST_F(BackupsTest, SchemaOfATimeFromSchemaRecords) {
  SetPitr(true);
  const size_t before = ChangeRecords();
  ASSERT_TRUE(catalog_->Modify("ns", "src", table_->id, [](TableInfo& t) {
    t.deletion_protection = true;  // not restored: no record
    return Status::OK();
  }).ok());
  EXPECT_EQ(ChangeRecords(), before);
  Put("a", "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  const uint64_t t = MicrosOf(EpochSeconds());
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  auto set_billing = [&](bool on_demand) {
    ASSERT_TRUE(catalog_->Modify("ns", "src", table_->id, [on_demand](TableInfo& x) {
      x.pay_per_request = on_demand;
      x.read_capacity = on_demand ? 0 : 7;
      return Status::OK();
    }).ok());
  };
  set_billing(false);
  set_billing(true);
  Put("a", "2");
  EXPECT_EQ(ChangeRecords(), before + 4);
  auto current = catalog_->Find("ns", "src");
  ASSERT_TRUE(current->pay_per_request);
  auto then = TableInfoAt(*engine_, nullptr, *current, t);
  ASSERT_TRUE(then.ok()) << then.status().ToString();
  EXPECT_EQ(then->pay_per_request, table_->pay_per_request);
  EXPECT_EQ(then->read_capacity, table_->read_capacity);
  auto later = TableInfoAt(*engine_, nullptr, *current, MicrosOf(EpochSeconds()) + 1000);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->pay_per_request);
  // The item readers see the items only.
  std::map<std::string, std::string> at;
  ASSERT_TRUE(ForEachItemAt(*engine_, nullptr, table_->id, t,
                            [&](std::string_view, std::string_view bytes) {
                              auto item = DecodeItem(bytes);
                              at[item->at("pk").s] = item->at("v").s;
                              return Status::OK();
                            })
                  .ok());
  EXPECT_EQ(at, (std::map<std::string, std::string>{{"a", "1"}}));
}

TEST_F(BackupsTest, RestoreFromAMissingSourceDropsItsTable) {
  TableInfo target = Target("orphan");
  target.restore_source_table_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/gone";
  target.restore_source_id = 999;
  target.restore_date_time = EpochSeconds();
  ASSERT_TRUE(backups_->StartRestore(target).ok());
  for (int i = 0; i < 2000 && catalog_->Find("ns", "orphan"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(catalog_->Find("ns", "orphan"), nullptr);
}

}  // namespace
}  // namespace cairn::backup
