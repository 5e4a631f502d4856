// Every validation error names the YAML path and line (issue 3 item 6).
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/loader.h"

namespace gi::config {
namespace {

struct error_case {
  const char* name;
  const char* yaml;
  const char* path;
  int line;
  const char* message_part;
};

// A minimal valid endpoint, for cases that break one field of it.
#define EP_HEAD "endpoints:\n  - id: t/one\n    provider: openai\n    model: m\n    api_key_env: K\n"

const error_case cases[] = {
    {"yaml_syntax", "server:\n  port: [1, 2\n", "", 3, "invalid YAML"},
    {"top_level_not_map", "- a\n- b\n", "", 1, "must be a mapping"},
    {"unknown_top_level", "servers:\n  port: 1\n", "servers", 1, "unknown key"},
    {"unknown_server_key", "server:\n  port: 80\n  prot: 1\n", "server.prot", 3, "unknown key (allowed: host, port"},
    {"duplicate_key", "server:\n  port: 80\n  port: 81\n", "server.port", 3, "duplicate key"},
    {"port_range", "server:\n  port: 65536\n", "server.port", 2, "must be 0..65535"},
    {"port_type", "server:\n  port: eighty\n", "server.port", 2, "expected an integer, got 'eighty'"},
    {"port_map", "server:\n  port: {a: 1}\n", "server.port", 2, "expected an integer, got a mapping"},
    {"threads_zero", "server:\n  threads: 0\n", "server.threads", 2, "must be 1..1024"},
    {"threads_word", "server:\n  threads: many\n", "server.threads", 2, "expected an integer"},
    {"empty_host", "server:\n  host: \"\"\n", "server.host", 2, "must not be empty"},
    {"bad_duration", "server:\n  timeouts:\n    read: 30 seconds\n", "server.timeouts.read", 3, "not a duration"},
    {"zero_duration", "server:\n  timeouts:\n    idle: 0s\n", "server.timeouts.idle", 3, "greater than 0"},
    {"unknown_timeout", "server:\n  timeouts:\n    reed: 1s\n", "server.timeouts.reed", 3, "unknown key"},
    {"bad_size", "server:\n  limits:\n    max_body_bytes: 10MB\n", "server.limits.max_body_bytes", 3, "not a size"},
    {"tls_missing_key", "server:\n  tls:\n    cert_file: /etc/hostname\n", "server.tls.key_file", 3, "missing"},
    {"tls_file_absent", "server:\n  tls:\n    cert_file: /nonexistent/c.pem\n    key_file: /nonexistent/k.pem\n",
     "server.tls.cert_file", 3, "file not found: /nonexistent/c.pem"},
    {"auth_keys_not_list", "auth:\n  keys: abc\n", "auth.keys", 2, "expected a list"},
    {"auth_sha_short", "auth:\n  keys:\n    - id: a\n      sha256: abcd\n", "auth.keys[0].sha256", 4, "64 hex"},
    {"auth_sha_nonhex",
     "auth:\n  keys:\n    - id: a\n      sha256: zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\n",
     "auth.keys[0].sha256", 4, "64 hex"},
    {"auth_missing_sha", "auth:\n  keys:\n    - id: a\n", "auth.keys[0].sha256", 3, "missing"},
    {"auth_dup_id",
     "auth:\n  keys:\n    - {id: a, sha256: 0000000000000000000000000000000000000000000000000000000000000000}\n"
     "    - {id: a, sha256: 1111111111111111111111111111111111111111111111111111111111111111}\n",
     "auth.keys[1].id", 4, "duplicate key id"},
    {"auth_plain_key", "auth:\n  keys:\n    - id: a\n      key: sk-gammainfra-x\n", "auth.keys[0].key", 4,
     "secrets are never read from the config file"},
    {"upstream_proxy", "upstream:\n  proxy: socks5://x:1\n", "upstream.proxy", 2, "http://host:port"},
    {"upstream_tls_verify", "upstream:\n  tls_verify: yes\n", "upstream.tls_verify", 2, "true or false"},
    {"upstream_pool", "upstream:\n  pool_size_per_host: 0\n", "upstream.pool_size_per_host", 2, "must be 1.."},
    {"upstream_timeout", "upstream:\n  timeouts:\n    ttfb: fast\n", "upstream.timeouts.ttfb", 3, "not a duration"},
    {"endpoints_not_list", "endpoints: {}\n", "endpoints", 1, "expected a list"},
    {"endpoint_missing_id", "endpoints:\n  - provider: openai\n", "endpoints[0].id", 2, "missing"},
    {"endpoint_bad_id", "endpoints:\n  - id: a b\n", "endpoints[0].id", 2, "characters outside"},
    {"endpoint_reserved_id", "endpoints:\n  - id: auto\n", "endpoints[0].id", 2, "reserved"},
    {"endpoint_unknown_provider", "endpoints:\n  - id: x/y\n    provider: cohere\n", "endpoints[0].provider", 3,
     "unknown provider 'cohere'"},
    {"endpoint_missing_provider", "endpoints:\n  - id: x/y\n    model: m\n", "endpoints[0].provider", 2, "missing"},
    {"endpoint_missing_model", "endpoints:\n  - id: x/y\n    provider: openai\n", "endpoints[0].model", 2, "missing"},
    {"endpoint_missing_prices", EP_HEAD, "endpoints[0].prices", 2, "missing"},
    {"endpoint_missing_output_price", EP_HEAD "    prices: {input: \"1\"}\n", "endpoints[0].prices.output", 6,
     "missing"},
    {"price_not_decimal", EP_HEAD "    prices:\n      input: \"1e-3\"\n      output: 1\n",
     "endpoints[0].prices.input", 7, "not a decimal amount"},
    {"price_too_precise", EP_HEAD "    prices:\n      input: 0.0000000001\n      output: 1\n",
     "endpoints[0].prices.input", 7, "not a decimal amount"},
    {"price_negative", EP_HEAD "    prices:\n      input: \"-1\"\n      output: 1\n", "endpoints[0].prices.input", 7,
     "negative"},
    {"price_unknown_class", EP_HEAD "    prices: {input: 1, output: 1, reasoning: 2}\n", "endpoints[0].prices.reasoning",
     6, "unknown key"},
    {"missing_api_key_env", "endpoints:\n  - id: x/y\n    provider: openai\n    model: m\n    prices: {input: 1, output: 1}\n",
     "endpoints[0].api_key_env", 2, "environment variable"},
    {"api_key_inline", EP_HEAD "    api_key: sk-live-123\n", "endpoints[0].api_key", 6, "secrets are never read"},
    {"api_key_env_value", "endpoints:\n  - id: x/y\n    provider: openai\n    model: m\n    api_key_env: sk-12345678\n",
     "endpoints[0].api_key_env", 5, "not an environment variable name: 'sk-1…'"},
    {"api_key_env_groq_key", "endpoints:\n  - id: x/y\n    provider: groq\n    model: m\n    api_key_env: gsk_abcdef123456\n",
     "endpoints[0].api_key_env", 5, "not an environment variable name: 'gsk_…'"},
    {"aws_key_as_env_name",
     "endpoints:\n  - id: b/x\n    provider: bedrock\n    model: m\n    aws_region: us-east-1\n"
     "    aws_access_key_id_env: AKIAIOSFODNN7EXAMPLE\n",
     "endpoints[0].aws_access_key_id_env", 6, "not an environment variable name: 'AKIA…'"},
    {"bad_auth_mode", EP_HEAD "    auth: maybe\n", "endpoints[0].auth", 6, "'none', 'key' or 'byok'"},
    {"bad_base_url", EP_HEAD "    base_url: api.openai.com\n", "endpoints[0].base_url", 6, "not an http"},
    {"bad_region", EP_HEAD "    region: EU West\n", "endpoints[0].region", 6, "lower-case region"},
    {"aws_on_openai", EP_HEAD "    aws_region: us-east-1\n", "endpoints[0].aws_region", 6, "only valid for provider bedrock"},
    {"bedrock_no_region",
     "endpoints:\n  - id: b/x\n    provider: bedrock\n    model: m\n    prices: {input: 1, output: 1}\n",
     "endpoints[0].aws_region", 2, "AWS region"},
    {"bedrock_no_creds",
     "endpoints:\n  - id: b/x\n    provider: bedrock\n    model: m\n    aws_region: us-east-1\n    prices: {input: 1, output: 1}\n",
     "endpoints[0].aws_access_key_id_env", 2, "SigV4"},
    {"bad_capability", EP_HEAD "    prices: {input: 1, output: 1}\n    capabilities: {vision: 1}\n",
     "endpoints[0].capabilities.vision", 7, "true or false"},
    {"unknown_capability", EP_HEAD "    prices: {input: 1, output: 1}\n    capabilities: {audio: true}\n",
     "endpoints[0].capabilities.audio", 7, "unknown key"},
    {"context_window_zero", EP_HEAD "    prices: {input: 1, output: 1}\n    context_window: 0\n",
     "endpoints[0].context_window", 7, "must be 1.."},
    {"max_output_over_window", EP_HEAD "    prices: {input: 1, output: 1}\n    context_window: 1000\n    max_output: 2000\n",
     "endpoints[0].max_output", 8, "exceeds context_window"},
    {"quality_range", EP_HEAD "    prices: {input: 1, output: 1}\n    quality: {code: 1.5}\n    quality_source: x\n",
     "endpoints[0].quality.code", 7, "must be in [0, 1]"},
    {"quality_unknown_task", EP_HEAD "    prices: {input: 1, output: 1}\n    quality: {poetry: 0.5}\n    quality_source: x\n",
     "endpoints[0].quality", 7, "unknown task 'poetry'"},
    {"quality_no_source", EP_HEAD "    prices: {input: 1, output: 1}\n    quality: {code: 0.5}\n",
     "endpoints[0].quality_source", 2, "provenance"},
    {"endpoint_timeout", EP_HEAD "    prices: {input: 1, output: 1}\n    timeouts: {ttfb: soon}\n",
     "endpoints[0].timeouts.ttfb", 7, "not a duration"},
    {"duplicate_endpoint",
     EP_HEAD "    prices: {input: 1, output: 1}\n  - id: t/one\n    provider: openai\n",
     "endpoints[1].id", 7, "duplicate endpoint id 't/one' (first at line 2)"},
    {"fallback_unknown", EP_HEAD "    prices: {input: 1, output: 1}\n    fallbacks: [t/two]\n",
     "endpoints[0].fallbacks[0]", 7, "unknown endpoint 't/two'"},
    {"fallback_self", EP_HEAD "    prices: {input: 1, output: 1}\n    fallbacks: [t/one]\n",
     "endpoints[0].fallbacks[0]", 7, "itself"},
    {"alias_is_other_id",
     EP_HEAD "    prices: {input: 1, output: 1}\n  - id: t/two\n    provider: openai\n    model: m\n    api_key_env: K\n"
             "    prices: {input: 1, output: 1}\n    aliases: [t/one]\n",
     "endpoints[1].aliases[0]", 12, "already an endpoint id"},
    {"alias_twice",
     EP_HEAD "    prices: {input: 1, output: 1}\n    aliases: [one]\n  - id: t/two\n    provider: openai\n    model: m\n"
             "    api_key_env: K\n    prices: {input: 1, output: 1}\n    aliases: [one]\n",
     "endpoints[1].aliases[0]", 13, "already an alias of t/one"},
    {"routing_unknown_task", "routing:\n  chains:\n    poetry: [x]\n", "routing.chains", 3, "unknown task 'poetry'"},
    {"routing_default_task", "routing:\n  default_task: smalltalk\n", "routing.default_task", 2, "unknown task"},
    {"chain_unknown_endpoint", EP_HEAD "    prices: {input: 1, output: 1}\nrouting:\n  chains:\n    chat: [t/one, t/nope]\n",
     "routing.chains.chat[1]", 9, "unknown endpoint 't/nope'"},
    {"chain_empty", "routing:\n  chains:\n    chat: []\n", "routing.chains.chat", 3, "at least one"},
    {"chain_duplicate", EP_HEAD "    prices: {input: 1, output: 1}\nrouting:\n  chains:\n    chat: [t/one, t/one]\n",
     "routing.chains.chat[1]", 9, "listed twice"},
    {"logging_level", "logging:\n  level: loud\n", "logging.level", 2, "must be one of"},
    {"catalog_flag", "catalog: maybe\n", "catalog", 1, "true or false"},
};

class loader_error : public ::testing::TestWithParam<error_case> {};

TEST_P(loader_error, names_path_and_line) {
  const auto& c = GetParam();
  load_options opts;
  opts.use_builtin_catalog = false;  // errors must come from the document under test
  auto r = load_layered(c.yaml, "test.yaml", opts);
  ASSERT_FALSE(r) << "accepted:\n" << c.yaml;
  EXPECT_EQ(r.error().path, c.path) << r.error().to_string();
  EXPECT_EQ(r.error().line, c.line) << r.error().to_string();
  EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().to_string();
  EXPECT_EQ(r.error().origin, "test.yaml");
}

INSTANTIATE_TEST_SUITE_P(all, loader_error, ::testing::ValuesIn(cases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(config_error, to_string_format) {
  config_error e{"endpoints[3].prices.input", 41, "not a decimal amount", "x.yaml"};
  EXPECT_EQ(e.to_string(), "endpoints[3].prices.input (line 41): not a decimal amount");
  config_error f{"", 0, "cannot read", ""};
  EXPECT_EQ(f.to_string(), "(document): cannot read");
}

TEST(loader, errors_in_user_file_are_reported_with_builtin_catalog_too) {
  auto r = load_string("endpoints:\n  - id: openai/gpt-4o-mini\n    prices: {input: abc}\n", "mine.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().origin, "mine.yaml");
  EXPECT_EQ(r.error().path, "endpoints[0].prices.input");
  EXPECT_EQ(r.error().line, 3);
}

TEST(loader, error_in_catalog_names_catalog_origin) {
  load_options opts;
  opts.use_builtin_catalog = false;
  opts.catalog_yaml = "endpoints:\n  - id: c/x\n    provider: nope\n";
  auto r = load_layered("", "user.yaml", opts);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().origin, "<catalog>");
  EXPECT_EQ(r.error().path, "endpoints[0].provider");
}

}  // namespace
}  // namespace gi::config
