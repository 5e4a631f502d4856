#include "config/config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "config/loader.h"

namespace gi::config {

std::string config_error::to_string() const {
  std::string where = path.empty() ? std::string("(document)") : path;
  if (line > 0) return fmt::format("{} (line {}): {}", where, line, message);
  return fmt::format("{}: {}", where, message);
}

std::string default_base_url(core::provider_kind provider, std::string_view aws_region) {
  switch (provider) {
    case core::provider_kind::openai: return "https://api.openai.com/v1";              // providers.md §2.1
    case core::provider_kind::anthropic: return "https://api.anthropic.com";           // §3.1 (+ /v1/messages)
    case core::provider_kind::gemini: return "https://generativelanguage.googleapis.com/v1beta";  // §4.1
    case core::provider_kind::mistral: return "https://api.mistral.ai/v1";             // §5.1
    case core::provider_kind::groq: return "https://api.groq.com/openai/v1";           // §6.1
    case core::provider_kind::deepseek: return "https://api.deepseek.com";             // §7.1
    case core::provider_kind::xai: return "https://api.x.ai/v1";                       // §8.1
    case core::provider_kind::bedrock:                                                 // §9.1
      return fmt::format("https://bedrock-runtime.{}.amazonaws.com",
                         aws_region.empty() ? std::string_view("us-east-1") : aws_region);
  }
  return {};
}

void snapshot::index_endpoints() {
  struct entry {
    std::string_view key;
    bool alias;
    std::size_t pos;
  };
  std::vector<entry> all;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    all.push_back({endpoints[i].id, false, i});
    for (const auto& a : endpoints[i].aliases) all.push_back({a, true, i});
  }
  // Per key, the entry the linear search would find first: an id before any alias, then
  // the earliest endpoint.
  std::sort(all.begin(), all.end(), [](const entry& a, const entry& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.alias != b.alias) return !a.alias;
    return a.pos < b.pos;
  });
  endpoint_index.clear();
  endpoint_index.reserve(all.size());
  for (const auto& e : all)
    if (endpoint_index.empty() || endpoint_index.back().first != e.key)
      endpoint_index.emplace_back(std::string(e.key), e.pos);
}

const endpoint_config* snapshot::find_endpoint(std::string_view id_or_alias) const {
  if (!endpoint_index.empty()) {
    auto it = std::lower_bound(endpoint_index.begin(), endpoint_index.end(), id_or_alias,
                               [](const auto& e, std::string_view k) { return e.first < k; });
    if (it == endpoint_index.end() || it->first != id_or_alias) return nullptr;
    if (it->second < endpoints.size()) return &endpoints[it->second];
  }
  for (const auto& ep : endpoints)
    if (ep.id == id_or_alias) return &ep;
  for (const auto& ep : endpoints)
    for (const auto& a : ep.aliases)
      if (a == id_or_alias) return &ep;
  return nullptr;
}

// FNV-1a 64 over a canonical text of everything that changes routing decisions; the
// first 12 hex digits go into X-GammaInfra-Router-Version (design §3.3). Not a security
// hash: it only has to change when the routing config changes.
std::string snapshot_hash(const snapshot& s) {
  std::ostringstream o;
  std::vector<const endpoint_config*> eps;
  for (const auto& ep : s.endpoints) eps.push_back(&ep);
  std::sort(eps.begin(), eps.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (const auto* e : eps) {
    o << "ep|" << e->id << '|' << core::to_string(e->provider) << '|' << e->model << '|' << e->base_url
      << '|' << e->region << '|' << e->auth_none << e->byok_only << '|' << e->aws_region << '|'
      << e->prices.input.per_million.nanos() << ',' << e->prices.cached_input.per_million.nanos() << ','
      << e->prices.cache_write_5m.per_million.nanos() << ',' << e->prices.cache_write_1h.per_million.nanos()
      << ',' << e->prices.output.per_million.nanos() << '|' << e->capabilities.streaming
      << e->capabilities.tools << e->capabilities.parallel_tools << e->capabilities.json_schema
      << e->capabilities.vision << e->capabilities.reasoning << '|' << e->context_window << '|'
      << e->max_output << '|';
    for (const auto& a : e->aliases) o << a << ',';
    o << '|';
    for (const auto& f : e->fallbacks) o << f << ',';
    o << '|';
    for (const auto& [t, q] : e->quality) o << t << '=' << fmt::format("{:.6f}", q) << ',';
    o << '|' << (e->ttfb_timeout ? e->ttfb_timeout->count() : -1) << '|'
      << (e->total_timeout ? e->total_timeout->count() : -1) << '\n';
  }
  o << "routing|" << s.routing.default_task << '\n';
  const auto& hc = s.routing.hedge;
  const auto& lc = s.routing.latency;
  o << "hedge|" << static_cast<int>(hc.default_mode) << '|' << hc.default_delay.count() << '|'
    << hc.min_delay.count() << '|' << hc.max_delay.count() << '|' << hc.max_per_request << '\n';
  o << "latency|" << lc.live << '|' << lc.window.count() << '|' << lc.refresh.count() << '|'
    << lc.min_samples << '|' << lc.prior_p50.count() << '|' << lc.prior_p90.count() << '|'
    << lc.prior_p99.count() << '\n';
  for (const auto& [task, chain] : s.routing.chains) {
    o << "chain|" << task << '|';
    for (const auto& id : chain) o << id << ',';
    o << '\n';
  }
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : o.str()) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", h).substr(0, 12);
}

snapshot_ptr defaults() {
  auto r = load_string("", "<defaults>");
  if (!r) {
    // The compiled-in catalog is validated by the unit tests; failing here is a build defect.
    std::fprintf(stderr, "gammainfra: built-in catalog is invalid: %s: %s\n", r.error().origin.c_str(),
                 r.error().to_string().c_str());
    std::abort();
  }
  return std::move(r).value();
}

core::result<snapshot_ptr, config_error> load_string(std::string_view yaml, std::string origin) {
  return load_layered(yaml, std::move(origin), load_options{});
}

core::result<snapshot_ptr, config_error> load_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return config_error{"", 0, fmt::format("cannot read config file '{}': not a regular file", path), path};
  std::ifstream in(path, std::ios::binary);
  if (!in) return config_error{"", 0, fmt::format("cannot read config file '{}'", path), path};
  std::ostringstream buf;
  buf << in.rdbuf();
  load_options opts;
  opts.base_dir = std::filesystem::path(path).parent_path().string();
  return load_layered(buf.str(), path, opts);
}

}  // namespace gi::config
