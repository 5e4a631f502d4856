// YAML → validated snapshot. Two documents are layered: the compiled-in catalog first, then
// the user's file (design §2). Each document is applied section by section with strict
// key checking; cross references (fallbacks, chains, aliases) are checked once both are
// applied, against the merged endpoint set, and still name the YAML path and line where
// the reference was written.

#include "config/loader.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "config/yaml_util.h"

namespace gi::config {

std::string snapshot_hash(const snapshot& s);  // config.cc

namespace {

using namespace detail;

// Where a reference to an endpoint id was written, for errors after merging.
struct ref {
  std::string target;
  std::string path;
  int line = 0;
  std::string origin;
};

struct endpoint_meta {
  std::string path;  // endpoints[N] of the document that last touched it
  int line = 0;
  std::string origin;
  std::vector<ref> aliases;
  std::vector<ref> fallbacks;
};

bool valid_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '@';
}

// Endpoint ids and aliases appear in the Fallback-Chain header (`;` and `, ` separated,
// design §3.3) and in `model`; `auto` and `auto:<task>` are reserved for routing.
std::string read_id(const YAML::Node& n, const std::string& path) {
  std::string s = read_string(n, path);
  if (s.empty()) fail(path, n, "must not be empty");
  if (s.size() > 128) fail(path, n, "must be at most 128 characters");
  if (!std::all_of(s.begin(), s.end(), valid_id_char))
    fail(path, n, fmt::format("'{}' has characters outside [A-Za-z0-9._:/@-]", s));
  if (s == "auto" || s.rfind("auto:", 0) == 0)
    fail(path, n, "'auto' and 'auto:<task>' are reserved for routing");
  return s;
}

std::string read_task(const YAML::Node& n, const std::string& path) {
  std::string s = read_string(n, path);
  if (!is_known_task(s))
    fail(path, n, fmt::format("unknown task '{}' (tasks: reasoning, code, creative, rewrite, "
                              "chat, extraction, summarize, translation)", s));
  return s;
}

std::string read_base_url(const YAML::Node& n, const std::string& path) {
  std::string s = read_string(n, path);
  if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0)
    fail(path, n, fmt::format("'{}' is not an http:// or https:// URL", s));
  std::string_view rest = std::string_view(s).substr(s.find("//") + 2);
  if (rest.empty() || rest[0] == '/') fail(path, n, "URL has no host");
  if (s.find_first_of(" \t?#") != std::string::npos)
    fail(path, n, "URL must not contain spaces, a query or a fragment");
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

class loader {
 public:
  loader(snapshot& s, std::string base_dir) : s_(s), base_dir_(std::move(base_dir)) {}

  void apply(const YAML::Node& root, const std::string& origin, bool is_catalog) {
    origin_ = origin;
    if (!root.IsDefined() || root.IsNull()) return;  // empty document = nothing to add
    if (is_catalog)
      check_map(root, "", {"endpoints", "routing"});
    else
      check_map(root, "", {"catalog", "server", "auth", "upstream", "endpoints", "routing", "logging", "accounts", "classifier"});
    seen_ids_.clear();
    if (auto n = root["server"]) server(n, "server");
    if (auto n = root["auth"]) auth(n, "auth");
    if (auto n = root["upstream"]) upstream(n, "upstream");
    if (auto n = root["endpoints"]) endpoints(n, "endpoints", is_catalog);
    if (auto n = root["routing"]) routing(n, "routing");
    if (auto n = root["logging"]) logging(n, "logging");
    if (auto n = root["accounts"]) accounts(n, "accounts");
    if (auto n = root["classifier"]) classifier(n, "classifier");
  }

  // Cross references over the merged set.
  void finish() {
    std::map<std::string, std::string> names;  // id or alias -> endpoint id
    for (const auto& ep : s_.endpoints) names[ep.id] = ep.id;
    for (const auto& ep : s_.endpoints) {
      for (const auto& a : meta_[ep.id].aliases) {
        auto [it, inserted] = names.emplace(a.target, ep.id);
        if (!inserted) {
          std::string what = it->first == it->second ? "an endpoint id" : "an alias of " + it->second;
          throw load_failure{config_error{a.path, a.line,
                                          fmt::format("alias '{}' is already {}", a.target, what), a.origin}};
        }
      }
    }
    auto resolve = [&](const ref& r) -> std::string {
      auto it = names.find(r.target);
      if (it == names.end())
        throw load_failure{config_error{r.path, r.line,
                                        fmt::format("unknown endpoint '{}'", r.target), r.origin}};
      return it->second;
    };
    for (auto& ep : s_.endpoints) {
      ep.fallbacks.clear();
      for (const auto& r : meta_[ep.id].fallbacks) {
        std::string id = resolve(r);
        if (id == ep.id)
          throw load_failure{config_error{r.path, r.line, "an endpoint cannot fall back to itself", r.origin}};
        if (std::find(ep.fallbacks.begin(), ep.fallbacks.end(), id) != ep.fallbacks.end())
          throw load_failure{config_error{r.path, r.line, fmt::format("'{}' is listed twice", id), r.origin}};
        ep.fallbacks.push_back(id);
      }
    }
    s_.routing.chains.clear();
    for (const auto& [task, refs] : chain_refs_) {
      std::vector<std::string> chain;
      for (const auto& r : refs) {
        std::string id = resolve(r);
        if (std::find(chain.begin(), chain.end(), id) != chain.end())
          throw load_failure{config_error{r.path, r.line, fmt::format("'{}' is listed twice", id), r.origin}};
        chain.push_back(id);
      }
      s_.routing.chains[task] = std::move(chain);
    }
    for (auto& ep : s_.endpoints)
      if (ep.base_url.empty()) ep.base_url = default_base_url(ep.provider, ep.aws_region);
  }

 private:
  void server(const YAML::Node& n, const std::string& p) {
    check_map(n, p, {"host", "port", "threads", "limits", "timeouts", "tls"});
    auto& c = s_.server;
    if (auto v = n["host"]) {
      c.host = read_string(v, child_path(p, "host"));
      if (c.host.empty()) fail(child_path(p, "host"), v, "must not be empty");
    }
    if (auto v = n["port"]) c.port = static_cast<std::uint16_t>(read_int(v, child_path(p, "port"), 0, 65535));
    if (auto v = n["threads"]) {
      if (v.IsScalar() && v.Scalar() == "auto")
        c.threads = 0;
      else
        c.threads = static_cast<int>(read_int(v, child_path(p, "threads"), 1, 1024));
    }
    if (auto l = n["limits"]) {
      std::string lp = child_path(p, "limits");
      check_map(l, lp, {"max_header_bytes", "max_body_bytes", "max_connections"});
      if (auto v = l["max_header_bytes"]) c.max_header_bytes = read_size(v, child_path(lp, "max_header_bytes"));
      if (auto v = l["max_body_bytes"]) c.max_body_bytes = read_size(v, child_path(lp, "max_body_bytes"));
      if (auto v = l["max_connections"])
        c.max_connections = static_cast<std::size_t>(read_int(v, child_path(lp, "max_connections"), 1, 1'000'000));
    }
    if (auto t = n["timeouts"]) {
      std::string tp = child_path(p, "timeouts");
      check_map(t, tp, {"read", "idle", "shutdown_grace", "request"});
      if (auto v = t["read"]) c.read_timeout = read_duration(v, child_path(tp, "read"));
      if (auto v = t["idle"]) c.idle_timeout = read_duration(v, child_path(tp, "idle"));
      if (auto v = t["shutdown_grace"]) c.shutdown_grace = read_duration(v, child_path(tp, "shutdown_grace"));
      if (auto v = t["request"]) c.request_timeout = read_duration(v, child_path(tp, "request"));
    }
    if (auto t = n["tls"]) {
      std::string tp = child_path(p, "tls");
      if (t.IsNull()) {
        c.tls.reset();
        return;
      }
      check_map(t, tp, {"cert_file", "key_file"});
      tls_listener tls;
      for (auto [key, dst] : {std::pair{"cert_file", &tls.cert_file}, std::pair{"key_file", &tls.key_file}}) {
        auto v = t[key];
        std::string kp = child_path(tp, key);
        if (!v) fail(kp, t, "missing (TLS needs both cert_file and key_file)");
        std::filesystem::path file = read_string(v, kp);
        if (file.is_relative() && !base_dir_.empty()) file = std::filesystem::path(base_dir_) / file;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec))
          fail(kp, v, fmt::format("file not found: {}", file.string()));
        *dst = file.string();
      }
      c.tls = std::move(tls);
    }
  }

  void auth(const YAML::Node& n, const std::string& p) {
    check_map(n, p, {"keys"});
    auto keys = n["keys"];
    if (!keys) return;
    std::string kp = child_path(p, "keys");
    if (keys.IsNull()) {
      s_.auth.keys.clear();
      return;
    }
    require_sequence(keys, kp);
    std::vector<api_key_entry> out;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      std::string ip = index_path(kp, i);
      auto e = keys[i];
      check_map(e, ip, {"id", "sha256"});
      if (!e["id"]) fail(child_path(ip, "id"), e, "missing");
      if (!e["sha256"]) fail(child_path(ip, "sha256"), e, "missing (the SHA-256 hex digest of the key)");
      api_key_entry k;
      k.id = read_string(e["id"], child_path(ip, "id"));
      if (k.id.empty()) fail(child_path(ip, "id"), e["id"], "must not be empty");
      k.sha256_hex = read_string(e["sha256"], child_path(ip, "sha256"));
      std::transform(k.sha256_hex.begin(), k.sha256_hex.end(), k.sha256_hex.begin(),
                     [](char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c; });
      bool hex = k.sha256_hex.size() == 64 &&
                 std::all_of(k.sha256_hex.begin(), k.sha256_hex.end(),
                             [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
      if (!hex)
        fail(child_path(ip, "sha256"), e["sha256"],
             "must be 64 hex characters (the SHA-256 of the key: printf %s \"$KEY\" | sha256sum)");
      for (const auto& prev : out) {
        if (prev.id == k.id) fail(child_path(ip, "id"), e["id"], fmt::format("duplicate key id '{}'", k.id));
        if (prev.sha256_hex == k.sha256_hex)
          fail(child_path(ip, "sha256"), e["sha256"], fmt::format("same digest as key '{}'", prev.id));
      }
      out.push_back(std::move(k));
    }
    s_.auth.keys = std::move(out);
  }

  void upstream(const YAML::Node& n, const std::string& p) {
    check_map(n, p, {"proxy", "tls_verify", "pool_size_per_host", "max_inflight_per_endpoint",
                     "max_response_bytes", "timeouts"});
    auto& c = s_.upstream;
    if (auto v = n["proxy"]) {
      std::string pp = child_path(p, "proxy");
      c.http_proxy = v.IsNull() ? std::string{} : read_string(v, pp);
      if (!c.http_proxy.empty()) {
        if (c.http_proxy.rfind("http://", 0) != 0)
          fail(pp, v, "must be an http://host:port URL");
        while (c.http_proxy.back() == '/') c.http_proxy.pop_back();
        if (c.http_proxy.size() <= 7) fail(pp, v, "proxy URL has no host");
      }
    }
    if (auto v = n["tls_verify"]) c.tls_verify = read_bool(v, child_path(p, "tls_verify"));
    if (auto v = n["pool_size_per_host"])
      c.pool_size_per_host = static_cast<std::size_t>(read_int(v, child_path(p, "pool_size_per_host"), 1, 100'000));
    if (auto v = n["max_inflight_per_endpoint"])
      c.max_inflight_per_endpoint =
          static_cast<std::size_t>(read_int(v, child_path(p, "max_inflight_per_endpoint"), 1, 1'000'000));
    if (auto v = n["max_response_bytes"]) c.max_response_bytes = read_size(v, child_path(p, "max_response_bytes"));
    if (auto t = n["timeouts"]) {
      std::string tp = child_path(p, "timeouts");
      check_map(t, tp, {"connect", "tls", "write", "ttfb", "stall", "total"});
      if (auto v = t["connect"]) c.connect_timeout = read_duration(v, child_path(tp, "connect"));
      if (auto v = t["tls"]) c.tls_timeout = read_duration(v, child_path(tp, "tls"));
      if (auto v = t["write"]) c.write_timeout = read_duration(v, child_path(tp, "write"));
      if (auto v = t["ttfb"]) c.ttfb_timeout = read_duration(v, child_path(tp, "ttfb"));
      if (auto v = t["stall"]) c.stall_timeout = read_duration(v, child_path(tp, "stall"));
      if (auto v = t["total"]) c.total_timeout = read_duration(v, child_path(tp, "total"));
    }
  }

  void endpoints(const YAML::Node& n, const std::string& p, bool is_catalog) {
    require_sequence(n, p);
    for (std::size_t i = 0; i < n.size(); ++i) endpoint(n[i], index_path(p, i), is_catalog);
  }

  void endpoint(const YAML::Node& n, const std::string& p, bool is_catalog) {
    check_map(n, p, {"id", "provider", "model", "base_url", "region", "api_key_env", "auth",
                     "aws_region", "aws_access_key_id_env", "aws_secret_access_key_env",
                     "aws_session_token_env", "prices", "capabilities", "context_window",
                     "max_output", "aliases", "fallbacks", "quality", "quality_source", "timeouts"});
    if (!n["id"]) fail(child_path(p, "id"), n, "missing (every endpoint needs an id, e.g. openai/gpt-4o-mini)");
    std::string id = read_id(n["id"], child_path(p, "id"));
    if (auto it = seen_ids_.find(id); it != seen_ids_.end())
      fail(child_path(p, "id"), n["id"], fmt::format("duplicate endpoint id '{}' (first at line {})", id, it->second));
    seen_ids_[id] = line_of(n["id"]);

    auto existing = std::find_if(s_.endpoints.begin(), s_.endpoints.end(),
                                 [&](const endpoint_config& e) { return e.id == id; });
    const bool is_new = existing == s_.endpoints.end();
    endpoint_config ep = is_new ? endpoint_config{} : *existing;
    endpoint_meta& meta = meta_[id];
    if (is_new) {
      ep.id = id;
      ep.from_catalog = is_catalog;
    }
    meta.path = p;
    meta.line = line_of(n);
    meta.origin = origin_;

    bool have_prices_input = !is_new, have_prices_output = !is_new;
    if (auto v = n["provider"]) {
      std::string name = read_string(v, child_path(p, "provider"));
      auto k = core::parse_provider_kind(name);
      if (!k)
        fail(child_path(p, "provider"), v,
             fmt::format("unknown provider '{}' (providers: openai, anthropic, gemini, mistral, "
                         "groq, deepseek, xai, bedrock)", name));
      if (!is_new && *k != ep.provider)
        fail(child_path(p, "provider"), v,
             fmt::format("'{}' overrides an endpoint of provider '{}': use a new id instead", name,
                         core::to_string(ep.provider)));
      ep.provider = *k;
      ep.capabilities.image_urls = *k != core::provider_kind::bedrock && *k != core::provider_kind::gemini;
    } else if (is_new) {
      fail(child_path(p, "provider"), n, "missing");
    }
    if (auto v = n["model"]) {
      ep.model = read_string(v, child_path(p, "model"));
      if (ep.model.empty()) fail(child_path(p, "model"), v, "must not be empty");
    } else if (is_new) {
      fail(child_path(p, "model"), n, "missing (the upstream model id)");
    }
    if (auto v = n["base_url"]) ep.base_url = read_base_url(v, child_path(p, "base_url"));
    if (auto v = n["region"]) {
      ep.region = read_string(v, child_path(p, "region"));
      bool ok = std::all_of(ep.region.begin(), ep.region.end(),
                            [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
      if (!ok || ep.region.empty())
        fail(child_path(p, "region"), v, "must be a lower-case region name such as us, eu or apac");
    }
    if (auto v = n["api_key_env"]) ep.api_key_env = read_env_name(v, child_path(p, "api_key_env"));
    if (auto v = n["auth"]) {
      std::string a = read_string(v, child_path(p, "auth"));
      if (a == "none") ep.auth_none = true;
      else if (a == "key") ep.auth_none = false;
      else if (a == "byok") ep.byok_only = true;
      else fail(child_path(p, "auth"), v, fmt::format("must be 'none', 'key' or 'byok', got '{}'", a));
    }
    for (auto [key, dst] : {std::pair{"aws_region", &ep.aws_region},
                            std::pair{"aws_access_key_id_env", &ep.aws_access_key_id_env},
                            std::pair{"aws_secret_access_key_env", &ep.aws_secret_access_key_env},
                            std::pair{"aws_session_token_env", &ep.aws_session_token_env}}) {
      auto v = n[key];
      if (!v) continue;
      std::string kp = child_path(p, key);
      if (ep.provider != core::provider_kind::bedrock) fail(kp, v, "only valid for provider bedrock");
      *dst = std::string_view(key) == "aws_region" ? read_string(v, kp) : read_env_name(v, kp);
      if (dst->empty()) fail(kp, v, "must not be empty");
    }
    if (auto pr = n["prices"]) {
      std::string pp = child_path(p, "prices");
      check_map(pr, pp, {"input", "cached_input", "cache_write_5m", "cache_write_1h", "output"});
      auto& x = ep.prices;
      // Unset cache prices default to the input price: never assume a discount we do not know.
      if (auto v = pr["input"]) {
        x.input = read_price(v, child_path(pp, "input"));
        have_prices_input = true;
        if (is_new) x.cached_input = x.cache_write_5m = x.cache_write_1h = x.input;
      }
      if (auto v = pr["output"]) {
        x.output = read_price(v, child_path(pp, "output"));
        have_prices_output = true;
      }
      if (auto v = pr["cached_input"]) x.cached_input = read_price(v, child_path(pp, "cached_input"));
      if (auto v = pr["cache_write_5m"]) {
        x.cache_write_5m = read_price(v, child_path(pp, "cache_write_5m"));
        if (is_new && !pr["cache_write_1h"]) x.cache_write_1h = x.cache_write_5m;
      }
      if (auto v = pr["cache_write_1h"]) x.cache_write_1h = read_price(v, child_path(pp, "cache_write_1h"));
      if (!have_prices_input) fail(child_path(pp, "input"), pr, "missing (USD per 1M input tokens)");
      if (!have_prices_output) fail(child_path(pp, "output"), pr, "missing (USD per 1M output tokens)");
    } else if (is_new) {
      fail(child_path(p, "prices"), n, "missing (input and output USD per 1M tokens are required)");
    }
    if (auto c = n["capabilities"]) {
      std::string cp = child_path(p, "capabilities");
      check_map(c, cp, {"streaming", "tools", "parallel_tools", "json_schema", "vision", "reasoning"});
      auto& k = ep.capabilities;
      for (auto [key, dst] : {std::pair{"streaming", &k.streaming}, std::pair{"tools", &k.tools},
                              std::pair{"parallel_tools", &k.parallel_tools},
                              std::pair{"json_schema", &k.json_schema}, std::pair{"vision", &k.vision},
                              std::pair{"reasoning", &k.reasoning}})
        if (auto v = c[key]) *dst = read_bool(v, child_path(cp, key));
    }
    if (auto v = n["context_window"])
      ep.context_window = read_int(v, child_path(p, "context_window"), 1, 100'000'000);
    if (auto v = n["max_output"]) ep.max_output = read_int(v, child_path(p, "max_output"), 1, 100'000'000);
    if (ep.max_output > ep.context_window)
      fail(child_path(p, "max_output"), n["max_output"] ? n["max_output"] : n,
           fmt::format("max_output {} exceeds context_window {}", ep.max_output, ep.context_window));
    if (auto v = n["aliases"]) {
      std::string ap = child_path(p, "aliases");
      require_sequence(v, ap);
      ep.aliases.clear();
      meta.aliases.clear();
      for (std::size_t i = 0; i < v.size(); ++i) {
        std::string a = read_id(v[i], index_path(ap, i));
        ep.aliases.push_back(a);
        meta.aliases.push_back(ref{a, index_path(ap, i), line_of(v[i]), origin_});
      }
    }
    if (auto v = n["fallbacks"]) {
      std::string fp = child_path(p, "fallbacks");
      require_sequence(v, fp);
      meta.fallbacks.clear();
      for (std::size_t i = 0; i < v.size(); ++i)
        meta.fallbacks.push_back(ref{read_id(v[i], index_path(fp, i)), index_path(fp, i), line_of(v[i]), origin_});
    }
    if (auto q = n["quality"]) {
      std::string qp = child_path(p, "quality");
      require_map(q, qp);
      std::map<std::string, double> quality;
      std::set<std::string> seen;
      for (const auto& kv : q) {
        std::string task = read_task(kv.first, qp);
        std::string tp = child_path(qp, task);
        if (!seen.insert(task).second) fail(tp, kv.first, "duplicate key");
        quality[task] = read_unit_double(kv.second, tp, 0.0, 1.0);
      }
      ep.quality = std::move(quality);
    }
    if (auto v = n["quality_source"]) ep.quality_source = read_string(v, child_path(p, "quality_source"));
    if (!ep.quality.empty() && ep.quality_source.empty())
      fail(child_path(p, "quality_source"), n,
           "missing: quality scores need their provenance (a cited benchmark, or \"estimate: <why>\")");
    if (auto t = n["timeouts"]) {
      std::string tp = child_path(p, "timeouts");
      check_map(t, tp, {"ttfb", "total"});
      if (auto v = t["ttfb"]) ep.ttfb_timeout = read_duration(v, child_path(tp, "ttfb"));
      if (auto v = t["total"]) ep.total_timeout = read_duration(v, child_path(tp, "total"));
    }
    check_credentials(ep, n, p);
    if (is_new)
      s_.endpoints.push_back(std::move(ep));
    else
      *existing = std::move(ep);
  }

  void check_credentials(const endpoint_config& ep, const YAML::Node& n, const std::string& p) {
    if (ep.byok_only) {
      if (ep.provider == core::provider_kind::bedrock && ep.aws_region.empty())
        fail(child_path(p, "aws_region"), n, "missing (Bedrock needs the AWS region, e.g. us-east-1)");
      return;  // the caller's key is the only credential
    }
    if (ep.provider == core::provider_kind::bedrock) {
      if (ep.aws_region.empty())
        fail(child_path(p, "aws_region"), n, "missing (Bedrock needs the AWS region, e.g. us-east-1)");
      if (ep.auth_none || !ep.api_key_env.empty()) return;
      if (ep.aws_access_key_id_env.empty() || ep.aws_secret_access_key_env.empty())
        fail(child_path(p, "aws_access_key_id_env"), n,
             "missing: a Bedrock endpoint needs aws_access_key_id_env and aws_secret_access_key_env "
             "(SigV4), or api_key_env (Bedrock API key), or auth: none");
      return;
    }
    if (!ep.auth_none && ep.api_key_env.empty())
      fail(child_path(p, "api_key_env"), n,
           "missing: name the environment variable holding the provider key, or set auth: none");
  }

  void routing(const YAML::Node& n, const std::string& p) {
    check_map(n, p, {"default_task", "chains", "hedge", "latency"});
    if (auto h = n["hedge"]) routing_hedge(h, child_path(p, "hedge"));
    if (auto l = n["latency"]) routing_latency(l, child_path(p, "latency"));
    if (auto v = n["default_task"]) s_.routing.default_task = read_task(v, child_path(p, "default_task"));
    if (auto c = n["chains"]) {
      std::string cp = child_path(p, "chains");
      require_map(c, cp);
      std::set<std::string> seen;
      for (const auto& kv : c) {
        std::string task = read_task(kv.first, cp);
        std::string tp = child_path(cp, task);
        if (!seen.insert(task).second) fail(tp, kv.first, "duplicate key");
        require_sequence(kv.second, tp);
        if (kv.second.size() == 0) fail(tp, kv.second, "a chain must name at least one endpoint");
        std::vector<ref> refs;
        for (std::size_t i = 0; i < kv.second.size(); ++i)
          refs.push_back(ref{read_id(kv.second[i], index_path(tp, i)), index_path(tp, i),
                             line_of(kv.second[i]), origin_});
        chain_refs_[task] = std::move(refs);  // replaces the catalog's chain for this task
      }
    }
  }

  void routing_hedge(const YAML::Node& n, const std::string& p) {
    check_map(n, p, {"default", "min_delay", "max_delay", "max_per_request"});
    auto& h = s_.routing.hedge;
    if (auto v = n["default"]) {
      std::string t = read_string(v, child_path(p, "default"));
      if (t == "off") {
        h.default_mode = hedge_config::mode::off;
      } else if (t == "on") {
        h.default_mode = hedge_config::mode::on;
      } else {
        auto d = parse_duration(t);
        if (!d) fail(child_path(p, "default"), v, fmt::format("must be off, on or a delay (\"200ms\"); got '{}'", t));
        h.default_mode = hedge_config::mode::delay;
        h.default_delay = *d;
      }
    }
    if (auto v = n["min_delay"]) h.min_delay = read_duration(v, child_path(p, "min_delay"));
    if (auto v = n["max_delay"]) h.max_delay = read_duration(v, child_path(p, "max_delay"));
    if (h.max_delay < h.min_delay)
      fail(child_path(p, "max_delay"), n["max_delay"] ? n["max_delay"] : n, "must be >= min_delay");
    if (auto v = n["max_per_request"])
      h.max_per_request = static_cast<std::uint32_t>(read_int(v, child_path(p, "max_per_request"), 0, 8));
  }

  void routing_latency(const YAML::Node& n, const std::string& p) {
    check_map(n, p, {"live", "window", "refresh", "min_samples", "prior"});
    auto& l = s_.routing.latency;
    auto secs = [&](const YAML::Node& v, const std::string& vp) {
      auto d = read_duration(v, vp);
      if (d < std::chrono::seconds(1) || d.count() % 1000 != 0) fail(vp, v, "must be a whole number of seconds (\"30s\")");
      return std::chrono::duration_cast<std::chrono::seconds>(d);
    };
    if (auto v = n["live"]) l.live = read_bool(v, child_path(p, "live"));
    if (auto v = n["window"]) l.window = secs(v, child_path(p, "window"));
    if (auto v = n["refresh"]) l.refresh = secs(v, child_path(p, "refresh"));
    if (l.refresh > l.window) fail(child_path(p, "refresh"), n["refresh"] ? n["refresh"] : n, "must not exceed window");
    if (auto v = n["min_samples"])
      l.min_samples = static_cast<std::uint32_t>(read_int(v, child_path(p, "min_samples"), 1, 1'000'000));
    if (auto pr = n["prior"]) {
      std::string pp = child_path(p, "prior");
      check_map(pr, pp, {"p50", "p90", "p99"});
      if (auto v = pr["p50"]) l.prior_p50 = read_duration(v, child_path(pp, "p50"));
      if (auto v = pr["p90"]) l.prior_p90 = read_duration(v, child_path(pp, "p90"));
      if (auto v = pr["p99"]) l.prior_p99 = read_duration(v, child_path(pp, "p99"));
      if (l.prior_p90 < l.prior_p50 || l.prior_p99 < l.prior_p90)
        fail(pp, pr, "must satisfy p50 <= p90 <= p99");
    }
  }

  void logging(const YAML::Node& n, const std::string& p) {
    check_map(n, p, {"level", "access_log"});
    if (auto v = n["level"]) {
      std::string l = read_string(v, child_path(p, "level"));
      static constexpr std::string_view levels[] = {"trace", "debug", "info", "warn", "error", "off"};
      if (std::find(std::begin(levels), std::end(levels), l) == std::end(levels))
        fail(child_path(p, "level"), v, fmt::format("must be one of trace, debug, info, warn, error, off; got '{}'", l));
      s_.logging.level = l;
    }
    if (auto v = n["access_log"]) s_.logging.access_log = read_bool(v, child_path(p, "access_log"));
  }

  void classifier(const YAML::Node& n, const std::string& p) {
    check_map(n, p, {"enabled", "encoder", "data_dir", "timeout", "threads", "queue", "cache"});
    auto& c = s_.classifier;
    if (auto v = n["enabled"]) c.enabled = read_bool(v, child_path(p, "enabled"));
    if (auto v = n["encoder"]) {
      c.encoder = read_string(v, child_path(p, "encoder"));
      if (c.encoder != "auto" && c.encoder != "lexical" && c.encoder != "minilm")
        fail(child_path(p, "encoder"), v, fmt::format("must be auto, lexical or minilm; got '{}'", c.encoder));
    }
    if (auto v = n["data_dir"]) {
      std::filesystem::path d = read_string(v, child_path(p, "data_dir"));
      if (d.is_relative() && !base_dir_.empty()) d = std::filesystem::path(base_dir_) / d;
      c.data_dir = d.string();
    }
    if (auto v = n["timeout"]) {
      c.timeout = read_duration(v, child_path(p, "timeout"));
      if (c.timeout.count() < 1) fail(child_path(p, "timeout"), v, "must be at least 1ms");
    }
    if (auto v = n["threads"]) c.threads = static_cast<std::uint32_t>(read_int(v, child_path(p, "threads"), 1, 64));
    if (auto v = n["queue"]) c.queue = static_cast<std::uint32_t>(read_int(v, child_path(p, "queue"), 1, 100'000));
    if (auto v = n["cache"]) c.cache = static_cast<std::uint32_t>(read_int(v, child_path(p, "cache"), 0, 10'000'000));
  }

  void accounts(const YAML::Node& n, const std::string& p) {
    check_map(n, p, {"enabled", "store", "admin_token_env", "byok_master_key_env",
                     "byok_previous_key_env", "byok_fee_usd", "typical_output_tokens",
                     "rate_limits", "signup", "request_log_retention_days", "flush_interval"});
    auto& c = s_.accounts;
    if (auto v = n["enabled"]) c.enabled = read_bool(v, child_path(p, "enabled"));
    if (auto v = n["store"]) {
      c.store_path = read_string(v, child_path(p, "store"));
      if (c.store_path.empty()) fail(child_path(p, "store"), v, "must not be empty");
      std::filesystem::path f = c.store_path;
      if (f.is_relative() && !base_dir_.empty()) c.store_path = (std::filesystem::path(base_dir_) / f).string();
    }
    if (auto v = n["admin_token_env"]) c.admin_token_env = read_env_name(v, child_path(p, "admin_token_env"));
    if (auto v = n["byok_master_key_env"]) c.byok_master_key_env = read_env_name(v, child_path(p, "byok_master_key_env"));
    if (auto v = n["byok_previous_key_env"])
      c.byok_previous_key_env = read_env_name(v, child_path(p, "byok_previous_key_env"));
    if (auto v = n["byok_fee_usd"]) {
      auto fee = core::money::parse(read_string(v, child_path(p, "byok_fee_usd")));
      if (!fee || fee->nanos() < 0) fail(child_path(p, "byok_fee_usd"), v, "must be a non-negative decimal USD amount");
      c.byok_fee = *fee;
    }
    if (auto v = n["typical_output_tokens"])
      c.typical_output_tokens = read_int(v, child_path(p, "typical_output_tokens"), 1, 10'000'000);
    if (auto r = n["rate_limits"]) {
      std::string rp = child_path(p, "rate_limits");
      check_map(r, rp, {"requests_per_minute", "tokens_per_minute"});
      if (auto v = r["requests_per_minute"]) c.default_rpm = read_int(v, child_path(rp, "requests_per_minute"), 0, 100'000'000);
      if (auto v = r["tokens_per_minute"]) c.default_tpm = read_int(v, child_path(rp, "tokens_per_minute"), 0, 1'000'000'000'000);
    }
    if (auto sgn = n["signup"]) {
      std::string sp = child_path(p, "signup");
      check_map(sgn, sp, {"enabled", "per_ip_per_hour"});
      if (auto v = sgn["enabled"]) c.signup_enabled = read_bool(v, child_path(sp, "enabled"));
      if (auto v = sgn["per_ip_per_hour"]) c.signup_per_ip_per_hour = read_int(v, child_path(sp, "per_ip_per_hour"), 1, 1'000'000);
    }
    if (auto v = n["request_log_retention_days"])
      c.request_log_retention_days = static_cast<int>(read_int(v, child_path(p, "request_log_retention_days"), 1, 36'500));
    if (auto v = n["flush_interval"]) c.flush_interval = read_duration(v, child_path(p, "flush_interval"));
  }

  snapshot& s_;
  std::string base_dir_;
  std::string origin_;
  std::map<std::string, int> seen_ids_;  // ids of the current document -> line
  std::map<std::string, endpoint_meta> meta_;
  std::map<std::string, std::vector<ref>> chain_refs_;
};

YAML::Node parse_yaml(std::string_view text) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw load_failure{config_error{"", e.mark.line >= 0 ? e.mark.line + 1 : 0,
                                    fmt::format("invalid YAML: {}", e.msg), {}}};
  }
}

}  // namespace

core::result<snapshot_ptr, config_error> load_layered(std::string_view user_yaml, std::string origin,
                                                      const load_options& opts) {
  auto s = std::make_shared<snapshot>();
  s->source = origin;
  std::string current = origin;
  try {
    YAML::Node user = parse_yaml(user_yaml);
    if (user.IsDefined() && !user.IsNull() && !user.IsMap())
      fail("", user, "the config must be a mapping of sections (server, auth, upstream, endpoints, routing, logging)");
    bool with_catalog = true;
    if (user.IsMap())
      if (auto c = user["catalog"]) with_catalog = read_bool(c, "catalog");
    s->catalog_included = with_catalog;
    loader l(*s, opts.base_dir);
    if (with_catalog) {
      current = "<catalog>";
      std::string_view cat = opts.use_builtin_catalog ? builtin_catalog_yaml() : opts.catalog_yaml;
      l.apply(parse_yaml(cat), current, true);
    }
    current = origin;
    l.apply(user, current, false);
    l.finish();
  } catch (load_failure& f) {
    if (f.error.origin.empty()) f.error.origin = current;
    return std::move(f.error);
  } catch (const YAML::Exception& e) {  // defensive: a yaml-cpp accessor threw
    return config_error{"", e.mark.line >= 0 ? e.mark.line + 1 : 0, e.msg, current};
  }
  s->index_endpoints();
  s->hash = snapshot_hash(*s);
  return snapshot_ptr(std::move(s));
}

}  // namespace gi::config
