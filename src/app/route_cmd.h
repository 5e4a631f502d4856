#pragma once
// `gammainfra route --explain --task T [-H 'Name: value']… [--config FILE] [--json]`
// (issue 8 item 3): prints the ranked candidates of a task with every score term, as the
// router would order them for a request carrying those headers. Offline it uses the
// latency priors (no live stats); `--gateway URL` is not implemented yet (see
// docs/routing.md) — /v1/route/explain is its server side.

#include <iosfwd>
#include <string>
#include <vector>

namespace gi::app {

struct route_options {
  bool explain = false;
  std::string task = "chat";
  std::vector<std::string> headers;  // "Name: value"
  std::string config;                // default: ./gammainfra.yaml if present, else built-in
  std::string gateway;               // a running gateway's base URL (not implemented yet)
  bool json = false;
};

int run_route_cmd(const route_options& opts, std::ostream& out, std::ostream& err);

}  // namespace gi::app
