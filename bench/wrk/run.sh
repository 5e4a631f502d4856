#!/usr/bin/env bash
# End-to-end load check of the HTTP server with wrk (issue 3 item 11). Builds nothing:
# runs build/release/gammainfra (./scripts/build) with a minimal config on a free port,
# server pinned to CPU 0 and wrk to CPU 1, against
#   1. GET /healthz
#   2. POST /v1/chat/completions with an invalid body (authenticated, rejected with 400)
# and prints requests/s and latency percentiles.
#
# Usage: bench/wrk/run.sh [duration=10s] [connections=32]
# Env:   GI_BINARY (default build/release/gammainfra), WRK_THREADS (default 1)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${GI_BINARY:-$root/build/release/gammainfra}"
duration="${1:-10s}"
conns="${2:-32}"
wrk_threads="${WRK_THREADS:-1}"

for tool in wrk taskset python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "bench/wrk: '$tool' not found (scripts/install-deps)" >&2; exit 1; }
done
[[ -x "$bin" ]] || { echo "bench/wrk: $bin not built (run ./scripts/build)" >&2; exit 1; }

# A free port: bind 0, read it, release it (tiny race window, fine for a benchmark).
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
key="sk-gammainfra-bench-$(date +%s)"
digest="$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/gammainfra.yaml" <<YAML
server:
  host: 127.0.0.1
  port: $port
  threads: 1
auth:
  keys:
    - id: bench
      sha256: "$digest"
logging:
  level: warn
  access_log: false
YAML

taskset -c 0 "$bin" serve --config "$work/gammainfra.yaml" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.05
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }

status="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $key" -d '{"model":"gpt-4o-mini","messages":[{"role":"user"}]}' \
  "http://127.0.0.1:$port/v1/chat/completions")"
[[ "$status" == 400 ]] || { echo "bench/wrk: expected 400 from the invalid chat request, got $status" >&2; exit 1; }

echo "$("$bin" --version 2>/dev/null || true) on 127.0.0.1:$port; server: taskset -c 0, 1 I/O thread; wrk: taskset -c 1, $wrk_threads thread(s), $conns connections, $duration"
echo
echo "== GET /healthz"
taskset -c 1 wrk -t"$wrk_threads" -c"$conns" -d"$duration" --latency \
  -s "$root/bench/wrk/healthz.lua" "http://127.0.0.1:$port/healthz" | grep -E 'Requests/sec|Latency |latency p|Non-2xx|Socket errors|requests in'
echo
echo "== POST /v1/chat/completions (invalid body -> 400)"
GI_BENCH_KEY="$key" taskset -c 1 wrk -t"$wrk_threads" -c"$conns" -d"$duration" --latency \
  -s "$root/bench/wrk/post_invalid_chat.lua" "http://127.0.0.1:$port/v1/chat/completions" \
  | grep -E 'Requests/sec|Latency |latency p|Non-2xx|Socket errors|requests in'
