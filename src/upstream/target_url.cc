#include "upstream/target_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace gi::upstream {

namespace {

// host, with brackets for IPv6. Built by appends: GCC 12 warns falsely (-Wrestrict) on
// `"[" + host + "]"`.
std::string bracketed(const std::string& host) {
  if (host.find(':') == std::string::npos) return host;
  std::string h;
  h.reserve(host.size() + 2);
  h.push_back('[');
  h.append(host);
  h.push_back(']');
  return h;
}

core::error bad_url(std::string why) {
  return core::invalid_request("invalid upstream base URL: " + std::move(why), "base_url");
}

}  // namespace

std::string target_url::host_header() const {
  std::string h = bracketed(host);
  const std::uint16_t default_port = tls ? 443 : 80;
  if (port != default_port) {
    h.push_back(':');
    h += std::to_string(port);
  }
  return h;
}

std::string target_url::request_target(std::string_view path) const {
  std::string t = base_path;
  if (path.empty() || path.front() != '/') t.push_back('/');
  t.append(path);
  return t;
}

std::string target_url::origin() const {
  std::string o = tls ? "https://" : "http://";
  o += bracketed(host);
  o.push_back(':');
  o += std::to_string(port);
  return o;
}

core::result<target_url> parse_target_url(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return bad_url(std::string(url));
  const boost::urls::url_view& u = *parsed;
  target_url t;
  const auto scheme = u.scheme_id();
  if (scheme == boost::urls::scheme::https) {
    t.tls = true;
    t.port = 443;
  } else if (scheme == boost::urls::scheme::http) {
    t.tls = false;
    t.port = 80;
  } else {
    return bad_url("scheme must be http or https: " + std::string(url));
  }
  if (!u.has_authority() || u.host_type() == boost::urls::host_type::none) {
    return bad_url("missing host: " + std::string(url));
  }
  if (u.has_userinfo()) return bad_url("user-info is not allowed: " + std::string(url));
  if (u.has_query() || u.has_fragment()) {
    return bad_url("query/fragment not allowed: " + std::string(url));
  }
  // host_address(): the decoded host without IPv6 brackets.
  t.host = u.host_address();
  if (t.host.empty()) return bad_url("missing host: " + std::string(url));
  if (u.has_port()) {
    const auto p = u.port();
    if (p.empty()) return bad_url("empty port: " + std::string(url));
    if (u.port_number() == 0) return bad_url("port must be 1..65535: " + std::string(url));
    t.port = u.port_number();
  }
  std::string path(u.encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  t.base_path = std::move(path);
  return t;
}

}  // namespace gi::upstream
