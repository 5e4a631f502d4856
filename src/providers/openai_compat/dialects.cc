// The five dialect tables. Sources: providers.md §5 (Mistral), §6 (Groq), §7 (DeepSeek),
// §8 (xAI), §10.1 (field mapping), §11 (tool ids). Policy legend as in dialect.h.
//
// | field (client)              | openai | groq        | deepseek              | xai                 | mistral            |
// |-----------------------------|--------|-------------|-----------------------|---------------------|--------------------|
// | max_(completion_)tokens     | max_completion_tokens | max_completion_tokens | max_tokens | max_completion_tokens | max_tokens  |
// | seed                        | pass   | pass        | drop+warn             | pass                | -> random_seed     |
// | user / safety_identifier    | pass   | user pass, safety_identifier drop+warn | drop+warn | user pass, s_i drop+warn | drop+warn |
// | logit_bias                  | pass   | drop+warn   | drop+warn             | drop+warn           | drop+warn          |
// | logprobs / top_logprobs     | pass   | drop+warn   | REJECT in thinking mode, else pass | pass   | drop+warn          |
// | n > 1                       | pass   | REJECT      | REJECT                | pass                | pass               |
// | stop                        | pass   | pass        | pass                  | drop+warn on reasoning models | pass     |
// | presence/frequency_penalty  | pass   | pass        | pass                  | drop+warn on reasoning models | pass     |
// | parallel_tool_calls:false   | pass   | pass        | drop+warn             | drop+warn           | pass               |
// | stream_options.include_usage| always true when streaming | always true | always true | always true   | never sent (usage arrives anyway) |
// | stream_options.include_obfuscation | pass | drop+warn | drop+warn           | drop+warn           | drop+warn          |
// | tool_choice required        | pass   | pass        | pass                  | pass                | -> "any"           |
// | tool_choice allowed_tools / custom tools | pass | REJECT | REJECT           | REJECT              | REJECT             |
// | response_format json_schema | pass   | pass        | -> json_object + system instruction, warn | pass | pass          |
// | developer role              | pass   | -> system   | -> system             | -> system           | -> system          |
// | messages[].name             | pass   | drop+warn (400 upstream) | drop+warn | drop+warn          | drop+warn          |
// | image_url parts             | pass   | pass        | REJECT (no vision)    | pass                | pass               |
// | input_audio parts           | pass   | REJECT      | REJECT                | REJECT              | pass               |
// | file parts                  | pass   | REJECT      | REJECT                | REJECT              | REJECT             |
// | assistant reasoning_content | drop+warn | drop+warn | re-attached on tool-call turns of thinking models (client value, else side store, else "" + warn); stripped elsewhere | drop+warn | drop+warn |
// | tool-call ids               | identity | identity  | identity              | identity            | 9-char hash both ways (§11.2) |
// | legacy functions / function_call, role "function" | pass | REJECT | REJECT  | REJECT              | REJECT             |
// | reasoning_effort            | pass   | pass        | pass                  | pass                | pass               |
// | verbosity, service_tier, metadata, store, prompt_cache_key, prompt_cache_retention, prompt_cache_options, web_search_options, moderation | pass | drop+warn | drop+warn | drop+warn | drop+warn |
// | prediction                  | pass   | drop+warn   | drop+warn             | drop+warn           | pass               |
// | modalities                  | pass   | ["text"]: drop+warn; audio output: REJECT (all non-OpenAI)                                |
// | audio (output audio params) | pass   | REJECT      | REJECT                | REJECT              | REJECT             |
// | other unknown top-level     | pass   | drop+warn except reasoning_format, include_reasoning | drop+warn except thinking | drop+warn except search_parameters | drop+warn except safe_prompt, prompt_mode |
//
// Why REJECT for audio output, file parts and custom tools: dropping them would change what
// the client gets back (no audio, an unread document, a tool that can never be called), so
// the router must pick another endpoint instead. Why drop+warn for logit_bias, seed and the
// bookkeeping fields: they tune or tag a request without changing what it asks for
// (providers.md §10.1 defaults favour availability).

#include "providers/openai_compat/dialect.h"

namespace gi::providers::openai_compat {
namespace {

constexpr std::string_view groq_extra[] = {"reasoning_format", "include_reasoning"};
constexpr std::string_view deepseek_extra[] = {"thinking"};
constexpr std::string_view xai_extra[] = {"search_parameters"};
constexpr std::string_view mistral_extra[] = {"safe_prompt", "prompt_mode"};

constexpr field_policy pass = field_policy::pass;
constexpr field_policy drop = field_policy::drop_warn;
constexpr field_policy reject = field_policy::reject;

dialect make_openai() {
  dialect d{.kind = core::provider_kind::openai, .name = "openai", .path = "/chat/completions"};
  d.full_openai = true;
  d.audio_parts = pass;
  d.caps = {.streaming = true, .tools = true, .parallel_tools = true,
            .json_schema = json_schema_support::native, .vision = true, .documents = true,
            .reasoning = false, .reasoning_signatures = false, .stream_usage = true,
            .max_stop_sequences = 4, .tool_ids = tool_id_rule::any};
  return d;
}

dialect make_groq() {
  // §6.2: logprobs, logit_bias, top_logprobs and messages[].name return 400; n must be 1.
  dialect d{.kind = core::provider_kind::groq, .name = "groq", .path = "/chat/completions"};
  d.message_name = drop;
  d.logit_bias = drop;
  d.logprobs = drop;
  d.n_above_1 = reject;
  d.extra_fields = groq_extra;
  d.caps = {.streaming = true, .tools = true, .parallel_tools = true,
            .json_schema = json_schema_support::native, .vision = true, .documents = false,
            .reasoning = true, .reasoning_signatures = false, .stream_usage = true,
            .max_stop_sequences = 4, .tool_ids = tool_id_rule::any};
  return d;
}

dialect make_deepseek() {
  // §7.3: max_tokens only; no n; json_schema unsupported; no vision; logprobs 400 in thinking.
  dialect d{.kind = core::provider_kind::deepseek, .name = "deepseek",
            .path = "/chat/completions"};
  d.max_tokens = max_tokens_name::max_tokens;
  d.images = reject;
  d.message_name = drop;
  d.seed = drop;
  d.user = drop;
  d.logit_bias = drop;
  d.n_above_1 = reject;
  d.parallel_tool_calls_false = drop;
  d.json_schema_native = false;
  d.echo = reasoning_echo::deepseek;
  d.rules = model_rules::deepseek;
  d.extra_fields = deepseek_extra;
  d.caps = {.streaming = true, .tools = true, .parallel_tools = true,
            .json_schema = json_schema_support::emulated, .vision = false, .documents = false,
            .reasoning = true, .reasoning_signatures = true, .stream_usage = true,
            .max_stop_sequences = 16, .tool_ids = tool_id_rule::any};
  return d;
}

dialect make_xai() {
  // §8.2; §10.1 (parallel_tool_calls:false and logit_bias drop+warn).
  dialect d{.kind = core::provider_kind::xai, .name = "xai", .path = "/chat/completions"};
  d.message_name = drop;
  d.logit_bias = drop;
  d.parallel_tool_calls_false = drop;
  d.rules = model_rules::xai;
  d.extra_fields = xai_extra;
  d.caps = {.streaming = true, .tools = true, .parallel_tools = true,
            .json_schema = json_schema_support::native, .vision = true, .documents = false,
            .reasoning = true, .reasoning_signatures = false, .stream_usage = true,
            .max_stop_sequences = 4, .tool_ids = tool_id_rule::any};
  return d;
}

dialect make_mistral() {
  // §5.2: max_tokens, random_seed, no stream_options, tool_choice any, 9-char tool ids.
  dialect d{.kind = core::provider_kind::mistral, .name = "mistral",
            .path = "/chat/completions"};
  d.max_tokens = max_tokens_name::max_tokens;
  d.seed_name = "random_seed";
  d.audio_parts = pass;
  d.message_name = drop;
  d.user = drop;
  d.logit_bias = drop;
  d.logprobs = drop;
  d.stream_usage_option = false;
  d.tool_choice_required_as_any = true;
  d.mistral_messages = true;
  d.prediction = true;
  d.extra_fields = mistral_extra;
  d.caps = {.streaming = true, .tools = true, .parallel_tools = true,
            .json_schema = json_schema_support::native, .vision = true, .documents = false,
            .reasoning = true, .reasoning_signatures = false, .stream_usage = true,
            .max_stop_sequences = 4, .tool_ids = tool_id_rule::alnum_9};
  return d;
}

}  // namespace

const dialect& openai_dialect() noexcept {
  static const dialect d = make_openai();
  return d;
}
const dialect& groq_dialect() noexcept {
  static const dialect d = make_groq();
  return d;
}
const dialect& deepseek_dialect() noexcept {
  static const dialect d = make_deepseek();
  return d;
}
const dialect& xai_dialect() noexcept {
  static const dialect d = make_xai();
  return d;
}
const dialect& mistral_dialect() noexcept {
  static const dialect d = make_mistral();
  return d;
}

}  // namespace gi::providers::openai_compat
