#pragma once
// JSON Schema (OpenAI tool parameters, response_format json_schema) -> what Gemini accepts
// (providers.md §4.2). Two targets:
//
// 1. Plain JSON Schema for `parametersJsonSchema` / `responseJsonSchema` (Gemini 2.5 and
//    later). Gemini documents this subset: $id $defs $ref $anchor type format title
//    description enum(strings, numbers) items prefixItems minItems maxItems minimum maximum
//    anyOf oneOf properties additionalProperties required propertyOrdering; a `$ref` must
//    have no sibling keywords except `$…` ones. Transform:
//    - `definitions` -> `$defs` (and `#/definitions/…` refs rewritten);
//    - `const: v` (string or number) -> `enum: [v]`; legacy array `items` -> `prefixItems`;
//    - `allOf` whose branches are plain object schemas -> merged (properties, required);
//    - siblings of `$ref` (e.g. description) dropped with a warning;
//    - `format` values other than date-time, date, time, duration, enum, int32, int64,
//      float, double dropped with a warning;
//    - validation / annotation keywords Gemini ignores (minLength, maxLength, pattern,
//      exclusiveMinimum, exclusiveMaximum, multipleOf, uniqueItems, minProperties,
//      maxProperties, default, examples, readOnly, writeOnly, deprecated, nullable, …)
//      dropped with a warning; `$schema` / `$comment` dropped silently;
//    - keywords whose loss changes what is valid (not, if/then/else, patternProperties,
//      dependentSchemas, dependentRequired, dependencies, unevaluatedProperties,
//      unevaluatedItems, contains, propertyNames, $dynamicRef, $recursiveRef), a `false`
//      schema, enum values that are not strings or numbers, and an allOf that cannot be
//      merged -> 400 invalid_request naming the keyword's path.
// 2. The OpenAPI-subset `Schema` for `parameters` / `responseSchema` (Gemini 1.x, 2.0):
//    types upper-cased; `type: [T, "null"]` and anyOf/oneOf with a null branch ->
//    `nullable: true`; other type arrays -> anyOf; `$ref` inlined from $defs/definitions
//    (a recursive reference is a 400); oneOf -> anyOf; const -> enum; `additionalProperties`
//    dropped with a warning; `$defs`, `$schema`, `$id`, `$comment` dropped silently;
//    formats other than enum/date-time (strings), int32/int64, float/double dropped with a
//    warning; prefixItems and the keywords rejected in 1. -> 400.
//
// Warnings are "<param path>.<keyword>:dropped" (the caller's target.warnings).

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/result.h"

namespace gi::providers::gemini {

core::result<boost::json::value> to_json_schema(const boost::json::value& schema,
                                                std::string_view param,
                                                std::vector<std::string>& warnings);

core::result<boost::json::value> to_openapi_schema(const boost::json::value& schema,
                                                   std::string_view param,
                                                   std::vector<std::string>& warnings);

}  // namespace gi::providers::gemini
