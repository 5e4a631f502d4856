#include "openai_api/request_fast_path.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include <simdjson.h>

namespace gi::openai_api::detail {

namespace {

namespace od = simdjson::ondemand;
using simdjson::SUCCESS;

// A strict JSON number token without exponent and with at most 15 significant digits
// (leading zeros of the fraction counted too, conservatively). Within that, Boost.JSON
// 1.81 and a correctly rounded parse agree (measured on 250 k random literals); beyond it
// the general path decides.
bool short_decimal(std::string_view t, double& out) {
  std::size_t i = 0, digits = 0;
  if (i < t.size() && t[i] == '-') ++i;
  if (i >= t.size()) return false;
  if (t[i] == '0') {
    ++i;
    ++digits;
  } else if (t[i] >= '1' && t[i] <= '9') {
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  } else {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    const std::size_t frac_start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
    if (i == frac_start) return false;
  }
  if (i != t.size() || digits > 15) return false;  // exponent or trailing bytes
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec != std::errc() || p != t.data() + t.size()) return false;
  if (out == 0) return t[0] != '-';  // -0: whether it stays a double is Boost.JSON's call
  return std::fabs(out) >= 1e-7;
}

// A strict JSON integer token (no fraction, no exponent) that fits int64.
bool plain_int(std::string_view t, std::int64_t& out) {
  std::size_t i = t.size() > 0 && t[0] == '-' ? 1 : 0;
  if (i >= t.size()) return false;
  if (t[i] == '0' && t.size() > i + 1) return false;  // leading zero
  for (std::size_t j = i; j < t.size(); ++j)
    if (t[j] < '0' || t[j] > '9') return false;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && p == t.data() + t.size();
}

// The literal `null` (type() only looked at its first byte).
bool null_literal(od::value& v) {
  bool is_null = false;
  return v.is_null().get(is_null) == SUCCESS && is_null;
}

bool token(od::value& v, std::string_view& out) {
  out = v.raw_json_token();
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\r' ||
                          out.back() == '\t'))
    out.remove_suffix(1);
  return true;
}

// null = absent; otherwise a number within [lo, hi].
bool opt_number(od::value& v, std::optional<double>& out, double lo, double hi) {
  od::json_type t;
  if (v.type().get(t) != SUCCESS) return false;
  if (t == od::json_type::null) return null_literal(v);
  if (t != od::json_type::number) return false;
  std::string_view tok;
  double x = 0;
  if (!token(v, tok) || !short_decimal(tok, x) || x < lo || x > hi) return false;
  out = x;
  return true;
}

// null = absent; otherwise an integer token within [lo, hi].
bool opt_int(od::value& v, std::optional<std::int64_t>& out, std::int64_t lo, std::int64_t hi) {
  od::json_type t;
  if (v.type().get(t) != SUCCESS) return false;
  if (t == od::json_type::null) return null_literal(v);
  if (t != od::json_type::number) return false;
  std::string_view tok;
  std::int64_t x = 0;
  if (!token(v, tok) || !plain_int(tok, x) || x < lo || x > hi) return false;
  out = x;
  return true;
}

bool get_string(od::value& v, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s) != SUCCESS) return false;
  out.assign(s.data(), s.size());
  return true;
}

bool decode_message(od::value& v, core::message& m) {
  od::object o;
  if (v.get_object().get(o) != SUCCESS) return false;
  bool has_role = false, has_content = false, has_name = false;
  for (auto field : o) {
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS) return false;
    od::value val;
    if (field.value().get(val) != SUCCESS) return false;
    if (key == "role") {
      if (has_role) return false;
      has_role = true;
      std::string_view r;
      if (val.get_string().get(r) != SUCCESS) return false;
      if (r == "user") m.role = core::role::user;
      else if (r == "assistant") m.role = core::role::assistant;
      else if (r == "system") m.role = core::role::system;
      else if (r == "developer") m.role = core::role::developer;
      else return false;  // tool / function turns and unknown roles: general path
    } else if (key == "content") {
      if (has_content) return false;
      has_content = true;
      std::string text;
      if (!get_string(val, text)) return false;  // parts arrays and null: general path
      m.content = std::move(text);
    } else if (key == "name") {
      if (has_name) return false;
      has_name = true;
      if (!get_string(val, m.name.emplace())) return false;
    } else {
      return false;
    }
  }
  return has_role && has_content;
}

bool decode_messages(od::value& v, std::vector<core::message>& out) {
  od::array a;
  if (v.get_array().get(a) != SUCCESS) return false;
  out.reserve(8);
  for (auto element : a) {
    od::value m;
    if (element.get(m) != SUCCESS) return false;
    if (!decode_message(m, out.emplace_back())) return false;
  }
  return !out.empty();
}

bool decode_stop(od::value& v, core::chat_request& r) {
  od::json_type t;
  if (v.type().get(t) != SUCCESS) return false;
  if (t == od::json_type::null) return null_literal(v);
  if (t == od::json_type::string) {
    r.stop_was_string = true;
    return get_string(v, r.stop.emplace_back());
  }
  od::array a;
  if (v.get_array().get(a) != SUCCESS) return false;
  for (auto element : a) {
    od::value s;
    if (element.get(s) != SUCCESS || r.stop.size() == 4) return false;
    if (!get_string(s, r.stop.emplace_back())) return false;
  }
  return true;
}

bool decode_stream_options(od::value& v, core::chat_request& r) {
  od::json_type t;
  if (v.type().get(t) != SUCCESS) return false;
  if (t == od::json_type::null) return null_literal(v);
  od::object o;
  if (v.get_object().get(o) != SUCCESS) return false;
  core::stream_options so;
  bool seen = false;
  for (auto field : o) {
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS || key != "include_usage" || seen) return false;
    seen = true;
    od::value val;
    bool b = false;
    if (field.value().get(val) != SUCCESS || val.get_bool().get(b) != SUCCESS) return false;
    so.include_usage = b;
  }
  r.stream_options = so;
  return true;
}

// Bit per top-level key, for duplicate detection.
enum key_bit : std::uint32_t {
  k_model = 1u << 0, k_messages = 1u << 1, k_temperature = 1u << 2, k_top_p = 1u << 3,
  k_max_tokens = 1u << 4, k_max_completion_tokens = 1u << 5, k_presence = 1u << 6,
  k_frequency = 1u << 7, k_n = 1u << 8, k_seed = 1u << 9, k_stop = 1u << 10,
  k_user = 1u << 11, k_stream = 1u << 12, k_stream_options = 1u << 13,
};

bool decode_field(std::string_view key, od::value& v, core::chat_request& r,
                  std::optional<std::int64_t>& max_tokens, std::uint32_t& seen) {
  constexpr auto int_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto int_min = std::numeric_limits<std::int64_t>::min();
  auto once = [&seen](std::uint32_t bit) {
    if (seen & bit) return false;
    seen |= bit;
    return true;
  };
  if (key == "model") {
    return once(k_model) && get_string(v, r.model) && !r.model.empty();
  }
  if (key == "messages") return once(k_messages) && decode_messages(v, r.messages);
  if (key == "temperature") return once(k_temperature) && opt_number(v, r.temperature, 0, 2);
  if (key == "top_p") return once(k_top_p) && opt_number(v, r.top_p, 0, 1);
  if (key == "max_tokens") return once(k_max_tokens) && opt_int(v, max_tokens, 1, int_max);
  if (key == "max_completion_tokens")
    return once(k_max_completion_tokens) && opt_int(v, r.max_completion_tokens, 1, int_max);
  if (key == "presence_penalty")
    return once(k_presence) && opt_number(v, r.presence_penalty, -2, 2);
  if (key == "frequency_penalty")
    return once(k_frequency) && opt_number(v, r.frequency_penalty, -2, 2);
  if (key == "n") return once(k_n) && opt_int(v, r.n, 1, 128);
  if (key == "seed") return once(k_seed) && opt_int(v, r.seed, int_min, int_max);
  if (key == "stop") return once(k_stop) && decode_stop(v, r);
  if (key == "user") {
    if (!once(k_user)) return false;
    od::json_type t;
    if (v.type().get(t) != SUCCESS) return false;
    if (t == od::json_type::null) return null_literal(v);
    return get_string(v, r.user.emplace());
  }
  if (key == "stream") {
    if (!once(k_stream)) return false;
    od::json_type t;
    if (v.type().get(t) != SUCCESS) return false;
    if (t == od::json_type::null) return null_literal(v);
    return v.get_bool().get(r.stream) == SUCCESS;
  }
  if (key == "stream_options") return once(k_stream_options) && decode_stream_options(v, r);
  return false;  // every other field: general path
}

}  // namespace

std::optional<core::chat_request> decode_chat_request_fast(std::string_view body) {
  if (body.size() > fast_max_bytes) return std::nullopt;
  // On-Demand reads up to SIMDJSON_PADDING bytes past the end: a per-thread padded copy.
  thread_local std::string padded;
  padded.assign(body);
  padded.append(simdjson::SIMDJSON_PADDING, ' ');
  thread_local od::parser parser(fast_max_bytes);

  od::document doc;
  if (parser.iterate(padded.data(), body.size(), padded.size()).get(doc) != SUCCESS)
    return std::nullopt;
  od::object root;
  if (doc.get_object().get(root) != SUCCESS) return std::nullopt;
  core::chat_request r;
  std::optional<std::int64_t> max_tokens;
  std::uint32_t seen = 0;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS) return std::nullopt;
    od::value v;
    if (field.value().get(v) != SUCCESS) return std::nullopt;
    if (!decode_field(key, v, r, max_tokens, seen)) return std::nullopt;
  }
  // Nothing may follow the object (On-Demand validates lazily: trailing bytes would
  // otherwise go unseen).
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == SUCCESS) return std::nullopt;
  // Cross-field rules of the general path, for the fields taken here.
  if (!(seen & k_model) || !(seen & k_messages)) return std::nullopt;
  if (r.stream_options && !r.stream) return std::nullopt;
  if (max_tokens && !r.max_completion_tokens) {
    r.max_completion_tokens = max_tokens;
    r.max_tokens_legacy_field = true;
  }
  return r;
}

}  // namespace gi::openai_api::detail
