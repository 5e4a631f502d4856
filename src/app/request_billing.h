#pragma once
// Accounts in the chat pipeline (design §4.3 steps 2–3, 5, 7–8; issue 10 §4, §6, §7), for
// one request whose key is a store key:
//   admit()   — key policy (allowed models), rate limits (429 + X-RateLimit-*), and the
//               402 prechecks (balance not positive; key spend limit reached);
//   add_stored_byok() — the account's stored provider keys join the request's BYOK set;
//   reserve() — after planning: drop attempts outside the key's allowed regions, then hold
//               the plan's estimate (dearest runnable candidate; a BYOK candidate costs the
//               BYOK fee) against the balance and the key's spend limit; 402 when either
//               can't cover it;
//   settle()  — after the response (or stream end, or client disconnect): charge the actual
//               cost, release the rest, queue the ledger row and the request-log record
//               (prompt text only for accounts that opted in) for the batched writer, return
//               the balance after the charge.
// charged_cost(): what a request costs the caller — the BYOK fee when the winning attempt
// used the caller's key (design §4.6: not the provider price), else Σ tokens × price.
// Requests authenticated by a config-listed key are not billed (active() is false).
//
// Thread safety: one instance per request; the collaborators are thread-safe.

#include <chrono>
#include <optional>
#include <span>
#include <vector>

#include "auth/rate_limiter.h"
#include "billing/account_service.h"
#include "config/config.h"
#include "core/chat_request.h"
#include "core/http_types.h"
#include "core/request_context.h"
#include "route/executor.h"
#include "route/plan.h"

namespace gi::app {

core::money charged_cost(const route::execution_result& res, std::span<const core::byok_secret> byok,
                         core::money byok_fee);

struct billing_refusal {
  core::error error;
  core::header_list headers;
};

class request_billing {
 public:
  request_billing(billing::account_service& svc, const config::accounts_config& cfg,
                  auth::rate_limiter& limiter, const core::request_context& ctx,
                  const core::chat_request& req);

  bool active() const noexcept { return key_ != nullptr; }
  std::optional<billing_refusal> admit();
  void add_stored_byok(std::vector<core::byok_secret>& byok) const;
  std::optional<billing_refusal> reserve(route::plan& p, std::span<const core::byok_secret> byok = {});
  // Returns the balance after this request.
  core::money settle(const route::execution_result& res, core::money cost, const route::plan& p,
                     int status, std::chrono::nanoseconds overhead);
  void add_rate_headers(core::header_list& h) const;

 private:
  billing::account_service& svc_;
  const config::accounts_config& cfg_;
  auth::rate_limiter& limiter_;
  const core::request_context& ctx_;
  const core::chat_request& req_;
  auth::key_ptr key_;
  auth::rate_limits limits_;
  auth::rate_decision rate_;
  std::int64_t estimated_tokens_ = 0;
  std::int64_t prompt_estimate_ = 0;
  billing::reservation reservation_;
  billing::spend_hold spend_hold_;
  bool settled_ = false;
};

}  // namespace gi::app
