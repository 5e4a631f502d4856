#include "openai_api/sse_encoder.h"

#include <type_traits>
#include <utility>

#include "openai_api/encode_parts.h"
#include "core/json_out.h"

namespace gi::openai_api {

using core::json_out::append_literal;

namespace {
// Choice indexes come from upstream decoders; bound them so a corrupt index cannot make
// role_sent_ allocate without limit (OpenAI's own n maximum is 128).
constexpr int max_choice_index = 1024;
}  // namespace

sse_encoder::sse_encoder(response_meta meta, bool include_usage)
    : meta_(std::move(meta)), include_usage_(include_usage) {}

const std::string& sse_encoder::prefix() {
  using namespace core::json_out;
  if (!prefix_stale_) return prefix_;
  prefix_stale_ = false;
  prefix_.clear();
  append_literal(prefix_, R"(data: {"id":)");
  append_string(prefix_, meta_.id);
  append_literal(prefix_, R"(,"object":"chat.completion.chunk","created":)");
  append_int(prefix_, meta_.created);
  append_literal(prefix_, R"(,"model":)");
  append_string(prefix_, meta_.model);
  if (system_fingerprint_) {
    append_literal(prefix_, R"(,"system_fingerprint":)");
    append_string(prefix_, *system_fingerprint_);
  }
  head0_.reserve(prefix_.size() + 32);
  head0_.assign(prefix_);
  append_literal(head0_, R"(,"choices":[{"index":0,"delta":)");
  return prefix_;
}

void sse_encoder::open_chunk(int choice, std::string& out) {
  using namespace core::json_out;
  const std::string& p = prefix();
  if (choice == 0) {
    out += head0_;
    return;
  }
  out += p;
  append_literal(out, R"(,"choices":[{"index":)");
  append_int(out, choice);
  append_literal(out, R"(,"delta":)");
}

void sse_encoder::close_chunk(std::string& out, std::string_view finish_reason,
                              const boost::json::object* x_gammainfra) const {
  using namespace core::json_out;
  if (finish_reason.empty() && x_gammainfra == nullptr) {
    // Every content chunk ends the same way: one append.
    if (include_usage_)
      append_literal(out, ",\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
    else
      append_literal(out, ",\"logprobs\":null,\"finish_reason\":null}]}\n\n");
    return;
  }
  append_literal(out, R"(,"logprobs":null,"finish_reason":)");
  if (finish_reason.empty()) append_literal(out, "null");
  else append_string(out, finish_reason);
  append_literal(out, "}]");
  // §2.7 step 6: with include_usage every chunk before the usage chunk has "usage":null.
  if (include_usage_) append_literal(out, R"(,"usage":null)");
  if (x_gammainfra) {
    append_literal(out, R"(,"x_gammainfra":)");
    append_object(out, *x_gammainfra);
  }
  append_literal(out, "}\n\n");
}

void sse_encoder::ensure_role(int choice, std::string& out) {
  if (choice < 0 || choice > max_choice_index) choice = 0;
  const auto i = static_cast<std::size_t>(choice);
  if (role_sent_.size() <= i) role_sent_.resize(i + 1, false);
  if (role_sent_[i]) return;
  role_sent_[i] = true;
  open_chunk(choice, out);
  append_literal(out, R"({"role":"assistant","content":"","refusal":null})");
  close_chunk(out);
}

void sse_encoder::text_chunk(int choice, std::string_view opener, std::string_view text,
                             std::string& out) {
  ensure_role(choice, out);
  if (text.empty()) return;
  has_content_ = true;
  open_chunk(choice, out);
  out += opener;
  core::json_out::append_string(out, text);
  out.push_back('}');
  close_chunk(out);
}

void sse_encoder::on_event(const core::stream_event& ev, std::string& out) {
  if (done_) return;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, core::stream_start>) {
          if (e.system_fingerprint && e.system_fingerprint != system_fingerprint_) {
            system_fingerprint_ = e.system_fingerprint;
            prefix_stale_ = true;
          }
        } else if constexpr (std::is_same_v<T, core::role_delta>) {
          ensure_role(e.choice, out);
        } else if constexpr (std::is_same_v<T, core::text_delta>) {
          text_chunk(e.choice, R"({"content":)", e.text, out);
        } else if constexpr (std::is_same_v<T, core::reasoning_delta>) {
          text_chunk(e.choice, R"({"reasoning_content":)", e.text, out);
        } else if constexpr (std::is_same_v<T, core::refusal_delta>) {
          text_chunk(e.choice, R"({"refusal":)", e.text, out);
        } else if constexpr (std::is_same_v<T, core::tool_call_start>) {
          ensure_role(e.choice, out);
          has_content_ = true;
          open_chunk(e.choice, out);
          append_literal(out, R"({"tool_calls":[{"index":)");
          core::json_out::append_int(out, e.index);
          append_literal(out, R"(,"id":)");
          core::json_out::append_string(out, e.id);
          append_literal(out, R"(,"type":"function","function":{"name":)");
          core::json_out::append_string(out, e.name);
          append_literal(out, R"(,"arguments":)");
          core::json_out::append_string(out, e.arguments);
          append_literal(out, "}}]}");
          close_chunk(out);
        } else if constexpr (std::is_same_v<T, core::tool_call_delta>) {
          ensure_role(e.choice, out);
          if (e.arguments.empty()) return;
          has_content_ = true;
          open_chunk(e.choice, out);
          append_literal(out, R"({"tool_calls":[{"index":)");
          core::json_out::append_int(out, e.index);
          append_literal(out, R"(,"function":{"arguments":)");
          core::json_out::append_string(out, e.arguments);
          append_literal(out, "}}]}");
          close_chunk(out);
        } else if constexpr (std::is_same_v<T, core::finish>) {
          held_.push_back({e.choice, e.reason});
        } else if constexpr (std::is_same_v<T, core::usage_report>) {
          last_usage_ = e.usage;
        } else if constexpr (std::is_same_v<T, core::stream_error>) {
          error(e.err, out);
        } else {
          static_assert(std::is_same_v<T, core::stream_end>);
        }
      },
      ev);
}

void sse_encoder::finish_stream(std::optional<core::usage> usage,
                                std::optional<boost::json::object> x_gammainfra,
                                std::string& out) {
  if (done_) return;
  done_ = true;
  if (!x_gammainfra) x_gammainfra = meta_.x_gammainfra;
  const boost::json::object* x = x_gammainfra ? &*x_gammainfra : nullptr;

  for (std::size_t i = 0; i < held_.size(); ++i) {
    const auto& f = held_[i];
    ensure_role(f.choice, out);  // an empty answer still gets its role chunk first
    open_chunk(f.choice, out);
    append_literal(out, "{}");
    const bool last = i + 1 == held_.size();
    std::string_view reason = core::to_string(f.reason);
    close_chunk(out, reason, last ? x : nullptr);
  }
  if (held_.empty() && x) {
    // No finish_reason to hang it on: carry x_gammainfra on an empty-choices chunk (the
    // same shape OpenAI uses for the usage chunk, so SDKs accept it).
    out += prefix();
    append_literal(out, R"(,"choices":[])");
    if (include_usage_) append_literal(out, R"(,"usage":null)");
    append_literal(out, R"(,"x_gammainfra":)");
    core::json_out::append_object(out, *x);
    append_literal(out, "}\n\n");
  }

  if (include_usage_) {
    const core::usage u = usage ? *usage : last_usage_.value_or(core::usage{});
    const boost::json::value* cost = nullptr;
    if (x) {
      if (auto it = x->find("cost_usd"); it != x->end()) cost = &it->value();
    }
    out += prefix();
    append_literal(out, R"(,"choices":[],"usage":)");
    detail::append_usage(out, u, cost);
    if (x) {
      append_literal(out, R"(,"x_gammainfra":)");
      core::json_out::append_object(out, *x);
    }
    append_literal(out, "}\n\n");
  }
  append_literal(out, "data: [DONE]\n\n");
}

void sse_encoder::error(const core::error& e, std::string& out) {
  if (done_) return;
  done_ = true;
  append_literal(out, R"(data: {"error":)");
  detail::append_error_object(out, e);
  append_literal(out, "}\n\n");
}

}  // namespace gi::openai_api
