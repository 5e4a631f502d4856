#include "providers/tool_state_store.h"

#include <thread>

#include <gtest/gtest.h>

namespace gi::providers {
namespace {

using namespace std::chrono_literals;
const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'764'000'000));

tool_state reasoning(std::string data) {
  return tool_state{core::provider_kind::deepseek, "deepseek-reasoner",
                    tool_state_type::reasoning_content, std::move(data)};
}

TEST(tool_state_store, put_get_and_ttl) {
  tool_state_store s(tool_state_store::limits{.ttl = 60s, .max_entries = 10, .max_bytes = 1000});
  ASSERT_TRUE(s.put("call_1", reasoning("think"), t0));
  auto got = s.get("call_1", t0 + 59s);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, "think");
  EXPECT_EQ(got->provider, core::provider_kind::deepseek);
  EXPECT_FALSE(s.get("call_1", t0 + 60s)) << "expired exactly at ttl";
  EXPECT_FALSE(s.get("missing", t0));
  s.expire(t0 + 61s);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.bytes(), 0u);
}

TEST(tool_state_store, entry_cap_evicts_oldest) {
  tool_state_store s(tool_state_store::limits{.ttl = 1h, .max_entries = 2, .max_bytes = 1000});
  ASSERT_TRUE(s.put("a", reasoning("1"), t0));
  ASSERT_TRUE(s.put("b", reasoning("2"), t0 + 1s));
  ASSERT_TRUE(s.put("c", reasoning("3"), t0 + 2s));
  EXPECT_EQ(s.size(), 2u);
  EXPECT_FALSE(s.get("a", t0 + 3s));
  EXPECT_TRUE(s.get("b", t0 + 3s));
  EXPECT_TRUE(s.get("c", t0 + 3s));
}

TEST(tool_state_store, byte_cap_and_oversized_entry) {
  // cost = id + model ("deepseek-reasoner" = 17) + data.
  tool_state_store s(tool_state_store::limits{.ttl = 1h, .max_entries = 100, .max_bytes = 60});
  ASSERT_TRUE(s.put("a", reasoning(std::string(20, 'x')), t0));  // 38
  ASSERT_TRUE(s.put("b", reasoning(std::string(10, 'y')), t0));  // 28 -> evicts a
  EXPECT_FALSE(s.get("a", t0));
  EXPECT_TRUE(s.get("b", t0));
  EXPECT_LE(s.bytes(), 60u);
  EXPECT_FALSE(s.put("big", reasoning(std::string(100, 'z')), t0));
  EXPECT_TRUE(s.get("b", t0)) << "a rejected oversized put evicts nothing";
}

TEST(tool_state_store, reput_replaces_and_refreshes) {
  tool_state_store s(tool_state_store::limits{.ttl = 10s, .max_entries = 10, .max_bytes = 1000});
  ASSERT_TRUE(s.put("a", reasoning("old"), t0));
  ASSERT_TRUE(s.put("a", reasoning("new"), t0 + 8s));
  EXPECT_EQ(s.size(), 1u);
  auto got = s.get("a", t0 + 15s);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, "new");
}

TEST(tool_state_store, concurrent_use) {
  tool_state_store s(tool_state_store::limits{.ttl = 1h, .max_entries = 500, .max_bytes = 1 << 20});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&s, t] {
      for (int i = 0; i < 1000; ++i) {
        const std::string id = "call_" + std::to_string(t) + "_" + std::to_string(i);
        (void)s.put(id, reasoning(id), t0);
        auto got = s.get(id, t0);
        if (got) {
          EXPECT_EQ(got->data, id);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(s.size(), 500u);
}

}  // namespace
}  // namespace gi::providers
