#include "mock/schema_values.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace gi::mock {
namespace {

namespace json = boost::json;

json::value gen(std::string_view schema) { return minimal_instance(json::parse(schema)); }

TEST(mock_schema_values, required_properties_only) {
  EXPECT_TRUE(test::json_equal(
      R"({"city":"mock-city","days":0,"metric":true})",
      json::serialize(gen(R"({"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"},
        "metric":{"type":"boolean"},"note":{"type":"string"}},"required":["city","days","metric"],
        "additionalProperties":false})"))));
}

TEST(mock_schema_values, enum_const_and_bounds) {
  EXPECT_TRUE(test::json_equal(
      R"({"unit":"celsius","k":"fixed","n":3,"x":-2.5,"m":10})",
      json::serialize(gen(R"({"type":"object","required":["unit","k","n","x","m"],"properties":{
        "unit":{"type":"string","enum":["celsius","fahrenheit"]},
        "k":{"const":"fixed"},
        "n":{"type":"integer","minimum":3,"maximum":9},
        "x":{"type":"number","maximum":-2.5},
        "m":{"type":"integer","exclusiveMinimum":9}}})"))));
}

TEST(mock_schema_values, arrays_nested_refs_and_unions) {
  EXPECT_TRUE(test::json_equal(
      R"({"items":[{"id":"mock-id"},{"id":"mock-id"}],"maybe":"mock-maybe","when":"2025-01-01T00:00:00Z","pair":[0,"mock-pair"]})",
      json::serialize(gen(R"({"type":"object","required":["items","maybe","when","pair"],
        "$defs":{"item":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}},
        "properties":{
          "items":{"type":"array","minItems":2,"items":{"$ref":"#/$defs/item"}},
          "maybe":{"anyOf":[{"type":"null"},{"type":"string"}]},
          "when":{"type":"string","format":"date-time"},
          "pair":{"type":"array","minItems":2,"prefixItems":[{"type":"integer"},{"type":"string"}]}}})"))));
}

TEST(mock_schema_values, string_lengths_and_nullable_type_arrays) {
  EXPECT_TRUE(test::json_equal(
      R"({"code":"mo","long":"mock-longxxxxx","opt":"mock-opt"})",
      json::serialize(gen(R"({"type":"object","required":["code","long","opt"],"properties":{
        "code":{"type":"string","maxLength":2},
        "long":{"type":"string","minLength":14},
        "opt":{"type":["null","string"]}}})"))));
}

TEST(mock_schema_values, absent_or_empty_schema_gives_empty_arguments) {
  EXPECT_TRUE(test::json_equal("{}", json::serialize(minimal_instance(json::value()))));
  EXPECT_TRUE(test::json_equal("{}", json::serialize(gen(R"({"type":"object","properties":{}})"))));
}

TEST(mock_schema_values, recursive_ref_terminates) {
  // A required self-reference can never be satisfied finitely; the generator must still stop.
  const json::value v = gen(R"({"type":"object","required":["next"],"properties":{"next":{"$ref":"#"}}})");
  EXPECT_TRUE(v.is_object());
}

}  // namespace
}  // namespace gi::mock
