#include "config/describe.h"

#include <fmt/format.h>

namespace gi::config {

namespace {

std::string ms(std::chrono::milliseconds d) {
  auto n = d.count();
  if (n % 3'600'000 == 0) return fmt::format("{}h", n / 3'600'000);
  if (n % 60'000 == 0) return fmt::format("{}m", n / 60'000);
  if (n % 1'000 == 0) return fmt::format("{}s", n / 1'000);
  return fmt::format("{}ms", n);
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

std::string list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out + "]";
}

}  // namespace

std::string describe(const snapshot& s, const std::function<bool(std::string_view)>& env_is_set) {
  std::string o;
  auto line = [&]<class... A>(fmt::format_string<A...> f, A&&... args) {
    o += fmt::format(f, std::forward<A>(args)...);
    o += '\n';
  };
  auto env = [&](std::string_view name) {
    return env_is_set(name) ? std::string("set") : std::string("NOT SET");
  };
  line("# resolved configuration from {} (router hash {})", s.source, s.hash);
  line("# compiled-in catalog: {}", s.catalog_included ? "included" : "not included (catalog: false)");
  line("server:");
  line("  host: {}", s.server.host);
  line("  port: {}", s.server.port);
  line("  threads: {}", s.server.threads == 0 ? std::string("auto") : std::to_string(s.server.threads));
  line("  limits: {{max_header_bytes: {}, max_body_bytes: {}, max_connections: {}}}", s.server.max_header_bytes,
       s.server.max_body_bytes, s.server.max_connections);
  line("  timeouts: {{read: {}, idle: {}, shutdown_grace: {}, request: {}}}", ms(s.server.read_timeout),
       ms(s.server.idle_timeout), ms(s.server.shutdown_grace), ms(s.server.request_timeout));
  if (s.server.tls)
    line("  tls: {{cert_file: {}, key_file: {}}}", quoted(s.server.tls->cert_file), quoted(s.server.tls->key_file));
  line("auth:");
  if (s.auth.keys.empty()) {
    line("  keys: []  # no keys: every /v1/* request gets 401");
  } else {
    line("  keys:");
    for (const auto& k : s.auth.keys) line("    - {{id: {}, sha256: {}}}", quoted(k.id), k.sha256_hex);
  }
  const auto& u = s.upstream;
  line("upstream:");
  line("  proxy: {}", quoted(u.http_proxy));
  line("  tls_verify: {}", u.tls_verify);
  line("  pool_size_per_host: {}", u.pool_size_per_host);
  line("  max_inflight_per_endpoint: {}", u.max_inflight_per_endpoint);
  line("  max_response_bytes: {}", u.max_response_bytes);
  line("  timeouts: {{connect: {}, tls: {}, write: {}, ttfb: {}, stall: {}, total: {}}}", ms(u.connect_timeout),
       ms(u.tls_timeout), ms(u.write_timeout), ms(u.ttfb_timeout), ms(u.stall_timeout), ms(u.total_timeout));
  line("endpoints:  # {}", s.endpoints.size());
  std::size_t usable = 0;
  for (const auto& e : s.endpoints) {
    line("  - id: {}{}", e.id, e.from_catalog ? "  # catalog" : "");
    line("    provider: {}", core::to_string(e.provider));
    line("    model: {}", quoted(e.model));
    line("    base_url: {}", e.base_url);
    if (!e.region.empty()) line("    region: {}", e.region);
    bool ready = true;
    if (e.auth_none) {
      line("    auth: none");
    } else if (e.byok_only) {
      line("    auth: byok  # the caller's own key only");
      ready = false;
    } else if (!e.api_key_env.empty()) {
      line("    api_key_env: {}  # {}", e.api_key_env, env(e.api_key_env));
      ready = env_is_set(e.api_key_env);
    }
    if (e.provider == core::provider_kind::bedrock) {
      line("    aws_region: {}", e.aws_region);
      if (!e.auth_none && !e.byok_only && e.api_key_env.empty()) {
        line("    aws_access_key_id_env: {}  # {}", e.aws_access_key_id_env, env(e.aws_access_key_id_env));
        line("    aws_secret_access_key_env: {}  # {}", e.aws_secret_access_key_env,
             env(e.aws_secret_access_key_env));
        if (!e.aws_session_token_env.empty())
          line("    aws_session_token_env: {}  # {} (optional)", e.aws_session_token_env,
               env(e.aws_session_token_env));
        ready = env_is_set(e.aws_access_key_id_env) && env_is_set(e.aws_secret_access_key_env);
      }
    }
    if (ready) ++usable;
    line("    prices: {{input: \"{}\", cached_input: \"{}\", cache_write_5m: \"{}\", cache_write_1h: \"{}\", output: \"{}\"}}",
         e.prices.input.per_million.to_string(), e.prices.cached_input.per_million.to_string(),
         e.prices.cache_write_5m.per_million.to_string(), e.prices.cache_write_1h.per_million.to_string(),
         e.prices.output.per_million.to_string());
    const auto& c = e.capabilities;
    line("    capabilities: {{streaming: {}, tools: {}, parallel_tools: {}, json_schema: {}, vision: {}, reasoning: {}}}",
         c.streaming, c.tools, c.parallel_tools, c.json_schema, c.vision, c.reasoning);
    line("    context_window: {}", e.context_window);
    line("    max_output: {}", e.max_output);
    if (!e.aliases.empty()) line("    aliases: {}", list(e.aliases));
    if (!e.fallbacks.empty()) line("    fallbacks: {}", list(e.fallbacks));
    if (!e.quality.empty()) {
      std::string q;
      for (const auto& [t, v] : e.quality) q += fmt::format("{}{}: {}", q.empty() ? "" : ", ", t, v);
      line("    quality: {{{}}}", q);
      line("    quality_source: {}", quoted(e.quality_source));
    }
    if (e.ttfb_timeout || e.total_timeout) {
      std::string t;
      if (e.ttfb_timeout) t += "ttfb: " + ms(*e.ttfb_timeout);
      if (e.total_timeout) t += std::string(t.empty() ? "" : ", ") + "total: " + ms(*e.total_timeout);
      line("    timeouts: {{{}}}", t);
    }
  }
  line("# {} of {} endpoints have their credentials set (the others are skipped with no-key)", usable,
       s.endpoints.size());
  line("routing:");
  line("  default_task: {}", s.routing.default_task);
  line("  chains:");
  for (const auto& [task, chain] : s.routing.chains) line("    {}: {}", task, list(chain));
  const auto& hc = s.routing.hedge;
  std::string hedge_default = hc.default_mode == hedge_config::mode::off ? "off"
                              : hc.default_mode == hedge_config::mode::on ? "on"
                                                                          : ms(hc.default_delay);
  line("  hedge: {{default: {}, min_delay: {}, max_delay: {}, max_per_request: {}}}", hedge_default,
       ms(hc.min_delay), ms(hc.max_delay), hc.max_per_request);
  const auto& lc = s.routing.latency;
  line("  latency: {{live: {}, window: {}s, refresh: {}s, min_samples: {}, prior: {{p50: {}, p90: {}, p99: {}}}}}",
       lc.live, lc.window.count(), lc.refresh.count(), lc.min_samples, ms(lc.prior_p50),
       ms(lc.prior_p90), ms(lc.prior_p99));
  const auto& cc = s.classifier;
  line("classifier: {{enabled: {}, encoder: {}, data_dir: \"{}\", timeout: {}, threads: {}, queue: {}, cache: {}}}",
       cc.enabled, cc.encoder, cc.data_dir, ms(cc.timeout), cc.threads, cc.queue, cc.cache);
  line("logging:");
  line("  level: {}", s.logging.level);
  line("  access_log: {}", s.logging.access_log);
  return o;
}

}  // namespace gi::config
