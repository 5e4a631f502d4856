#include "app/request_billing.h"

#include <algorithm>

#include "billing/admin_ops.h"
#include "billing/cost.h"
#include "billing/estimate.h"
#include "route/credentials.h"
#include "server/headers.h"

namespace gi::app {

namespace hdr = server::headers;

namespace {

// Prompt text for the request log (accounts that opted in): "role: text" per message,
// capped so one request cannot bloat the log.
constexpr std::size_t max_prompt_bytes = 64 * 1024;

std::string_view role_word(core::role r) {
  switch (r) {
    case core::role::system: return "system";
    case core::role::developer: return "developer";
    case core::role::user: return "user";
    case core::role::assistant: return "assistant";
    case core::role::tool: return "tool";
    case core::role::function: return "function";
  }
  return "user";
}

std::string prompt_text(const core::chat_request& req) {
  std::string out;
  for (const auto& m : req.messages) {
    if (!out.empty()) out += '\n';
    out += role_word(m.role);
    out += ": ";
    out += m.joined_text();
    if (out.size() >= max_prompt_bytes) {
      out.resize(max_prompt_bytes);
      break;
    }
  }
  return out;
}

}  // namespace

core::money charged_cost(const route::execution_result& res, std::span<const core::byok_secret> byok,
                         core::money byok_fee) {
  if (!res.winner) return {};
  if (route::credential_source::uses_byok(*res.winner, byok)) return byok_fee;
  if (!res.usage) return {};
  return billing::cost_of(*res.usage, res.winner->prices).total();
}

request_billing::request_billing(billing::account_service& svc, const config::accounts_config& cfg,
                                 auth::rate_limiter& limiter, const core::request_context& ctx,
                                 const core::chat_request& req)
    : svc_(svc), cfg_(cfg), limiter_(limiter), ctx_(ctx), req_(req) {
  if (!ctx.key_id.empty()) key_ = svc.keys()->by_id(ctx.key_id);
  if (key_) {
    limits_.rpm = key_->rpm.value_or(cfg.default_rpm);
    limits_.tpm = key_->tpm.value_or(cfg.default_tpm);
  }
}

std::optional<billing_refusal> request_billing::admit() {
  if (!key_) return std::nullopt;
  if (!key_->allowed_models.empty() &&
      std::find(key_->allowed_models.begin(), key_->allowed_models.end(), req_.model) ==
          key_->allowed_models.end())
    return billing_refusal{core::error(core::error_kind::permission_denied,
                                       "This API key may not use model '" + req_.model + "'.",
                                       "model", "model_not_allowed"),
                           {}};
  prompt_estimate_ = route::estimate_usage(req_, 0).prompt_tokens;
  std::int64_t output = req_.max_completion_tokens.value_or(cfg_.typical_output_tokens);
  estimated_tokens_ = prompt_estimate_ + output;
  rate_ = limiter_.admit(key_->id, limits_, estimated_tokens_);
  if (!rate_.allowed) {
    core::error e(core::error_kind::gateway_rate_limited,
                  "Rate limit reached for " + std::string(rate_.limited_by) + " per minute on key " +
                      key_->prefix + "… (limit " + std::to_string(rate_.limit) + "). Retry later.",
                  {}, "rate_limit_exceeded");
    e.retry_after = std::max(rate_.retry_after, std::chrono::milliseconds(1));
    billing_refusal r{std::move(e), {}};
    add_rate_headers(r.headers);
    return r;
  }
  if (auto pre = svc_.ledger().precheck(key_->account_id); !pre) {
    limiter_.adjust_tokens(key_->id, limits_, -estimated_tokens_);  // nothing ran
    return billing_refusal{std::move(pre).error(), {}};
  }
  if (key_->spend_limit_nanos) {
    auto limit = core::money::from_nanos(*key_->spend_limit_nanos);
    if (auto pre = svc_.spend().precheck(key_->id, limit, key_->prefix); !pre) {
      limiter_.adjust_tokens(key_->id, limits_, -estimated_tokens_);
      return billing_refusal{std::move(pre).error(), {}};
    }
  }
  return std::nullopt;
}

void request_billing::add_stored_byok(std::vector<core::byok_secret>& byok) const {
  if (key_) svc_.byok().add_secrets(key_->account_id, byok);
}

std::optional<billing_refusal> request_billing::reserve(route::plan& p,
                                                       std::span<const core::byok_secret> byok) {
  if (!key_) return std::nullopt;
  std::vector<const config::prices*> candidates;
  bool any_byok = false;
  for (auto& a : p.attempts) {
    if (!a.skip_reason.empty() || a.endpoint == nullptr) continue;
    if (!key_->allowed_regions.empty() &&
        std::find(key_->allowed_regions.begin(), key_->allowed_regions.end(), a.endpoint->region) ==
            key_->allowed_regions.end()) {
      a.skip_reason = "region";
      continue;
    }
    // A BYOK attempt is billed the BYOK fee, not its provider price.
    if (route::credential_source::uses_byok(*a.endpoint, byok)) any_byok = true;
    else candidates.push_back(&a.endpoint->prices);
  }
  std::int64_t output = req_.max_completion_tokens.value_or(cfg_.typical_output_tokens);
  auto estimate = billing::reservation_estimate(prompt_estimate_, output, candidates);
  if (any_byok && cfg_.byok_fee > estimate) estimate = cfg_.byok_fee;
  auto r = svc_.ledger().reserve(key_->account_id, estimate);
  if (!r) {
    limiter_.adjust_tokens(key_->id, limits_, -estimated_tokens_);
    return billing_refusal{std::move(r).error(), {}};
  }
  if (key_->spend_limit_nanos) {
    auto h = svc_.spend().hold(key_->id, core::money::from_nanos(*key_->spend_limit_nanos), estimate,
                               key_->prefix);
    if (!h) {
      limiter_.adjust_tokens(key_->id, limits_, -estimated_tokens_);
      return billing_refusal{std::move(h).error(), {}};  // `r` releases the credit hold
    }
    spend_hold_ = std::move(*h);
  }
  reservation_ = std::move(*r);
  return std::nullopt;
}

core::money request_billing::settle(const route::execution_result& res, core::money cost,
                                    const route::plan& p, int status,
                                    std::chrono::nanoseconds overhead) {
  if (!key_ || settled_) return {};
  settled_ = true;
  core::money balance;
  if (reservation_.active()) balance = reservation_.settle(cost);
  else balance = svc_.ledger().charge(key_->account_id, cost);
  if (spend_hold_.active()) spend_hold_.settle(cost);
  else svc_.spend().add(key_->id, cost);
  auto now_ms = billing::unix_ms(svc_.clock().system_now());
  if (cost.nanos() != 0) {
    storage::ledger_entry e;
    e.account_id = key_->account_id;
    e.kind = std::string(storage::ledger_charge);
    e.ref = ctx_.request_id;
    e.amount_nanos = -cost.nanos();
    e.key_id = key_->id;
    e.created_at_ms = now_ms;
    svc_.enqueue_charge(std::move(e));
  }
  if (res.usage) {
    limiter_.adjust_tokens(key_->id, limits_, res.usage->total() - estimated_tokens_);
  } else {
    limiter_.adjust_tokens(key_->id, limits_, -estimated_tokens_);
  }
  storage::request_record r;
  r.request_id = ctx_.request_id;
  r.account_id = key_->account_id;
  r.key_id = key_->id;
  r.key_prefix = key_->prefix;
  r.created_at_ms = now_ms;
  r.endpoint = "/v1/chat/completions";
  r.task = p.task;
  r.task_source = p.task_source;
  r.winner = res.winner ? res.winner->id : std::string();
  r.chain = route::format_chain(res.attempts);
  if (res.usage) {
    r.prompt_tokens = res.usage->prompt_tokens;
    r.cached_tokens = res.usage->cached_tokens;
    r.cache_write_tokens = res.usage->cache_write_tokens;
    r.completion_tokens = res.usage->completion_tokens;
    r.reasoning_tokens = res.usage->reasoning_tokens;
  }
  r.cost_nanos = cost.nanos();
  r.hedge_waste_nanos = res.hedge_waste.nanos();  // the cancelled hedge loser (issue 8)
  r.upstream_ms = std::chrono::duration_cast<std::chrono::milliseconds>(res.upstream_wait).count();
  r.overhead_ms = std::chrono::duration<double, std::milli>(overhead).count();
  r.status = status;
  r.stream = req_.stream;
  r.byok = std::any_of(res.attempts.begin(), res.attempts.end(), [](const auto& a) { return a.byok; });
  if (svc_.stores_prompts(key_->account_id)) r.prompt = prompt_text(req_);
  svc_.enqueue_record(std::move(r));
  return balance;
}

void request_billing::add_rate_headers(core::header_list& h) const {
  if (!key_ || rate_.limit == 0) return;
  h.emplace_back(hdr::ratelimit_limit, std::to_string(rate_.limit));
  h.emplace_back(hdr::ratelimit_remaining, std::to_string(std::max<std::int64_t>(rate_.remaining, 0)));
  h.emplace_back(hdr::ratelimit_reset, std::to_string((rate_.reset.count() + 999) / 1000));
}

}  // namespace gi::app
