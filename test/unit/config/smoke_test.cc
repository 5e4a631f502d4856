#include "config/config.h"

#include <gtest/gtest.h>

namespace gi::config {
namespace {

TEST(config_defaults, load_and_find) {
  auto s = defaults();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->server.port, 8080);
  EXPECT_NE(s->find_endpoint("gpt-4o-mini"), nullptr);
  EXPECT_EQ(s->find_endpoint("gpt-4o-mini"), s->find_endpoint("openai/gpt-4o-mini"));
  EXPECT_EQ(s->find_endpoint("nope"), nullptr);
  EXPECT_EQ(s->hash.size(), 12u);
}

}  // namespace
}  // namespace gi::config
