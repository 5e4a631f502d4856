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

}  // namespace gi::core
