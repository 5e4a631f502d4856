#pragma once
// Pure Server-Sent Events framer (providers.md §1.2): LF, CRLF and CR line terminators,
// multi-line `data:` joined with "\n", `event:` names, `id:`, comments (lines starting with
// ':') ignored, exactly one space after the colon stripped. Fed arbitrary byte splits.
// No I/O: used by the upstream client, the provider stream goldens and the fuzzers.
//
// Thread safety: one instance per stream.

#include <string>
#include <string_view>
#include <vector>

namespace gi::upstream {

struct sse_event {
  std::string event;  // empty when no `event:` line
  std::string data;
  std::string id;
};

class sse_framer {
 public:
  // Appends every event completed by `bytes` to `out`.
  void feed(std::string_view bytes, std::vector<sse_event>& out);
  // End of input. Returns false if a partially received event was pending (truncation).
  bool finish(std::vector<sse_event>& out);
  // Bytes buffered for an incomplete line/event (for caps on endless lines).
  std::size_t buffered() const noexcept;

 private:
  // implementation-defined state (declared by the implementer)
};

}  // namespace gi::upstream
