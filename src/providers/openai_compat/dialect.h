#pragma once
// Dialect tables of the OpenAI-compatible family (style.md §2 "Families"): OpenAI, Groq,
// DeepSeek, xAI and Mistral share one codec; everything that differs between them is data
// in a `dialect`. A difference the table cannot express goes into a small named rule (the
// `reasoning_echo`, `tool_ids` and `model_rules` enums) rather than a per-provider branch.
//
// The per-field decisions and their sources are tabulated in dialects.cc.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "core/provider_kind.h"
#include "providers/adapter.h"

namespace gi::providers::openai_compat {

// What to do with a request field the upstream does not take (providers.md §10 legend).
enum class field_policy : std::uint8_t {
  pass,       // send as-is
  drop_warn,  // remove and report "field:dropped" through target.warnings
  reject,     // encode fails: invalid_request naming the field
};

enum class max_tokens_name : std::uint8_t { max_completion_tokens, max_tokens };

// How provider reasoning in assistant history is echoed (providers.md §7.2, §11.4).
enum class reasoning_echo : std::uint8_t {
  none,      // never sent upstream (reported as dropped if the client sent it)
  deepseek,  // thinking models: re-attach to assistant turns with tool_calls; strip elsewhere
};

// Model-dependent rules keyed off the upstream model id.
enum class model_rules : std::uint8_t {
  none,
  xai,       // reasoning models reject stop / presence_penalty / frequency_penalty (§8.2)
  deepseek,  // thinking mode rejects logprobs / top_logprobs (§7.3)
};

struct dialect {
  core::provider_kind kind = core::provider_kind::openai;
  std::string_view name{};  // error-code prefix ("groq:")
  std::string_view path{};  // appended to target.path_prefix

  max_tokens_name max_tokens = max_tokens_name::max_completion_tokens;
  std::string_view seed_name = "seed";  // Mistral: random_seed

  // true: OpenAI itself — content arrays, `developer`, message extras, custom tools,
  // allowed_tools, legacy functions and all unknown top-level fields pass unchanged.
  bool full_openai = false;
  // Images in user content (image_url parts).
  field_policy images = field_policy::pass;
  // input_audio parts; `file` parts are rejected by every non-OpenAI dialect.
  field_policy audio_parts = field_policy::reject;
  // `name` on messages.
  field_policy message_name = field_policy::pass;
  field_policy seed = field_policy::pass;
  field_policy user = field_policy::pass;  // also safety_identifier (never sent off OpenAI)
  field_policy logit_bias = field_policy::pass;
  field_policy logprobs = field_policy::pass;  // logprobs + top_logprobs
  field_policy n_above_1 = field_policy::pass;
  field_policy parallel_tool_calls_false = field_policy::pass;
  // stream_options.include_usage: honoured upstream (we always ask) or never sent.
  bool stream_usage_option = true;
  // tool_choice "required" spelled "any" (Mistral; Portkey does the same for safety).
  bool tool_choice_required_as_any = false;
  // response_format json_schema: native, or degraded to json_object + instruction.
  bool json_schema_native = true;
  // Mistral's tool-message `name`, null assistant content sent as "".
  bool mistral_messages = false;
  reasoning_echo echo = reasoning_echo::none;
  model_rules rules = model_rules::none;
  // Top-level fields this dialect accepts beyond the shared OpenAI set (client pass-through,
  // e.g. Groq `reasoning_format`). Everything else unknown is dropped with a warning.
  std::span<const std::string_view> extra_fields{};
  // OpenAI `prediction` is accepted (Mistral has the same field).
  bool prediction = false;

  providers::capabilities caps{};
};

const dialect& openai_dialect() noexcept;
const dialect& groq_dialect() noexcept;
const dialect& deepseek_dialect() noexcept;
const dialect& xai_dialect() noexcept;
const dialect& mistral_dialect() noexcept;

}  // namespace gi::providers::openai_compat
