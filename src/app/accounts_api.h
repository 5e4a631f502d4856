#pragma once
// The account and admin HTTP endpoints (design §3.1, issue 10 §3, §7, §8):
//   GET  /v1/account                      balance, trial, reserved, limits of the calling key
//   GET  /v1/usage?from=&to=&limit=&cursor=  the caller's request log, newest first
//   POST /v1/signup                       {"email","name"} → account + key (config: signup)
//   /admin/* with `Authorization: Bearer <admin token>` (token from the env var named in
//   config; compared in constant time; absent = the admin API answers 404):
//     POST /admin/accounts                     {"name","email","store_prompts"}
//     GET  /admin/accounts                     every account with its balance
//     GET  /admin/accounts/{id}
//     POST /admin/accounts/{id}/keys           {"name","expires_at","allowed_models",
//                                               "allowed_regions","spend_limit_usd","rpm","tpm"}
//     GET  /admin/accounts/{id}/keys
//     POST /admin/keys/{id}/revoke
//     POST /admin/accounts/{id}/topups         {"amount_usd"} + optional Idempotency-Key
//     PUT  /admin/accounts/{id}/byok/{provider} {"key"}  stored BYOK key (sealed; never returned)
//     DELETE /admin/accounts/{id}/byok/{provider}
//     GET  /admin/accounts/{id}/byok          providers with a stored key
//     GET  /admin/usage?account=&from=&to=&format=jsonl|csv   export
//     GET  /admin/audit?limit=
// Times in queries are unix seconds; money is a decimal USD string (exact nano-USD).
//
// Thread safety: respond() runs on the server's blocking pool, several calls at once;
// per-request state is local, the signup windows are under their mutex.

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "billing/account_service.h"
#include "config/config.h"
#include "server/api_handler.h"

namespace gi::app {

class accounts_api final : public server::api_handler {
 public:
  // `admin_token` empty = admin API disabled.
  accounts_api(std::shared_ptr<billing::account_service> svc, config::snapshot_ptr cfg,
               std::string admin_token);

  server::api_reply respond(const server::api_request& req, const auth::principal* who) override;

 private:
  using reply = server::api_reply;
  reply account(const auth::principal& who);
  reply usage(const server::api_request& req, const auth::principal& who);
  reply signup(const server::api_request& req);
  reply admin(const server::api_request& req);
  bool signup_allowed(std::string_view remote);

  std::shared_ptr<billing::account_service> svc_;
  config::snapshot_ptr cfg_;
  std::string admin_digest_;  // SHA-256 of the admin token (compared in constant time)
  std::mutex signup_mu_;
  // client address -> (window start ms, signups in the window)
  std::unordered_map<std::string, std::pair<std::int64_t, std::int64_t>> signup_windows_;
};

// Serializers shared with the CLI.
std::string usage_record_json(const storage::request_record& r);
std::string usage_csv_header();
std::string usage_record_csv(const storage::request_record& r);

}  // namespace gi::app
