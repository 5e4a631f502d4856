// Independent SigV4 verification and event-stream encoding for the Bedrock mock
// (providers.md §9.3, §9.4, §13.3). Shares no code with src/providers on purpose.

#include "mock/bedrock_wire.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace gi::mock::bedrock_wire {

namespace {

std::string hexlify(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

std::string sha256hex(std::string_view v) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(v.data()), v.size(), md);
  return hexlify(md, sizeof md);
}

std::string mac(const std::string& key, std::string_view msg) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), md, &n);
  return std::string(reinterpret_cast<char*>(md), n);
}

// Every byte but A-Z a-z 0-9 - _ . ~ (and '/' in paths) as %XY.
std::string enc(std::string_view s, bool path) {
  std::string o;
  char buf[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (path && c == '/')) {
      o += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      o += buf;
    }
  }
  return o;
}

std::string unescape(std::string_view s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      o += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      o += s[i];
    }
  }
  return o;
}

std::string low(std::string_view s) {
  std::string o(s);
  std::transform(o.begin(), o.end(), o.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return o;
}

std::string squash(std::string_view v) {
  std::string o;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      if (!o.empty() && o.back() != ' ') o += ' ';
    } else {
      o += c;
    }
  }
  while (!o.empty() && o.back() == ' ') o.pop_back();
  return o;
}

// "k1=v1, k2=v2" after the algorithm name.
std::map<std::string, std::string> auth_fields(std::string_view s) {
  std::map<std::string, std::string> m;
  std::size_t p = 0;
  while (p < s.size()) {
    while (p < s.size() && (s[p] == ' ' || s[p] == ',')) ++p;
    std::size_t eq = s.find('=', p);
    if (eq == std::string_view::npos) break;
    std::size_t end = s.find(',', eq);
    if (end == std::string_view::npos) end = s.size();
    m[std::string(s.substr(p, eq - p))] = std::string(s.substr(eq + 1, end - eq - 1));
    p = end;
  }
  return m;
}

// Non-S3 SigV4 signs the normalised path (providers.md §9.3), as the AWS SDKs compute it:
// empty and "." segments dropped, ".." removes the previous one, a trailing '/' kept.
std::string normalized_path(std::string_view path) {
  std::vector<std::string_view> segs;
  for (std::size_t p = 0; p <= path.size();) {
    std::size_t s = path.find('/', p);
    if (s == std::string_view::npos) s = path.size();
    std::string_view seg = path.substr(p, s - p);
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segs.push_back(seg);
    }
    p = s + 1;
  }
  std::string o = "/";
  for (std::size_t i = 0; i < segs.size(); ++i) o.append(i ? "/" : "").append(segs[i]);
  if (!segs.empty() && path.ends_with('/')) o += '/';
  return o;
}

std::int64_t parse_amz_date(std::string_view d) {
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return -1;
  std::tm tm{};
  try {
    tm.tm_year = std::stoi(std::string(d.substr(0, 4))) - 1900;
    tm.tm_mon = std::stoi(std::string(d.substr(4, 2))) - 1;
    tm.tm_mday = std::stoi(std::string(d.substr(6, 2)));
    tm.tm_hour = std::stoi(std::string(d.substr(9, 2)));
    tm.tm_min = std::stoi(std::string(d.substr(11, 2)));
    tm.tm_sec = std::stoi(std::string(d.substr(13, 2)));
  } catch (...) {
    return -1;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

void be32(std::string& o, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) o += static_cast<char>((v >> s) & 0xFF);
}

std::uint32_t crc(std::string_view d) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : d) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

}  // namespace

std::optional<verify_failure> verify_sigv4(const verify_input& in) {
  auto header = [&](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> v;
    if (in.headers == nullptr) return v;
    for (const auto& [n, val] : *in.headers) {
      if (low(n) != name) continue;
      if (v) v->append(",").append(squash(val));
      else v = squash(val);
    }
    return v;
  };
  auto bad = [](std::string type, std::string msg) { return verify_failure{std::move(type), std::move(msg)}; };
  auto authz = header("authorization");
  if (!authz) return bad("MissingAuthenticationTokenException", "Missing Authentication Token");
  const std::string prefix = "AWS4-HMAC-SHA256 ";
  if (!authz->starts_with(prefix))
    return bad("IncompleteSignatureException", "Authorization header requires the AWS4-HMAC-SHA256 algorithm.");
  auto f = auth_fields(std::string_view(*authz).substr(prefix.size()));
  const std::string cred = f["Credential"], signed_names = f["SignedHeaders"], sig = f["Signature"];
  // Credential = AKID/date/region/service/aws4_request
  std::vector<std::string> parts;
  for (std::size_t p = 0;;) {
    std::size_t s = cred.find('/', p);
    parts.push_back(cred.substr(p, s == std::string::npos ? std::string::npos : s - p));
    if (s == std::string::npos) break;
    p = s + 1;
  }
  if (parts.size() != 5 || parts[4] != "aws4_request" || signed_names.empty() || sig.empty())
    return bad("IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders and Signature.");
  if (parts[0] != in.access_key_id)
    return bad("UnrecognizedClientException", "The security token included in the request is invalid.");
  auto date = header("x-amz-date");
  if (!date) return bad("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (in.now_unix > 0) {
    const std::int64_t t = parse_amz_date(*date);
    if (t < 0 || t < in.now_unix - 300 || t > in.now_unix + 300)
      return bad("InvalidSignatureException", "Signature expired: " + *date + " is now earlier or later than the allowed 5 minute skew.");
  }
  if (parts[1] != date->substr(0, 8))
    return bad("InvalidSignatureException", "Credential should be scoped to a valid date.");
  if (parts[3] != "bedrock")
    return bad("InvalidSignatureException", "Credential should be scoped to correct service: 'bedrock'.");

  // Canonical request over exactly the headers the client listed.
  std::string_view target = in.target, path = target, query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  std::string creq = std::string(in.method) + "\n" + enc(normalized_path(path), true) + "\n";
  std::vector<std::pair<std::string, std::string>> qp;
  for (std::size_t p = 0; p < query.size();) {
    std::size_t a = query.find('&', p);
    if (a == std::string_view::npos) a = query.size();
    std::string_view item = query.substr(p, a - p);
    std::size_t eq = item.find('=');
    if (!item.empty())
      qp.emplace_back(enc(unescape(item.substr(0, eq)), false),
                      eq == std::string_view::npos ? "" : enc(unescape(item.substr(eq + 1)), false));
    p = a + 1;
  }
  std::sort(qp.begin(), qp.end());
  for (std::size_t i = 0; i < qp.size(); ++i) creq += (i ? "&" : "") + qp[i].first + "=" + qp[i].second;
  creq += "\n";
  for (std::size_t p = 0; p <= signed_names.size();) {
    std::size_t s = signed_names.find(';', p);
    if (s == std::string::npos) s = signed_names.size();
    const std::string name = signed_names.substr(p, s - p);
    auto v = header(name);
    if (!v) return bad("InvalidSignatureException", "Signed header '" + name + "' is missing.");
    creq += name + ":" + *v + "\n";
    p = s + 1;
  }
  creq += "\n" + signed_names + "\n";
  const std::string body_hash = sha256hex(in.body);
  if (auto declared = header("x-amz-content-sha256"); declared && *declared != body_hash && *declared != "UNSIGNED-PAYLOAD")
    return bad("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
  creq += body_hash;
  const std::string scope = parts[1] + "/" + parts[2] + "/" + parts[3] + "/aws4_request";
  const std::string sts = "AWS4-HMAC-SHA256\n" + *date + "\n" + scope + "\n" + sha256hex(creq);
  std::string key = mac("AWS4" + std::string(in.secret_access_key), parts[1]);
  key = mac(key, parts[2]);
  key = mac(key, parts[3]);
  key = mac(key, "aws4_request");
  const std::string expected = mac(key, sts);
  if (hexlify(reinterpret_cast<const unsigned char*>(expected.data()), expected.size()) != sig) {
    return bad("InvalidSignatureException",
               "The request signature we calculated does not match the signature you provided. Check your AWS "
               "Secret Access Key and signing method. Consult the service documentation for details.");
  }
  return std::nullopt;
}

std::string encode_message(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view payload) {
  std::string h;
  for (const auto& [n, v] : headers) {
    h += static_cast<char>(n.size());
    h += n;
    h += static_cast<char>(7);
    h += static_cast<char>((v.size() >> 8) & 0xFF);
    h += static_cast<char>(v.size() & 0xFF);
    h += v;
  }
  std::string o;
  be32(o, static_cast<std::uint32_t>(16 + h.size() + payload.size()));
  be32(o, static_cast<std::uint32_t>(h.size()));
  be32(o, crc(o));
  o += h;
  o += payload;
  be32(o, crc(o));
  return o;
}

std::string event_frame(std::string_view event_type, std::string_view json_payload) {
  return encode_message({{":event-type", std::string(event_type)},
                         {":content-type", "application/json"},
                         {":message-type", "event"}},
                        json_payload);
}

std::string exception_frame(std::string_view exception_type, std::string_view json_payload) {
  return encode_message({{":exception-type", std::string(exception_type)},
                         {":content-type", "application/json"},
                         {":message-type", "exception"}},
                        json_payload);
}

}  // namespace gi::mock::bedrock_wire
