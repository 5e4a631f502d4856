// SigV4 (providers.md §9.3). Checked against the AWS suite, the CRT suite and the botocore
// Bedrock vectors in test/unit/providers/sigv4_vectors_test.cc.

#include "providers/bedrock/sigv4.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <map>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "core/ascii.h"

namespace gi::providers::bedrock::sigv4 {

namespace {

constexpr char hex_upper[] = "0123456789ABCDEF";
constexpr char hex_lower[] = "0123456789abcdef";

bool unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string to_hex(const unsigned char* p, std::size_t n) {
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(hex_lower[p[i] >> 4]);
    out.push_back(hex_lower[p[i] & 0xF]);
  }
  return out;
}

std::string hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

// Dot-segment removal plus collapsing of empty segments, as the AWS SDKs do it (botocore's
// normpath, smithy's getCanonicalPath): the result ends with '/' only when the path did
// ("/a/b/.." -> "/a", "//example//" -> "/example/"). Found by test/fuzz/sigv4_fuzz.cc
// against the mock's independent verifier; the suites do not tell the two rules apart.
std::string normalize(std::string_view path) {
  std::vector<std::string_view> segs;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view seg = path.substr(pos, next - pos);
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segs.push_back(seg);
    }
    pos = next + 1;
  }
  std::string out;
  for (auto s : segs) {
    out += '/';
    out += s;
  }
  if (out.empty()) return "/";
  if (path.ends_with('/')) out += '/';
  return out;
}

std::string trim_collapse(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool unsignable(std::string_view lname) {
  return lname == "authorization" || lname == "user-agent" || lname == "expect" ||
         lname == "x-amzn-trace-id" || lname == "transfer-encoding" || lname == "connection";
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex_upper[c >> 4]);
      out.push_back(hex_upper[c & 0xF]);
    }
  }
  return out;
}

std::string canonical_uri(std::string_view path, bool normalize_path) {
  if (path.empty()) return "/";
  std::string p = normalize_path ? normalize(path) : std::string(path);
  return uri_encode(p, true);
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t pos = 0;
  while (pos < query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view item = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    params.emplace_back(uri_encode(core::percent_decode(name), false),
                        uri_encode(core::percent_decode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [n, v] : params) {
    if (!out.empty()) out += '&';
    out += n;
    out += '=';
    out += v;
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
  return to_hex(d.data(), d.size());
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::array<char, 20> buf{};
  std::strftime(buf.data(), buf.size(), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf.data());
}

signature_parts sign(const request_parts& req, const signing_scope& scope) {
  signature_parts out;
  std::string_view target = req.target;
  std::string_view path = target, query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  // Canonical headers: lower-cased names, trimmed values, repeats joined with ','.
  std::map<std::string, std::string> canon;
  if (req.headers != nullptr) {
    for (const auto& [name, value] : *req.headers) {
      std::string n = lower(name);
      std::string v = trim_collapse(value);
      auto [it, inserted] = canon.emplace(n, v);
      if (!inserted) {
        it->second += ',';
        it->second += v;
      }
    }
  }
  std::string headers_block;
  for (const auto& [n, v] : canon) {
    headers_block += n;
    headers_block += ':';
    headers_block += v;
    headers_block += '\n';
    if (!out.signed_headers.empty()) out.signed_headers += ';';
    out.signed_headers += n;
  }
  out.canonical_request.reserve(256 + headers_block.size());
  out.canonical_request.append(req.method).append("\n");
  out.canonical_request.append(canonical_uri(path, scope.normalize_path)).append("\n");
  out.canonical_request.append(canonical_query(query)).append("\n");
  out.canonical_request.append(headers_block).append("\n");
  out.canonical_request.append(out.signed_headers).append("\n");
  out.canonical_request.append(req.payload_hash);

  const std::string_view date = scope.amz_date.substr(0, 8);
  std::string cred_scope = std::string(date) + "/" + std::string(scope.region) + "/" +
                           std::string(scope.service) + "/aws4_request";
  out.string_to_sign = "AWS4-HMAC-SHA256\n" + std::string(scope.amz_date) + "\n" + cred_scope +
                       "\n" + sha256_hex(out.canonical_request);

  std::string k = hmac("AWS4" + std::string(scope.secret_access_key), date);
  k = hmac(k, scope.region);
  k = hmac(k, scope.service);
  k = hmac(k, "aws4_request");
  const std::string sig = hmac(k, out.string_to_sign);
  out.signature = to_hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + std::string(scope.access_key_id) + "/" +
                      cred_scope + ", SignedHeaders=" + out.signed_headers +
                      ", Signature=" + out.signature;
  return out;
}

core::status<> sign_request(core::upstream_request& req, const credentials& creds,
                            std::string_view region, std::string_view service,
                            std::chrono::system_clock::time_point now) {
  if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
    return core::error(core::error_kind::auth, "bedrock: SigV4 credentials are not configured");
  }
  if (!core::find_header(req.headers, "host")) {
    return core::error(core::error_kind::internal, "bedrock: request has no host header to sign");
  }
  // Re-signing (a retry) replaces the previous signature and date (§9.3).
  std::erase_if(req.headers, [](const auto& h) {
    return core::iequals(h.first, "authorization") || core::iequals(h.first, "x-amz-date") ||
           core::iequals(h.first, "x-amz-security-token");
  });
  const std::string date = amz_date(now);
  req.headers.emplace_back("x-amz-date", date);
  if (!creds.session_token.empty())
    req.headers.emplace_back("x-amz-security-token", std::string(creds.session_token));
  core::header_list to_sign;
  for (const auto& h : req.headers)
    if (!unsignable(lower(h.first))) to_sign.push_back(h);
  const std::string payload_hash = sha256_hex(req.body);
  request_parts parts{req.method, req.path, &to_sign, payload_hash};
  signing_scope scope{creds.access_key_id, creds.secret_access_key, region, service, date, true};
  req.headers.emplace_back("authorization", sign(parts, scope).authorization);
  return core::ok;
}

}  // namespace gi::providers::bedrock::sigv4
