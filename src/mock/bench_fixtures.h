#pragma once
// The benchmark model names of the shared harness (../shared/bench, README "The mock
// upstream"): byte-for-byte the bodies its nginx mock serves, so the mock can stand in for it.
//   mock-chat   → the fixed chat.completion JSON (880 bytes, Content-Length)
//   mock-stream → the 20 chunks + [DONE], all in one write
//   mock-paced  → the same 21 events, flushed one by one, 2 ms apart
// Like the reference, the request body beyond `model` is ignored. Built once, shared by all
// requests (no per-request formatting).

#include <optional>
#include <string_view>

#include "mock/response_plan.h"

namespace gi::mock {

std::optional<response_plan> bench_fixture_for(std::string_view model);

}  // namespace gi::mock
