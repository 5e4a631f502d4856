#include "core/money.h"

#include <limits>

namespace gi::core {

std::optional<money> money::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  std::size_t i = 0;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i >= text.size()) return std::nullopt;
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  std::int64_t whole = 0;
  std::size_t whole_digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    int d = c - '0';
    if (whole > (max / nanos_per_usd - d) / 10) return std::nullopt;
    whole = whole * 10 + d;
    ++whole_digits;
  }
  std::int64_t frac = 0;
  std::size_t frac_digits = 0;
  if (i < text.size()) {  // at '.'
    ++i;
    if (i >= text.size()) return std::nullopt;  // "1." is not a plain decimal
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return std::nullopt;
      if (++frac_digits > 9) return std::nullopt;
      frac = frac * 10 + (c - '0');
    }
    for (std::size_t k = frac_digits; k < 9; ++k) frac *= 10;
  }
  if (whole_digits == 0) return std::nullopt;  // ".5" is rejected: write "0.5"
  std::int64_t n = whole * nanos_per_usd;
  if (n > max - frac) return std::nullopt;
  n += frac;
  return money(negative ? -n : n);
}

std::string money::to_string() const {
  // Work in unsigned so INT64_MIN prints correctly.
  bool negative = nanos_ < 0;
  std::uint64_t n = negative ? ~static_cast<std::uint64_t>(nanos_) + 1 : static_cast<std::uint64_t>(nanos_);
  std::uint64_t whole = n / nanos_per_usd;
  std::uint64_t frac = n % nanos_per_usd;
  std::string out;
  if (negative) out.push_back('-');
  out += std::to_string(whole);
  if (frac != 0) {
    char digits[10] = {};
    for (int k = 8; k >= 0; --k) {
      digits[k] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    int len = 9;
    while (len > 0 && digits[len - 1] == '0') --len;
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(len));
  }
  return out;
}

money cost_of(std::int64_t tokens, price_per_mtok price) {
  // 64-bit when the product fits (every realistic request): the 128-bit division is a
  // libgcc call (__divmodti4) that cost ~0.5 % of a proxied request's instructions.
  if (std::int64_t p64; !__builtin_mul_overflow(tokens, price.per_million.nanos(), &p64)) {
    std::int64_t q = p64 / 1'000'000;
    if (p64 % 1'000'000 > 0) ++q;  // round up (positive amounts only)
    return money::from_nanos(q);
  }
  __int128 product = static_cast<__int128>(tokens) * price.per_million.nanos();
  __int128 q = product / 1'000'000;
  if (product % 1'000'000 > 0) ++q;  // round up (positive amounts only)
  return money::from_nanos(static_cast<std::int64_t>(q));
}

}  // namespace gi::core
