// Fuzz target: the SigV4 canonicaliser and signer (providers.md §9.3).
//
// The input is read as the test suites' request text ("METHOD TARGET HTTP/1.1\nName:value\n
// ...\n\nbody", leniently: anything parses to something). Properties:
//   - uri_encode / canonical_uri / canonical_query / sign are deterministic and never crash;
//   - uri_encode output is only unreserved characters and %XY (upper-case hex), decodes back
//     to the input, and '/' survives only with keep_slash;
//   - canonical_uri is encoded the same way (plus '/'), canonical_query is "name=value"
//     pairs joined with '&' in sorted order;
//   - the signature is 64 lower-hex characters; SignedHeaders are lower-case, sorted, unique;
//   - sign_request never throws, is deterministic, re-signing (a retry) gives the same
//     headers, and the mock's independent verifier (mock/bedrock_wire) accepts what it
//     signed whenever the request is one HTTP could carry.
// Corpus: the .req files of test/data/sigv4/ (both AWS suites and the Bedrock vectors).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "mock/bedrock_wire.h"
#include "providers/bedrock/sigv4.h"

namespace {

namespace sigv4 = gi::providers::bedrock::sigv4;

constexpr std::string_view akid = "AKIDEXAMPLE";
constexpr std::string_view secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

struct http_text {
  std::string method;
  std::string target;
  gi::core::header_list headers;
  std::string body;
};

http_text parse(std::string_view text) {
  http_text r;
  std::size_t eol = text.find('\n');
  std::string_view first = text.substr(0, eol);
  std::size_t sp1 = first.find(' ');
  std::size_t sp2 = first.rfind(' ');
  r.method = std::string(first.substr(0, sp1));
  if (sp1 != std::string_view::npos)
    r.target = std::string(first.substr(sp1 + 1, sp2 > sp1 ? sp2 - sp1 - 1 : std::string_view::npos));
  std::size_t pos = eol == std::string_view::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    std::size_t e = text.find('\n', pos);
    std::string_view line = text.substr(pos, e == std::string_view::npos ? std::string_view::npos : e - pos);
    pos = e == std::string_view::npos ? text.size() : e + 1;
    if (line.empty()) {
      r.body = std::string(text.substr(pos));
      break;
    }
    std::size_t colon = line.find(':');
    r.headers.emplace_back(std::string(line.substr(0, colon)),
                           colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1)));
  }
  return r;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

// Only unreserved characters, `extra`, and well-formed %XY escapes.
bool encoded_form(std::string_view s, std::string_view extra) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      if (!upper_hex(s[i + 1]) || !upper_hex(s[i + 2])) return false;
      i += 2;
    } else if (!unreserved(c) && extra.find(static_cast<char>(c)) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string decode_escapes(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t n = s.find(sep, pos);
    out.push_back(s.substr(pos, n == std::string_view::npos ? std::string_view::npos : n - pos));
    if (n == std::string_view::npos) break;
    pos = n + 1;
  }
  return out;
}

bool lower_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// What an HTTP/1.1 request line and header block can carry: a path of visible ASCII,
// token header names, values without control characters other than tab.
bool http_carriable(const http_text& r) {
  auto visible = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  };
  if (r.target.empty() || r.target[0] != '/' || !visible(r.target)) return false;
  for (const auto& [n, v] : r.headers) {
    if (n.empty() || !std::all_of(n.begin(), n.end(), [](char c) {
          return unreserved(static_cast<unsigned char>(c)) || std::string_view("!#$&'*+^`|").find(c) != std::string_view::npos;
        }))
      return false;
    if (!std::all_of(v.begin(), v.end(), [](char c) {
          auto u = static_cast<unsigned char>(c);
          return u == '\t' || (u >= 0x20 && u != 0x7f);
        }))
      return false;
  }
  return true;
}

void check_encoders(const http_text& r) {
  const std::string_view tgt = r.target;
  const std::size_t q = tgt.find('?');
  const std::string_view path = tgt.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : tgt.substr(q + 1);

  for (bool keep_slash : {false, true}) {
    const std::string e = sigv4::uri_encode(tgt, keep_slash);
    GI_FUZZ_CHECK(e == sigv4::uri_encode(tgt, keep_slash), "uri_encode is deterministic");
    GI_FUZZ_CHECK(encoded_form(e, keep_slash ? "/" : ""), "uri_encode leaves only unreserved and %XY");
    GI_FUZZ_CHECK(decode_escapes(e) == tgt, "uri_encode decodes back to its input");
  }
  for (bool normalize : {false, true}) {
    const std::string cu = sigv4::canonical_uri(path, normalize);
    GI_FUZZ_CHECK(cu == sigv4::canonical_uri(path, normalize), "canonical_uri is deterministic");
    GI_FUZZ_CHECK(encoded_form(cu, "/"), "canonical_uri is encoded");
    if (normalize) GI_FUZZ_CHECK(!cu.empty() && cu[0] == '/', "a normalised canonical URI starts with '/'");
  }
  const std::string cq = sigv4::canonical_query(query);
  GI_FUZZ_CHECK(cq == sigv4::canonical_query(query), "canonical_query is deterministic");
  GI_FUZZ_CHECK(encoded_form(cq, "=&"), "canonical_query is encoded");
  if (!cq.empty()) {
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    for (auto kv : split(cq, '&')) {
      const std::size_t eq = kv.find('=');
      GI_FUZZ_CHECK(eq != std::string_view::npos, "every canonical query pair has '='");
      pairs.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    GI_FUZZ_CHECK(std::is_sorted(pairs.begin(), pairs.end()), "canonical query pairs are sorted");
  }
}

void check_sign(const http_text& r, std::string_view region) {
  const std::string payload_hash = sigv4::sha256_hex(r.body);
  GI_FUZZ_CHECK(lower_hex64(payload_hash), "sha256_hex is 64 lower-hex characters");
  sigv4::request_parts parts{r.method, r.target, &r.headers, payload_hash};
  for (bool normalize : {false, true}) {
    sigv4::signing_scope scope{akid, secret, region, "bedrock", "20150830T123600Z", normalize};
    const auto a = sigv4::sign(parts, scope);
    const auto b = sigv4::sign(parts, scope);
    GI_FUZZ_CHECK(a.canonical_request == b.canonical_request && a.authorization == b.authorization,
                  "sign is deterministic");
    GI_FUZZ_CHECK(lower_hex64(a.signature), "the signature is 64 lower-hex characters");
    // (A header name holding ';' cannot be listed unambiguously; HTTP names are tokens.)
    const bool token_names = std::none_of(r.headers.begin(), r.headers.end(),
                                          [](const auto& h) { return h.first.find(';') != std::string::npos; });
    const auto names = split(a.signed_headers, ';');
    for (std::size_t i = 0; i < names.size(); ++i) {
      GI_FUZZ_CHECK(std::none_of(names[i].begin(), names[i].end(), [](char c) { return c >= 'A' && c <= 'Z'; }),
                    "signed header names are lower case");
      if (i > 0 && token_names) GI_FUZZ_CHECK(names[i - 1] < names[i], "signed headers are sorted and unique");
    }
    GI_FUZZ_CHECK(a.authorization.ends_with(", SignedHeaders=" + a.signed_headers + ", Signature=" + a.signature),
                  "the Authorization header carries the signed headers and signature");
    GI_FUZZ_CHECK(a.string_to_sign.ends_with(sigv4::sha256_hex(a.canonical_request)),
                  "the string to sign ends with the canonical request's hash");
  }
}

void check_sign_request(const http_text& r, std::string_view region, bool with_token) {
  gi::core::upstream_request req;
  req.method = r.method.empty() ? "POST" : r.method;
  req.path = r.target;
  req.headers = r.headers;
  req.body = r.body;
  if (!gi::core::find_header(req.headers, "host")) req.headers.emplace_back("host", "bedrock-runtime.us-east-1.amazonaws.com");
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'440'938'160));
  const sigv4::credentials creds{akid, secret, with_token ? std::string_view("TOKEN/+=") : std::string_view()};
  auto once = req, twice = req, again = req;
  bool ok = false;
  try {
    ok = static_cast<bool>(sigv4::sign_request(once, creds, region, "bedrock", now));
    GI_FUZZ_CHECK(ok == static_cast<bool>(sigv4::sign_request(twice, creds, region, "bedrock", now)),
                  "sign_request is deterministic");
    GI_FUZZ_CHECK(once.headers == twice.headers, "sign_request is deterministic");
    if (ok) {
      GI_FUZZ_CHECK(static_cast<bool>(sigv4::sign_request(twice, creds, region, "bedrock", now)),
                    "re-signing succeeds");
      GI_FUZZ_CHECK(once.headers == twice.headers, "re-signing (a retry) replaces, not adds");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sign_request threw: %s\n", e.what());
    GI_FUZZ_CHECK(false, "sign_request reports errors as values, never throws");
  }
  if (!ok || !http_carriable(r) || region.empty() || region.back() == '\n') return;
  // A caller-set x-amz-content-sha256 that does not match the body is refused by a verifier
  // before any signature check (the gateway never sets one).
  if (gi::core::find_header(once.headers, "x-amz-content-sha256")) return;
  // The mock's verifier wants the request the way it arrives: header names as sent, the
  // body bytes, and any region.
  std::vector<std::pair<std::string_view, std::string_view>> hv;
  for (const auto& [n, v] : once.headers) hv.emplace_back(n, v);
  gi::mock::bedrock_wire::verify_input in{once.method, once.path, &hv, once.body, akid, secret, 0};
  auto verdict = gi::mock::bedrock_wire::verify_sigv4(in);
  if (verdict) std::fprintf(stderr, "mock verifier: %s: %s\n", verdict->error_type.c_str(), verdict->message.c_str());
  GI_FUZZ_CHECK(!verdict, "the mock's independent verifier accepts the signer's signature");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const http_text r = parse(text);
  static constexpr std::string_view regions[] = {"us-east-1", "eu-west-1", "", "ap-south-1\n"};
  const std::string_view region = regions[size % 4];
  check_encoders(r);
  check_sign(r, region);
  check_sign_request(r, region, size % 2 == 1);
  return 0;
}
