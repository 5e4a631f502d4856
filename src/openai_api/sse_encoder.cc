#include "openai_api/sse_encoder.h"

#include <type_traits>
#include <utility>

#include "openai_api/encode_parts.h"
#include "core/json_out.h"

namespace gi::openai_api {

namespace {
// Choice indexes come from upstream decoders; bound them so a corrupt index cannot make
// role_sent_ allocate without limit (OpenAI's own n maximum is 128).
constexpr int max_choice_index = 1024;
}  // namespace

sse_encoder::sse_encoder(response_meta meta, bool include_usage)
    : meta_(std::move(meta)), include_usage_(include_usage) {
  rebuild_prefix();
}

void sse_encoder::rebuild_prefix() {
  using namespace core::json_out;
  prefix_.clear();
  prefix_ += R"(data: {"id":)";
  append_string(prefix_, meta_.id);
  prefix_ += R"(,"object":"chat.completion.chunk","created":)";
  append_int(prefix_, meta_.created);
  prefix_ += R"(,"model":)";
  append_string(prefix_, meta_.model);
  if (system_fingerprint_) {
    prefix_ += R"(,"system_fingerprint":)";
    append_string(prefix_, *system_fingerprint_);
  }
}

void sse_encoder::open_chunk(int choice, std::string& out) const {
  out += prefix_;
  out += R"(,"choices":[{"index":)";
  core::json_out::append_int(out, choice);
  out += R"(,"delta":)";
}

void sse_encoder::close_chunk(std::string& out, std::string_view finish_reason,
                              const boost::json::object* x_gammainfra) const {
  out += R"(,"logprobs":null,"finish_reason":)";
  if (finish_reason.empty()) out += "null";
  else core::json_out::append_string(out, finish_reason);
  out += "}]";
  // §2.7 step 6: with include_usage every chunk before the usage chunk has "usage":null.
  if (include_usage_) out += R"(,"usage":null)";
  if (x_gammainfra) {
    out += R"(,"x_gammainfra":)";
    core::json_out::append_object(out, *x_gammainfra);
  }
  out += "}\n\n";
}

void sse_encoder::ensure_role(int choice, std::string& out) {
  if (choice < 0 || choice > max_choice_index) choice = 0;
  const auto i = static_cast<std::size_t>(choice);
  if (role_sent_.size() <= i) role_sent_.resize(i + 1, false);
  if (role_sent_[i]) return;
  role_sent_[i] = true;
  open_chunk(choice, out);
  out += R"({"role":"assistant","content":"","refusal":null})";
  close_chunk(out);
}

void sse_encoder::text_chunk(int choice, std::string_view field, std::string_view text,
                             std::string& out) {
  ensure_role(choice, out);
  if (text.empty()) return;
  has_content_ = true;
  open_chunk(choice, out);
  out += "{\"";
  out += field;
  out += "\":";
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
            rebuild_prefix();
          }
        } else if constexpr (std::is_same_v<T, core::role_delta>) {
          ensure_role(e.choice, out);
        } else if constexpr (std::is_same_v<T, core::text_delta>) {
          text_chunk(e.choice, "content", e.text, out);
        } else if constexpr (std::is_same_v<T, core::reasoning_delta>) {
          text_chunk(e.choice, "reasoning_content", e.text, out);
        } else if constexpr (std::is_same_v<T, core::refusal_delta>) {
          text_chunk(e.choice, "refusal", e.text, out);
        } else if constexpr (std::is_same_v<T, core::tool_call_start>) {
          ensure_role(e.choice, out);
          has_content_ = true;
          open_chunk(e.choice, out);
          out += R"({"tool_calls":[{"index":)";
          core::json_out::append_int(out, e.index);
          out += R"(,"id":)";
          core::json_out::append_string(out, e.id);
          out += R"(,"type":"function","function":{"name":)";
          core::json_out::append_string(out, e.name);
          out += R"(,"arguments":)";
          core::json_out::append_string(out, e.arguments);
          out += "}}]}";
          close_chunk(out);
        } else if constexpr (std::is_same_v<T, core::tool_call_delta>) {
          ensure_role(e.choice, out);
          if (e.arguments.empty()) return;
          has_content_ = true;
          open_chunk(e.choice, out);
          out += R"({"tool_calls":[{"index":)";
          core::json_out::append_int(out, e.index);
          out += R"(,"function":{"arguments":)";
          core::json_out::append_string(out, e.arguments);
          out += "}}]}";
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
    out += "{}";
    const bool last = i + 1 == held_.size();
    std::string_view reason = core::to_string(f.reason);
    close_chunk(out, reason, last ? x : nullptr);
  }
  if (held_.empty() && x) {
    // No finish_reason to hang it on: carry x_gammainfra on an empty-choices chunk (the
    // same shape OpenAI uses for the usage chunk, so SDKs accept it).
    out += prefix_;
    out += R"(,"choices":[])";
    if (include_usage_) out += R"(,"usage":null)";
    out += R"(,"x_gammainfra":)";
    core::json_out::append_object(out, *x);
    out += "}\n\n";
  }

  if (include_usage_) {
    const core::usage u = usage ? *usage : last_usage_.value_or(core::usage{});
    const boost::json::value* cost = nullptr;
    if (x) {
      if (auto it = x->find("cost_usd"); it != x->end()) cost = &it->value();
    }
    out += prefix_;
    out += R"(,"choices":[],"usage":)";
    detail::append_usage(out, u, cost);
    if (x) {
      out += R"(,"x_gammainfra":)";
      core::json_out::append_object(out, *x);
    }
    out += "}\n\n";
  }
  out += "data: [DONE]\n\n";
}

void sse_encoder::error(const core::error& e, std::string& out) {
  if (done_) return;
  done_ = true;
  out += R"(data: {"error":)";
  detail::append_error_object(out, e);
  out += "}\n\n";
}

}  // namespace gi::openai_api
