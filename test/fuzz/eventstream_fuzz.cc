// Fuzz target: the AWS event-stream decoder (providers.md §9.4) and, behind it, the Bedrock
// ConverseStream decoder (the executor's path: one framed_event per message).
//
// Properties, for the input as given and for a copy whose CRCs are recomputed (so mutated
// lengths, header types and payloads reach the header parser instead of stopping at the
// prelude CRC):
//   - never a crash, hang or sanitizer report;
//   - the same messages, error and partial state whether fed whole, byte by byte or in
//     seeded random splits;
//   - every decoded message survives encode -> decode unchanged;
//   - a flipped bit in any CRC (prelude or message) of a decoded frame is rejected with that
//     CRC's error, and a flipped bit anywhere else in the frame is rejected too — the
//     messages before the frame are still delivered, none from it;
//   - the ConverseStream decoder takes any message sequence without throwing and finishes.
// Corpus: test/data/bedrock-eventstream/*.bin.

#include <cstdint>
#include <exception>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "providers/bedrock/codec.h"
#include "providers/bedrock/event_stream.h"

namespace {

namespace es = gi::providers::bedrock::event_stream;

struct outcome {
  std::vector<es::message> msgs;
  es::decode_error err = es::decode_error::none;
  bool partial = false;
};

outcome decode(std::string_view bytes, const std::vector<std::size_t>& cuts) {
  es::decoder d;
  outcome r;
  std::size_t pos = 0;
  for (std::size_t c : cuts) {
    if (auto e = d.feed(bytes.substr(pos, c - pos), r.msgs); e != es::decode_error::none) r.err = e;
    pos = c;
  }
  if (auto e = d.feed(bytes.substr(pos), r.msgs); e != es::decode_error::none) r.err = e;
  GI_FUZZ_CHECK(r.err == d.error(), "feed() reports the decoder's sticky error");
  r.partial = d.has_partial();
  return r;
}

bool same_message(const es::message& a, const es::message& b) {
  if (a.payload != b.payload || a.headers.size() != b.headers.size()) return false;
  for (std::size_t i = 0; i < a.headers.size(); ++i)
    if (a.headers[i].name != b.headers[i].name || !(a.headers[i].value == b.headers[i].value)) return false;
  return true;
}

bool same(const outcome& a, const outcome& b) {
  if (a.err != b.err || a.partial != b.partial || a.msgs.size() != b.msgs.size()) return false;
  for (std::size_t i = 0; i < a.msgs.size(); ++i)
    if (!same_message(a.msgs[i], b.msgs[i])) return false;
  return true;
}

std::uint32_t be32(std::string_view s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
  return v;
}

void put_be32(std::string& s, std::size_t at, std::uint32_t v) {
  for (std::size_t k = 0; k < 4; ++k) s[at + k] = static_cast<char>((v >> (8 * (3 - k))) & 0xff);
}

// Recomputes both CRCs of every frame the length fields describe (stops at the first length
// that runs past the input; its prelude CRC is still fixed when the prelude is there).
std::string with_fixed_crcs(std::string s) {
  std::size_t pos = 0;
  while (s.size() - pos >= 12) {
    put_be32(s, pos + 8, es::crc32(std::string_view(s).substr(pos, 8)));
    const std::uint32_t total = be32(s, pos);
    if (total < 16 || total > s.size() - pos) break;
    put_be32(s, pos + total - 4, es::crc32(std::string_view(s).substr(pos, total - 4)));
    pos += total;
  }
  return s;
}

// Deterministic per input, so a saved input replays exactly.
std::uint64_t hash_of(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

void check_stream_decoder(const std::vector<es::message>& msgs) {
  gi::providers::target tgt;
  tgt.model = "anthropic.claude-3-haiku-20240307-v1:0";
  try {
    auto dec = gi::providers::bedrock::new_stream_decoder(tgt);
    std::vector<gi::core::stream_event> out;
    for (const auto& m : msgs) {
      auto type = m.string_header(":message-type").value_or("");
      auto name = type == "exception" ? m.string_header(":exception-type").value_or("")
                  : type == "error"   ? m.string_header(":error-code").value_or("")
                                      : m.string_header(":event-type").value_or("");
      dec->feed({name, m.payload, type}, out);
    }
    (void)dec->finish(out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stream decoder threw: %s\n", e.what());
    GI_FUZZ_CHECK(false, "the ConverseStream decoder reports errors as values, never throws");
  }
}

void check(std::string_view bytes) {
  const std::uint64_t h = hash_of(bytes);
  const outcome whole = decode(bytes, {});

  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < bytes.size(); ++i) every.push_back(i);
  GI_FUZZ_CHECK(same(whole, decode(bytes, every)), "byte-by-byte decode equals whole decode");

  std::mt19937_64 rng(h);
  for (int round = 0; round < 2; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = 0; !bytes.empty();) {
      at += 1 + rng() % (1 + bytes.size() / 3);
      if (at >= bytes.size()) break;
      cuts.push_back(at);
    }
    GI_FUZZ_CHECK(same(whole, decode(bytes, cuts)), "random-split decode equals whole decode");
  }

  for (const auto& m : whole.msgs) {
    const std::string again = es::encode(m);
    const outcome rt = decode(again, {});
    GI_FUZZ_CHECK(rt.err == es::decode_error::none && rt.msgs.size() == 1 && !rt.partial &&
                      same_message(rt.msgs[0], m),
                  "encode -> decode round-trips a decoded message");
  }

  // Corrupt the CRCs (and one other bit) of up to 3 decoded frames.
  std::size_t pos = 0;
  for (std::size_t k = 0; k < whole.msgs.size() && k < 3; ++k) {
    const std::uint32_t total = be32(bytes, pos);
    for (int which = 0; which < 3; ++which) {
      std::string bad(bytes);
      std::size_t at = 0;
      if (which == 0) {
        at = pos + 8 + rng() % 4;  // prelude CRC
      } else if (which == 1) {
        at = pos + total - 4 + rng() % 4;  // message CRC
      } else {
        // Lengths (bytes 0..7), headers or payload: a CRC-32 catches every single-bit error.
        const std::size_t r = rng() % (8 + total - 16);
        at = pos + (r < 8 ? r : r + 4);
      }
      bad[at] = static_cast<char>(bad[at] ^ (1u << (rng() % 8)));
      const outcome r = decode(bad, {});
      GI_FUZZ_CHECK(r.err != es::decode_error::none, "a flipped bit in a frame is rejected");
      GI_FUZZ_CHECK(r.msgs.size() == k, "messages before the corrupt frame are delivered, none after");
      if (which == 0) GI_FUZZ_CHECK(r.err == es::decode_error::prelude_crc, "a bad prelude CRC is prelude_crc");
      if (which == 1) GI_FUZZ_CHECK(r.err == es::decode_error::message_crc, "a bad message CRC is message_crc");
      for (std::size_t i = 0; i < r.msgs.size(); ++i)
        GI_FUZZ_CHECK(same_message(r.msgs[i], whole.msgs[i]), "the frames before are unchanged");
    }
    pos += total;
  }

  check_stream_decoder(whole.msgs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check(bytes);
  const std::string fixed = with_fixed_crcs(std::string(bytes));
  if (fixed != bytes) check(fixed);
  return 0;
}
