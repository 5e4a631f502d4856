// SigV4 against every applicable vector in test/data/sigv4/ (providers.md §9.3, §13.1):
// the classic AWS suite (.req/.creq/.sts/.authz), the CRT suite (request.txt, context.json,
// header-*.txt; the query-* presigned variants do not apply: Bedrock signs headers) and the
// two botocore-generated Bedrock vectors. Files have no trailing newline: compared exactly.

#include <chrono>
#include <filesystem>
#include <sstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/ascii.h"
#include "providers/bedrock/sigv4.h"
#include "support/test_support.h"

namespace gi {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace sigv4 = providers::bedrock::sigv4;

constexpr std::string_view akid = "AKIDEXAMPLE";
constexpr std::string_view secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fs::path data() { return test::source_dir() / "test" / "data" / "sigv4"; }

struct http_text {
  std::string method;
  std::string target;
  core::header_list headers;
  std::string body;
};

// "METHOD TARGET HTTP/1.1\nName:value\n  continuation\n\nbody". A continuation line is one
// more value of the previous header (the suite's multiline case joins them with ',').
http_text parse_http(const std::string& text, bool fold_continuations = false) {
  http_text r;
  std::size_t eol = text.find('\n');
  std::string first = text.substr(0, eol);
  std::size_t sp1 = first.find(' ');
  std::size_t sp2 = first.rfind(' ');
  r.method = first.substr(0, sp1);
  r.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  std::size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    std::size_t e = text.find('\n', pos);
    std::string line = text.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
    pos = e == std::string::npos ? text.size() : e + 1;
    if (line.empty()) {
      r.body = text.substr(pos);
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
      // Classic suite: one more value (joined with ','); CRT suite: an obs-fold of the
      // same value (whitespace collapsed by the signer).
      if (fold_continuations) r.headers.back().second += " " + line;
      else r.headers.emplace_back(r.headers.back().first, line);
      continue;
    }
    std::size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return r;
}

// Expected files have no trailing newline, except a few smithy-rs additions.
std::string expected(const fs::path& p) {
  std::string s = test::read_file(p);
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// ---- classic suite ----------------------------------------------------------------------

std::vector<fs::path> classic_cases() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(data() / "aws-sig-v4-test-suite"))
    if (e.path().extension() == ".req") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(sigv4_classic_suite, every_case) {
  auto cases = classic_cases();
  ASSERT_GE(cases.size(), 30u);
  int checked_sts = 0;
  for (const fs::path& req_file : cases) {
    SCOPED_TRACE(req_file.string());
    const fs::path base = req_file.parent_path() / req_file.stem();
    // Form parameters moved from the body into the query: a form-encoding feature of the old
    // suite that does not apply to signed JSON bodies (Bedrock).
    if (req_file.stem() == "post-x-www-form-urlencoded-parameters") continue;
    http_text r = parse_http(test::read_file(req_file));
    const std::string creq = expected(fs::path(base.string() + ".creq"));
    const bool has_sts = fs::exists(base.string() + ".sts");
    // Scope and date: from the .sts (the lambda case is not us-east-1/service).
    std::string date = "20150830T123600Z", region = "us-east-1", service = "service";
    if (has_sts) {
      auto sts = lines(test::read_file(fs::path(base.string() + ".sts")));
      ASSERT_EQ(sts.size(), 4u);
      date = sts[1];
      auto s1 = sts[2].find('/'), s2 = sts[2].find('/', s1 + 1), s3 = sts[2].find('/', s2 + 1);
      region = sts[2].substr(s1 + 1, s2 - s1 - 1);
      service = sts[2].substr(s2 + 1, s3 - s2 - 1);
    }
    // smithy-rs dropped X-Amz-Date from some .req files; the signer adds it.
    if (!core::find_header(r.headers, "x-amz-date")) r.headers.emplace_back("X-Amz-Date", date);
    const std::string hash = sigv4::sha256_hex(r.body);
    sigv4::request_parts parts{r.method, r.target, &r.headers, hash};
    sigv4::signing_scope scope{akid, secret, region, service, date, true};
    auto sig = sigv4::sign(parts, scope);
    if (!has_sts) {
      // double-encode-path ships only a .creq whose x-amz-date disagrees with its .req: the
      // canonical URI (the double encoding) is what it pins down.
      EXPECT_EQ(lines(sig.canonical_request)[1], lines(creq)[1]);
      continue;
    }
    // post-x-www-form-urlencoded's .creq contradicts its own .authz (SignedHeaders line
    // without content-type): its string to sign and signature are the authoritative parts.
    if (req_file.stem() != "post-x-www-form-urlencoded") {
      EXPECT_EQ(sig.canonical_request, creq);
    }
    EXPECT_EQ(sig.string_to_sign, expected(fs::path(base.string() + ".sts")));
    EXPECT_EQ(sig.authorization, expected(fs::path(base.string() + ".authz")));
    ++checked_sts;
  }
  EXPECT_GE(checked_sts, 27);
}

// ---- CRT suite ----------------------------------------------------------------------------

TEST(sigv4_crt_suite, every_header_case) {
  int n = 0;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(data() / "aws-signing-test-suite-v4" / "v4"))
    if (e.is_directory()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    if (!fs::exists(dir / "context.json") || !fs::exists(dir / "header-signature.txt")) continue;
    SCOPED_TRACE(dir.filename().string());
    json::object ctx = json::parse(test::read_file(dir / "context.json")).as_object();
    const json::object& creds = ctx.at("credentials").as_object();
    http_text r = parse_http(test::read_file(dir / "request.txt"), true);
    // The CRT harness parses request.txt as a URI: its path is decoded, and the signer encodes
    // it for the wire-level canonical form.
    if (auto q = r.target.find('?'); q != std::string::npos)
      r.target = core::percent_decode(r.target.substr(0, q)) + r.target.substr(q);
    else
      r.target = core::percent_decode(r.target);
    std::string ts(ctx.at("timestamp").as_string());  // 2015-08-30T12:36:00Z
    std::string date = ts.substr(0, 4) + ts.substr(5, 2) + ts.substr(8, 2) + "T" +
                       ts.substr(11, 2) + ts.substr(14, 2) + ts.substr(17, 2) + "Z";
    r.headers.emplace_back("X-Amz-Date", date);
    const bool omit_token = ctx.contains("omit_session_token") && ctx.at("omit_session_token").as_bool();
    if (creds.contains("token") && !omit_token)
      r.headers.emplace_back("X-Amz-Security-Token", std::string(creds.at("token").as_string()));
    const std::string hash = sigv4::sha256_hex(r.body);
    if (ctx.at("sign_body").as_bool()) r.headers.emplace_back("x-amz-content-sha256", hash);
    std::string region(ctx.at("region").as_string()), service(ctx.at("service").as_string());
    std::string ak(creds.at("access_key_id").as_string()), sk(creds.at("secret_access_key").as_string());
    sigv4::request_parts parts{r.method, r.target, &r.headers, hash};
    sigv4::signing_scope scope{ak, sk, region, service, date, ctx.at("normalize").as_bool()};
    auto sig = sigv4::sign(parts, scope);
    EXPECT_EQ(sig.canonical_request, expected(dir / "header-canonical-request.txt"));
    EXPECT_EQ(sig.string_to_sign, expected(dir / "header-string-to-sign.txt"));
    EXPECT_EQ(sig.signature, expected(dir / "header-signature.txt"));
    ++n;
  }
  EXPECT_GE(n, 38);
}

// ---- Bedrock vectors (botocore) ------------------------------------------------------------

void bedrock_case(const std::string& name, std::string_view token) {
  SCOPED_TRACE(name);
  const fs::path base = data() / "bedrock-botocore" / name;
  http_text r = parse_http(test::read_file(fs::path(base.string() + ".req")));
  // target is the absolute URL: split host and path.
  const std::string url = r.target;
  const std::size_t host_begin = url.find("://") + 3;
  const std::size_t path_begin = url.find('/', host_begin);
  const std::string host = url.substr(host_begin, path_begin - host_begin);
  const std::string region = host.substr(std::string("bedrock-runtime.").size(),
                                         host.find(".amazonaws.com") - std::string("bedrock-runtime.").size());
  core::upstream_request req;
  req.method = r.method;
  req.path = url.substr(path_begin);
  req.body = r.body;
  req.headers = r.headers;
  req.headers.emplace_back("host", host);

  // The low-level pieces.
  core::header_list signed_headers = req.headers;
  signed_headers.emplace_back("X-Amz-Date", "20150830T123600Z");
  if (!token.empty()) signed_headers.emplace_back("X-Amz-Security-Token", std::string(token));
  const std::string hash = sigv4::sha256_hex(req.body);
  auto sig = sigv4::sign({req.method, req.path, &signed_headers, hash},
                         {akid, secret, region, "bedrock", "20150830T123600Z", true});
  EXPECT_EQ(sig.canonical_request, test::read_file(fs::path(base.string() + ".creq")));
  EXPECT_EQ(sig.string_to_sign, test::read_file(fs::path(base.string() + ".sts")));
  EXPECT_EQ(sig.authorization, test::read_file(fs::path(base.string() + ".authz")));

  // The high-level signer adds the same headers botocore did.
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
  ASSERT_TRUE(sigv4::sign_request(req, {akid, secret, token}, region, "bedrock", t));
  auto expected = parse_http("X / HTTP/1.1\n" + test::read_file(fs::path(base.string() + ".sreq-headers")));
  for (const auto& [n, v] : expected.headers) {
    auto got = core::find_header(req.headers, n);
    ASSERT_TRUE(got) << n;
    EXPECT_EQ(*got, v) << n;
  }
}

TEST(sigv4_bedrock, converse_claude_botocore_vector) { bedrock_case("converse-claude", ""); }

TEST(sigv4_bedrock, converse_stream_nova_session_token_botocore_vector) {
  bedrock_case("converse-stream-nova-session-token", "FQoGZXIvYXdzEXAMPLESESSIONTOKEN");
}

TEST(sigv4, canonical_uri_double_encodes_percent_and_keeps_slashes) {
  EXPECT_EQ(sigv4::canonical_uri("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", true),
            "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse");
  EXPECT_EQ(sigv4::canonical_uri("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx/converse", true),
            "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A1%253Ainference-profile%252Fx/converse");
  EXPECT_EQ(sigv4::canonical_uri("", true), "/");
  EXPECT_EQ(sigv4::uri_encode("a b~é", false), "a%20b~%C3%A9");
}

TEST(sigv4, re_signing_replaces_date_and_signature) {
  core::upstream_request req;
  req.path = "/model/x/converse";
  req.body = "{}";
  req.headers = {{"host", "h"}};
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
  ASSERT_TRUE(sigv4::sign_request(req, {akid, secret, ""}, "us-east-1", "bedrock", t));
  auto first = std::string(*core::find_header(req.headers, "authorization"));
  ASSERT_TRUE(sigv4::sign_request(req, {akid, secret, ""}, "us-east-1", "bedrock", t + std::chrono::seconds(1)));
  EXPECT_EQ(std::count_if(req.headers.begin(), req.headers.end(),
                          [](const auto& h) { return h.first == "authorization"; }), 1);
  EXPECT_NE(*core::find_header(req.headers, "authorization"), first);
  EXPECT_EQ(*core::find_header(req.headers, "x-amz-date"), "20150830T123601Z");
}

TEST(sigv4, missing_credentials_is_an_auth_error) {
  core::upstream_request req;
  req.headers = {{"host", "h"}};
  auto r = sigv4::sign_request(req, {"", "", ""}, "us-east-1", "bedrock", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::error_kind::auth);
}

}  // namespace
}  // namespace gi

namespace gi {
namespace {

// Trailing dot segments: the SDKs (botocore, smithy) end the normalised path with '/' only
// when the original path did; the suites do not cover it (found by test/fuzz/sigv4_fuzz.cc).
TEST(sigv4, normalised_path_ends_with_slash_only_when_the_path_did) {
  EXPECT_EQ(providers::bedrock::sigv4::canonical_uri("/a/b/..", true), "/a");
  EXPECT_EQ(providers::bedrock::sigv4::canonical_uri("/example//.", true), "/example");
  EXPECT_EQ(providers::bedrock::sigv4::canonical_uri("//example//", true), "/example/");
  EXPECT_EQ(providers::bedrock::sigv4::canonical_uri("/a/./b/", true), "/a/b/");
  EXPECT_EQ(providers::bedrock::sigv4::canonical_uri("/..", true), "/");
  EXPECT_EQ(providers::bedrock::sigv4::canonical_uri("/a/b/..", false), "/a/b/..");
}

}  // namespace
}  // namespace gi
