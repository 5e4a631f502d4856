#pragma once
// The canonical chat request: the OpenAI Chat Completions request (providers.md §2.2–§2.5)
// decoded into typed fields. Every provider codec encodes from this; openai_api decodes
// into it. JSON-valued payloads that we never interpret (tool parameter schemas,
// response_format schemas, logit_bias, unknown top-level fields) are kept as
// boost::json values so they pass through byte-for-byte in meaning.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace gi::core {

enum class role : std::uint8_t { system, developer, user, assistant, tool, function };

struct text_part {
  std::string text;
};
struct image_part {
  std::string url;     // https://… or data:image/png;base64,…
  std::string detail;  // "" (absent) | auto | low | high
};
struct audio_part {
  std::string data;    // base64
  std::string format;  // wav | mp3
};
struct file_part {
  std::string file_data;  // data:…;base64,… (may be empty)
  std::string file_id;
  std::string filename;
};
struct refusal_part {
  std::string refusal;
};
using content_part = std::variant<text_part, image_part, audio_part, file_part, refusal_part>;

// A message's content is absent/null, a plain string, or an array of parts. The distinction
// is kept so an OpenAI-family upstream receives what the client sent.
using message_content = std::variant<std::monostate, std::string, std::vector<content_part>>;

struct tool_call {
  std::string id;         // as the client (or upstream) gave it
  std::string type = "function";
  std::string name;
  std::string arguments;  // JSON-encoded string, exactly as given
};

struct message {
  core::role role = core::role::user;
  message_content content;
  std::optional<std::string> name;
  std::optional<std::string> refusal;     // assistant
  std::vector<tool_call> tool_calls;      // assistant
  std::string tool_call_id;               // tool
  // Provider reasoning echoed by a client on an assistant turn (DeepSeek
  // `reasoning_content`), kept so the codec can decide whether to send it back.
  std::optional<std::string> reasoning_content;
  // Fields on the message we do not model (e.g. `audio`, legacy `function_call`), kept for
  // OpenAI-family pass-through.
  boost::json::object extra;

  // Text parts joined with "\n" (providers.md §2.3), or the string content.
  std::string joined_text() const;
  // joined_text().size() without building the string (size estimates on the hot path).
  std::size_t joined_text_size() const;
};

struct function_tool {
  std::string name;
  std::optional<std::string> description;
  std::optional<boost::json::value> parameters;  // JSON Schema; absent = no arguments
  std::optional<bool> strict;
};
struct tool {
  std::string type = "function";  // "function" | "custom"
  function_tool function;         // when type == function
  boost::json::value raw;         // the tool object as sent (for custom tools, pass-through)
};

enum class tool_choice_mode : std::uint8_t { unset, none, auto_, required, function, allowed_tools, custom };
struct tool_choice {
  tool_choice_mode mode = tool_choice_mode::unset;
  std::string name;        // function / custom
  boost::json::value raw;  // allowed_tools object etc., as sent
};

enum class response_format_type : std::uint8_t { unset, text, json_object, json_schema };
struct response_format {
  response_format_type type = response_format_type::unset;
  std::string name;  // json_schema.name
  std::optional<std::string> description;
  std::optional<boost::json::value> schema;
  std::optional<bool> strict;
};

struct stream_options {
  std::optional<bool> include_usage;
  std::optional<bool> include_obfuscation;
};

struct chat_request {
  std::string model;
  std::vector<message> messages;

  // Sampling and limits. `max_tokens` and `max_completion_tokens` are synonyms on input
  // (providers.md §2.2); `max_completion_tokens` wins when both are given.
  std::optional<std::int64_t> max_completion_tokens;
  bool max_tokens_legacy_field = false;  // the client used `max_tokens`
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> n;
  std::vector<std::string> stop;
  bool stop_was_string = false;
  std::optional<std::int64_t> seed;
  std::optional<double> frequency_penalty;
  std::optional<double> presence_penalty;
  std::optional<boost::json::object> logit_bias;
  std::optional<bool> logprobs;
  std::optional<std::int64_t> top_logprobs;
  std::optional<std::string> reasoning_effort;
  std::optional<std::string> verbosity;
  std::optional<std::string> service_tier;
  std::optional<std::string> user;
  std::optional<std::string> safety_identifier;
  std::optional<std::string> prompt_cache_key;
  std::optional<boost::json::object> metadata;

  bool stream = false;
  std::optional<core::stream_options> stream_options;

  std::vector<tool> tools;
  core::tool_choice tool_choice;
  std::optional<bool> parallel_tool_calls;
  core::response_format response_format;

  // Top-level fields not modelled above — OpenAI-only known fields (store, modalities,
  // audio, prediction, …) and unknown ones — kept in arrival order for pass-through to
  // OpenAI-family targets. Other targets must translate, skip, or reject them by name.
  boost::json::object passthrough;

  bool wants_stream_usage() const {
    return stream && stream_options && stream_options->include_usage.value_or(false);
  }
};

}  // namespace gi::core
