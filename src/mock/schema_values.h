#pragma once
// Minimal valid JSON instances for a JSON Schema: what the mock puts in tool-call arguments
// and json_schema structured output, so tests can check the gateway passes them through
// intact. Pure.
//
// Supported: type (string or array), const, enum (first value), anyOf/oneOf (first branch),
// allOf (merged object branches), $ref to #/$defs/… or #/definitions/…, object (required
// properties only), array (minItems items; prefixItems), string (format date-time, date,
// time, email, uri, uuid; minLength/maxLength), integer/number (0 clamped into
// minimum/maximum/exclusive bounds), boolean, null. `pattern` and `multipleOf` are not
// honoured (documented gap).

#include <boost/json/value.hpp>

namespace gi::mock {

boost::json::value minimal_instance(const boost::json::value& schema);

}  // namespace gi::mock
