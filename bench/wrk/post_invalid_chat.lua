-- wrk script: POST /v1/chat/completions with a body the decoder rejects (400): measures
-- the server's read + auth + decode + error-encode path without any upstream.
wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"user"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("GI_BENCH_KEY") or "sk-gammainfra-bench")

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("latency p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
