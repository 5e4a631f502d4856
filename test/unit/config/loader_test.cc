// Defaults, parsing of values, layering over the catalog, and the snapshot hash.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/describe.h"
#include "config/loader.h"
#include "config/yaml_util.h"
#include "support/test_support.h"

namespace gi::config {
namespace {

using std::chrono::milliseconds;

constexpr const char* small_catalog = R"(
endpoints:
  - id: a/one
    provider: openai
    model: one
    api_key_env: A_KEY
    prices: {input: "1.00", cached_input: "0.50", output: "2.00"}
    aliases: [one]
    fallbacks: [b/two]
    quality: {chat: 0.5}
    quality_source: "estimate: test"
  - id: b/two
    provider: anthropic
    model: two
    api_key_env: B_KEY
    prices: {input: "3", cache_write_5m: "3.75", output: "15"}
routing:
  default_task: chat
  chains:
    chat: [a/one, b/two]
    code: [b/two]
)";

core::result<snapshot_ptr, config_error> load_over_small(std::string_view user) {
  load_options o;
  o.use_builtin_catalog = false;
  o.catalog_yaml = small_catalog;
  return load_layered(user, "user.yaml", o);
}

snapshot_ptr must(core::result<snapshot_ptr, config_error> r) {
  if (!r) ADD_FAILURE() << r.error().origin << ": " << r.error().to_string();
  return r ? std::move(r).value() : nullptr;
}

TEST(defaults, server_and_upstream_defaults) {
  auto s = defaults();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->source, "<defaults>");
  EXPECT_EQ(s->server.host, "127.0.0.1");
  EXPECT_EQ(s->server.port, 8080);
  EXPECT_EQ(s->server.threads, 0);
  EXPECT_EQ(s->server.max_body_bytes, 10u * 1024 * 1024);
  EXPECT_FALSE(s->server.tls);
  EXPECT_TRUE(s->upstream.tls_verify);
  EXPECT_TRUE(s->auth.keys.empty());
  EXPECT_EQ(s->logging.level, "info");
  EXPECT_TRUE(s->catalog_included);
  EXPECT_FALSE(s->endpoints.empty());
}

TEST(load, empty_document_equals_defaults) {
  auto a = must(load_string("", "a"));
  auto b = must(load_string("# only a comment\n", "b"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->hash, defaults()->hash);
  EXPECT_EQ(b->hash, a->hash);
  EXPECT_EQ(b->source, "b");
}

TEST(load, every_section_parses) {
  test::temp_dir d;
  test::write_file(d.path() / "c.pem", "x");
  test::write_file(d.path() / "k.pem", "x");
  std::string yaml = R"(
server:
  host: 0.0.0.0
  port: 9000
  threads: 4
  limits: {max_header_bytes: 8KiB, max_body_bytes: 2MiB, max_connections: 100}
  timeouts: {read: 5s, idle: 2m, shutdown_grace: 1500ms, request: 1h}
  tls: {cert_file: c.pem, key_file: k.pem}
auth:
  keys:
    - id: ops
      sha256: ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789
upstream:
  proxy: http://proxy.local:3128/
  tls_verify: false
  pool_size_per_host: 8
  max_inflight_per_endpoint: 16
  max_response_bytes: 1048576
  timeouts: {connect: 1s, tls: 2s, write: 3s, ttfb: 4s, stall: 5s, total: 6s}
logging: {level: debug, access_log: false}
)";
  test::write_file(d.path() / "gi.yaml", yaml);
  auto s = must(load_file((d.path() / "gi.yaml").string()));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->server.host, "0.0.0.0");
  EXPECT_EQ(s->server.port, 9000);
  EXPECT_EQ(s->server.threads, 4);
  EXPECT_EQ(s->server.max_header_bytes, 8192u);
  EXPECT_EQ(s->server.max_body_bytes, 2u * 1024 * 1024);
  EXPECT_EQ(s->server.max_connections, 100u);
  EXPECT_EQ(s->server.read_timeout, milliseconds(5000));
  EXPECT_EQ(s->server.idle_timeout, milliseconds(120000));
  EXPECT_EQ(s->server.shutdown_grace, milliseconds(1500));
  EXPECT_EQ(s->server.request_timeout, milliseconds(3600000));
  ASSERT_TRUE(s->server.tls);
  EXPECT_EQ(s->server.tls->cert_file, (d.path() / "c.pem").string());  // relative to the file
  ASSERT_EQ(s->auth.keys.size(), 1u);
  EXPECT_EQ(s->auth.keys[0].sha256_hex, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_EQ(s->upstream.http_proxy, "http://proxy.local:3128");
  EXPECT_FALSE(s->upstream.tls_verify);
  EXPECT_EQ(s->upstream.pool_size_per_host, 8u);
  EXPECT_EQ(s->upstream.max_inflight_per_endpoint, 16u);
  EXPECT_EQ(s->upstream.max_response_bytes, 1048576u);
  EXPECT_EQ(s->upstream.connect_timeout, milliseconds(1000));
  EXPECT_EQ(s->upstream.tls_timeout, milliseconds(2000));
  EXPECT_EQ(s->upstream.write_timeout, milliseconds(3000));
  EXPECT_EQ(s->upstream.ttfb_timeout, milliseconds(4000));
  EXPECT_EQ(s->upstream.stall_timeout, milliseconds(5000));
  EXPECT_EQ(s->upstream.total_timeout, milliseconds(6000));
  EXPECT_EQ(s->logging.level, "debug");
  EXPECT_FALSE(s->logging.access_log);
}

TEST(load, threads_auto) {
  auto s = must(load_string("server:\n  threads: auto\n", "x"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->server.threads, 0);
}

TEST(parse, durations) {
  using detail::parse_duration;
  EXPECT_EQ(parse_duration("30s"), milliseconds(30000));
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3600000));
  EXPECT_EQ(parse_duration("250"), milliseconds(250));
  for (auto bad : {"", "s", "1.5s", "-1s", "1 s", "10sec", "1d", "ms"}) EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(parse, sizes) {
  using detail::parse_size;
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("512B"), 512u);
  EXPECT_EQ(parse_size("16KiB"), 16384u);
  EXPECT_EQ(parse_size("10MiB"), 10485760u);
  EXPECT_EQ(parse_size("1GiB"), 1073741824u);
  for (auto bad : {"", "KiB", "10MB", "1.5MiB", "-1", "10 MiB"}) EXPECT_FALSE(parse_size(bad)) << bad;
}

TEST(prices, parsed_exactly_from_scalar_text) {
  auto s = must(load_over_small(R"(
endpoints:
  - id: c/three
    provider: mistral
    model: three
    api_key_env: C_KEY
    prices:
      input: 0.1
      cached_input: "0.000000001"
      cache_write_5m: 0.3
      cache_write_1h: 1234567.123456789
      output: 10
)"));
  ASSERT_TRUE(s);
  const auto* e = s->find_endpoint("c/three");
  ASSERT_NE(e, nullptr);
  // 0.1 and 0.3 have no exact double; the loader never goes through one.
  EXPECT_EQ(e->prices.input.per_million.nanos(), 100'000'000);
  EXPECT_EQ(e->prices.cached_input.per_million.nanos(), 1);
  EXPECT_EQ(e->prices.cache_write_5m.per_million.nanos(), 300'000'000);
  EXPECT_EQ(e->prices.cache_write_1h.per_million.nanos(), 1'234'567'123'456'789);
  EXPECT_EQ(e->prices.output.per_million.nanos(), 10'000'000'000);
}

TEST(prices, unset_cache_prices_default_to_input) {
  auto s = must(load_over_small(""));
  ASSERT_TRUE(s);
  const auto* a = s->find_endpoint("a/one");
  EXPECT_EQ(a->prices.cached_input.per_million.nanos(), 500'000'000);
  EXPECT_EQ(a->prices.cache_write_5m.per_million.nanos(), 1'000'000'000);
  EXPECT_EQ(a->prices.cache_write_1h.per_million.nanos(), 1'000'000'000);
  const auto* b = s->find_endpoint("b/two");
  EXPECT_EQ(b->prices.cached_input.per_million.nanos(), 3'000'000'000);
  EXPECT_EQ(b->prices.cache_write_5m.per_million.nanos(), 3'750'000'000);
  EXPECT_EQ(b->prices.cache_write_1h.per_million.nanos(), 3'750'000'000);  // follows 5m
}

TEST(layering, catalog_only) {
  auto s = must(load_over_small(""));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->endpoints.size(), 2u);
  EXPECT_TRUE(s->endpoints[0].from_catalog);
  EXPECT_EQ(s->endpoints[0].fallbacks, std::vector<std::string>{"b/two"});
  EXPECT_EQ(s->endpoints[0].base_url, "https://api.openai.com/v1");  // provider default filled in
  EXPECT_EQ(s->endpoints[1].base_url, "https://api.anthropic.com");
  EXPECT_EQ(s->routing.chains.at("chat"), (std::vector<std::string>{"a/one", "b/two"}));
}

TEST(layering, same_id_overrides_only_the_fields_given) {
  auto s = must(load_over_small(R"(
endpoints:
  - id: a/one
    base_url: http://127.0.0.1:9999/v1/
    auth: none
    prices: {output: "2.50"}
)"));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->endpoints.size(), 2u);
  const auto& e = s->endpoints[0];
  EXPECT_EQ(e.id, "a/one");
  EXPECT_EQ(e.base_url, "http://127.0.0.1:9999/v1");  // trailing slash trimmed
  EXPECT_TRUE(e.auth_none);
  EXPECT_EQ(e.model, "one");                                  // kept
  EXPECT_EQ(e.prices.input.per_million.nanos(), 1'000'000'000);  // kept
  EXPECT_EQ(e.prices.cached_input.per_million.nanos(), 500'000'000);
  EXPECT_EQ(e.prices.output.per_million.nanos(), 2'500'000'000);  // overridden
  EXPECT_EQ(e.aliases, std::vector<std::string>{"one"});
  EXPECT_EQ(e.fallbacks, std::vector<std::string>{"b/two"});
  EXPECT_TRUE(e.from_catalog);
}

TEST(layering, lists_and_chains_are_replaced_not_appended) {
  auto s = must(load_over_small(R"(
endpoints:
  - id: a/one
    aliases: [uno]
    fallbacks: []
  - id: c/three
    provider: groq
    model: three
    api_key_env: C_KEY
    prices: {input: 1, output: 1}
routing:
  default_task: code
  chains:
    chat: [c/three, uno]
)"));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->endpoints.size(), 3u);
  EXPECT_FALSE(s->endpoints[2].from_catalog);
  EXPECT_EQ(s->find_endpoint("uno"), &s->endpoints[0]);
  EXPECT_EQ(s->find_endpoint("one"), nullptr);  // the alias list was replaced
  EXPECT_TRUE(s->endpoints[0].fallbacks.empty());
  EXPECT_EQ(s->routing.default_task, "code");
  // chat replaced (the alias resolved to its id), code kept from the catalog.
  EXPECT_EQ(s->routing.chains.at("chat"), (std::vector<std::string>{"c/three", "a/one"}));
  EXPECT_EQ(s->routing.chains.at("code"), std::vector<std::string>{"b/two"});
}

TEST(layering, user_alias_may_not_collide_with_catalog_alias) {
  auto r = load_over_small(R"(
endpoints:
  - id: c/three
    provider: groq
    model: three
    api_key_env: C_KEY
    prices: {input: 1, output: 1}
    aliases: [one]
)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().path, "endpoints[0].aliases[0]");
  EXPECT_EQ(r.error().line, 8);
  EXPECT_EQ(r.error().origin, "user.yaml");
}

TEST(layering, changing_provider_of_a_catalog_id_is_an_error) {
  auto r = load_over_small("endpoints:\n  - id: a/one\n    provider: groq\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().path, "endpoints[0].provider");
}

TEST(layering, catalog_false_drops_the_catalog) {
  auto s = must(load_over_small(R"(
catalog: false
endpoints:
  - id: mock/chat
    provider: openai
    model: mock-chat
    base_url: http://127.0.0.1:1234/v1
    auth: none
    prices: {input: 0, output: 0}
)"));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->catalog_included);
  ASSERT_EQ(s->endpoints.size(), 1u);
  EXPECT_TRUE(s->routing.chains.empty());
  EXPECT_EQ(s->find_endpoint("a/one"), nullptr);
  // and the catalog's ids are then unknown:
  auto r = load_over_small("catalog: false\nrouting:\n  chains:\n    chat: [a/one]\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().path, "routing.chains.chat[0]");
}

TEST(layering, builtin_catalog_override_by_user_file) {
  auto s = must(load_string(R"(
endpoints:
  - id: openai/gpt-4o-mini
    base_url: http://127.0.0.1:5555/v1
    auth: none
routing:
  chains:
    chat: [openai/gpt-4o-mini, anthropic/claude-haiku-4-5]
)", "user.yaml"));
  ASSERT_TRUE(s);
  const auto* e = s->find_endpoint("gpt-4o-mini");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->base_url, "http://127.0.0.1:5555/v1");
  EXPECT_EQ(e->prices.input.per_million.nanos(), 150'000'000);
  EXPECT_EQ(s->routing.chains.at("chat").size(), 2u);
  EXPECT_EQ(s->routing.chains.size(), 8u);
}

TEST(endpoint, bedrock_credentials_and_default_host) {
  auto s = must(load_over_small(R"(
endpoints:
  - id: bedrock/x@eu
    provider: bedrock
    model: eu.anthropic.claude-haiku-4-5-20251001-v1:0
    region: eu
    aws_region: eu-central-1
    aws_access_key_id_env: AWS_ACCESS_KEY_ID
    aws_secret_access_key_env: AWS_SECRET_ACCESS_KEY
    aws_session_token_env: AWS_SESSION_TOKEN
    prices: {input: "1.10", output: "5.50"}
    timeouts: {ttfb: 2s, total: 30s}
)"));
  ASSERT_TRUE(s);
  const auto* e = s->find_endpoint("bedrock/x@eu");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->base_url, "https://bedrock-runtime.eu-central-1.amazonaws.com");
  EXPECT_EQ(e->region, "eu");
  EXPECT_EQ(e->aws_access_key_id_env, "AWS_ACCESS_KEY_ID");
  EXPECT_EQ(e->aws_session_token_env, "AWS_SESSION_TOKEN");
  EXPECT_EQ(e->ttfb_timeout, milliseconds(2000));
  EXPECT_EQ(e->total_timeout, milliseconds(30000));
}

TEST(endpoint, defaults_of_optional_fields) {
  auto s = must(load_over_small(""));
  ASSERT_TRUE(s);
  const auto& e = *s->find_endpoint("b/two");
  EXPECT_TRUE(e.capabilities.streaming);
  EXPECT_TRUE(e.capabilities.tools);
  EXPECT_FALSE(e.capabilities.vision);
  EXPECT_EQ(e.context_window, 128000);
  EXPECT_EQ(e.max_output, 16384);
  EXPECT_FALSE(e.ttfb_timeout);
  EXPECT_EQ(e.api_key_env, "B_KEY");
}

TEST(hash, stable_and_sensitive_to_routing_only) {
  auto a = must(load_over_small(""));
  auto b = must(load_over_small("server:\n  port: 1234\nlogging: {level: warn}\n"));
  auto c = must(load_over_small("endpoints:\n  - id: a/one\n    prices: {input: \"1.000000001\"}\n"));
  auto d = must(load_over_small("routing:\n  chains:\n    chat: [b/two, a/one]\n"));
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(a->hash.size(), 12u);
  EXPECT_EQ(a->hash, b->hash);  // server/logging do not change routing
  EXPECT_NE(a->hash, c->hash);
  EXPECT_NE(a->hash, d->hash);
  EXPECT_EQ(a->hash, must(load_over_small(""))->hash);
}

TEST(describe, shows_env_names_and_state_never_values) {
  auto s = must(load_over_small(""));
  ASSERT_TRUE(s);
  std::string out = describe(*s, [](std::string_view n) { return n == "A_KEY"; });
  EXPECT_NE(out.find("api_key_env: A_KEY  # set"), std::string::npos) << out;
  EXPECT_NE(out.find("api_key_env: B_KEY  # NOT SET"), std::string::npos);
  EXPECT_NE(out.find("input: \"1\""), std::string::npos);
  EXPECT_NE(out.find("1 of 2 endpoints have their credentials set"), std::string::npos);
  EXPECT_NE(out.find(s->hash), std::string::npos);
}

TEST(load_file, missing_file) {
  auto r = load_file("/nonexistent/dir/gi.yaml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot read"), std::string::npos);
  EXPECT_EQ(r.error().origin, "/nonexistent/dir/gi.yaml");
}

TEST(load_file, directory_is_not_a_config) {
  test::temp_dir d;
  auto r = load_file(d.path().string());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos);
}

TEST(load_file, example_config_is_valid) {
  auto s = must(load_file((test::source_dir() / "gammainfra.example.yaml").string()));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->auth.keys.empty());
}

// find_endpoint answers from the sorted index exactly what a walk over the endpoints
// (ids first, then aliases, earliest endpoint first) answers.
const endpoint_config* find_by_walk(const snapshot& s, std::string_view key) {
  for (const auto& ep : s.endpoints)
    if (ep.id == key) return &ep;
  for (const auto& ep : s.endpoints)
    for (const auto& a : ep.aliases)
      if (a == key) return &ep;
  return nullptr;
}

TEST(find_endpoint, index_agrees_with_a_walk_over_the_catalog) {
  auto s = defaults();
  ASSERT_FALSE(s->endpoint_index.empty());
  std::size_t keys = 0;
  for (const auto& ep : s->endpoints) {
    for (std::string_view k : {std::string_view(ep.id), std::string_view(ep.id).substr(1),
                               std::string_view(ep.id).substr(0, ep.id.size() - 1)}) {
      EXPECT_EQ(s->find_endpoint(k), find_by_walk(*s, k)) << k;
      ++keys;
    }
    for (const auto& a : ep.aliases) {
      EXPECT_EQ(s->find_endpoint(a), find_by_walk(*s, a)) << a;
      EXPECT_NE(s->find_endpoint(a), nullptr) << a;
    }
  }
  EXPECT_EQ(s->find_endpoint(""), nullptr);
  EXPECT_EQ(s->find_endpoint("zzz/none"), nullptr);
  EXPECT_GT(keys, 100u);
}

TEST(find_endpoint, ids_win_over_aliases_and_the_first_alias_wins) {
  snapshot s;
  s.endpoints.resize(3);
  s.endpoints[0].id = "a/x";
  s.endpoints[0].aliases = {"b/y", "shared"};
  s.endpoints[1].id = "b/y";
  s.endpoints[2].id = "c/z";
  s.endpoints[2].aliases = {"shared", "only-c"};
  // Without the index (a hand-built snapshot): the walk.
  EXPECT_EQ(s.find_endpoint("b/y"), &s.endpoints[1]);
  s.index_endpoints();
  EXPECT_EQ(s.endpoint_index.size(), 5u);
  EXPECT_EQ(s.find_endpoint("b/y"), &s.endpoints[1]);
  EXPECT_EQ(s.find_endpoint("shared"), &s.endpoints[0]);
  EXPECT_EQ(s.find_endpoint("only-c"), &s.endpoints[2]);
  EXPECT_EQ(s.find_endpoint("c/z"), &s.endpoints[2]);
  EXPECT_EQ(s.find_endpoint("a"), nullptr);
}

}  // namespace
}  // namespace gi::config
