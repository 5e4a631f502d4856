#pragma once
// Strict readers over yaml-cpp nodes for the config loader. Every reader takes the node and
// its dotted YAML path ("endpoints[3].prices.input") so a failure names the path and the
// line. Failures throw `load_failure` — internal to the config module; the public entry
// points (load_string / load_file) catch it and return a config_error value.
//
// Scalars are read from their source text (Node::Scalar()), never through yaml-cpp's
// numeric conversions, so prices parse exactly and "1e3" or "0x10" are rejected where a
// plain number is expected.

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "core/money.h"

namespace gi::config::detail {

struct load_failure {
  config_error error;
};

// 1-based line of a node (0 when the node has no position, e.g. it is missing).
int line_of(const YAML::Node& n);
[[noreturn]] void fail(const std::string& path, const YAML::Node& at, std::string message);

std::string child_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);

// Requires a mapping whose keys are all in `allowed` and none repeated. A key that looks
// like a secret ("api_key", "secret_access_key", …) gets a message pointing to *_env.
void check_map(const YAML::Node& n, const std::string& path,
               std::initializer_list<std::string_view> allowed);
void require_map(const YAML::Node& n, const std::string& path);
void require_sequence(const YAML::Node& n, const std::string& path);

std::string read_string(const YAML::Node& n, const std::string& path);
bool read_bool(const YAML::Node& n, const std::string& path);
std::int64_t read_int(const YAML::Node& n, const std::string& path, std::int64_t min,
                      std::int64_t max);
// A number in [min, max] written as a plain decimal ("0.82", "1", "0").
double read_unit_double(const YAML::Node& n, const std::string& path, double min, double max);
// "30s", "500ms", "2m", "1h" or an integer count of milliseconds; must be > 0.
std::chrono::milliseconds read_duration(const YAML::Node& n, const std::string& path);
// Integer bytes or with a unit: "16KiB", "10MiB", "1GiB", "512B"; must be > 0.
std::size_t read_size(const YAML::Node& n, const std::string& path);
// A price per 1M tokens: decimal string or YAML number, parsed exactly; must be >= 0.
core::price_per_mtok read_price(const YAML::Node& n, const std::string& path);
// An environment variable NAME ([A-Za-z_][A-Za-z0-9_]*).
std::string read_env_name(const YAML::Node& n, const std::string& path);

// Pure parsers (exposed for tests).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::optional<std::size_t> parse_size(std::string_view text);

}  // namespace gi::config::detail
