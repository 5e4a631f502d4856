#pragma once
// Lower-level entry points of the loader, for tests and tools. Most callers want
// config.h's defaults() / load_string() / load_file().

#include <string>
#include <string_view>

#include "config/config.h"
#include "core/result.h"

namespace gi::config {

struct load_options {
  // The catalog layered under the user config; the compiled-in one by default.
  std::string_view catalog_yaml;
  bool use_builtin_catalog = true;
  // Relative TLS file paths are resolved against this directory (the config file's
  // directory for load_file; empty = the current directory).
  std::string base_dir;
};

core::result<snapshot_ptr, config_error> load_layered(std::string_view user_yaml,
                                                      std::string origin,
                                                      const load_options& opts);

// The compiled-in catalog text (config/catalog.yaml, embedded at build time).
std::string_view builtin_catalog_yaml() noexcept;

}  // namespace gi::config
