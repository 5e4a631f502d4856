// Fees (both sides of 2026-06-23 UTC, rounding, bounds), reservation estimates, the credit
// ledger (reserve/settle/release, concurrent spend), admin operations (trial, top-up
// idempotency) and the account service (group commit, change polling, shutdown flush).

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "billing/account_service.h"
#include "billing/estimate.h"
#include "billing/fees.h"
#include "storage/sqlite_store.h"
#include "support/test_support.h"

namespace gi::billing {
namespace {

using namespace std::chrono_literals;
using core::money;

account_options opts(std::chrono::milliseconds flush, std::chrono::milliseconds poll) {
  account_options o;
  o.flush_interval = flush;
  o.max_batch = 512;
  o.max_queued_records = 1000;
  o.poll_interval = poll;
  return o;
}

money usd(std::string_view s) { return *money::parse(s); }

create_account_request acct_req(std::string name, std::string email) {
  create_account_request r;
  r.name = std::move(name);
  r.email = std::move(email);
  return r;
}

create_key_request key_req(std::string account) {
  create_key_request r;
  r.account_id = std::move(account);
  return r;
}

TEST(fees, schedule_switches_at_2026_06_23_utc) {
  auto cut = std::chrono::system_clock::time_point(std::chrono::seconds(1'782'172'800));
  EXPECT_EQ(topup_fee_percent(cut - 1s), 3);
  EXPECT_EQ(topup_fee_percent(cut), 5);
  auto before = quote_topup(usd("10"), cut - 1ms);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->fee, usd("0.3"));
  EXPECT_EQ(before->charged, usd("10.3"));
  auto after = quote_topup(usd("10"), cut);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->fee, usd("0.5"));
  EXPECT_EQ(after->charged, usd("10.5"));
  EXPECT_EQ(after->credit, usd("10"));
}

TEST(fees, fee_rounds_up_to_the_nano) {
  auto cut = fee_change_at;
  auto q = quote_topup(money::from_nanos(10'000'000'001), cut - 1s);  // $10.000000001 × 3%
  ASSERT_TRUE(q);
  EXPECT_EQ(q->fee, money::from_nanos(300'000'001));  // 300000000.03 → up
  auto exact = quote_topup(usd("12.34"), cut);
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->fee, usd("0.617"));
}

TEST(fees, bounds) {
  auto now = fee_change_at;
  auto small = quote_topup(usd("9.999999999"), now);
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().param, "amount");
  EXPECT_FALSE(quote_topup(usd("-10"), now));
  EXPECT_FALSE(quote_topup(usd("1000000.000000001"), now));
  auto max = quote_topup(usd("1000000"), now);
  ASSERT_TRUE(max);
  EXPECT_EQ(max->charged, usd("1050000"));
}

TEST(estimate, dearest_candidate_and_default_output) {
  config::prices cheap{*core::price_per_mtok::parse("0.15"), {}, {}, {}, *core::price_per_mtok::parse("0.6")};
  config::prices dear{*core::price_per_mtok::parse("3"), {}, {}, {}, *core::price_per_mtok::parse("15")};
  const config::prices* both[] = {&cheap, &dear};
  // 1000 × $3/M + 1024 × $15/M = 0.003 + 0.01536
  EXPECT_EQ(reservation_estimate(1000, default_typical_output_tokens, both), usd("0.01836"));
  const config::prices* one[] = {&cheap};
  EXPECT_EQ(reservation_estimate(1, 1, one), money::from_nanos(150 + 600));
  EXPECT_EQ(reservation_estimate(-5, 0, one), money());
  EXPECT_EQ(reservation_estimate(10, 10, {}), money());
}

TEST(credit_ledger, precheck_reserve_settle_release) {
  credit_ledger l;
  EXPECT_FALSE(l.precheck("acct"));
  l.set_committed("acct", {usd("1"), {}, usd("1")});
  ASSERT_TRUE(l.precheck("acct"));
  auto r = l.reserve("acct", usd("0.6"));
  ASSERT_TRUE(r);
  auto r2 = l.reserve("acct", usd("0.5"));  // only 0.4 available
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().kind, core::error_kind::insufficient_credit);
  EXPECT_EQ(r2.error().code, "insufficient_credit");
  EXPECT_EQ(l.view("acct")->reserved, usd("0.6"));
  auto after = r->settle(usd("0.1"));
  EXPECT_EQ(after, usd("0.9"));
  auto v = l.view("acct");
  EXPECT_EQ(v->reserved, money());
  EXPECT_EQ(v->spent, usd("0.1"));
  EXPECT_EQ(v->trial_remaining, usd("0.9"));
  {
    auto r3 = l.reserve("acct", usd("0.9"));
    ASSERT_TRUE(r3);
    EXPECT_EQ(l.view("acct")->available, money());
  }  // released by RAII
  EXPECT_EQ(l.view("acct")->available, usd("0.9"));
  // Over-run: actual > reservation may take the balance below zero by the excess only.
  auto r4 = l.reserve("acct", usd("0.9"));
  ASSERT_TRUE(r4);
  EXPECT_EQ(r4->settle(usd("1.0")), usd("-0.1"));
  EXPECT_FALSE(l.precheck("acct"));
}

TEST(credit_ledger, concurrent_reservations_never_spend_credit_twice) {
  credit_ledger l;
  l.set_committed("acct", {usd("1"), {}, {}});
  std::atomic<int> granted{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto r = l.reserve("acct", usd("0.01"));
        if (!r) continue;
        granted++;
        r->settle(usd("0.01"));
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(granted.load(), 100);
  EXPECT_EQ(l.view("acct")->balance, money());
}

struct service_fixture : ::testing::Test {
  test::temp_dir tmp;
  core::manual_clock clock;
  std::string path = (tmp.path() / "g.db").string();
  std::shared_ptr<storage::store> open() {
    auto s = storage::sqlite_store::open({path});
    EXPECT_TRUE(s);
    EXPECT_TRUE((*s)->migrate({}));
    return std::shared_ptr<storage::store>(std::move(*s));
  }
};

TEST_F(service_fixture, account_gets_trial_and_topup_is_idempotent) {
  account_service svc(open(), clock, opts(10ms, 20ms));
  ASSERT_TRUE(svc.start());
  auto a = svc.create_account(acct_req("Ada", "ada@example.com"), "test");
  ASSERT_TRUE(a);
  auto v = svc.view(a->id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->balance.balance, usd("3"));
  EXPECT_EQ(v->balance.trial_remaining, usd("3"));
  clock.set_system(fee_change_at - 1h);
  auto t1 = svc.topup(a->id, usd("10"), "idem-1", "test");
  ASSERT_TRUE(t1);
  EXPECT_FALSE(t1->replayed);
  EXPECT_EQ(t1->quote.fee, usd("0.3"));
  auto t2 = svc.topup(a->id, usd("10"), "idem-1", "test");
  ASSERT_TRUE(t2);
  EXPECT_TRUE(t2->replayed);
  EXPECT_EQ(t2->quote.fee, usd("0.3"));
  EXPECT_FALSE(svc.topup(a->id, usd("20"), "idem-1", "test"));  // same key, other amount
  EXPECT_EQ(svc.ledger().view(a->id)->balance, usd("13"));
  auto rows = svc.store().list_ledger(a->id);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].fee_nanos, usd("0.3").nanos());
  EXPECT_FALSE(svc.topup("acct_nope", usd("10"), "", "test"));
  auto audit = svc.store().list_audit(10);
  ASSERT_TRUE(audit);
  EXPECT_EQ(audit->size(), 2u);  // accounts.create + one topup (the replay is not audited)
}

TEST_F(service_fixture, charges_are_group_committed_and_flushed_on_stop) {
  std::string account;
  {
    account_service svc(open(), clock, opts(1h, 1h));  // never flushes on its own
    ASSERT_TRUE(svc.start());
    account = svc.create_account(acct_req("B", ""), "test")->id;
    for (int i = 0; i < 50; ++i) {
      auto r = svc.ledger().reserve(account, usd("0.01"));
      ASSERT_TRUE(r);
      r->settle(usd("0.002"));
      storage::ledger_entry e;
      e.account_id = account;
      e.kind = std::string(storage::ledger_charge);
      e.ref = "gi-" + std::to_string(i);
      e.amount_nanos = -usd("0.002").nanos();
      svc.enqueue_charge(e);
      storage::request_record rec;
      rec.request_id = e.ref;
      rec.account_id = account;
      svc.enqueue_record(rec);
    }
    EXPECT_EQ(svc.ledger().view(account)->balance, usd("2.9"));
    svc.stop();
  }
  auto st = open();
  auto t = st->totals(account);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->balance_nanos, usd("2.9").nanos());
  EXPECT_EQ(t->spent_nanos, usd("0.1").nanos());
  auto u = st->usage({account, 0, INT64_MAX, INT64_MAX, 1000});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->size(), 50u);
  // Restart: balances come back from the ledger.
  account_service again(st, clock);
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.ledger().view(account)->balance, usd("2.9"));
}

TEST_F(service_fixture, changes_made_by_another_process_are_seen_within_the_poll_interval) {
  account_service svc(open(), clock, opts(10ms, 20ms));
  ASSERT_TRUE(svc.start());
  auto a = svc.create_account(acct_req("C", ""), "test");
  auto k = svc.create_key(key_req(a->id), "test");
  ASSERT_TRUE(k);
  EXPECT_FALSE(svc.keys()->by_id(k->row.id)->revoked_at_ms);
  // "The CLI": another connection to the same file.
  auto cli = open();
  ASSERT_TRUE(revoke_key(*cli, clock, k->row.id, "cli"));
  ASSERT_TRUE(topup(*cli, clock, a->id, usd("10"), "", "cli"));
  auto deadline = std::chrono::steady_clock::now() + 1s;
  while (std::chrono::steady_clock::now() < deadline &&
         (!svc.keys()->by_id(k->row.id)->revoked_at_ms || svc.ledger().view(a->id)->balance != usd("13")))
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(svc.keys()->by_id(k->row.id)->revoked_at_ms);
  EXPECT_EQ(svc.ledger().view(a->id)->balance, usd("13"));
}

TEST_F(service_fixture, pending_charges_survive_a_reload) {
  account_service svc(open(), clock, opts(1h, 1h));
  ASSERT_TRUE(svc.start());
  auto a = svc.create_account(acct_req("D", ""), "test");
  svc.ledger().charge(a->id, usd("1"));
  storage::ledger_entry e;
  e.account_id = a->id;
  e.kind = std::string(storage::ledger_charge);
  e.ref = "gi-x";
  e.amount_nanos = -usd("1").nanos();
  svc.enqueue_charge(e);
  svc.reload_account(a->id);  // the queued charge is not in the store yet: still counted
  EXPECT_EQ(svc.ledger().view(a->id)->balance, usd("2"));
  svc.flush();
  svc.reload_account(a->id);
  EXPECT_EQ(svc.ledger().view(a->id)->balance, usd("2"));
}

TEST_F(service_fixture, key_validation) {
  account_service svc(open(), clock);
  ASSERT_TRUE(svc.start());
  EXPECT_FALSE(svc.create_key(key_req("acct_missing"), "t"));
  EXPECT_FALSE(svc.create_account(acct_req("x", "not-an-email"), "t"));
  auto a = svc.create_account(acct_req("x", "x@example.com"), "t");
  ASSERT_TRUE(a);
  auto dup = svc.create_account(acct_req("y", "x@example.com"), "t");
  ASSERT_FALSE(dup);
  create_key_request past = key_req(a->id);
  past.expires_at_ms = 1;
  EXPECT_FALSE(svc.create_key(past, "t"));
  EXPECT_FALSE(svc.revoke_key("key_missing", "t"));
}

// A request thread's flush() (GET /v1/usage flushes so that the caller's latest requests
// are in the page) racing the service thread's own group commit. flush_locked() used to
// re-take the queue lock while still holding the write lock, the reverse of the order in
// which a flusher takes them: a flusher waiting for the write lock (holding the queue lock)
// and a writer finishing its batch then waited on each other forever (seen once as a hung
// accounts_e2e test in CI). Deadlock shows as a timeout here, not as a hung test binary.
TEST_F(service_fixture, flush_from_request_threads_races_the_group_commit_without_deadlock) {
  auto o = opts(1ms, 1h);
  o.max_batch = 4;
  o.max_queued_records = 100000;
  auto svc = std::make_shared<account_service>(open(), clock, o);
  ASSERT_TRUE(svc->start());
  auto account = svc->create_account(acct_req("E", ""), "test")->id;
  auto work = std::async(std::launch::async, [svc, account] {
    std::vector<std::thread> ts;
    for (int t = 0; t < 3; ++t)
      ts.emplace_back([svc, account, t] {
        for (int i = 0; i < 300; ++i) {
          storage::request_record rec;
          rec.request_id = "gi-" + std::to_string(t) + "-" + std::to_string(i);
          rec.account_id = account;
          svc->enqueue_record(rec);
          if (i % 3 == 0) svc->flush();
        }
      });
    for (auto& t : ts) t.join();
  });
  if (work.wait_for(60s) != std::future_status::ready) {
    ADD_FAILURE() << "flush() and the service thread deadlocked";
    std::fflush(nullptr);
    std::_Exit(1);  // the deadlocked threads cannot be joined
  }
  svc->flush();
  auto u = svc->store().usage({account, 0, INT64_MAX, INT64_MAX, 1000});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->size(), 900u);
  svc->stop();
}

}  // namespace
}  // namespace gi::billing
