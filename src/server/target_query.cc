#include "server/target_query.h"

#include "core/ascii.h"

namespace gi::server {

std::string_view path_of(std::string_view target) noexcept {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

std::unordered_map<std::string, std::string> query_of(std::string_view target) {
  std::unordered_map<std::string, std::string> out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto part = rest.substr(0, amp);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) out[core::percent_decode(part, true)] = "";
    else out[core::percent_decode(part.substr(0, eq), true)] = core::percent_decode(part.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace gi::server
