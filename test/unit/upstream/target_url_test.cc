#include "upstream/target_url.h"

#include <gtest/gtest.h>

namespace gi::upstream {
namespace {

TEST(TargetUrl, ParsesSchemesPortsAndPaths) {
  auto a = parse_target_url("https://api.openai.com/v1");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "api.openai.com");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->base_path, "/v1");
  EXPECT_EQ(a->host_header(), "api.openai.com");
  EXPECT_EQ(a->request_target("/chat/completions"), "/v1/chat/completions");
  EXPECT_EQ(a->origin(), "https://api.openai.com:443");

  auto b = parse_target_url("http://127.0.0.1:8081/");
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->port, 8081);
  EXPECT_EQ(b->base_path, "");
  EXPECT_EQ(b->host_header(), "127.0.0.1:8081");
  EXPECT_EQ(b->request_target("/v1/x?y=1"), "/v1/x?y=1");
  EXPECT_EQ(b->request_target("v1"), "/v1");

  auto c = parse_target_url("http://[::1]:9000/api/v1//");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->base_path, "/api/v1");
  EXPECT_EQ(c->host_header(), "[::1]:9000");
  EXPECT_EQ(c->origin(), "http://[::1]:9000");

  auto d = parse_target_url("HTTPS://Example.COM:443");
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->tls);
  EXPECT_EQ(d->host_header(), d->host);  // default port omitted
}

TEST(TargetUrl, RejectsBadUrls) {
  for (const char* bad : {"", "api.openai.com/v1", "ftp://x/", "https://", "https://:443/",
                          "https://user:pw@host/", "https://host/v1?x=1", "https://host/#f",
                          "http://host:0/", "http://host:70000/", "http://host:abc/",
                          "https://host name/"}) {
    auto r = parse_target_url(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error().kind, core::error_kind::invalid_request);
      EXPECT_EQ(r.error().param, "base_url");
    }
  }
}

}  // namespace
}  // namespace gi::upstream
