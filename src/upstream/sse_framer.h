#pragma once
// Pure Server-Sent Events framer (providers.md §1.2): LF, CRLF and CR line terminators,
// multi-line `data:` joined with "\n", `event:` names, `id:`, comments (lines starting with
// ':') ignored, exactly one space after the colon stripped. Fed arbitrary byte splits.
// No I/O: used by the upstream client, the provider stream goldens and the fuzzers.
//
// Thread safety: one instance per stream.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gi::upstream {

struct sse_event {
  std::string event;  // empty when no `event:` line
  std::string data;
  std::string id;

  friend bool operator==(const sse_event&, const sse_event&) = default;
};

class sse_framer {
 public:
  // Appends every event completed by `bytes` to `out`.
  void feed(std::string_view bytes, std::vector<sse_event>& out);
  // End of input. An unterminated last line is processed and a pending event that has data
  // is still appended (lenient), but the return value is false whenever anything was
  // pending — no blank line ended the input — so decoders can report truncation.
  bool finish(std::vector<sse_event>& out);
  // Bytes buffered for an incomplete line/event (for caps on endless lines).
  std::size_t buffered() const noexcept;

 private:
  void process_line(std::string_view line, std::vector<sse_event>& out);
  void dispatch(std::vector<sse_event>& out);

  std::string line_;         // partial line carried over between feeds
  std::string event_;        // `event:` of the event being built
  std::string data_;         // joined `data:` lines of the event being built
  std::string last_id_;      // `id:` persists across events (WHATWG EventSource)
  bool has_data_ = false;    // at least one `data:` line in the current event
  bool has_fields_ = false;  // any non-comment line since the last dispatch
  bool skip_lf_ = false;     // previous feed ended in CR: a leading LF belongs to it
  bool started_ = false;     // a leading UTF-8 BOM is dropped once
};

}  // namespace gi::upstream
