#pragma once
// Stateless tool-call id translation (providers.md §11.2). Client-facing ids are canonical;
// each request maps them to the upstream's format with a pure function of the id string,
// so the same conversation always yields the same upstream ids — no session store, stable
// across restarts and replicas. Ids an upstream generates are returned to the client
// unchanged (from_upstream is the identity for every OpenAI-family dialect).

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace gi::providers::tool_ids {

// ^[a-zA-Z0-9]{9}$ (Mistral's accepted form, §5.2).
bool is_alnum9(std::string_view id) noexcept;

// base62(SHA-256(id)) reduced to 9 digits: the 256-bit digest read as a big-endian integer,
// taken modulo 62^9 and written as exactly 9 base62 digits (left-padded with '0').
// `attempt` > 0 hashes id + "#<attempt>" (collision rehash, §11.2).
std::string alnum9_hash(std::string_view id, int attempt = 0);

// One request's canonical -> Mistral id mapping. Ids already in the 9-char form are kept;
// others are hashed; a collision with an id already used in this request (by a different
// canonical id) rehashes with a counter. Deterministic because history order is fixed.
// Not thread-safe (one per encode call).
class alnum9_mapper {
 public:
  const std::string& map(const std::string& canonical);

 private:
  std::unordered_map<std::string, std::string> forward_;
  std::unordered_set<std::string> used_;
};

}  // namespace gi::providers::tool_ids
