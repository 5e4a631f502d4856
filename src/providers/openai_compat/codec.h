#pragma once
// The OpenAI-compatible family codec (style.md §2 "Families"): one adapter implementation
// parameterised by a `dialect` table. Instances are immutable and thread-safe; the registry
// owns one per dialect.

#include <optional>

#include "providers/adapter.h"
#include "providers/openai_compat/dialect.h"

namespace gi::providers::openai_compat {

class codec final : public adapter {
 public:
  explicit codec(const dialect& d) noexcept : dialect_(d) {}

  core::provider_kind kind() const noexcept override { return dialect_.kind; }
  const providers::capabilities& capabilities() const noexcept override { return dialect_.caps; }

  core::result<core::upstream_request> encode(const core::chat_request& req,
                                              const target& tgt) const override;
  core::status<> authorize(core::upstream_request& req, const credentials& creds,
                           std::chrono::system_clock::time_point now) const override;
  core::result<core::chat_response> decode(const target& tgt, int status,
                                           const core::header_list& headers,
                                           std::string_view body) const override;
  std::unique_ptr<stream_decoder> make_stream_decoder(const target& tgt) const override;
  core::error classify_error(int status, const core::header_list& headers,
                             std::string_view body) const override;

  const openai_compat::dialect& dialect() const noexcept { return dialect_; }

 private:
  const openai_compat::dialect& dialect_;
};

// Pieces used by the codec members (one file each).
core::result<core::upstream_request> encode_request(const dialect& d,
                                                    const core::chat_request& req,
                                                    const target& tgt);
// `fast_path = false` forces the general Boost.JSON path (the golden tests decode every
// case both ways and require identical responses).
core::result<core::chat_response> decode_response(const dialect& d, const target& tgt,
                                                  std::string_view body, bool fast_path = true);
// The simdjson fast path alone: nullopt when `body` is not the common answer shape (the
// general path decodes those). Writes no side-store state. Exposed for the goldens, which
// check which cases it takes.
std::optional<core::chat_response> decode_response_fast(const target& tgt, std::string_view body);
// `fast_path = false` forces every chunk through the general Boost.JSON path (the golden
// tests compare both paths on every stream case).
std::unique_ptr<stream_decoder> new_stream_decoder(const dialect& d, const target& tgt,
                                                   bool fast_path = true);
core::error classify(const dialect& d, int status, const core::header_list& headers,
                     std::string_view body);
// An error object found inside a 2xx body or a stream chunk (`{"error":…}` or Groq's
// `x_groq.error` string): classified by its type/code since there is no status.
core::error classify_inline(const dialect& d, const boost::json::value& error_value);

// DeepSeek thinking mode (providers.md §7.2): reasoner / V4 models unless the client
// disabled `thinking`; deepseek-chat only when the client enabled it.
bool deepseek_thinking(const core::chat_request& req, std::string_view model);
// xAI reasoning models (§8.2): grok-3-mini*, grok-4* and grok-code* except *non-reasoning.
bool xai_reasoning_model(std::string_view model);

}  // namespace gi::providers::openai_compat
