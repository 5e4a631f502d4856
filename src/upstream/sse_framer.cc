#include "upstream/sse_framer.h"

#include <cstring>

namespace gi::upstream {

namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

}  // namespace

void sse_framer::feed(std::string_view bytes, std::vector<sse_event>& out) {
  std::size_t i = 0;
  // A CR ending the previous feed may be the first half of a CRLF (providers.md §1.2).
  if (skip_lf_ && !bytes.empty()) {
    skip_lf_ = false;
    if (bytes[0] == '\n') i = 1;
  }
  std::size_t lf_at = 0;  // position of the next LF at or after i (bytes.size() = none)
  bool lf_known = false;
  while (i < bytes.size()) {
    // The line ends at the first CR or LF. Two memchr scans (vectorised in glibc) instead of
    // a byte loop, which was ~3k instructions per 300-byte event. The LF position is kept
    // across lines so that lone-CR line endings do not rescan the rest of the input.
    if (!lf_known || lf_at < i) {
      lf_known = true;
      const void* lf = std::memchr(bytes.data() + i, '\n', bytes.size() - i);
      lf_at = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - bytes.data())
                 : bytes.size();
    }
    const void* cr = std::memchr(bytes.data() + i, '\r', lf_at - i);
    std::size_t j =
        cr ? static_cast<std::size_t>(static_cast<const char*>(cr) - bytes.data()) : lf_at;
    if (j == bytes.size()) {
      line_.append(bytes.substr(i));
      return;
    }
    // A complete line ends at j.
    if (line_.empty()) {
      process_line(bytes.substr(i, j - i), out);
    } else {
      line_.append(bytes.substr(i, j - i));
      std::string line;
      line.swap(line_);
      process_line(line, out);  // does not touch line_
      line.clear();
      line_.swap(line);  // keep the allocation for the next partial line
    }
    if (bytes[j] == '\r') {
      if (j + 1 < bytes.size()) {
        if (bytes[j + 1] == '\n') ++j;
      } else {
        skip_lf_ = true;
      }
    }
    i = j + 1;
  }
}

bool sse_framer::finish(std::vector<sse_event>& out) {
  const bool clean = line_.empty() && !has_fields_;
  if (!line_.empty()) {
    std::string line = std::move(line_);
    line_.clear();
    process_line(line, out);
  }
  if (has_data_) dispatch(out);
  event_.clear();
  data_.clear();
  has_data_ = false;
  has_fields_ = false;
  skip_lf_ = false;
  return clean;
}

std::size_t sse_framer::buffered() const noexcept {
  return line_.size() + data_.size() + event_.size();
}

void sse_framer::process_line(std::string_view line, std::vector<sse_event>& out) {
  if (!started_) {
    started_ = true;
    if (line.substr(0, utf8_bom.size()) == utf8_bom) line.remove_prefix(utf8_bom.size());
  }
  if (line.empty()) {
    if (has_data_) dispatch(out);
    // An event without data is dropped (WHATWG EventSource "dispatch the event").
    event_.clear();
    data_.clear();
    has_data_ = false;
    has_fields_ = false;
    return;
  }
  if (line.front() == ':') return;  // comment / keep-alive
  std::string_view field = line;
  std::string_view value;
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  has_fields_ = true;
  if (field == "data") {
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  }
  // `retry:` and unknown fields are ignored.
}

void sse_framer::dispatch(std::vector<sse_event>& out) {
  sse_event e;
  e.event = std::move(event_);
  e.data = std::move(data_);
  e.id = last_id_;
  out.push_back(std::move(e));
  event_.clear();
  data_.clear();
  has_data_ = false;
  has_fields_ = false;
}

}  // namespace gi::upstream
