#pragma once
// Money is an integer count of nano-USD (design §4.6). Decimals are parsed and printed
// exactly; no floating point touches a balance or a price.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gi::core {

class money {
 public:
  static constexpr std::int64_t nanos_per_usd = 1'000'000'000;

  constexpr money() = default;
  static constexpr money from_nanos(std::int64_t n) { return money(n); }
  static constexpr money from_usd(std::int64_t usd) { return money(usd * nanos_per_usd); }

  // Parses a plain decimal USD amount: optional '-', digits, optional '.' and up to 9
  // fractional digits ("0.000412", "10", "-3.5"). No exponent, no '+', no spaces. Returns
  // nullopt on any other form, on more than 9 fractional digits, or on overflow.
  static std::optional<money> parse(std::string_view text);

  // Exact decimal: up to 9 fractional digits, trailing zeros trimmed, no exponent
  // ("0.000412", "3", "-0.5").
  std::string to_string() const;

  constexpr std::int64_t nanos() const { return nanos_; }
  constexpr bool is_positive() const { return nanos_ > 0; }

  constexpr money operator+(money o) const { return money(nanos_ + o.nanos_); }
  constexpr money operator-(money o) const { return money(nanos_ - o.nanos_); }
  constexpr money& operator+=(money o) { nanos_ += o.nanos_; return *this; }
  constexpr money& operator-=(money o) { nanos_ -= o.nanos_; return *this; }
  constexpr money operator-() const { return money(-nanos_); }
  constexpr auto operator<=>(const money&) const = default;

 private:
  constexpr explicit money(std::int64_t n) : nanos_(n) {}
  std::int64_t nanos_ = 0;
};

// A price per one million tokens, held exactly in nano-USD per 1M tokens
// ($0.15 / 1M = 150'000'000).
struct price_per_mtok {
  money per_million;
  static std::optional<price_per_mtok> parse(std::string_view usd_per_million) {
    auto m = money::parse(usd_per_million);
    if (!m) return std::nullopt;
    return price_per_mtok{*m};
  }
};

// tokens × price, exact in 128-bit, rounded up to the next nano-USD so a caller is never
// charged less than the list price (design §4.6; docs/decisions.md).
money cost_of(std::int64_t tokens, price_per_mtok price);

}  // namespace gi::core
