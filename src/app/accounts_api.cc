#include "app/accounts_api.h"

#include <openssl/crypto.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/api_key.h"
#include "openai_api/openai_api.h"
#include "server/headers.h"
#include "server/target_query.h"

namespace gi::app {

namespace json = boost::json;
namespace hdr = server::headers;
using server::path_of;
using server::query_of;

namespace {

std::optional<std::int64_t> parse_int(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string error_body(const core::error& e) { return openai_api::encode_error(e); }

core::error bad(std::string msg, std::string param) {
  return core::error(core::error_kind::invalid_request, std::move(msg), std::move(param),
                     "invalid_request_error");
}

json::array str_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object key_json(const storage::key_row& k, const config::accounts_config& cfg) {
  json::object o;
  o["id"] = k.id;
  o["object"] = "api_key";
  o["account_id"] = k.account_id;
  o["prefix"] = k.prefix;
  o["name"] = k.name;
  o["created_at"] = k.created_at_ms / 1000;
  o["expires_at"] = k.expires_at_ms ? json::value(*k.expires_at_ms / 1000) : json::value(nullptr);
  o["revoked_at"] = k.revoked_at_ms ? json::value(*k.revoked_at_ms / 1000) : json::value(nullptr);
  o["allowed_models"] = str_array(k.allowed_models);
  o["allowed_regions"] = str_array(k.allowed_regions);
  o["spend_limit_usd"] = k.spend_limit_nanos
                             ? json::value(core::money::from_nanos(*k.spend_limit_nanos).to_string())
                             : json::value(nullptr);
  json::object rl;
  rl["requests_per_minute"] = k.rpm.value_or(cfg.default_rpm);
  rl["tokens_per_minute"] = k.tpm.value_or(cfg.default_tpm);
  o["rate_limits"] = std::move(rl);
  return o;
}

json::object balance_json(const billing::balance_view& b) {
  json::object o;
  o["balance_usd"] = b.balance.to_string();
  o["reserved_usd"] = b.reserved.to_string();
  o["available_usd"] = b.available.to_string();
  o["spent_usd"] = b.spent.to_string();
  o["trial_credit_usd"] = b.trial.to_string();
  o["trial_remaining_usd"] = b.trial_remaining.to_string();
  return o;
}

json::object account_json(const billing::account_view& v) {
  json::object o = balance_json(v.balance);
  o["id"] = v.account.id;
  o["object"] = "account";
  o["name"] = v.account.name;
  o["email"] = v.account.email;
  o["created_at"] = v.account.created_at_ms / 1000;
  o["store_prompts"] = v.account.store_prompts;
  return o;
}

json::object usage_obj(const storage::request_record& r) {
  json::object o;
  o["id"] = r.request_id;
  o["created_at"] = r.created_at_ms / 1000;
  o["key_id"] = r.key_id;
  o["key_prefix"] = r.key_prefix;
  o["endpoint"] = r.endpoint;
  o["task"] = r.task;
  o["task_source"] = r.task_source;
  o["model_endpoint"] = r.winner;
  o["fallback_chain"] = r.chain;
  json::object u;
  u["prompt_tokens"] = r.prompt_tokens;
  u["cached_tokens"] = r.cached_tokens;
  u["cache_write_tokens"] = r.cache_write_tokens;
  u["completion_tokens"] = r.completion_tokens;
  u["reasoning_tokens"] = r.reasoning_tokens;
  o["usage"] = std::move(u);
  o["cost_usd"] = core::money::from_nanos(r.cost_nanos).to_string();
  o["hedge_waste_usd"] = core::money::from_nanos(r.hedge_waste_nanos).to_string();
  o["upstream_ms"] = r.upstream_ms;
  o["overhead_ms"] = r.overhead_ms;
  o["status"] = r.status;
  o["stream"] = r.stream;
  o["byok"] = r.byok;
  return o;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Constant-time comparison of SHA-256 digests (equal length whatever the input).
bool digest_equal(const std::string& a, const std::string& b) {
  return a.size() == 32 && b.size() == 32 && CRYPTO_memcmp(a.data(), b.data(), 32) == 0;
}

std::optional<json::object> parse_object(const std::string& body, core::error& err) {
  if (body.empty()) return json::object();
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    err = bad("Request body must be a JSON object.", "");
    return std::nullopt;
  }
  return std::move(v.as_object());
}

std::optional<std::string> get_str(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

}  // namespace

std::string usage_record_json(const storage::request_record& r) { return json::serialize(usage_obj(r)); }

std::string usage_csv_header() {
  return "id,created_at,key_id,key_prefix,endpoint,task,task_source,model_endpoint,fallback_chain,"
         "prompt_tokens,cached_tokens,cache_write_tokens,completion_tokens,reasoning_tokens,cost_usd,"
         "hedge_waste_usd,upstream_ms,overhead_ms,status,stream,byok\n";
}

std::string usage_record_csv(const storage::request_record& r) {
  std::string s;
  auto add = [&](const std::string& v) {
    if (!s.empty()) s += ',';
    s += csv_field(v);
  };
  add(r.request_id);
  add(std::to_string(r.created_at_ms / 1000));
  add(r.key_id);
  add(r.key_prefix);
  add(r.endpoint);
  add(r.task);
  add(r.task_source);
  add(r.winner);
  add(r.chain);
  for (auto v : {r.prompt_tokens, r.cached_tokens, r.cache_write_tokens, r.completion_tokens, r.reasoning_tokens})
    add(std::to_string(v));
  add(core::money::from_nanos(r.cost_nanos).to_string());
  add(core::money::from_nanos(r.hedge_waste_nanos).to_string());
  add(std::to_string(r.upstream_ms));
  add(json::serialize(json::value(r.overhead_ms)));
  add(std::to_string(r.status));
  add(r.stream ? "true" : "false");
  add(r.byok ? "true" : "false");
  return s + "\n";
}

accounts_api::accounts_api(std::shared_ptr<billing::account_service> svc, config::snapshot_ptr cfg,
                           std::string admin_token)
    : svc_(std::move(svc)), cfg_(std::move(cfg)) {
  if (!admin_token.empty()) admin_digest_ = auth::sha256_raw(admin_token);
}

server::api_reply accounts_api::respond(const server::api_request& req, const auth::principal* who) {
  auto path = path_of(req.target);
  if (path == "/v1/account" || path == "/v1/usage") {
    if (!who || who->account_id.empty()) {
      core::error e(core::error_kind::permission_denied,
                    "This key is not attached to an account (config-listed key).", {}, "no_account");
      return {e.http_status(), error_body(e)};
    }
    return path == "/v1/account" ? account(*who) : usage(req, *who);
  }
  if (path == "/v1/signup") return signup(req);
  return admin(req);
}

accounts_api::reply accounts_api::account(const auth::principal& who) {
  auto v = svc_->view(who.account_id);
  if (!v) return {v.error().http_status(), error_body(v.error())};
  json::object o = account_json(*v);
  if (who.key) o["key"] = key_json(*who.key, cfg_->accounts);
  return {200, json::serialize(o)};
}

accounts_api::reply accounts_api::usage(const server::api_request& req, const auth::principal& who) {
  auto q = query_of(req.target);
  storage::usage_query uq;
  uq.account_id = who.account_id;
  for (auto [name, dst] : {std::pair{"from", &uq.from_ms}, std::pair{"to", &uq.to_ms}}) {
    auto it = q.find(name);
    if (it == q.end()) continue;
    auto v = parse_int(it->second);
    if (!v) return {400, error_body(bad(std::string("'") + name + "' must be unix seconds.", name))};
    *dst = *v * 1000;
  }
  if (auto it = q.find("limit"); it != q.end()) {
    auto v = parse_int(it->second);
    if (!v || *v < 1 || *v > 1000) return {400, error_body(bad("'limit' must be 1..1000.", "limit"))};
    uq.limit = static_cast<int>(*v);
  }
  if (auto it = q.find("cursor"); it != q.end()) {
    auto v = parse_int(it->second);
    if (!v) return {400, error_body(bad("'cursor' is not a cursor from a previous page.", "cursor"))};
    uq.before_seq = *v;
  }
  // One more than asked tells whether another page exists.
  int asked = uq.limit;
  uq.limit = asked + 1;
  svc_->flush();  // the caller's most recent requests are in the page
  auto rows = svc_->store().usage(uq);
  if (!rows) return {rows.error().http_status(), error_body(rows.error())};
  bool more = static_cast<int>(rows->size()) > asked;
  if (more) rows->resize(static_cast<std::size_t>(asked));
  json::array data;
  for (const auto& r : *rows) data.push_back(usage_obj(r));
  json::object o;
  o["object"] = "list";
  o["data"] = std::move(data);
  o["has_more"] = more;
  o["next_cursor"] = more ? json::value(std::to_string(rows->back().seq)) : json::value(nullptr);
  return {200, json::serialize(o)};
}

bool accounts_api::signup_allowed(std::string_view remote) {
  // Fixed one-hour window per client address (issue 10 §3); one account per email is
  // enforced by the store. An unknown address (in-process tests) shares one bucket.
  auto now = billing::unix_ms(svc_->clock().system_now());
  std::lock_guard lock(signup_mu_);
  if (signup_windows_.size() > 10'000) {  // bound memory: drop expired windows
    std::erase_if(signup_windows_, [&](const auto& kv) { return now - kv.second.first >= 3'600'000; });
  }
  auto& [start, count] = signup_windows_[std::string(remote)];
  if (now - start >= 3'600'000) {
    start = now;
    count = 0;
  }
  if (count >= cfg_->accounts.signup_per_ip_per_hour) return false;
  ++count;
  return true;
}

accounts_api::reply accounts_api::signup(const server::api_request& req) {
  if (!cfg_->accounts.signup_enabled) {
    core::error e(core::error_kind::not_found, "Signup is disabled on this gateway.", {}, "signup_disabled");
    return {404, error_body(e)};
  }
  if (req.method != "POST") return {405, error_body(core::error(core::error_kind::method_not_allowed, "Use POST."))};
  core::error err;
  auto o = parse_object(req.body, err);
  if (!o) return {400, error_body(err)};
  auto email = get_str(*o, "email");
  if (!email || email->empty()) return {400, error_body(bad("'email' is required.", "email"))};
  if (!signup_allowed(req.remote)) {
    core::error e(core::error_kind::gateway_rate_limited,
                  "Too many signups from this address (limit " +
                      std::to_string(cfg_->accounts.signup_per_ip_per_hour) + " per hour); try again later.",
                  {}, "rate_limit_exceeded");
    return {429, error_body(e)};
  }
  billing::create_account_request ar;
  ar.email = *email;
  ar.name = get_str(*o, "name").value_or("");
  auto a = svc_->create_account(ar, "signup");
  if (!a) return {a.error().http_status(), error_body(a.error())};
  billing::create_key_request kr;
  kr.account_id = a->id;
  kr.name = "signup";
  auto k = svc_->create_key(kr, "signup");
  if (!k) return {k.error().http_status(), error_body(k.error())};
  auto v = svc_->view(a->id);
  json::object out = v ? account_json(*v) : json::object();
  out["api_key"] = k->secret;  // shown once
  out["key"] = key_json(k->row, cfg_->accounts);
  return {201, json::serialize(out)};
}

accounts_api::reply accounts_api::admin(const server::api_request& req) {
  if (admin_digest_.empty()) {
    core::error e(core::error_kind::not_found, "The admin API is disabled (no admin token configured).",
                  {}, "unknown_url");
    return {404, error_body(e)};
  }
  auto authz = core::find_header(req.headers, hdr::authorization);
  std::string_view token = authz ? *authz : std::string_view();
  if (token.size() >= 7 && core::iequals(token.substr(0, 7), "bearer ")) token.remove_prefix(7);
  else token = {};
  if (!digest_equal(auth::sha256_raw(token), admin_digest_)) {
    core::error e(core::error_kind::unauthenticated, "Invalid or missing admin token.", {}, "invalid_admin_token");
    return {401, error_body(e)};
  }
  const std::string actor = "admin-api";
  std::string path(path_of(req.target));
  std::vector<std::string> seg;
  for (std::string_view p = path; !p.empty();) {
    auto s = p.find('/');
    if (s != 0) seg.emplace_back(p.substr(0, s));
    if (s == std::string_view::npos) break;
    p.remove_prefix(s + 1);
  }
  // seg[0] == "admin"
  auto fail = [](const core::error& e) { return reply{e.http_status(), error_body(e)}; };
  core::error err;
  bool post = req.method == "POST", get = req.method == "GET";
  if (seg.size() == 2 && seg[1] == "accounts" && post) {
    auto o = parse_object(req.body, err);
    if (!o) return fail(err);
    billing::create_account_request ar;
    ar.name = get_str(*o, "name").value_or("");
    ar.email = get_str(*o, "email").value_or("");
    if (auto it = o->find("store_prompts"); it != o->end() && it->value().is_bool())
      ar.store_prompts = it->value().as_bool();
    auto a = svc_->create_account(ar, actor);
    if (!a) return fail(a.error());
    auto v = svc_->view(a->id);
    if (!v) return fail(v.error());
    return {201, json::serialize(account_json(*v))};
  }
  if (seg.size() == 2 && seg[1] == "accounts" && get) {
    auto all = svc_->store().list_accounts();
    if (!all) return fail(all.error());
    json::array data;
    for (auto& a : *all) {
      billing::account_view v{a, svc_->ledger().view(a.id).value_or(billing::balance_view{})};
      data.push_back(account_json(v));
    }
    json::object o;
    o["object"] = "list";
    o["data"] = std::move(data);
    return {200, json::serialize(o)};
  }
  if (seg.size() == 3 && seg[1] == "accounts" && get) {
    auto v = svc_->view(seg[2]);
    if (!v) return fail(v.error());
    return {200, json::serialize(account_json(*v))};
  }
  if (seg.size() == 4 && seg[1] == "accounts" && seg[3] == "keys" && post) {
    auto o = parse_object(req.body, err);
    if (!o) return fail(err);
    billing::create_key_request kr;
    kr.account_id = seg[2];
    kr.name = get_str(*o, "name").value_or("");
    for (auto [name, dst] : {std::pair{"allowed_models", &kr.allowed_models}, std::pair{"allowed_regions", &kr.allowed_regions}}) {
      auto it = o->find(name);
      if (it == o->end()) continue;
      if (!it->value().is_array()) return fail(bad(std::string("'") + name + "' must be an array of strings.", name));
      for (const auto& v : it->value().as_array()) {
        if (!v.is_string()) return fail(bad(std::string("'") + name + "' must be an array of strings.", name));
        dst->emplace_back(v.as_string());
      }
    }
    for (auto [name, dst] : {std::pair{"rpm", &kr.rpm}, std::pair{"tpm", &kr.tpm}, std::pair{"expires_at", &kr.expires_at_ms}}) {
      auto it = o->find(name);
      if (it == o->end() || it->value().is_null()) continue;
      if (!it->value().is_int64()) return fail(bad(std::string("'") + name + "' must be an integer.", name));
      *dst = it->value().as_int64();
    }
    if (kr.expires_at_ms) *kr.expires_at_ms *= 1000;  // unix seconds in the API
    if (auto s = get_str(*o, "spend_limit_usd")) {
      auto m = core::money::parse(*s);
      if (!m) return fail(bad("'spend_limit_usd' must be a decimal USD string.", "spend_limit_usd"));
      kr.spend_limit = *m;
    }
    auto k = svc_->create_key(kr, actor);
    if (!k) return fail(k.error());
    json::object out = key_json(k->row, cfg_->accounts);
    out["api_key"] = k->secret;  // shown once
    return {201, json::serialize(out)};
  }
  if (seg.size() == 4 && seg[1] == "accounts" && seg[3] == "keys" && get) {
    auto keys = svc_->store().list_keys(seg[2]);
    if (!keys) return fail(keys.error());
    json::array data;
    for (const auto& k : *keys) data.push_back(key_json(k, cfg_->accounts));
    json::object o;
    o["object"] = "list";
    o["data"] = std::move(data);
    return {200, json::serialize(o)};
  }
  if (seg.size() == 4 && seg[1] == "keys" && seg[3] == "revoke" && post) {
    auto r = svc_->revoke_key(seg[2], actor);
    if (!r) return fail(r.error());
    json::object o;
    o["id"] = seg[2];
    o["revoked"] = true;
    o["already_revoked"] = !*r;
    return {200, json::serialize(o)};
  }
  if (seg.size() == 4 && seg[1] == "accounts" && seg[3] == "topups" && post) {
    auto o = parse_object(req.body, err);
    if (!o) return fail(err);
    auto amount = get_str(*o, "amount_usd");
    auto m = amount ? core::money::parse(*amount) : std::nullopt;
    if (!m) return fail(bad("'amount_usd' must be a decimal USD string, e.g. \"10\".", "amount_usd"));
    auto idem = core::find_header(req.headers, hdr::idempotency_key);
    auto t = svc_->topup(seg[2], *m, idem ? std::string(*idem) : std::string(), actor);
    if (!t) return fail(t.error());
    json::object out;
    out["object"] = "topup";
    out["account_id"] = seg[2];
    out["ref"] = t->ref;
    out["credit_usd"] = t->quote.credit.to_string();
    out["fee_usd"] = t->quote.fee.to_string();
    out["charged_usd"] = t->quote.charged.to_string();
    out["fee_percent"] = t->quote.fee_percent;
    out["replayed"] = t->replayed;
    if (auto b = svc_->ledger().view(seg[2])) out["balance_usd"] = b->balance.to_string();
    return {t->replayed ? 200 : 201, json::serialize(out)};
  }
  // Stored BYOK keys (issue 10 §5): the secret goes in, never out.
  //   PUT|POST /admin/accounts/{id}/byok/{provider} {"key": "..."};  DELETE …/{provider};
  //   GET /admin/accounts/{id}/byok → the providers with a stored key.
  if (seg.size() == 5 && seg[1] == "accounts" && seg[3] == "byok" &&
      (post || req.method == "PUT" || req.method == "DELETE")) {
    auto kind = core::parse_provider_kind(seg[4]);
    if (!kind) return fail(bad("Unknown provider '" + seg[4] + "'.", "provider"));
    if (req.method == "DELETE") {
      auto r = svc_->delete_byok(seg[2], *kind, actor);
      if (!r) return fail(r.error());
      json::object o;
      o["account_id"] = seg[2];
      o["provider"] = std::string(core::to_string(*kind));
      o["deleted"] = *r;
      return {200, json::serialize(o)};
    }
    auto o = parse_object(req.body, err);
    if (!o) return fail(err);
    auto key = get_str(*o, "key");
    if (!key) return fail(bad("'key' (the provider key) is required.", "key"));
    if (auto r = svc_->set_byok(seg[2], *kind, *key, actor); !r) return fail(r.error());
    json::object out;
    out["object"] = "byok_key";
    out["account_id"] = seg[2];
    out["provider"] = std::string(core::to_string(*kind));
    out["stored"] = true;
    return {201, json::serialize(out)};
  }
  if (seg.size() == 4 && seg[1] == "accounts" && seg[3] == "byok" && get) {
    json::array data;
    for (const auto& p : svc_->byok().providers(seg[2])) data.emplace_back(p);
    json::object o;
    o["object"] = "list";
    o["account_id"] = seg[2];
    o["providers"] = std::move(data);
    return {200, json::serialize(o)};
  }
  if (seg.size() == 2 && seg[1] == "usage" && get) {
    auto q = query_of(req.target);
    storage::usage_query uq;
    uq.limit = 100'000;
    if (auto it = q.find("account"); it != q.end()) uq.account_id = it->second;
    for (auto [name, dst] : {std::pair{"from", &uq.from_ms}, std::pair{"to", &uq.to_ms}}) {
      auto it = q.find(name);
      if (it == q.end()) continue;
      auto v = parse_int(it->second);
      if (!v) return fail(bad(std::string("'") + name + "' must be unix seconds.", name));
      *dst = *v * 1000;
    }
    std::string format = q.count("format") ? q["format"] : "jsonl";
    if (format != "jsonl" && format != "csv") return fail(bad("'format' must be jsonl or csv.", "format"));
    svc_->flush();
    auto rows = svc_->store().usage(uq);
    if (!rows) return fail(rows.error());
    std::string body = format == "csv" ? usage_csv_header() : std::string();
    for (const auto& r : *rows) body += format == "csv" ? usage_record_csv(r) : usage_record_json(r) + "\n";
    return {200, std::move(body), format == "csv" ? "text/csv" : "application/x-ndjson"};
  }
  if (seg.size() == 2 && seg[1] == "audit" && get) {
    auto a = svc_->store().list_audit(1000);
    if (!a) return fail(a.error());
    json::array data;
    for (const auto& r : *a) {
      json::object o;
      o["at"] = r.at_ms / 1000;
      o["actor"] = r.actor;
      o["action"] = r.action;
      o["detail"] = r.detail;
      data.push_back(std::move(o));
    }
    json::object o;
    o["object"] = "list";
    o["data"] = std::move(data);
    return {200, json::serialize(o)};
  }
  core::error e(core::error_kind::not_found, "Unknown admin request: " + std::string(req.method) + " " + path + ".",
                {}, "unknown_url");
  return fail(e);
}

}  // namespace gi::app
