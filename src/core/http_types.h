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

// Case-insensitive header lookup (first match).
std::optional<std::string_view> find_header(const header_list& h, std::string_view name);
bool iequals(std::string_view a, std::string_view b) noexcept;

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
