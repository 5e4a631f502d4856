#pragma once
// Where provider credentials come from: the environment variables named in the catalog
// (never the config file itself), or BYOK keys from the request (later issue). Read once at
// start so the hot path does no getenv.
//
// Thread safety: immutable after construction.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "config/config.h"
#include "providers/adapter.h"

namespace gi::route {

class credential_source {
 public:
  using env_lookup = std::function<std::optional<std::string>(const std::string&)>;
  // `env` defaults to getenv; tests inject a map.
  explicit credential_source(const config::snapshot& cfg, env_lookup env = {});

  // Credentials for an endpoint; nullopt when its key is not configured. `auth: none`
  // endpoints get empty credentials.
  std::optional<providers::credentials> get(const config::endpoint_config& ep) const;
  bool has(const config::endpoint_config& ep) const { return get(ep).has_value(); }

 private:
  std::map<std::string, providers::credentials> by_endpoint_;
};

}  // namespace gi::route
