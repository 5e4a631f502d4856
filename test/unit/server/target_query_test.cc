#include "server/target_query.h"

#include <gtest/gtest.h>

namespace gi::server {
namespace {

TEST(target_query, path_and_decoded_parameters) {
  EXPECT_EQ(path_of("/v1/usage?limit=5"), "/v1/usage");
  EXPECT_EQ(path_of("/readyz"), "/readyz");
  auto q = query_of("/x?deep&task=code%20gen&name=a+b&bad=%zz&task2=");
  EXPECT_EQ(q.at("deep"), "");
  EXPECT_EQ(q.at("task"), "code gen");
  EXPECT_EQ(q.at("name"), "a b");
  EXPECT_EQ(q.at("bad"), "%zz");
  EXPECT_EQ(q.at("task2"), "");
  EXPECT_EQ(q.size(), 5u);
  EXPECT_TRUE(query_of("/x").empty());
  EXPECT_TRUE(query_of("/x?").empty());
  EXPECT_EQ(query_of("/x?a=1&a=2").at("a"), "2");  // a repeated name keeps its last value
}

}  // namespace
}  // namespace gi::server
