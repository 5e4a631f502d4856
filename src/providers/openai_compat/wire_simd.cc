#include "providers/openai_compat/wire_simd.h"

namespace gi::providers::openai_compat::wire_simd {

int integer(const sj::element& e, std::int64_t* out) {
  switch (e.type()) {
    case sj::element_type::INT64: *out = e.get_int64().value_unsafe(); return 1;
    case sj::element_type::UINT64:
      *out = static_cast<std::int64_t>(e.get_uint64().value_unsafe());
      return 1;
    case sj::element_type::DOUBLE: return -1;
    case sj::element_type::ARRAY:
    case sj::element_type::OBJECT:
    case sj::element_type::STRING:
    case sj::element_type::BOOL:
    case sj::element_type::NULL_VALUE: return 0;
  }
  return 0;
}

bool read_int(const sj::element& e, std::int64_t& out) {
  std::int64_t v = 0;
  const int k = integer(e, &v);
  if (k < 0) return false;
  out = k > 0 ? v : 0;
  return true;
}

bool usage(const sj::object& o, core::usage& u) {
  // Keys are read in one pass; a repeated key's last value wins, as in the Boost.JSON tree.
  std::optional<std::int64_t> hit;
  for (sj::key_value_pair kv : o) {
    if (kv.key == "prompt_tokens") {
      if (!read_int(kv.value, u.prompt_tokens)) return false;
    } else if (kv.key == "completion_tokens") {
      if (!read_int(kv.value, u.completion_tokens)) return false;
    } else if (kv.key == "prompt_tokens_details") {
      u.cached_tokens = u.cache_write_tokens = 0;
      sj::object p;
      if (kv.value.get_object().get(p) != simdjson::SUCCESS) continue;
      for (sj::key_value_pair d : p) {
        if (d.key == "cached_tokens" && !read_int(d.value, u.cached_tokens)) return false;
        if (d.key == "cache_write_tokens" && !read_int(d.value, u.cache_write_tokens))
          return false;
      }
    } else if (kv.key == "prompt_cache_hit_tokens") {  // DeepSeek §7.3, wins when present
      std::int64_t v = 0;
      const int k = integer(kv.value, &v);
      if (k < 0) return false;
      hit = k > 0 ? std::optional<std::int64_t>(v) : std::nullopt;
    } else if (kv.key == "completion_tokens_details") {
      u.reasoning_tokens = 0;
      sj::object c;
      if (kv.value.get_object().get(c) != simdjson::SUCCESS) continue;
      for (sj::key_value_pair d : c)
        if (d.key == "reasoning_tokens" && !read_int(d.value, u.reasoning_tokens)) return false;
    }
  }
  if (hit) u.cached_tokens = *hit;
  return true;
}

}  // namespace gi::providers::openai_compat::wire_simd
