#include "app/classifier_runtime.h"

#include <array>
#include <ostream>

#include "classify/minilm_classifier.h"
#include "classify/model_store.h"
#include "classify/shipped_model.h"

namespace gi::app {

namespace cl = gi::classify;

namespace {

constexpr std::array<std::string_view, 3> result_sources{"lexical", "minilm", "fallback"};

std::size_t source_index(std::string_view s) {
  for (std::size_t i = 0; i < result_sources.size(); ++i)
    if (result_sources[i] == s) return i;
  return 2;  // unknown sources count as fallback
}

// The metric cells, resolved once: the observer runs per classification on worker, deadline
// or I/O threads and does only relaxed atomic updates.
struct classifier_cells {
  std::array<std::array<telemetry::scalar_cell*, result_sources.size()>, cl::task_count> by_task_source{};
  std::array<telemetry::histogram_cell*, result_sources.size()> latency{};
  telemetry::histogram_cell* latency_cache = nullptr;
  telemetry::scalar_cell* timeouts = nullptr;
  telemetry::scalar_cell* overload = nullptr;
  telemetry::scalar_cell* cache_hits = nullptr;
  telemetry::scalar_cell* queue_depth = nullptr;

  explicit classifier_cells(telemetry::metrics_registry& m) {
    for (std::size_t t = 0; t < cl::task_count; ++t)
      for (std::size_t s = 0; s < result_sources.size(); ++s)
        by_task_source[t][s] = &m.classifier_classifications_total.with(
            {std::string(cl::task_names[t]), std::string(result_sources[s])});
    for (std::size_t s = 0; s < result_sources.size(); ++s)
      latency[s] = &m.classifier_latency_seconds.with({std::string(result_sources[s])});
    latency_cache = &m.classifier_latency_seconds.with({"cache"});
    timeouts = &m.classifier_timeouts_total.get();
    overload = &m.classifier_overload_total.get();
    cache_hits = &m.classifier_cache_hits_total.get();
    queue_depth = &m.classifier_queue_depth.get();
  }

  void observe(const cl::service_event& e) {
    const std::size_t s = source_index(e.result.source);
    const int t = cl::task_index(e.result.task);
    if (t >= 0) by_task_source[static_cast<std::size_t>(t)][s]->inc();
    (e.cache_hit ? latency_cache : latency[s])->observe(e.seconds);
    if (e.cache_hit) cache_hits->inc();
    if (e.fallback == cl::fallback_reason::deadline) timeouts->inc();
    if (e.fallback == cl::fallback_reason::overload) overload->inc();
    queue_depth->set(static_cast<std::int64_t>(e.queue_depth));
  }
};

}  // namespace

std::shared_ptr<cl::service> make_classifier_service(std::shared_ptr<const cl::lexical_model> lexical,
                                                     std::shared_ptr<const cl::classifier> primary,
                                                     const config::classifier_config& cc,
                                                     std::shared_ptr<telemetry::metrics_registry> metrics) {
  cl::service_options so;
  so.threads = cc.threads;
  so.queue_capacity = cc.queue;
  so.deadline = cc.timeout;
  so.cache_capacity = cc.cache;
  cl::service_observer obs;
  if (metrics) {
    auto cells = std::make_shared<classifier_cells>(*metrics);
    // The observer keeps the registry alive with the cells it points into.
    obs = [cells, metrics](const cl::service_event& e) { cells->observe(e); };
  }
  return std::make_shared<cl::service>(std::move(lexical), std::move(primary), so, std::move(obs));
}

core::result<classifier_runtime> start_classifier(const config::snapshot& cfg,
                                                  std::shared_ptr<telemetry::metrics_registry> metrics,
                                                  std::ostream& log) {
  const auto& cc = cfg.classifier;
  classifier_runtime rt;
  if (!cc.enabled) {
    rt.minilm_state = "disabled";
    return rt;
  }
  auto lexical = cl::shipped_lexical_model();
  if (!lexical) return std::move(lexical).error();
  std::shared_ptr<const cl::classifier> primary;
  rt.minilm_state = "not installed";
  if (cc.encoder != "lexical") {
    const cl::minilm_layout layout{cc.data_dir.empty() ? cl::default_data_dir() : std::filesystem::path(cc.data_dir)};
    if (cc.encoder == "minilm" || cl::minilm_present(layout)) {
      log << "classifier: loading MiniLM from " << layout.model_dir().string() << std::endl;
      auto m = cl::load_minilm_classifier(layout, *lexical);
      if (m) {
        primary = std::move(m).value();
        rt.minilm_state = "loaded";
      } else if (cc.encoder == "minilm") {
        return core::error(core::error_kind::internal,
                           "classifier.encoder is minilm but it cannot be loaded: " + m.error().message);
      } else {
        rt.minilm_state = m.error().message;
        log << "warning: classifier: MiniLM not loaded (" << m.error().message
            << "); serving the shipped lexical model" << std::endl;
      }
    }
  }
  rt.model = primary ? "minilm" : "lexical";
  rt.service = make_classifier_service(*lexical, std::move(primary), cc, std::move(metrics));
  log << "classifier: " << rt.model << " (deadline " << cc.timeout.count() << " ms)" << std::endl;
  return rt;
}

void classifier_runtime::wire(server::server_options& so, gateway_handler& handler) const {
  if (!so.readiness) so.readiness = std::make_shared<server::readiness_registry>();
  register_readiness(*so.readiness);
  handler.attach_classifier(service);
}

void classifier_runtime::register_readiness(server::readiness_registry& readiness) const {
  auto svc = service;
  const std::string m = model.empty() ? std::string("none") : model;
  const std::string state = minilm_state;
  readiness.add(
      "classifier",
      [svc] {
        if (!svc) return std::string();  // disabled: requests route the default task
        return svc->stopped() ? std::string("stopped") : std::string();
      },
      [m, state] {
        return std::vector<std::pair<std::string, std::string>>{{"model", m}, {"minilm", state}};
      });
}

}  // namespace gi::app
