#pragma once
// AWS Signature Version 4, header-based (providers.md §9.3). Pure: the time is an input,
// no I/O. Used by the Bedrock adapter's authorize(); the pieces are public so the test
// suite can check the canonical request, string to sign and signature of every vector
// (test/data/sigv4/).

#include <chrono>
#include <string>
#include <string_view>

#include "core/http_types.h"
#include "core/result.h"

namespace gi::providers::bedrock::sigv4 {

// RFC 3986 unreserved characters stay; every other byte becomes %XY (upper-case hex).
// `keep_slash` leaves '/' alone (path segments).
std::string uri_encode(std::string_view s, bool keep_slash);

// The canonical URI of `path` (no query) as sent on the wire: optionally normalised
// (dot segments removed, repeated '/' collapsed, empty -> "/"), then each segment encoded
// once more — so a wire path holding %3A signs as %253A (the non-S3 double encoding).
std::string canonical_uri(std::string_view path, bool normalize);

// Canonical query string of the raw query (without '?'): each name and value decoded, then
// re-encoded; pairs sorted by name then value; "name=" for a parameter without a value.
std::string canonical_query(std::string_view query);

// Lower-hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// "YYYYMMDD'T'HHMMSS'Z'" of `t` (UTC).
std::string amz_date(std::chrono::system_clock::time_point t);

struct request_parts {
  std::string_view method;
  std::string_view target;  // path with optional "?query", exactly as sent
  // The headers to sign (names any case). Repeated names are joined with ','.
  const core::header_list* headers = nullptr;
  std::string_view payload_hash;  // lower-hex SHA-256 of the body (or UNSIGNED-PAYLOAD)
};

struct signing_scope {
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view region;
  std::string_view service;  // "bedrock" for Bedrock Runtime (§9.1)
  std::string_view amz_date; // YYYYMMDDTHHMMSSZ; the date stamp is its first 8 chars
  bool normalize_path = true;
};

struct signature_parts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // lower hex
  std::string authorization;   // the full Authorization header value
};

// Steps 3–7 of §9.3 over exactly the headers in `req.headers`.
signature_parts sign(const request_parts& req, const signing_scope& scope);

struct credentials {
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view session_token;  // empty for long-term credentials
};

// Signs an upstream request in place: adds X-Amz-Date and (with a token) X-Amz-Security-Token,
// signs every header present except the unsignable ones (authorization, user-agent,
// expect, x-amzn-trace-id, transfer-encoding, connection) and appends Authorization. The
// request must already carry its `host` header. An empty key or secret is an error.
core::status<> sign_request(core::upstream_request& req, const credentials& creds,
                            std::string_view region, std::string_view service,
                            std::chrono::system_clock::time_point now);

}  // namespace gi::providers::bedrock::sigv4
