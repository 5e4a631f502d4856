#pragma once
// `gammainfra route --explain --task T [-H 'Name: value']… [--config FILE] [--json]
// [--gateway URL [--api-key KEY]]` (issue 8 item 3): prints the ranked candidates of a task
// with every score term, as the router would order them for a request carrying those
// headers. Offline it uses the latency priors (no live stats); with `--gateway` it asks that
// running gateway (GET /v1/route/explain, authenticated with --api-key or
// $GAMMAINFRA_API_KEY), so the live p50s, circuits and cooldowns are shown.

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "config/config.h"
#include "core/http_types.h"
#include "core/result.h"
#include "route/plan.h"

namespace gi::app {

struct route_options {
  bool explain = false;
  std::string task = "chat";
  std::vector<std::string> headers;  // "Name: value"
  std::string config;                // default: ./gammainfra.yaml if present, else built-in
  std::string gateway;               // a running gateway's base URL ("http://127.0.0.1:8080")
  std::string api_key;               // for --gateway; default $GAMMAINFRA_API_KEY
  bool json = false;
  // Explain a request that carries an image by this URL (offline only): endpoints that take
  // no image URLs (Bedrock) show as skipped=incapable(image_url).
  std::string image_url;
};

int run_route_cmd(const route_options& opts, std::ostream& out, std::ostream& err);

// The explain object of `task` (empty = the config's default task) for a request carrying
// `headers` (X-GammaInfra-Preference, -Cost-Quality, -Region, -Max-Latency-Ms), ranked with
// `live`. Shared by the CLI and GET /v1/route/explain. Errors: a bad header value or an
// unknown task (400 naming it).
core::result<boost::json::object> explain_task(const config::snapshot& cfg, std::string_view task,
                                               const core::header_list& headers,
                                               const route::routing_inputs& live,
                                               const route::credential_check& has_key,
                                               std::string_view image_url = {});

}  // namespace gi::app
