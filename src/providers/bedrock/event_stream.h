#pragma once
// AWS event-stream binary framing (providers.md §9.4): a pure, incremental decoder. Feed it
// the response body in any byte splits; it yields whole messages once both CRCs check out.
// Used by the executor for Bedrock ConverseStream (stream_framing::aws_event_stream).
//
// Message layout (big-endian): total_length u32 | headers_length u32 | prelude_crc u32 |
// headers | payload | message_crc u32. prelude_crc = CRC32(bytes 0..7); message_crc =
// CRC32(bytes 0..total-5). Limits: total <= 16 MiB, headers <= 128 KiB.
//
// Not thread-safe (one decoder per stream).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gi::providers::bedrock::event_stream {

// IEEE / zlib CRC-32 (reflected 0xEDB88320, init and final xor 0xFFFFFFFF). `crc` continues
// a previous result.
std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0) noexcept;

// Header value by wire type (0..9).
struct uuid {
  std::uint8_t bytes[16]{};
  bool operator==(const uuid&) const = default;
};
struct timestamp {
  std::int64_t millis = 0;
  bool operator==(const timestamp&) const = default;
};
struct byte_array {
  std::string bytes;
  bool operator==(const byte_array&) const = default;
};
using header_value = std::variant<bool, std::int8_t, std::int16_t, std::int32_t, std::int64_t,
                                  byte_array, std::string, timestamp, uuid>;

struct header {
  std::string name;
  header_value value;
};

struct message {
  std::vector<header> headers;
  std::string payload;

  // A string-typed (7) header by name, or nullopt.
  std::optional<std::string_view> string_header(std::string_view name) const;
};

enum class decode_error : std::uint8_t {
  none,
  prelude_crc,      // the first 12 bytes are not a valid prelude
  message_crc,      // the trailing CRC does not match
  bad_length,       // total < 16, total > 16 MiB, headers > 128 KiB or headers overrun
  bad_header,       // a header record runs past the header block or has an unknown type
};
std::string_view to_string(decode_error e) noexcept;

inline constexpr std::size_t max_message_bytes = 16u << 20;
inline constexpr std::size_t max_header_bytes = 128u << 10;

class decoder {
 public:
  // Appends every complete message in `bytes` (plus what was buffered) to `out`. After an
  // error the decoder stays failed and ignores further input (the stream is unusable:
  // framing cannot be recovered).
  decode_error feed(std::string_view bytes, std::vector<message>& out);
  // True when bytes of an unfinished message are buffered (a cut at EOF = truncation).
  bool has_partial() const noexcept { return !buf_.empty(); }
  std::size_t buffered() const noexcept { return buf_.size(); }
  decode_error error() const noexcept { return error_; }

 private:
  decode_error parse_one(std::string_view frame, message& m) const;

  std::string buf_;
  decode_error error_ = decode_error::none;
};

// The encoder (tests and fuzzers; the mock has its own independent one).
std::string encode(const message& m);

}  // namespace gi::providers::bedrock::event_stream
