#pragma once
// Plain HTTP message data shared by the pure codecs (providers/) and the only outbound I/O
// module (upstream/). No Beast here: providers must stay free of I/O libraries.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gi::core {

using header_list = std::vector<std::pair<std::string, std::string>>;

namespace detail {
// ASCII case-insensitive equality of two runs of `n` bytes.
bool iequals_n(const char* a, const char* b, std::size_t n) noexcept;
}  // namespace detail

// ASCII case-insensitive equality. Inline length check: most header-name comparisons
// (find_header, the X-GammaInfra-* parser) fail on length and need no call.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && detail::iequals_n(a.data(), b.data(), a.size());
}

// Case-insensitive header lookup (first match).
std::optional<std::string_view> find_header(const header_list& h, std::string_view name);

// What a provider codec produces: everything but the network. `path` is relative to the
// target's base URL ("/chat/completions") unless `absolute_url` is set.
struct upstream_request {
  std::string method = "POST";
  std::string path;
  header_list headers;  // non-secret headers; authorize() adds credentials
  std::string body;
  bool stream = false;
};

}  // namespace gi::core
