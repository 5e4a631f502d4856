#pragma once
// Human-readable dump of a resolved snapshot for `gammainfra config check` (design §2).
// The output is YAML in the config's own schema, with comments: which environment
// variables each endpoint needs and whether they are set. Secret VALUES are never read
// into the snapshot, so they cannot appear here.

#include <functional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace gi::config {

// `env_is_set(name)` reports whether an environment variable is set and non-empty
// (injected so tests need no real environment).
std::string describe(const snapshot& s, const std::function<bool(std::string_view)>& env_is_set);

}  // namespace gi::config
