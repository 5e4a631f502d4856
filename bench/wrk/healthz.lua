-- wrk script: GET /healthz; prints latency percentiles.
done = function(summary, latency, requests)
  io.write(string.format("latency p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
