// AWS event-stream decoding (providers.md §9.4).

#include "providers/bedrock/event_stream.h"

#include <array>
#include <cstring>

namespace gi::providers::bedrock::event_stream {

namespace {

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto crc_table = make_table();

std::uint64_t be(std::string_view s, std::size_t at, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

void put_be(std::string& out, std::uint64_t v, std::size_t n) {
  for (std::size_t i = n; i > 0; --i) out.push_back(static_cast<char>((v >> ((i - 1) * 8)) & 0xFF));
}

}  // namespace

std::uint32_t crc32(std::string_view data, std::uint32_t crc) noexcept {
  std::uint32_t c = crc ^ 0xFFFFFFFFu;
  for (char ch : data) c = crc_table[(c ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::optional<std::string_view> message::string_header(std::string_view name) const {
  for (const auto& h : headers)
    if (h.name == name)
      if (const auto* s = std::get_if<std::string>(&h.value)) return std::string_view(*s);
  return std::nullopt;
}

std::string_view to_string(decode_error e) noexcept {
  switch (e) {
    case decode_error::none: return "none";
    case decode_error::prelude_crc: return "prelude CRC mismatch";
    case decode_error::message_crc: return "message CRC mismatch";
    case decode_error::bad_length: return "invalid message length";
    case decode_error::bad_header: return "malformed header";
  }
  return "unknown";
}

decode_error decoder::parse_one(std::string_view f, message& m) const {
  const std::size_t total = f.size();
  const std::size_t hlen = be(f, 4, 4);
  if (crc32(f.substr(0, total - 4)) != be(f, total - 4, 4)) return decode_error::message_crc;
  std::string_view h = f.substr(12, hlen);
  std::size_t p = 0;
  while (p < h.size()) {
    const std::size_t nlen = static_cast<unsigned char>(h[p]);
    if (nlen == 0 || p + 1 + nlen + 1 > h.size()) return decode_error::bad_header;
    header hd;
    hd.name = std::string(h.substr(p + 1, nlen));
    p += 1 + nlen;
    const auto type = static_cast<unsigned char>(h[p++]);
    auto need = [&](std::size_t n) { return p + n <= h.size(); };
    switch (type) {
      case 0: hd.value = true; break;
      case 1: hd.value = false; break;
      case 2:
        if (!need(1)) return decode_error::bad_header;
        hd.value = static_cast<std::int8_t>(be(h, p, 1));
        p += 1;
        break;
      case 3:
        if (!need(2)) return decode_error::bad_header;
        hd.value = static_cast<std::int16_t>(be(h, p, 2));
        p += 2;
        break;
      case 4:
        if (!need(4)) return decode_error::bad_header;
        hd.value = static_cast<std::int32_t>(be(h, p, 4));
        p += 4;
        break;
      case 5:
      case 8:
        if (!need(8)) return decode_error::bad_header;
        if (type == 5) hd.value = static_cast<std::int64_t>(be(h, p, 8));
        else hd.value = timestamp{static_cast<std::int64_t>(be(h, p, 8))};
        p += 8;
        break;
      case 6:
      case 7: {
        if (!need(2)) return decode_error::bad_header;
        const std::size_t len = be(h, p, 2);
        p += 2;
        if (!need(len)) return decode_error::bad_header;
        if (type == 6) hd.value = byte_array{std::string(h.substr(p, len))};
        else hd.value = std::string(h.substr(p, len));
        p += len;
        break;
      }
      case 9: {
        if (!need(16)) return decode_error::bad_header;
        uuid u;
        std::memcpy(u.bytes, h.data() + p, 16);
        hd.value = u;
        p += 16;
        break;
      }
      default: return decode_error::bad_header;
    }
    m.headers.push_back(std::move(hd));
  }
  m.payload = std::string(f.substr(12 + hlen, total - 16 - hlen));
  return decode_error::none;
}

decode_error decoder::feed(std::string_view bytes, std::vector<message>& out) {
  if (error_ != decode_error::none) return error_;
  buf_.append(bytes);
  std::size_t pos = 0;
  for (;;) {
    std::string_view rest = std::string_view(buf_).substr(pos);
    if (rest.size() < 12) break;
    // Validate the prelude as soon as it is here, so garbage fails fast instead of waiting
    // for up to 16 MiB that will never come.
    if (crc32(rest.substr(0, 8)) != be(rest, 8, 4)) {
      error_ = decode_error::prelude_crc;
      break;
    }
    const std::size_t total = be(rest, 0, 4);
    const std::size_t hlen = be(rest, 4, 4);
    if (total < 16 || total > max_message_bytes || hlen > max_header_bytes || hlen > total - 16) {
      error_ = decode_error::bad_length;
      break;
    }
    if (rest.size() < total) break;
    message m;
    if (auto e = parse_one(rest.substr(0, total), m); e != decode_error::none) {
      error_ = e;
      break;
    }
    out.push_back(std::move(m));
    pos += total;
  }
  if (error_ != decode_error::none) {
    buf_.clear();
    return error_;
  }
  buf_.erase(0, pos);
  return decode_error::none;
}

std::string encode(const message& m) {
  std::string hb;
  for (const auto& h : m.headers) {
    hb.push_back(static_cast<char>(h.name.size()));
    hb += h.name;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, bool>) {
            hb.push_back(v ? 0 : 1);
          } else if constexpr (std::is_same_v<T, std::int8_t>) {
            hb.push_back(2);
            put_be(hb, static_cast<std::uint8_t>(v), 1);
          } else if constexpr (std::is_same_v<T, std::int16_t>) {
            hb.push_back(3);
            put_be(hb, static_cast<std::uint16_t>(v), 2);
          } else if constexpr (std::is_same_v<T, std::int32_t>) {
            hb.push_back(4);
            put_be(hb, static_cast<std::uint32_t>(v), 4);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            hb.push_back(5);
            put_be(hb, static_cast<std::uint64_t>(v), 8);
          } else if constexpr (std::is_same_v<T, byte_array>) {
            hb.push_back(6);
            put_be(hb, v.bytes.size(), 2);
            hb += v.bytes;
          } else if constexpr (std::is_same_v<T, std::string>) {
            hb.push_back(7);
            put_be(hb, v.size(), 2);
            hb += v;
          } else if constexpr (std::is_same_v<T, timestamp>) {
            hb.push_back(8);
            put_be(hb, static_cast<std::uint64_t>(v.millis), 8);
          } else {
            hb.push_back(9);
            hb.append(reinterpret_cast<const char*>(v.bytes), 16);
          }
        },
        h.value);
  }
  std::string out;
  const std::size_t total = 16 + hb.size() + m.payload.size();
  put_be(out, total, 4);
  put_be(out, hb.size(), 4);
  put_be(out, crc32(out), 4);
  out += hb;
  out += m.payload;
  put_be(out, crc32(out), 4);
  return out;
}

}  // namespace gi::providers::bedrock::event_stream
