#include "core/chat_request.h"

#include <gtest/gtest.h>

namespace gi::core {
namespace {

message with_parts(std::vector<content_part> parts) {
  message m;
  m.content = std::move(parts);
  return m;
}

// joined_text_size() stands in for joined_text().size() in the router's and the usage
// estimate's character counts: the two must agree for every content shape.
TEST(chat_request, joined_text_size_equals_the_joined_text_length) {
  std::vector<message> cases;
  cases.emplace_back();  // absent content
  message s;
  s.content = std::string("Say hello to the gateway");
  cases.push_back(s);
  message empty_string;
  empty_string.content = std::string();
  cases.push_back(empty_string);
  cases.push_back(with_parts({}));
  cases.push_back(with_parts({text_part{"one"}}));
  cases.push_back(with_parts({text_part{"one"}, text_part{"two"}, text_part{""}}));
  cases.push_back(with_parts({image_part{"https://example.com/a.png", ""}, text_part{"caption"}}));
  cases.push_back(with_parts({text_part{"a"}, image_part{"data:image/png;base64,AAAA", "low"},
                              text_part{"b"}, refusal_part{"no"}}));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(cases[i].joined_text_size(), cases[i].joined_text().size());
  }
  EXPECT_EQ(cases[5].joined_text(), "one\ntwo\n");
  EXPECT_EQ(cases[5].joined_text_size(), 8u);
}

}  // namespace
}  // namespace gi::core
