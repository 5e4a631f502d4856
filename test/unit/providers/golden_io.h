#pragma once
// Test-side JSON views of the canonical types for the provider goldens (style.md §3), plus a
// lenient loader for `request.openai.json`. The loader is deliberately permissive (the
// real, validating decoder is openai_api's); it only has to turn well-formed fixture
// requests into core::chat_request.

#include <map>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "core/chat_request.h"
#include "core/chat_response.h"
#include "core/error.h"
#include "core/stream_event.h"

namespace gi::test::golden {

core::chat_request load_request(const boost::json::value& v);

boost::json::value to_json(const core::chat_response& r);
boost::json::value to_json(const core::stream_event& e);
boost::json::value to_json(const core::error& e);
boost::json::value to_json(const core::usage& u);

// case.toml: `key = value` lines; `#` comments; values optionally double-quoted.
std::map<std::string, std::string> load_case(const std::string& text);

// Aggregates of an event list (style.md §3 "check aggregates too").
boost::json::value aggregate(const std::vector<boost::json::value>& events);

}  // namespace gi::test::golden
