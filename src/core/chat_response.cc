#include "core/chat_response.h"

namespace gi::core {

std::string_view to_string(finish_reason r) noexcept {
  switch (r) {
    case finish_reason::none: return "";
    case finish_reason::stop: return "stop";
    case finish_reason::length: return "length";
    case finish_reason::tool_calls: return "tool_calls";
    case finish_reason::content_filter: return "content_filter";
    case finish_reason::function_call: return "function_call";
  }
  return "";
}

}  // namespace gi::core
