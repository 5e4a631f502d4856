// classify::service: cache, queue overflow → fallback, deadline → fallback, lexical-only,
// asio completion tokens, task_input.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>
#include <latch>

#include "classify/service.h"
#include "classify/shipped_model.h"

namespace gi::classify {
namespace {

std::shared_ptr<const lexical_model> lexical() { return shipped_lexical_model().value(); }

// A primary that blocks until released and counts calls; answers "creative".
class gated_classifier final : public classifier {
 public:
  classification classify(std::string_view) const override {
    calls_.fetch_add(1);
    entered_.count_down();
    gate_.wait();
    classification c;
    c.scores[2] = 1.0f;
    c.source = "minilm";
    finish(c);
    return c;
  }
  std::string_view name() const noexcept override { return "minilm"; }
  void release() { gate_.count_down(); }
  void wait_entered() { entered_.wait(); }
  int calls() const { return calls_.load(); }

 private:
  mutable std::latch gate_{1};
  mutable std::latch entered_{1};
  mutable std::atomic<int> calls_{0};
};

classification wait_for(service& s, std::string text) {
  std::promise<classification> p;
  auto f = p.get_future();
  s.classify(std::move(text), [&p](classification c) { p.set_value(std::move(c)); });
  return f.get();
}

TEST(classify_service, lexical_only_answers_inline_and_caches) {
  service s(lexical(), nullptr);
  EXPECT_EQ(s.active(), "lexical");
  auto a = wait_for(s, "Translate 'good night' into German.");
  EXPECT_EQ(a.source, "lexical");
  EXPECT_EQ(a.task, "translation");
  auto b = wait_for(s, "Translate 'good night' into German.");
  EXPECT_EQ(b.scores, a.scores);
  auto st = s.stats();
  EXPECT_EQ(st.requests, 2u);
  EXPECT_EQ(st.cache_hits, 1u);
  EXPECT_EQ(st.labels[static_cast<std::size_t>(task_index("translation"))], 2u);
}

TEST(classify_service, primary_runs_on_worker_and_result_is_cached) {
  auto primary = std::make_shared<gated_classifier>();
  primary->release();
  service_options o;
  o.deadline = std::chrono::hours(1);
  service s(lexical(), primary, o);
  EXPECT_EQ(s.active(), "minilm");
  std::promise<std::thread::id> where;
  std::promise<classification> got;
  s.classify("hello there", [&](classification c) {
    where.set_value(std::this_thread::get_id());
    got.set_value(std::move(c));
  });
  EXPECT_NE(where.get_future().get(), std::this_thread::get_id());
  EXPECT_EQ(got.get_future().get().source, "minilm");
  auto again = wait_for(s, "hello there");
  EXPECT_EQ(again.source, "minilm");
  EXPECT_EQ(primary->calls(), 1);  // the second answer came from the cache
  EXPECT_EQ(s.stats().cache_hits, 1u);
}

TEST(classify_service, full_queue_answers_from_lexical_as_fallback) {
  auto primary = std::make_shared<gated_classifier>();
  service_options o;
  o.threads = 1;
  o.queue_capacity = 1;
  o.deadline = std::chrono::hours(1);
  service s(lexical(), primary, o);
  std::promise<classification> first, second;
  s.classify("request one", [&](classification c) { first.set_value(std::move(c)); });
  primary->wait_entered();  // the worker holds request one
  s.classify("request two", [&](classification c) { second.set_value(std::move(c)); });  // fills the queue
  auto third = wait_for(s, "Write a haiku about autumn leaves.");  // overflow
  EXPECT_EQ(third.source, "fallback");
  EXPECT_EQ(s.stats().fallback_overload, 1u);
  EXPECT_EQ(s.stats().queue_depth, 1u);
  primary->release();
  EXPECT_EQ(first.get_future().get().source, "minilm");
  EXPECT_EQ(second.get_future().get().source, "minilm");
}

TEST(classify_service, deadline_answers_from_lexical_and_late_result_fills_cache) {
  auto primary = std::make_shared<gated_classifier>();
  service_options o;
  o.deadline = std::chrono::milliseconds(5);
  service s(lexical(), primary, o);
  auto c = wait_for(s, "Summarize this article: the council met on Monday.");
  EXPECT_EQ(c.source, "fallback");
  EXPECT_EQ(s.stats().fallback_deadline, 1u);
  primary->release();
  // The late primary result is cached; poll (bounded) until it lands.
  classification later;
  for (int i = 0; i < 2000; ++i) {
    later = wait_for(s, "Summarize this article: the council met on Monday.");
    if (later.source == "minilm") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(later.source, "minilm");
}

// Requests queued while the worker is busy are taken as one batch.
class batch_counting final : public classifier {
 public:
  classification classify(std::string_view) const override { return one(); }
  std::vector<classification> classify_batch(const std::vector<std::string_view>& texts) const override {
    entered_.count_down();
    gate_.wait();
    std::lock_guard lk(mu_);
    sizes_.push_back(texts.size());
    return std::vector<classification>(texts.size(), one());
  }
  std::string_view name() const noexcept override { return "minilm"; }
  static classification one() {
    classification c;
    c.scores[4] = 1.0f;
    c.source = "minilm";
    finish(c);
    return c;
  }
  mutable std::latch gate_{1}, entered_{1};
  mutable std::mutex mu_;
  mutable std::vector<std::size_t> sizes_;
};

TEST(classify_service, queued_requests_are_micro_batched) {
  auto primary = std::make_shared<batch_counting>();
  service_options o;
  o.deadline = std::chrono::hours(1);
  o.max_batch = 3;
  service s(lexical(), primary, o);
  std::vector<std::promise<classification>> ps(5);
  s.classify("t0", [&](classification c) { ps[0].set_value(std::move(c)); });
  primary->entered_.wait();
  for (int i = 1; i < 5; ++i)
    s.classify("t" + std::to_string(i), [&, i](classification c) { ps[static_cast<std::size_t>(i)].set_value(std::move(c)); });
  primary->gate_.count_down();
  for (auto& p : ps) EXPECT_EQ(p.get_future().get().task, "chat");
  std::lock_guard lk(primary->mu_);
  EXPECT_EQ(primary->sizes_, (std::vector<std::size_t>{1, 3, 1}));
}

TEST(classify_service, stop_answers_queued_requests) {
  auto primary = std::make_shared<gated_classifier>();
  service_options o;
  o.deadline = std::chrono::hours(1);
  auto s = std::make_unique<service>(lexical(), primary, o);
  std::promise<classification> first, queued;
  s->classify("one", [&](classification c) { first.set_value(std::move(c)); });
  primary->wait_entered();
  s->classify("two", [&](classification c) { queued.set_value(std::move(c)); });
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    primary->release();
  });
  s.reset();
  releaser.join();
  EXPECT_EQ(queued.get_future().get().source, "fallback");
  EXPECT_EQ(first.get_future().get().source, "minilm");
}

TEST(classify_service, async_classify_in_a_coroutine) {
  boost::asio::io_context io;
  service s(lexical(), nullptr);
  std::string task;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        auto c = co_await s.async_classify("def add(a, b): return a + b  # fix the bug", boost::asio::use_awaitable);
        task = c.task;
      },
      boost::asio::detached);
  io.run();
  EXPECT_EQ(task, "code");
}

TEST(task_input, last_user_turn_with_bounded_slices) {
  std::vector<core::message> m(3);
  m[0].role = core::role::system;
  m[0].content = std::string("You are terse.");
  m[1].role = core::role::user;
  m[1].content = std::string("first question");
  m[2].role = core::role::user;
  m[2].content = std::string(10000, 'x') + "TAIL";
  input_options o;
  o.max_user_bytes = 100;
  const auto in = task_input(m, o);
  EXPECT_LE(in.size(), 101u);
  EXPECT_EQ(in.substr(in.size() - 4), "TAIL");
  o.system_bytes = 5;
  o.previous_turn_bytes = 50;
  const auto with = task_input(m, o);
  EXPECT_NE(with.find("first question"), std::string::npos);
  EXPECT_NE(with.find("You"), std::string::npos);
  EXPECT_EQ(with.find("terse"), std::string::npos);
  EXPECT_EQ(task_input({}, o), "");
  EXPECT_NE(text_key("a"), text_key("b"));
}

}  // namespace
}  // namespace gi::classify
