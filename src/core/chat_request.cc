#include "core/chat_request.h"

namespace gi::core {

std::string message::joined_text() const {
  if (auto* s = std::get_if<std::string>(&content)) return *s;
  std::string out;
  if (auto* parts = std::get_if<std::vector<content_part>>(&content)) {
    bool first = true;
    for (const auto& p : *parts) {
      if (auto* t = std::get_if<text_part>(&p)) {
        if (!first) out.push_back('\n');
        out += t->text;
        first = false;
      }
    }
  }
  return out;
}

std::size_t message::joined_text_size() const {
  if (auto* s = std::get_if<std::string>(&content)) return s->size();
  std::size_t n = 0;
  bool first = true;
  if (auto* parts = std::get_if<std::vector<content_part>>(&content)) {
    for (const auto& p : *parts) {
      if (auto* t = std::get_if<text_part>(&p)) {
        if (!first) ++n;
        n += t->text.size();
        first = false;
      }
    }
  }
  return n;
}

}  // namespace gi::core
