#pragma once
// Maps the config snapshot's upstream section onto client options and deadlines. Header-only
// so gi_upstream does not link gi_config (design §4.2: upstream depends on core only).

#include "config/config.h"
#include "upstream/client.h"

namespace gi::upstream {

inline client_options options_from_config(const config::upstream_config& c) {
  client_options o;
  o.http_proxy = c.http_proxy;
  o.tls_verify = c.tls_verify;
  o.pool_size_per_host = c.pool_size_per_host;
  o.max_inflight_per_host = c.max_inflight_per_endpoint;
  o.max_response_bytes = c.max_response_bytes;
  return o;
}

// Per-endpoint overrides (ttfb, total) win over the upstream section.
inline phase_deadlines deadlines_from_config(const config::upstream_config& c,
                                             const config::endpoint_config* ep = nullptr) {
  phase_deadlines d;
  d.connect = c.connect_timeout;
  d.tls = c.tls_timeout;
  d.write = c.write_timeout;
  d.ttfb = c.ttfb_timeout;
  d.stall = c.stall_timeout;
  d.total = c.total_timeout;
  if (ep != nullptr) {
    if (ep->ttfb_timeout) d.ttfb = *ep->ttfb_timeout;
    if (ep->total_timeout) d.total = *ep->total_timeout;
  }
  return d;
}

}  // namespace gi::upstream
