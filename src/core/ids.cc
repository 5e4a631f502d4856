#include "core/ids.h"

#include <array>
#include <cstdio>

namespace gi::core {

namespace {
constexpr char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

std::string ulid_encode(std::uint64_t time_ms, std::uint64_t rand_hi16, std::uint64_t rand_lo64) {
  // 128-bit value: [48 bits time][16 bits rand_hi][64 bits rand_lo]
  unsigned __int128 v = (static_cast<unsigned __int128>(time_ms & 0xFFFFFFFFFFFFull) << 80) |
                        (static_cast<unsigned __int128>(rand_hi16 & 0xFFFFu) << 64) |
                        static_cast<unsigned __int128>(rand_lo64);
  std::array<char, 26> out{};
  for (int i = 25; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = crockford[static_cast<unsigned>(v & 31u)];
    v >>= 5;
  }
  return std::string(out.data(), out.size());
}

std::string ulid_source::next_request_id() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                clock_.system_now().time_since_epoch())
                .count();
  std::uint64_t a = rng_();
  std::uint64_t b = rng_();
  return "gi-" + ulid_encode(static_cast<std::uint64_t>(ms), a, b);
}

std::string sequential_ids::next_request_id() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu", static_cast<unsigned long long>(++n_));
  return prefix_ + buf;
}

bool is_valid_request_id(std::string_view id) {
  if (id.size() < 4 || id.size() > 67 || id.substr(0, 3) != "gi-") return false;
  for (char c : id.substr(3)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace gi::core
