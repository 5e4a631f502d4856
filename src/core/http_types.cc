#include "core/http_types.h"

namespace gi::core {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string_view> find_header(const header_list& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

}  // namespace gi::core
