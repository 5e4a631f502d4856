// SQLite store: migrations (fresh, idempotent, progress), ledger idempotency, totals, group
// commit, usage pagination, change sequence, keys, BYOK rows, audit, integrity check.

#include <gtest/gtest.h>

#include "storage/migrations.h"
#include "storage/sqlite_store.h"
#include "support/test_support.h"

namespace gi::storage {
namespace {

std::unique_ptr<sqlite_store> open_migrated(const std::string& path = ":memory:") {
  auto s = sqlite_store::open({path});
  EXPECT_TRUE(s) << s.error().message;
  auto v = (*s)->migrate({});
  EXPECT_TRUE(v) << v.error().message;
  return std::move(s).value();
}

account_row acct(const std::string& id, const std::string& email = "") {
  return account_row{id, "name-" + id, email, 1000, false};
}

ledger_entry entry(const std::string& account, std::string_view kind, const std::string& ref,
                   std::int64_t amount) {
  ledger_entry e;
  e.account_id = account;
  e.kind = std::string(kind);
  e.ref = ref;
  e.amount_nanos = amount;
  e.created_at_ms = 5;
  return e;
}

TEST(sqlite_store, migrations_apply_in_order_with_progress_and_are_idempotent) {
  test::temp_dir tmp;
  std::string dir = tmp.path().string();
  std::string path = dir + "/g.db";
  auto s = sqlite_store::open({path});
  ASSERT_TRUE(s);
  std::vector<int> seen;
  auto v = (*s)->migrate([&](int version, int total, std::string_view desc) {
    seen.push_back(version);
    EXPECT_EQ(total, migrations().back().version);
    EXPECT_FALSE(desc.empty());
  });
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, migrations().back().version);
  ASSERT_EQ(seen.size(), migrations().size());
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int>(i + 1));
  s->reset();
  // Re-open: nothing left to apply.
  auto again = sqlite_store::open({path});
  ASSERT_TRUE(again);
  seen.clear();
  ASSERT_TRUE((*again)->migrate([&](int version, int, std::string_view) { seen.push_back(version); }));
  EXPECT_TRUE(seen.empty());
  auto ic = (*again)->integrity_check(std::chrono::seconds(2));
  ASSERT_TRUE(ic);
  EXPECT_EQ(*ic, "ok");
}

TEST(sqlite_store, versions_are_contiguous_from_one) {
  int expect = 1;
  for (const auto& m : migrations()) EXPECT_EQ(m.version, expect++);
}

TEST(sqlite_store, create_account_with_trial_and_duplicate_email) {
  auto s = open_migrated();
  ledger_entry trial = entry("acct_a", ledger_trial, "trial", 3'000'000'000);
  ASSERT_TRUE(s->create_account(acct("acct_a", "a@example.com"), {&trial, 1}));
  auto t = s->totals("acct_a");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->balance_nanos, 3'000'000'000);
  EXPECT_EQ(t->trial_nanos, 3'000'000'000);
  auto dup = s->create_account(acct("acct_b", "a@example.com"), {});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, core::error_kind::invalid_request);
  // The failed create left nothing behind.
  auto b = s->find_account("acct_b");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->has_value());
  auto by_email = s->find_account_by_email("a@example.com");
  ASSERT_TRUE(by_email && by_email->has_value());
  EXPECT_EQ((*by_email)->id, "acct_a");
}

TEST(sqlite_store, ledger_is_idempotent_per_account_kind_ref) {
  auto s = open_migrated();
  ASSERT_TRUE(s->create_account(acct("acct_a"), {}));
  auto first = s->append_ledger(entry("acct_a", ledger_topup, "idem-1", 10'000'000'000));
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);
  auto replay = s->append_ledger(entry("acct_a", ledger_topup, "idem-1", 10'000'000'000));
  ASSERT_TRUE(replay);
  EXPECT_FALSE(*replay);
  // Same ref under another kind is a different entry.
  auto charge = s->append_ledger(entry("acct_a", ledger_charge, "idem-1", -5));
  ASSERT_TRUE(charge);
  EXPECT_TRUE(*charge);
  auto t = s->totals("acct_a");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->balance_nanos, 10'000'000'000 - 5);
  EXPECT_EQ(t->spent_nanos, 5);
}

TEST(sqlite_store, write_batch_is_one_transaction_and_skips_duplicates) {
  auto s = open_migrated();
  ASSERT_TRUE(s->create_account(acct("acct_a"), {}));
  std::vector<ledger_entry> l{entry("acct_a", ledger_charge, "gi-1", -100),
                              entry("acct_a", ledger_charge, "gi-2", -200),
                              entry("acct_a", ledger_charge, "gi-1", -100)};
  std::vector<request_record> r(2);
  r[0].request_id = "gi-1";
  r[0].account_id = "acct_a";
  r[0].created_at_ms = 10;
  r[1].request_id = "gi-2";
  r[1].account_id = "acct_a";
  r[1].created_at_ms = 20;
  ASSERT_TRUE(s->write_batch(l, r));
  ASSERT_TRUE(s->write_batch(l, r));  // replay of the whole batch: no effect
  auto t = s->totals("acct_a");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->balance_nanos, -300);
  auto u = s->usage({"acct_a"});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->size(), 2u);
}

TEST(sqlite_store, usage_pages_newest_first_with_cursor_and_time_range) {
  auto s = open_migrated();
  std::vector<request_record> r(25);
  for (int i = 0; i < 25; ++i) {
    r[i].request_id = "gi-" + std::to_string(i);
    r[i].account_id = i % 5 == 0 ? "acct_other" : "acct_a";
    r[i].created_at_ms = 1000 + i;
  }
  ASSERT_TRUE(s->write_batch({}, r));
  std::vector<std::string> got;
  usage_query q{"acct_a", 0, INT64_MAX, INT64_MAX, 7};
  for (;;) {
    auto page = s->usage(q);
    ASSERT_TRUE(page);
    for (const auto& rec : *page) got.push_back(rec.request_id);
    if (static_cast<int>(page->size()) < q.limit) break;
    q.before_seq = page->back().seq;
  }
  ASSERT_EQ(got.size(), 20u);
  EXPECT_EQ(got.front(), "gi-24");
  EXPECT_EQ(got.back(), "gi-1");
  auto ranged = s->usage({"acct_a", 1010, 1015, INT64_MAX, 100});
  ASSERT_TRUE(ranged);
  ASSERT_EQ(ranged->size(), 4u);  // 1011..1014 (1010 belongs to acct_other)
  EXPECT_EQ(ranged->front().request_id, "gi-14");
  auto purged = s->purge_request_log(1010);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 10);
}

TEST(sqlite_store, keys_insert_list_revoke) {
  auto s = open_migrated();
  ASSERT_TRUE(s->create_account(acct("acct_a"), {}));
  key_row k;
  k.id = "key_1";
  k.account_id = "acct_a";
  k.sha256 = std::string(32, '\x01');
  k.sha256[5] = '\0';  // raw bytes, embedded NUL survives
  k.prefix = "sk-gammainfra-Ab";
  k.allowed_models = {"openai/gpt-4o-mini", "auto"};
  k.spend_limit_nanos = 5;
  k.rpm = 60;
  ASSERT_TRUE(s->insert_key(k));
  key_row orphan = k;
  orphan.id = "key_2";
  orphan.account_id = "acct_missing";
  orphan.sha256 = std::string(32, '\x02');
  EXPECT_FALSE(s->insert_key(orphan));
  auto keys = s->list_keys("acct_a");
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].sha256, k.sha256);
  EXPECT_EQ((*keys)[0].allowed_models, k.allowed_models);
  EXPECT_EQ((*keys)[0].spend_limit_nanos, 5);
  EXPECT_FALSE((*keys)[0].tpm);
  auto r1 = s->revoke_key("key_1", 99);
  ASSERT_TRUE(r1);
  EXPECT_TRUE(*r1);
  auto r2 = s->revoke_key("key_1", 100);
  ASSERT_TRUE(r2);
  EXPECT_FALSE(*r2);
  auto f = s->find_key("key_1");
  ASSERT_TRUE(f && f->has_value());
  EXPECT_EQ((*f)->revoked_at_ms, 99);
}

TEST(sqlite_store, change_sequence_is_seen_by_a_second_connection) {
  test::temp_dir tmp;
  std::string dir = tmp.path().string();
  auto a = open_migrated(dir + "/g.db");
  auto b = open_migrated(dir + "/g.db");
  auto last = b->last_change();
  ASSERT_TRUE(last);
  ASSERT_TRUE(a->record_change("key", "key_1"));
  ASSERT_TRUE(a->record_change("account", "acct_a"));
  auto ch = b->changes_since(*last);
  ASSERT_TRUE(ch);
  ASSERT_EQ(ch->size(), 2u);
  EXPECT_EQ((*ch)[0].entity, "key");
  EXPECT_EQ((*ch)[1].entity_id, "acct_a");
  EXPECT_GT((*ch)[1].seq, (*ch)[0].seq);
}

TEST(sqlite_store, byok_and_audit_rows) {
  auto s = open_migrated();
  ASSERT_TRUE(s->create_account(acct("acct_a"), {}));
  ASSERT_TRUE(s->put_byok({"acct_a", "openai", std::string(12, 'n'), "ct", 1, 7}));
  ASSERT_TRUE(s->put_byok({"acct_a", "openai", std::string(12, 'm'), "ct2", 2, 8}));  // replace
  auto rows = s->list_byok("acct_a");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].ciphertext, "ct2");
  EXPECT_EQ((*rows)[0].key_version, 2);
  auto del = s->delete_byok("acct_a", "openai");
  ASSERT_TRUE(del);
  EXPECT_TRUE(*del);
  ASSERT_TRUE(s->audit({1, "cli", "keys.revoke", "key_1"}));
  ASSERT_TRUE(s->audit({2, "admin-api", "topup", "acct_a 10"}));
  auto au = s->list_audit(10);
  ASSERT_TRUE(au);
  ASSERT_EQ(au->size(), 2u);
  EXPECT_EQ((*au)[0].action, "topup");
}

TEST(sqlite_store, open_fails_on_unwritable_path) {
  auto s = sqlite_store::open({"/nonexistent-dir/x/y.db"});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, core::error_kind::unavailable);
}

}  // namespace
}  // namespace gi::storage

namespace gi::storage {
namespace {

TEST(sqlite_store, integrity_check_has_a_deadline_and_does_not_block_the_writer) {
  test::temp_dir tmp;
  auto s = open_migrated((tmp.path() / "ic.db").string());
  std::vector<request_record> rows(20'000);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].request_id = "req-" + std::to_string(i);
    rows[i].account_id = "acct";
    rows[i].chain = std::string(200, 'x');
  }
  ASSERT_TRUE(s->write_batch({}, rows));
  auto ok = s->integrity_check(std::chrono::seconds(10));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, "ok");
  // A deadline already spent: the check gives up (timeout), it never hangs /readyz.
  auto late = s->integrity_check(std::chrono::milliseconds(0));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, core::error_kind::timeout);
  // The store still works afterwards (the check used its own connection).
  ASSERT_TRUE(s->create_account(acct("after-check"), {}));
  auto w = s->append_ledger(entry("after-check", ledger_trial, "trial", 5));
  ASSERT_TRUE(w);
  EXPECT_TRUE(*w);
  auto mem = open_migrated();
  auto m = mem->integrity_check(std::chrono::seconds(2));
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, "ok");
}

TEST(sqlite_store, key_spend_totals_sum_charges_per_key) {
  auto s = open_migrated();
  ASSERT_TRUE(s->create_account(acct("a1"), {}));
  auto c1 = entry("a1", ledger_charge, "r1", -100);
  c1.key_id = "k1";
  auto c2 = entry("a1", ledger_charge, "r2", -50);
  c2.key_id = "k1";
  auto c3 = entry("a1", ledger_charge, "r3", -7);
  c3.key_id = "k2";
  auto top = entry("a1", ledger_topup, "t1", 1000);
  top.key_id = "k1";  // not a charge: not spend
  ASSERT_TRUE(s->write_batch(std::vector{c1, c2, c3, top}, {}));
  auto t = s->key_spend_totals();
  ASSERT_TRUE(t);
  std::map<std::string, std::int64_t> m(t->begin(), t->end());
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m["k1"], 150);
  EXPECT_EQ(m["k2"], 7);
}

}  // namespace
}  // namespace gi::storage
