#include "core/http_types.h"

namespace gi::core {

namespace detail {

bool iequals_n(const char* a, const char* b, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;  // the common case: same spelling
    // Different bytes match only as the two cases of one ASCII letter.
    const unsigned char lx = x | 0x20;
    if (lx != (y | 0x20) || lx < 'a' || lx > 'z') return false;
  }
  return true;
}

}  // namespace detail

std::optional<std::string_view> find_header(const header_list& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

}  // namespace gi::core
