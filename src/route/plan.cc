#include "route/plan.h"

#include <algorithm>

namespace gi::route {

std::size_t plan::runnable() const {
  return static_cast<std::size_t>(std::count_if(
      attempts.begin(), attempts.end(), [](const planned_attempt& a) { return a.skip_reason.empty(); }));
}

namespace {

bool has_image(const core::chat_request& req) {
  for (const auto& m : req.messages)
    if (auto* parts = std::get_if<std::vector<core::content_part>>(&m.content))
      for (const auto& p : *parts)
        if (std::holds_alternative<core::image_part>(p)) return true;
  return false;
}

// The request path of the first image given by URL rather than inline data
// ("messages[i].content[j].image_url.url").
std::optional<std::string> first_image_url(const core::chat_request& req) {
  for (std::size_t i = 0; i < req.messages.size(); ++i)
    if (auto* parts = std::get_if<std::vector<core::content_part>>(&req.messages[i].content))
      for (std::size_t j = 0; j < parts->size(); ++j)
        if (auto* img = std::get_if<core::image_part>(&(*parts)[j]); img && !img->url.starts_with("data:"))
          return "messages[" + std::to_string(i) + "].content[" + std::to_string(j) + "].image_url.url";
  return std::nullopt;
}

}  // namespace

std::string capability_gap(const config::endpoint_config& ep, const core::chat_request& req) {
  const auto& c = ep.capabilities;
  if (req.stream && !c.streaming) return "incapable";
  if (!req.tools.empty() && !c.tools) return "incapable";
  if (req.tools.size() > 1 && req.parallel_tool_calls.value_or(true) && !c.parallel_tools &&
      req.tool_choice.mode != core::tool_choice_mode::none)
    return "incapable";
  if (req.response_format.type == core::response_format_type::json_schema && !c.json_schema)
    return "incapable";
  if (has_image(req) && !c.vision) return "incapable";
  if (!c.image_urls && first_image_url(req)) return "incapable";
  return {};
}

core::result<plan> make_plan(const config::snapshot& cfg, const core::chat_request& req,
                             const plan_options& opts, const credential_check& has_key,
                             const routing_inputs* live) {
  plan p;
  p.fallback = opts.fallback;
  p.hedge = opts.hedge;
  std::vector<const config::endpoint_config*> order;
  auto add = [&](const config::endpoint_config* ep) {
    if (ep && std::find(order.begin(), order.end(), ep) == order.end()) order.push_back(ep);
  };
  auto add_chain = [&](const std::string& task) {
    auto it = cfg.routing.chains.find(task);
    if (it == cfg.routing.chains.end()) return;
    for (const auto& id : it->second) add(cfg.find_endpoint(id));
  };

  if (opts.task && !config::is_known_task(*opts.task))
    return core::invalid_request("Invalid X-GammaInfra-Task '" + *opts.task +
                                     "': expected one of reasoning, code, creative, rewrite, "
                                     "chat, extraction, summarize, translation",
                                 "X-GammaInfra-Task");

  std::string_view model = req.model;
  if (model == "auto" || model.substr(0, 5) == "auto:") {
    if (model.size() > 5) {
      std::string task(model.substr(5));
      if (!config::is_known_task(task))
        return core::invalid_request("Unknown task '" + task + "' in model 'auto:" + task +
                                         "'; expected one of reasoning, code, creative, rewrite, "
                                         "chat, extraction, summarize, translation",
                                     "model");
      p.task = task;
      p.task_source = "model";
    } else if (opts.task) {
      p.task = *opts.task;
      p.task_source = "header";
    } else {
      p.task = cfg.routing.default_task;
      p.task_source = "default";
    }
    add_chain(p.task);
  } else {
    const auto* ep = cfg.find_endpoint(model);
    if (!ep) {
      core::error e(core::error_kind::not_found,
                    "The model '" + req.model + "' does not exist or is not routable here; see "
                    "GET /v1/models",
                    "model", "model_not_found");
      return e;
    }
    p.pinned = true;
    p.task = opts.task ? *opts.task : cfg.routing.default_task;
    p.task_source = opts.task ? "header" : "default";
    add(ep);
    if (opts.fallback) {
      if (!ep->fallbacks.empty()) {
        for (const auto& id : ep->fallbacks) add(cfg.find_endpoint(id));
      } else {
        add_chain(p.task);
      }
    }
  }

  std::vector<std::string> pre_skip;
  pre_skip.reserve(order.size());
  for (const auto* ep : order) {
    std::string reason = capability_gap(*ep, req);
    if (reason.empty() && has_key && !has_key(*ep)) reason = "no-key";
    pre_skip.push_back(std::move(reason));
  }
  // Image URLs on an endpoint that takes only inline images (Bedrock, providers.md §9.2):
  // explain says why, and with nothing else runnable the answer names the part.
  if (auto at = first_image_url(req)) {
    for (const auto* ep : order) {
      if (ep->capabilities.image_urls || !ep->capabilities.vision) continue;
      p.incapable_error = core::invalid_request(
          "image URLs are not supported by endpoint '" + ep->id + "' (provider '" +
              std::string(core::to_string(ep->provider)) +
              "' takes inline images only) and no other endpoint in the chain can serve the "
              "request; send the image inline as a base64 data URL",
          *at, "unsupported_image_url");
      break;
    }
  }
  auto detail_of = [&](planned_attempt& a) {
    if (a.skip_reason == "incapable" && p.incapable_error && !a.endpoint->capabilities.image_urls &&
        a.endpoint->capabilities.vision)
      a.skip_detail = "image_url";
  };
  if (live && live->stats && live->health) {
    auto ranked = rank(cfg, order, pre_skip, p.task, features_of(req), *live->stats, *live->health,
                       opts.ranking, p.pinned);
    if (p.pinned) {
      // The requested endpoint leads whenever it can run; ranking orders the fallbacks.
      auto it = std::find_if(ranked.begin(), ranked.end(), [&](const ranked_candidate& c) {
        return c.chain_position == 0 && c.skip_reason.empty();
      });
      if (it != ranked.end()) {
        auto first_runnable = std::find_if(ranked.begin(), ranked.end(), [](const ranked_candidate& c) {
          return c.skip_reason.empty();
        });
        std::rotate(first_runnable, it, it + 1);
      }
    }
    p.ranked = true;
    for (auto& c : ranked) {
      planned_attempt a;
      a.endpoint = c.endpoint;
      a.skip_reason = std::move(c.skip_reason);
      if (c.scored) a.terms = c.terms;
      detail_of(a);
      p.attempts.push_back(std::move(a));
    }
    return p;
  }
  for (std::size_t i = 0; i < order.size(); ++i) {
    planned_attempt a;
    a.endpoint = order[i];
    a.skip_reason = std::move(pre_skip[i]);
    detail_of(a);
    p.attempts.push_back(std::move(a));
  }
  return p;
}

}  // namespace gi::route
