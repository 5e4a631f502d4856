#pragma once
// The validated, immutable configuration snapshot (design §2, §4.5). Built once by the
// loader from YAML (plus built-in defaults and the compiled-in catalog), shared read-only
// as std::shared_ptr<const snapshot>, swapped atomically on reload.
//
// Thread safety: a snapshot is immutable after load; share it freely.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/provider_kind.h"
#include "core/result.h"
#include "core/tasks.h"

namespace gi::config {

using std::chrono::milliseconds;

struct tls_listener {
  std::string cert_file;
  std::string key_file;
};

struct server_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 0;  // 0 = auto: the CPUs in the process's affinity mask
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 10 * 1024 * 1024;
  milliseconds read_timeout{30'000};      // whole request (headers + body) must arrive
  milliseconds idle_timeout{60'000};      // keep-alive idle
  milliseconds shutdown_grace{10'000};    // in-flight requests may finish within this
  milliseconds request_timeout{300'000};  // default overall deadline of one chat request
  std::size_t max_connections = 10'000;
  std::optional<tls_listener> tls;
};

// Interim auth (until the accounts store): keys listed as SHA-256 hex digests.
struct api_key_entry {
  std::string id;
  std::string sha256_hex;  // 64 lower-case hex characters
};
struct auth_config {
  std::vector<api_key_entry> keys;
};

struct upstream_config {
  std::string http_proxy;  // "http://host:port" or empty
  bool tls_verify = true;  // false only for tests
  std::size_t pool_size_per_host = 64;
  std::size_t max_inflight_per_endpoint = 512;
  std::size_t max_response_bytes = 32 * 1024 * 1024;
  milliseconds connect_timeout{5'000};
  milliseconds tls_timeout{5'000};
  milliseconds write_timeout{10'000};
  milliseconds ttfb_timeout{60'000};   // time to first byte (non-stream: to response head)
  milliseconds stall_timeout{30'000};  // max gap between stream chunks
  milliseconds total_timeout{300'000};
};

// Prices per 1M tokens, exact (core::money).
struct prices {
  core::price_per_mtok input;
  core::price_per_mtok cached_input;
  core::price_per_mtok cache_write_5m;
  core::price_per_mtok cache_write_1h;
  core::price_per_mtok output;
};

struct endpoint_capabilities {
  bool streaming = true;
  bool tools = true;
  bool parallel_tools = true;
  bool json_schema = true;
  bool vision = false;
  bool reasoning = false;
  // Images by http(s) URL. Derived from the provider (not YAML): Bedrock Converse takes only
  // image bytes or S3 locations (providers.md §9.2) and Gemini fetches no URLs (§4), so the
  // router skips them for URL images.
  bool image_urls = true;
};

struct endpoint_config {
  std::string id;  // "openai/gpt-4o-mini"
  core::provider_kind provider = core::provider_kind::openai;
  std::string model;     // upstream model id
  std::string base_url;  // empty = the provider's default
  std::string region;    // "us", "eu", … (empty = global)
  std::string api_key_env;  // env var holding the key; empty with auth_none
  bool auth_none = false;   // self-hosted upstreams and mocks
  // `auth: byok`: the gateway holds no key; only requests that bring their own key for the
  // provider (BYOK header or stored key) may use it (the router's BYOK-only filter).
  bool byok_only = false;
  // Bedrock (providers.md §9.1): the AWS region of the host and of SigV4 signing
  // ("us-east-1"), and the env vars holding SigV4 credentials. A Bedrock endpoint uses
  // api_key_env (a Bedrock API key, bearer) when set, else SigV4 from these.
  std::string aws_region;
  std::string aws_access_key_id_env;
  std::string aws_secret_access_key_env;
  std::string aws_session_token_env;  // optional (temporary credentials)
  config::prices prices;
  endpoint_capabilities capabilities;
  std::int64_t context_window = 128'000;
  std::int64_t max_output = 16'384;
  std::vector<std::string> aliases;    // "gpt-4o-mini"
  std::vector<std::string> fallbacks;  // endpoint ids tried after this one when pinned
  std::map<std::string, double> quality;  // task -> [0,1]
  std::string quality_source;  // provenance: a cited score, or "estimate: <rationale>"
  // Per-endpoint overrides of upstream timeouts (unset = upstream_config's).
  std::optional<milliseconds> ttfb_timeout;
  std::optional<milliseconds> total_timeout;
  bool from_catalog = false;  // defined (or first defined) by the compiled-in catalog
};

// Hedged requests (issue 8 item 5): `routing.hedge`.
struct hedge_config {
  enum class mode : std::uint8_t { off, on, delay };
  mode default_mode = mode::off;         // `default: off | on | <duration>`
  milliseconds default_delay{0};         // mode::delay only
  milliseconds min_delay{50};            // clamp of the live-p90 delay
  milliseconds max_delay{5'000};
  std::uint32_t max_per_request = 1;     // hedges one request may launch
};

// Live latency statistics (issue 8 item 2): `routing.latency`.
struct latency_config {
  bool live = true;                      // false = static ordered fallback (no ranking)
  std::chrono::seconds window{300};
  std::chrono::seconds refresh{30};
  std::uint32_t min_samples = 5;         // below: the prior
  milliseconds prior_p50{1'000};
  milliseconds prior_p90{3'000};
  milliseconds prior_p99{8'000};
};

struct routing_config {
  std::string default_task = "chat";
  // task -> ordered endpoint ids (the fallback chain)
  std::map<std::string, std::vector<std::string>> chains;
  hedge_config hedge;
  latency_config latency;
};

// Task classifier service (design §4.8, issue 9 §6; docs/classifier.md): `classifier:`.
struct classifier_config {
  bool enabled = true;            // false: `model: auto` routes the default task (source default)
  std::string encoder = "auto";   // auto (MiniLM when installed, else lexical) | lexical | minilm
  std::string data_dir;           // empty: $GAMMAINFRA_DATA_DIR, else ./gammainfra-data
  milliseconds timeout{40};       // past it the request is answered by the lexical model (fallback)
  std::uint32_t threads = 1;      // MiniLM worker threads
  std::uint32_t queue = 64;       // queued MiniLM requests before overload fallback
  std::uint32_t cache = 4096;     // LRU entries (0 = off)
};

struct logging_config {
  std::string level = "info";  // trace|debug|info|warn|error|off
  bool access_log = true;
};

// Accounts, credits and billing (issue 10; design §4.6–§4.7). Secrets are never in the
// file: the admin token and the BYOK master keys are read from the environment variables
// named here.
struct accounts_config {
  bool enabled = false;                       // false = config-listed keys only, no billing
  std::string store_path = "data/gammainfra.db";
  std::string admin_token_env = "GAMMAINFRA_ADMIN_TOKEN";
  std::string byok_master_key_env = "GAMMAINFRA_BYOK_KEY";            // 64 hex chars
  std::string byok_previous_key_env = "GAMMAINFRA_BYOK_PREVIOUS_KEY";  // during rotation
  core::money byok_fee;                       // per BYOK request; default 0
  std::int64_t typical_output_tokens = 1024;  // reservation when max_tokens is absent
  std::int64_t default_rpm = 0;               // per key; 0 = unlimited
  std::int64_t default_tpm = 0;
  bool signup_enabled = false;                // POST /v1/signup
  std::int64_t signup_per_ip_per_hour = 5;
  int request_log_retention_days = 30;
  milliseconds flush_interval{50};            // ledger/request-log group commit
};

struct snapshot {
  server_config server;
  auth_config auth;
  upstream_config upstream;
  std::vector<endpoint_config> endpoints;
  routing_config routing;
  logging_config logging;
  classifier_config classifier;
  accounts_config accounts;
  // Short hex hash of the routing-relevant config (endpoints + routing), for
  // X-GammaInfra-Router-Version.
  std::string hash;
  std::string source;  // file path or "<defaults>"
  bool catalog_included = true;  // false when the file says `catalog: false`

  // By endpoint id or alias; nullptr when unknown. An id wins over another endpoint's alias,
  // and of two endpoints with the same alias the first listed.
  const endpoint_config* find_endpoint(std::string_view id_or_alias) const;

  // find_endpoint's index: every id and alias with its position in `endpoints`, sorted by
  // key. Why: the catalog has ~60 endpoints, and a request naming one of the last (or an
  // alias) walked every endpoint's id (each in its own cache line, cold on a sparse request
  // path) before answering. Built by the loader once `endpoints` is final; a hand-built
  // snapshot without it is searched linearly.
  std::vector<std::pair<std::string, std::size_t>> endpoint_index;
  void index_endpoints();
};

using snapshot_ptr = std::shared_ptr<const snapshot>;

// A config error names the YAML path and line: "server.port (line 3): must be 1..65535".
struct config_error {
  std::string path;
  int line = 0;  // 1-based, 0 = unknown
  std::string message;
  std::string origin;  // file name, "<catalog>" or the load_string origin ("" = unknown)
  // "path (line N): message" (the origin is not included; callers prefix it).
  std::string to_string() const;
};

// The 8 routing tasks (design §1), declared once in core/tasks.h.
inline constexpr const auto& known_tasks = core::task_names;
using core::is_known_task;

// The provider's default base URL (providers.md §2.1–§9.1); Bedrock's depends on the AWS
// region ("https://bedrock-runtime.us-east-1.amazonaws.com").
std::string default_base_url(core::provider_kind provider, std::string_view aws_region);

// Built-in defaults (no file): default server settings plus the compiled-in catalog.
snapshot_ptr defaults();
// Parse + validate a user config layered over the compiled-in catalog (unless it says
// `catalog: false`): endpoints with a catalog id override the fields they set, new ids are
// added, `routing.chains` entries replace the catalog's chain for that task. `origin` is
// used in messages (file name).
core::result<snapshot_ptr, config_error> load_string(std::string_view yaml, std::string origin);
core::result<snapshot_ptr, config_error> load_file(const std::string& path);

}  // namespace gi::config
