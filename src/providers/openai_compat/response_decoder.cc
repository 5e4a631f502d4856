// Non-stream OpenAI-family response body -> canonical response (providers.md §2.6, §5.3,
// §6.2, §7.2, §8.2).
//
// Two paths with one result: a simdjson fast path for the common answer shape (string or
// null content, string reasoning / refusal, tool calls with string arguments, null
// logprobs, integer usage), and the general Boost.JSON path for everything else — errors
// in a 2xx body, Mistral content chunk arrays, non-string arguments, logprobs objects,
// Groq's x_groq usage, non-integer numbers and invalid JSON (whose error it reports).
// Boost.JSON's parse was ~14 k of the ~18.5 k instructions this decode cost per 880 B
// answer (bench/micro/callgrind-e2e.sh). The goldens decode every case both ways.

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <simdjson.h>

#include "providers/openai_compat/codec.h"
#include "providers/openai_compat/wire.h"
#include "providers/openai_compat/wire_simd.h"
#include "providers/tool_state_store.h"

namespace gi::providers::openai_compat {

namespace json = boost::json;

namespace {

namespace sj = simdjson::dom;
using wire_simd::read_int;

// ---- fast path. Each reader returns false ("not the common shape") before the caller has
// committed anything; the general path then decodes the whole body from scratch.

bool read_tool_call(const sj::object& to, core::tool_call& tc) {
  for (sj::key_value_pair kv : to) {
    if (kv.key == "id") {
      tc.id = std::string(wire_simd::str(kv.value).value_or(""));  // identity (§11.2)
    } else if (kv.key == "type") {
      tc.type = std::string(wire_simd::str(kv.value).value_or("function"));
    } else if (kv.key == "function") {
      tc.name.clear();
      tc.arguments.clear();
      sj::object f;
      if (kv.value.get_object().get(f) != simdjson::SUCCESS) continue;
      for (sj::key_value_pair fk : f) {
        if (fk.key == "name") {
          tc.name = std::string(wire_simd::str(fk.value).value_or(""));
        } else if (fk.key == "arguments") {
          if (fk.value.is_null()) tc.arguments.clear();
          else if (auto a = wire_simd::str(fk.value)) tc.arguments = std::string(*a);
          else return false;  // Mistral object arguments: serialised by the general path
        }
      }
    }
  }
  return true;
}

bool read_message(const sj::object& m, core::choice& c) {
  std::optional<std::string_view> reasoning_content, reasoning;
  for (sj::key_value_pair kv : m) {
    if (kv.key == "content") {
      if (kv.value.is_null()) {
        c.content.reset();
      } else if (auto s = wire_simd::str(kv.value)) {
        c.content = std::string(*s);
      } else {
        return false;  // Mistral chunk arrays (§5.3)
      }
    } else if (kv.key == "reasoning_content") {
      reasoning_content = wire_simd::str(kv.value);
    } else if (kv.key == "reasoning") {
      reasoning = wire_simd::str(kv.value);
    } else if (kv.key == "refusal") {
      auto s = wire_simd::str(kv.value);
      if (s) c.refusal = std::string(*s);
      else c.refusal.reset();
    } else if (kv.key == "tool_calls") {
      c.tool_calls.clear();
      sj::array tcs;
      if (kv.value.get_array().get(tcs) != simdjson::SUCCESS) continue;
      for (sj::element tv : tcs) {
        sj::object to;
        if (tv.get_object().get(to) != simdjson::SUCCESS) continue;
        core::tool_call tc;
        if (!read_tool_call(to, tc)) return false;
        c.tool_calls.push_back(std::move(tc));
      }
    }
  }
  // DeepSeek / xAI `reasoning_content`, Groq `reasoning` (§6.2, §7.2, §8.2), in that order.
  std::string text;
  if (reasoning_content) text += *reasoning_content;
  if (reasoning) text += *reasoning;
  if (!text.empty()) c.reasoning = std::move(text);
  return true;
}

bool read_choice(const sj::object& co, int position, core::choice& c) {
  c.index = position;
  c.tool_calls.clear();
  for (sj::key_value_pair kv : co) {
    if (kv.key == "index") {
      std::int64_t v = 0;
      const int k = wire_simd::integer(kv.value, &v);
      if (k < 0) return false;
      c.index = k > 0 ? static_cast<int>(v) : position;
    } else if (kv.key == "finish_reason") {
      auto s = wire_simd::str(kv.value);
      c.finish_reason = s ? wire::finish_reason(*s) : core::finish_reason::none;
    } else if (kv.key == "logprobs") {
      if (!kv.value.is_null()) return false;  // kept as a JSON value: the general path
      c.logprobs = nullptr;
    } else if (kv.key == "message") {
      // A repeated key replaces the earlier message entirely (the general path reads one).
      c.content.reset();
      c.refusal.reset();
      c.reasoning.reset();
      c.tool_calls.clear();
      sj::object m;
      if (kv.value.get_object().get(m) != simdjson::SUCCESS) continue;
      if (!read_message(m, c)) return false;
    }
  }
  return true;
}

bool fast_decode(std::string_view body, const target& tgt, core::chat_response& r) {
  // One parser per thread: its buffers are reused across requests; nothing parsed outlives
  // this call.
  thread_local sj::parser parser;
  sj::object o;
  if (!wire_simd::parse_object(parser, body, o)) return false;

  std::optional<std::string_view> id, model, fingerprint, tier;
  sj::array choices;
  bool have_choices = false;
  sj::object usage;
  bool have_usage = false;
  bool have_x_groq = false;
  std::int64_t created = 0;
  for (sj::key_value_pair kv : o) {
    const std::string_view k = kv.key;
    if (k == "id") id = wire_simd::str(kv.value);
    else if (k == "model") model = wire_simd::str(kv.value);
    else if (k == "created") {
      if (!read_int(kv.value, created)) return false;
    } else if (k == "system_fingerprint") fingerprint = wire_simd::str(kv.value);
    else if (k == "service_tier") tier = wire_simd::str(kv.value);
    else if (k == "choices") have_choices = kv.value.get_array().get(choices) == simdjson::SUCCESS;
    else if (k == "usage") have_usage = kv.value.get_object().get(usage) == simdjson::SUCCESS;
    else if (k == "x_groq") have_x_groq = kv.value.is_object();
    else if (k == "error") {
      if (!kv.value.is_null()) return false;  // classified by the general path
    }
  }
  if (!have_choices) return false;  // the general path reports it
  if (!have_usage && have_x_groq) return false;  // Groq usage in x_groq (§6.2)

  r.upstream_id = std::string(id.value_or(""));
  r.model = std::string(model.value_or(tgt.model));
  r.created = created;
  if (fingerprint) r.system_fingerprint = std::string(*fingerprint);
  if (tier) r.service_tier = std::string(*tier);
  int position = 0;
  for (sj::element cv : choices) {
    sj::object co;
    if (cv.get_object().get(co) != simdjson::SUCCESS) continue;
    core::choice c;
    if (!read_choice(co, position, c)) return false;
    ++position;
    r.choices.push_back(std::move(c));
  }
  if (have_usage) {
    core::usage u;
    if (!wire_simd::usage(usage, u)) return false;
    r.usage = u;
  }
  return true;
}

// ---- general path

core::result<core::chat_response> general_decode(const dialect& d, const target& tgt,
                                                 std::string_view body) {
  // The parsed tree dies with this call (everything kept is copied out), so it lives in an
  // arena seeded from the stack: one bulk release instead of a free per node.
  unsigned char arena[8192];
  json::monotonic_resource mr(arena, sizeof arena);
  boost::system::error_code ec;
  json::value root = json::parse(body, ec, &mr);
  if (ec || !root.is_object()) {
    core::error e(core::error_kind::protocol,
                  std::string(d.name) + ": response body is not a JSON object", {},
                  std::string(d.name) + ":invalid_json");
    return e;
  }
  const json::object& o = root.get_object();
  // Some upstreams answer 200 with an error object (OpenAI-style, or xAI's string form).
  if (const json::value* err = o.if_contains("error"); err != nullptr && !err->is_null())
    return classify_inline(d, *err);
  const json::value* choices_v = o.if_contains("choices");
  if (choices_v == nullptr || !choices_v->is_array()) {
    return core::error(core::error_kind::protocol,
                       std::string(d.name) + ": response has no choices array", {},
                       std::string(d.name) + ":invalid_response");
  }

  core::chat_response r;
  r.upstream_id = std::string(wire::str(o, "id").value_or(""));
  r.model = std::string(wire::str(o, "model").value_or(tgt.model));
  r.created = wire::integer(o, "created").value_or(0);
  if (auto fp = wire::str(o, "system_fingerprint")) r.system_fingerprint = std::string(*fp);
  if (auto st = wire::str(o, "service_tier")) r.service_tier = std::string(*st);

  int position = 0;
  for (const json::value& cv : choices_v->get_array()) {
    const json::object* co = cv.if_object();
    if (co == nullptr) continue;
    core::choice c;
    c.index = static_cast<int>(wire::integer(*co, "index").value_or(position));
    ++position;
    if (auto fr = wire::str(*co, "finish_reason")) c.finish_reason = wire::finish_reason(*fr);
    if (const json::value* lp = co->if_contains("logprobs")) c.logprobs = *lp;
    if (const json::object* m = wire::obj(*co, "message")) {
      std::string text, reasoning;
      bool has_content = false;
      if (const json::value* cnt = m->if_contains("content"); cnt && !cnt->is_null()) {
        wire::content(*cnt, text, reasoning);
        has_content = true;
      }
      if (has_content) c.content = std::move(text);
      // DeepSeek / xAI `reasoning_content`, Groq `reasoning` (§6.2, §7.2, §8.2).
      for (const char* key : {"reasoning_content", "reasoning"})
        if (auto rc = wire::str(*m, key)) reasoning += *rc;
      if (!reasoning.empty()) c.reasoning = std::move(reasoning);
      if (auto rf = wire::str(*m, "refusal")) c.refusal = std::string(*rf);
      if (const json::value* tcs = m->if_contains("tool_calls"); tcs && tcs->is_array()) {
        for (const json::value& tv : tcs->get_array()) {
          const json::object* to = tv.if_object();
          if (to == nullptr) continue;
          core::tool_call tc;
          tc.id = std::string(wire::str(*to, "id").value_or(""));  // identity (§11.2)
          tc.type = std::string(wire::str(*to, "type").value_or("function"));
          if (const json::object* f = wire::obj(*to, "function")) {
            tc.name = std::string(wire::str(*f, "name").value_or(""));
            tc.arguments = wire::arguments(*f);
          }
          c.tool_calls.push_back(std::move(tc));
        }
      }
    }
    r.choices.push_back(std::move(c));
  }

  if (const json::value* u = o.if_contains("usage"); u && u->is_object()) {
    r.usage = wire::usage(*u);
  } else if (const json::object* xg = wire::obj(o, "x_groq")) {
    if (const json::value* xu = xg->if_contains("usage")) r.usage = wire::usage(*xu);
  }
  return r;
}

}  // namespace

std::optional<core::chat_response> decode_response_fast(const target& tgt,
                                                        std::string_view body) {
  core::chat_response r;
  if (!fast_decode(body, tgt, r)) return std::nullopt;
  return r;
}

core::result<core::chat_response> decode_response(const dialect& d, const target& tgt,
                                                  std::string_view body, bool fast_path) {
  core::result<core::chat_response> res = core::chat_response{};
  if (!fast_path || !fast_decode(body, tgt, *res)) {
    res = general_decode(d, tgt, body);
    if (!res) return res;
  }
  const core::chat_response& r = *res;
  // §7.2 / §11.4: keep DeepSeek's reasoning for the tool-call turn it belongs to.
  if (d.echo == reasoning_echo::deepseek && tgt.tool_state != nullptr) {
    for (const core::choice& c : r.choices) {
      if (!c.reasoning || c.tool_calls.empty()) continue;
      for (const core::tool_call& tc : c.tool_calls) {
        tgt.tool_state->put(tc.id,
                            tool_state{d.kind, r.model, tool_state_type::reasoning_content,
                                       *c.reasoning},
                            tgt.now);
      }
    }
  }
  return res;
}

}  // namespace gi::providers::openai_compat
