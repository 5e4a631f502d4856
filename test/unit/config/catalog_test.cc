// The shipped catalog (config/catalog.yaml, compiled in): it loads, covers every provider
// and task, survives any single provider outage, and carries exact prices with sources.
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "config/config.h"
#include "config/loader.h"
#include "support/test_support.h"

namespace gi::config {
namespace {

TEST(catalog, compiled_in_text_matches_the_file) {
  EXPECT_EQ(builtin_catalog_yaml(), test::read_file(test::source_dir() / "config" / "catalog.yaml"));
}

TEST(catalog, loads_standalone_and_validates) {
  load_options o;
  o.use_builtin_catalog = false;
  o.catalog_yaml = builtin_catalog_yaml();
  auto r = load_layered("", "<test>", o);
  ASSERT_TRUE(r) << r.error().origin << ": " << r.error().to_string();
  for (const auto& e : (*r)->endpoints) EXPECT_TRUE(e.from_catalog) << e.id;
}

TEST(catalog, covers_all_eight_providers) {
  auto s = defaults();
  std::set<core::provider_kind> seen;
  for (const auto& e : s->endpoints) seen.insert(e.provider);
  for (auto p : core::all_providers) EXPECT_TRUE(seen.count(p)) << core::to_string(p);
}

TEST(catalog, every_task_has_a_chain_that_survives_one_provider_outage) {
  auto s = defaults();
  EXPECT_TRUE(is_known_task(s->routing.default_task));
  for (auto task : known_tasks) {
    auto it = s->routing.chains.find(std::string(task));
    ASSERT_NE(it, s->routing.chains.end()) << task;
    std::set<core::provider_kind> providers;
    for (const auto& id : it->second) {
      const auto* e = s->find_endpoint(id);
      ASSERT_NE(e, nullptr) << id;
      EXPECT_EQ(e->id, id);  // chains hold canonical ids
      providers.insert(e->provider);
    }
    // With any one provider down, at least two others remain.
    EXPECT_GE(providers.size(), 3u) << task;
    for (auto down : providers) {
      std::size_t left = 0;
      for (const auto& id : it->second) left += s->find_endpoint(id)->provider != down;
      EXPECT_GE(left, 2u) << task << " without " << core::to_string(down);
    }
  }
}

TEST(catalog, exact_list_prices_from_pricing_md) {
  auto s = defaults();
  struct row {
    const char* id;
    std::int64_t input, cached, write5m, write1h, output;  // nano-USD per 1M tokens
  };
  const row rows[] = {
      {"openai/gpt-4o-mini", 150'000'000, 75'000'000, 150'000'000, 150'000'000, 600'000'000},
      {"anthropic/claude-haiku-4-5", 1'000'000'000, 100'000'000, 1'250'000'000, 2'000'000'000, 5'000'000'000},
      {"gemini/gemini-2.5-flash", 300'000'000, 30'000'000, 300'000'000, 300'000'000, 2'500'000'000},
      {"mistral/mistral-large-2512", 500'000'000, 50'000'000, 500'000'000, 500'000'000, 1'500'000'000},
      {"groq/openai/gpt-oss-20b", 75'000'000, 37'500'000, 75'000'000, 75'000'000, 300'000'000},
      {"deepseek/deepseek-v4-pro", 435'000'000, 3'625'000, 435'000'000, 435'000'000, 870'000'000},
      {"xai/grok-code-fast-1", 200'000'000, 20'000'000, 200'000'000, 200'000'000, 1'500'000'000},
      {"bedrock/claude-sonnet-4-6@eu", 3'300'000'000, 330'000'000, 4'125'000'000, 6'600'000'000, 16'500'000'000},
      {"bedrock/nova-micro", 35'000'000, 8'750'000, 35'000'000, 35'000'000, 140'000'000},
  };
  for (const auto& r : rows) {
    const auto* e = s->find_endpoint(r.id);
    ASSERT_NE(e, nullptr) << r.id;
    EXPECT_EQ(e->prices.input.per_million.nanos(), r.input) << r.id;
    EXPECT_EQ(e->prices.cached_input.per_million.nanos(), r.cached) << r.id;
    EXPECT_EQ(e->prices.cache_write_5m.per_million.nanos(), r.write5m) << r.id;
    EXPECT_EQ(e->prices.cache_write_1h.per_million.nanos(), r.write1h) << r.id;
    EXPECT_EQ(e->prices.output.per_million.nanos(), r.output) << r.id;
  }
}

TEST(catalog, every_endpoint_is_complete) {
  auto s = defaults();
  for (const auto& e : s->endpoints) {
    SCOPED_TRACE(e.id);
    EXPECT_EQ(e.id.rfind(std::string(core::to_string(e.provider)) + "/", 0), 0u);
    EXPECT_TRUE(e.prices.input.per_million.is_positive());
    EXPECT_TRUE(e.prices.output.per_million.is_positive());
    EXPECT_FALSE(e.auth_none);
    EXPECT_EQ(e.base_url.rfind("https://", 0), 0u);
    EXPECT_EQ(e.quality.size(), 8u);
    EXPECT_EQ(e.quality_source.rfind("estimate", 0), 0u) << "quality must state its provenance";
    if (e.provider == core::provider_kind::bedrock) {
      EXPECT_EQ(e.aws_access_key_id_env, "AWS_ACCESS_KEY_ID");
      EXPECT_EQ(e.aws_secret_access_key_env, "AWS_SECRET_ACCESS_KEY");
      EXPECT_EQ(e.aws_session_token_env, "AWS_SESSION_TOKEN");
      EXPECT_FALSE(e.aws_region.empty());
    } else {
      std::string want = std::string(core::to_string(e.provider)) + "_API_KEY";
      for (auto& c : want) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      EXPECT_EQ(e.api_key_env, want);
    }
    // A regional variant carries its region in the id (design §3.3).
    if (!e.region.empty() && e.id.find('@') != std::string::npos) {
      EXPECT_EQ(e.id.substr(e.id.find('@') + 1), e.region);
    }
  }
}

TEST(catalog, regional_variant_and_aliases) {
  auto s = defaults();
  const auto* eu = s->find_endpoint("bedrock/claude-haiku-4-5@eu");
  ASSERT_NE(eu, nullptr);
  EXPECT_EQ(eu->region, "eu");
  EXPECT_EQ(eu->base_url, "https://bedrock-runtime.eu-central-1.amazonaws.com");
  EXPECT_EQ(s->find_endpoint("gpt-4o-mini")->id, "openai/gpt-4o-mini");
  EXPECT_EQ(s->find_endpoint("claude-haiku-4-5")->id, "anthropic/claude-haiku-4-5");
  EXPECT_EQ(s->find_endpoint("mistral-large-latest")->id, "mistral/mistral-large-2512");
}

TEST(catalog, every_price_block_cites_a_source) {
  // Each endpoint's prices are preceded by a `# source:` line naming pricing.md.
  std::istringstream in{std::string(builtin_catalog_yaml())};
  std::string line, last_comment;
  int price_blocks = 0;
  while (std::getline(in, line)) {
    auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    std::string_view t = std::string_view(line).substr(first);
    if (t.rfind("# source:", 0) == 0) last_comment = line;
    if (t.rfind("prices:", 0) == 0) {
      ++price_blocks;
      EXPECT_NE(last_comment.find("pricing.md"), std::string::npos) << line;
      last_comment.clear();
    }
  }
  EXPECT_EQ(static_cast<std::size_t>(price_blocks), defaults()->endpoints.size());
}

}  // namespace
}  // namespace gi::config
