#pragma once
// The task classifier of `serve` and `demo` (design §4.8, issue 9 §6; docs/classifier.md):
// builds the classify::service from the `classifier:` config, feeds its answers into the
// classifier_* metrics, registers it with /readyz and hands it to the chat handler, which
// classifies `model: auto` requests without X-GammaInfra-Task.
//
// Model choice (classifier.encoder):
//   lexical  the shipped model (built into the binary; cannot fail)
//   auto     MiniLM when its files and head are installed in the data dir, else lexical;
//            files present but broken (corrupt, lock mismatch, head missing) → lexical and a
//            warning on `log` (never a crash, never wrong weights)
//   minilm   MiniLM or a start-up error naming what is missing

#include <iosfwd>
#include <memory>
#include <string>

#include "app/gateway_handler.h"
#include "classify/service.h"
#include "config/config.h"
#include "core/result.h"
#include "server/gateway_server.h"
#include "telemetry/metrics.h"

namespace gi::app {

struct classifier_runtime {
  std::shared_ptr<classify::service> service;  // null when classifier.enabled is false
  std::string model;                           // "minilm" | "lexical" | "" (disabled)
  std::string minilm_state;                    // "loaded" | "not installed" | the load error

  // /readyz "classifier" (ready while the service runs; details: model, MiniLM state) and
  // the chat handler's classifier. Call before the server starts.
  void wire(server::server_options& so, gateway_handler& handler) const;
  void register_readiness(server::readiness_registry& readiness) const;
  // Answers anything still queued from the lexical model and joins the workers. Call after
  // the server drained and before its io_contexts are destroyed.
  void stop() const {
    if (service) service->stop();
  }
};

core::result<classifier_runtime> start_classifier(const config::snapshot& cfg,
                                                  std::shared_ptr<telemetry::metrics_registry> metrics,
                                                  std::ostream& log);

// A service around the given classifiers with the config's deadline, queue, cache and
// threads, observed by the classifier_* metrics (tests inject a slow primary through this).
std::shared_ptr<classify::service> make_classifier_service(std::shared_ptr<const classify::lexical_model> lexical,
                                                           std::shared_ptr<const classify::classifier> primary,
                                                           const config::classifier_config& cc,
                                                           std::shared_ptr<telemetry::metrics_registry> metrics);

}  // namespace gi::app
