// simdjson DOM reader of the common chunk shape (stream_chunk.h): the second fast-path tier,
// for what scan_chunk declines (non-ASCII-heavy or unusual but valid chunks).

#include <simdjson.h>

#include "providers/openai_compat/stream_chunk.h"
#include "providers/openai_compat/wire_simd.h"

namespace gi::providers::openai_compat {

namespace {

namespace sj = simdjson::dom;

bool scan_tool(const sj::object& to, fast_tool& t) {
  t = fast_tool{};
  t.object = true;
  for (sj::key_value_pair kv : to) {
    if (kv.key == "index") {
      t.index_kind = wire_simd::integer(kv.value, &t.index);
      if (t.index_kind < 0) return false;
    } else if (kv.key == "id") {
      t.id = wire_simd::str(kv.value);
    } else if (kv.key == "function") {
      sj::object f;
      t.function = kv.value.get_object().get(f) == simdjson::SUCCESS;
      t.name.reset();
      t.arguments = {};
      if (!t.function) continue;
      for (sj::key_value_pair fk : f) {
        if (fk.key == "name") {
          t.name = wire_simd::str(fk.value);
        } else if (fk.key == "arguments") {
          if (fk.value.is_null()) t.arguments = {};
          else if (auto a = wire_simd::str(fk.value)) t.arguments = *a;
          else return false;  // serialised by wire::arguments on the general path
        }
      }
    }
  }
  return true;
}

bool scan_delta(const sj::object& delta, fast_choice& c, fast_chunk_view& v) {
  c.role = false;
  c.reasoning_content = c.reasoning = c.content = c.refusal = std::nullopt;
  c.tool_count = 0;
  for (sj::key_value_pair kv : delta) {
    if (kv.key == "role") {
      c.role = true;
    } else if (kv.key == "reasoning_content") {
      c.reasoning_content = wire_simd::str(kv.value);
    } else if (kv.key == "reasoning") {
      c.reasoning = wire_simd::str(kv.value);
    } else if (kv.key == "content") {
      if (kv.value.is_null()) c.content.reset();
      else if (auto s = wire_simd::str(kv.value)) c.content = *s;
      else return false;  // Mistral chunk arrays (§5.3)
    } else if (kv.key == "refusal") {
      c.refusal = wire_simd::str(kv.value);
    } else if (kv.key == "tool_calls") {
      c.tool_count = 0;
      sj::array tcs;
      if (kv.value.get_array().get(tcs) != simdjson::SUCCESS) continue;
      c.first_tool = v.tool_count;
      for (sj::element tv : tcs) {
        sj::object to;
        if (tv.get_object().get(to) != simdjson::SUCCESS) continue;
        if (v.tool_count == max_tools) return false;
        if (!scan_tool(to, v.tools[v.tool_count])) return false;
        ++v.tool_count;
        ++c.tool_count;
      }
    }
  }
  return true;
}

bool scan_choice(const sj::object& co, fast_choice& c, fast_chunk_view& v) {
  c = fast_choice{};
  c.object = true;
  for (sj::key_value_pair kv : co) {
    if (kv.key == "index") {
      c.index_kind = wire_simd::integer(kv.value, &c.index);
      if (c.index_kind < 0) return false;
    } else if (kv.key == "delta") {
      sj::object d;
      c.delta = kv.value.get_object().get(d) == simdjson::SUCCESS;
      if (c.delta && !scan_delta(d, c, v)) return false;
      if (!c.delta) {
        c.role = false;
        c.tool_count = 0;
      }
    } else if (kv.key == "finish_reason") {
      c.finish_reason = wire_simd::str(kv.value);
    }
  }
  return true;
}

bool scan_root(const sj::object& root, fast_chunk_view& v) {
  bool have_choices = false;
  sj::array choices;
  for (sj::key_value_pair kv : root) {
    const std::string_view k = kv.key;
    if (k == "id") {
      v.id = wire_simd::str(kv.value);
    } else if (k == "model") {
      v.model = wire_simd::str(kv.value);
    } else if (k == "created") {
      if (!wire_simd::read_int(kv.value, v.created)) return false;
    } else if (k == "system_fingerprint") {
      v.fingerprint = wire_simd::str(kv.value);
    } else if (k == "choices") {
      have_choices = kv.value.get_array().get(choices) == simdjson::SUCCESS;
    } else if (k == "usage") {
      sj::object u;
      if (kv.value.get_object().get(u) != simdjson::SUCCESS) {
        v.usage.reset();
        continue;
      }
      if (!wire_simd::usage(u, v.usage.emplace())) return false;
    } else if (k == "error") {
      if (!kv.value.is_null()) return false;  // classified by the general path
    } else if (k == "x_groq") {
      if (kv.value.is_object()) return false;  // Groq usage / error (§6.2)
    }
  }
  if (!have_choices) return true;
  v.tool_count = 0;
  for (sj::element c : choices) {
    if (v.choice_count == max_choices) return false;
    fast_choice& fc = v.choices[v.choice_count++];
    sj::object co;
    if (c.get_object().get(co) != simdjson::SUCCESS) {
      fc = fast_choice{};  // counts for positions, emits nothing
      continue;
    }
    if (!scan_choice(co, fc, v)) return false;
  }
  return true;
}

}  // namespace

bool scan_chunk_simd(sj::parser& parser, std::string_view json, fast_chunk_view& v) {
  sj::object o;
  return wire_simd::parse_object(parser, json, o) && scan_root(o, v);
}

}  // namespace gi::providers::openai_compat
