#include "upstream/retry_hints.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <ctime>
#include <string>
#include <vector>

namespace gi::upstream {

namespace {

using std::chrono::milliseconds;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A non-negative decimal number "12", "1.5", ".5". nullopt otherwise.
std::optional<double> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double whole = 0;
  std::size_t i = 0;
  bool digits = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    whole = whole * 10 + (s[i] - '0');
    digits = true;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    double scale = 0.1;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      whole += (s[i] - '0') * scale;
      scale /= 10;
      digits = true;
    }
  }
  if (!digits || i != s.size()) return std::nullopt;
  return whole;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  s = trim(s);
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Milliseconds from a count of seconds, rounded up so a hint is never shortened; capped at a
// day so absurd values cannot overflow.
milliseconds ms_from_seconds(double seconds) {
  constexpr double max_s = 86'400.0;
  if (seconds > max_s) seconds = max_s;
  return milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000.0 - 1e-9)));
}

int month_index(std::string_view m) {
  static constexpr std::array<std::string_view, 12> names = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == m) return static_cast<int>(i);
  return -1;
}

bool parse_hms(std::string_view s, int& h, int& mi, int& se) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return false;
  auto two = [&](std::size_t at, int& v) {
    if (s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
    v = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return true;
  };
  return two(0, h) && two(3, mi) && two(6, se) && h < 24 && mi < 60 && se <= 60;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// HTTP-date (RFC 9110 §5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", obsolete RFC 850
// "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s) {
  std::vector<std::string_view> tok;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) tok.push_back(s.substr(i, j - i));
    i = j;
  }
  std::int64_t year = 0;
  int mon = -1, day = 0, h = 0, mi = 0, se = 0;
  auto num = [](std::string_view t) { return parse_int(t); };
  if (tok.size() == 6 && tok[0].size() == 4 && tok[0].back() == ',' && tok[5] == "GMT") {
    auto d = num(tok[1]), y = num(tok[3]);
    if (!d || !y || tok[1].size() != 2 || tok[3].size() != 4) return std::nullopt;
    day = static_cast<int>(*d);
    year = *y;
    mon = month_index(tok[2]);
    if (!parse_hms(tok[4], h, mi, se)) return std::nullopt;
  } else if (tok.size() == 4 && tok[0].back() == ',' && tok[3] == "GMT") {
    const std::string_view dmy = tok[1];  // 06-Nov-94
    if (dmy.size() != 9 || dmy[2] != '-' || dmy[6] != '-') return std::nullopt;
    auto d = num(dmy.substr(0, 2)), y = num(dmy.substr(7, 2));
    if (!d || !y) return std::nullopt;
    day = static_cast<int>(*d);
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    year = *y < 70 ? 2000 + *y : 1900 + *y;
    mon = month_index(dmy.substr(3, 3));
    if (!parse_hms(tok[2], h, mi, se)) return std::nullopt;
  } else if (tok.size() == 5) {
    auto d = num(tok[2]), y = num(tok[4]);
    if (!d || !y || tok[4].size() != 4) return std::nullopt;
    day = static_cast<int>(*d);
    year = *y;
    mon = month_index(tok[1]);
    if (!parse_hms(tok[3], h, mi, se)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (mon < 0 || day < 1 || day > 31) return std::nullopt;
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(mon + 1), static_cast<unsigned>(day));
  const std::int64_t secs = days * 86'400 + h * 3600 + mi * 60 + se;
  return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
}

void read_window(const core::header_list& headers, std::string_view suffix,
                 rate_limit_window& w) {
  const std::string limit = "x-ratelimit-limit-" + std::string(suffix);
  const std::string remaining = "x-ratelimit-remaining-" + std::string(suffix);
  const std::string reset = "x-ratelimit-reset-" + std::string(suffix);
  if (auto v = core::find_header(headers, limit)) w.limit = parse_int(*v);
  if (auto v = core::find_header(headers, remaining)) w.remaining = parse_int(*v);
  if (auto v = core::find_header(headers, reset)) {
    // OpenAI sends Go durations ("6m0s"); some compatible upstreams send bare seconds.
    w.reset = parse_go_duration(trim(*v));
    if (!w.reset) {
      if (auto d = parse_decimal(trim(*v))) w.reset = ms_from_seconds(*d);
    }
  }
}

}  // namespace

std::optional<milliseconds> parse_go_duration(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s == "0") return milliseconds(0);
  double total_ns = 0;
  while (!s.empty()) {
    std::size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    auto number = parse_decimal(s.substr(0, i));
    if (!number) return std::nullopt;
    s.remove_prefix(i);
    std::size_t u = 0;
    while (u < s.size() && !((s[u] >= '0' && s[u] <= '9') || s[u] == '.')) ++u;
    const std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    double scale = 0;
    if (unit == "h") scale = 3600e9;
    else if (unit == "m") scale = 60e9;
    else if (unit == "s") scale = 1e9;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "us" || unit == "\xC2\xB5s") scale = 1e3;
    else if (unit == "ns") scale = 1;
    else return std::nullopt;
    total_ns += *number * scale;
  }
  return ms_from_seconds(total_ns / 1e9);
}

std::optional<milliseconds> parse_retry_delay(std::string_view s) {
  s = trim(s);
  if (s.size() < 2 || s.back() != 's') return std::nullopt;
  auto d = parse_decimal(s.substr(0, s.size() - 1));
  if (!d) return std::nullopt;
  return ms_from_seconds(*d);
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (auto d = parse_decimal(value)) return ms_from_seconds(*d);
  if (auto t = parse_http_date(value)) {
    if (*t <= now) return milliseconds(0);
    const auto diff = std::chrono::duration_cast<milliseconds>(*t - now);
    return std::min(diff, milliseconds(86'400'000));
  }
  return std::nullopt;
}

retry_hints parse_retry_hints(const core::header_list& headers,
                              std::chrono::system_clock::time_point now) {
  retry_hints h;
  if (auto v = core::find_header(headers, "retry-after-ms")) {
    if (auto d = parse_decimal(trim(*v))) {
      h.retry_after = milliseconds(static_cast<std::int64_t>(std::ceil(std::min(*d, 86'400'000.0))));
    }
  }
  if (!h.retry_after) {
    if (auto v = core::find_header(headers, "retry-after")) h.retry_after = parse_retry_after(*v, now);
  }
  if (auto v = core::find_header(headers, "x-should-retry")) {
    const std::string_view t = trim(*v);
    if (core::iequals(t, "true")) h.should_retry = true;
    else if (core::iequals(t, "false")) h.should_retry = false;
  }
  read_window(headers, "requests", h.requests);
  read_window(headers, "tokens", h.tokens);
  return h;
}

}  // namespace gi::upstream
