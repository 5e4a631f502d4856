#include "openai_api/request_fast_path.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <simdjson.h>

#include "core/json_reader.h"

namespace gi::openai_api::detail {

namespace {

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

// The request shape, read with core::json_reader: every value the fast path takes is read
// here, anything else declines.
class request_reader : public core::json_reader {
 public:
  using json_reader::json_reader;

  bool root(core::chat_request& r);

 private:
  bool get_string(std::string& out) {
    std::string_view s;
    if (peek() != '"' || !string(s)) return false;
    out.assign(s.data(), s.size());
    return true;
  }
  // `null` (true, `is_null` set) or something else (p_ unmoved).
  bool null(bool& is_null) {
    is_null = peek() == 'n';
    return !is_null || literal("null");
  }
  // `null` (`absent` set) or a number token (no exponent, at most 18 digits) in `tok`.
  bool opt_token(std::string_view& tok, bool& absent) {
    if (!null(absent)) return false;
    if (absent) return true;
    const char c = peek();
    return (c == '-' || (c >= '0' && c <= '9')) && number(tok);
  }
  // null = absent; otherwise a number within [lo, hi].
  bool opt_number(std::optional<double>& out, double lo, double hi) {
    std::string_view tok;
    bool absent = false;
    double x = 0;
    if (!opt_token(tok, absent)) return false;
    if (absent) return true;
    if (!short_decimal(tok, x) || x < lo || x > hi) return false;
    out = x;
    return true;
  }
  // null = absent; otherwise an integer token within [lo, hi].
  bool opt_int(std::optional<std::int64_t>& out, std::int64_t lo, std::int64_t hi) {
    std::string_view tok;
    bool absent = false;
    std::int64_t x = 0;
    if (!opt_token(tok, absent)) return false;
    if (absent) return true;
    if (!plain_int(tok, x) || x < lo || x > hi) return false;
    out = x;
    return true;
  }
  bool opt_bool(bool& out) {
    switch (peek()) {
      case 't': out = true; return literal("true");
      case 'f': out = false; return literal("false");
      default: return false;
    }
  }
  bool message(core::message& m);
  bool messages(std::vector<core::message>& out);
  bool stop(core::chat_request& r);
  bool stream_options(core::chat_request& r);
  bool field(std::string_view key, core::chat_request& r, std::optional<std::int64_t>& max_tokens,
             std::uint32_t& seen);
};

bool request_reader::message(core::message& m) {
  if (peek() != '{') return false;
  bool has_role = false, has_content = false, has_name = false;
  return members([&](std::string_view key) {
    if (key == "role") {
      if (has_role) return false;
      has_role = true;
      std::string_view r;
      if (peek() != '"' || !string(r)) return false;
      if (r == "user") m.role = core::role::user;
      else if (r == "assistant") m.role = core::role::assistant;
      else if (r == "system") m.role = core::role::system;
      else if (r == "developer") m.role = core::role::developer;
      else return false;  // tool / function turns and unknown roles: general path
      return true;
    }
    if (key == "content") {
      if (has_content) return false;
      has_content = true;
      // Parts arrays and null: general path.
      return get_string(m.content.emplace<std::string>());
    }
    if (key == "name") {
      if (has_name) return false;
      has_name = true;
      return get_string(m.name.emplace());
    }
    return false;
  }) && has_role && has_content;
}

bool request_reader::messages(std::vector<core::message>& out) {
  if (peek() != '[') return false;
  out.reserve(8);
  return elements([&] { return message(out.emplace_back()); }) && !out.empty();
}

bool request_reader::stop(core::chat_request& r) {
  bool is_null = false;
  if (!null(is_null)) return false;
  if (is_null) return true;
  if (peek() == '"') {
    r.stop_was_string = true;
    return get_string(r.stop.emplace_back());
  }
  if (peek() != '[') return false;
  return elements([&] { return r.stop.size() < 4 && get_string(r.stop.emplace_back()); });
}

bool request_reader::stream_options(core::chat_request& r) {
  bool is_null = false;
  if (!null(is_null)) return false;
  if (is_null) return true;
  if (peek() != '{') return false;
  core::stream_options so;
  bool seen = false;
  if (!members([&](std::string_view key) {
        if (key != "include_usage" || seen) return false;
        seen = true;
        bool b = false;
        if (!opt_bool(b)) return false;
        so.include_usage = b;
        return true;
      }))
    return false;
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

bool request_reader::field(std::string_view key, core::chat_request& r,
                           std::optional<std::int64_t>& max_tokens, std::uint32_t& seen) {
  constexpr auto int_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto int_min = std::numeric_limits<std::int64_t>::min();
  auto once = [&seen](std::uint32_t bit) {
    if (seen & bit) return false;
    seen |= bit;
    return true;
  };
  if (key == "model") return once(k_model) && get_string(r.model) && !r.model.empty();
  if (key == "messages") return once(k_messages) && messages(r.messages);
  if (key == "temperature") return once(k_temperature) && opt_number(r.temperature, 0, 2);
  if (key == "top_p") return once(k_top_p) && opt_number(r.top_p, 0, 1);
  if (key == "max_tokens") return once(k_max_tokens) && opt_int(max_tokens, 1, int_max);
  if (key == "max_completion_tokens")
    return once(k_max_completion_tokens) && opt_int(r.max_completion_tokens, 1, int_max);
  if (key == "presence_penalty") return once(k_presence) && opt_number(r.presence_penalty, -2, 2);
  if (key == "frequency_penalty")
    return once(k_frequency) && opt_number(r.frequency_penalty, -2, 2);
  if (key == "n") return once(k_n) && opt_int(r.n, 1, 128);
  if (key == "seed") return once(k_seed) && opt_int(r.seed, int_min, int_max);
  if (key == "stop") return once(k_stop) && stop(r);
  if (key == "user") {
    if (!once(k_user)) return false;
    bool is_null = false;
    if (!null(is_null)) return false;
    return is_null || get_string(r.user.emplace());
  }
  if (key == "stream") {
    if (!once(k_stream)) return false;
    bool is_null = false;
    if (!null(is_null)) return false;
    return is_null || opt_bool(r.stream);
  }
  if (key == "stream_options") return once(k_stream_options) && stream_options(r);
  return false;  // every other field: general path
}

bool request_reader::root(core::chat_request& r) {
  if (peek() != '{') return false;
  std::optional<std::int64_t> max_tokens;
  std::uint32_t seen = 0;
  if (!members([&](std::string_view key) { return field(key, r, max_tokens, seen); })) return false;
  // Nothing may follow the object.
  if (!at_end()) return false;
  // Bytes >= 0x80 sat in strings: they must be UTF-8, as the general path requires.
  if (saw_high() && !simdjson::validate_utf8(begin_, static_cast<std::size_t>(end_ - begin_)))
    return false;
  // Cross-field rules of the general path, for the fields taken here.
  if (!(seen & k_model) || !(seen & k_messages)) return false;
  if (r.stream_options && !r.stream) return false;
  if (max_tokens && !r.max_completion_tokens) {
    r.max_completion_tokens = max_tokens;
    r.max_tokens_legacy_field = true;
  }
  return true;
}

}  // namespace

bool decode_chat_request_fast(std::string_view body, core::chat_request& out) {
  if (body.size() > fast_max_bytes) return false;
  // Unescaped strings land in a per-thread scratch buffer before they are copied out.
  thread_local std::string scratch;
  if (scratch.size() < body.size()) scratch.resize(std::max<std::size_t>(body.size(), 4096));
  return request_reader(body, scratch.data()).root(out);
}

std::optional<core::chat_request> decode_chat_request_fast(std::string_view body) {
  std::optional<core::chat_request> r(std::in_place);
  if (!decode_chat_request_fast(body, *r)) return std::nullopt;
  return r;
}

}  // namespace gi::openai_api::detail
