#pragma once
// `gammainfra route --explain` and `/v1/route/explain` (issue 8 item 3): the ranked plan
// of a task with every score term, as JSON and as a text table. Pure.

#include <string>

#include <boost/json/object.hpp>

#include "config/config.h"
#include "route/plan.h"

namespace gi::route {

// {"task","task_source","preference","cost_quality","weights":{quality,cost,latency},
//  "candidates":[{"rank","endpoint","skipped","quality","quality_norm","est_cost_usd",
//  "cost_norm","p50_ms","p50_source":"live"|"prior","latency_norm","error_rate","score"}]}
// Skipped candidates carry "skipped": "<reason>" and no rank.
boost::json::object explain_json(const plan& p, const rank_options& opts);

// The same as an aligned text table (one line per candidate).
std::string explain_text(const plan& p, const rank_options& opts);
// The table from explain_json's object (e.g. a gateway's /v1/route/explain answer).
std::string explain_text(const boost::json::object& j);

}  // namespace gi::route
