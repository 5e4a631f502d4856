#!/usr/bin/env bash
# Starts the gateway as the candidate of the reference harness (../shared/bench/run.sh, copied
# to /tmp): writes a config from bench/configs/gateway.yaml.in with the mock base URLs that
# run.sh exports (MOCK_BASE, MOCK_STREAM_BASE, MOCK_PACED_BASE) and execs `gammainfra serve`
# in the foreground (run.sh pins it with taskset and stops it with SIGTERM). Usage: see
# bench/README.md ("Reference harness").
#   GI_BINARY            gateway binary (default build/release/gammainfra)
#   GI_BENCH_PORT        listen port (default 18200)
#   GI_BENCH_CLIENT_KEY  bearer key clients send (default sk-gammainfra-bench-0000; give the same
#                        in CANDIDATE_HEADERS)
#   GI_BENCH_ACCESS_LOG  gateway access log true|false (default false, like the nginx targets)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${GI_BINARY:-$here/../build/release/gammainfra}
: "${MOCK_BASE:?run me from ../shared/bench/run.sh (CANDIDATE_CMD)}" "${MOCK_STREAM_BASE:?}" "${MOCK_PACED_BASE:?}"
cfg=${TMPDIR:-/tmp}/gi-candidate-$(id -u).yaml
sed -e "s/@PORT@/${GI_BENCH_PORT:-18200}/" \
    -e "s/@KEY_SHA256@/$(printf %s "${GI_BENCH_CLIENT_KEY:-sk-gammainfra-bench-0000}" | sha256sum | cut -d' ' -f1)/" \
    -e "s/@ACCESS_LOG@/${GI_BENCH_ACCESS_LOG:-false}/" \
    -e "s#@MOCK_BASE@#$MOCK_BASE#" -e "s#@MOCK_STREAM_BASE@#$MOCK_STREAM_BASE#" \
    -e "s#@MOCK_PACED_BASE@#$MOCK_PACED_BASE#" -e "s#@MOCK_SLOW_BASE@#$MOCK_PACED_BASE#" \
    "$here/configs/gateway.yaml.in" > "$cfg"
# The reference mock ignores the key, but the gateway only calls endpoints whose key is set.
export GI_BENCH_UPSTREAM_KEY=${GI_BENCH_UPSTREAM_KEY:-sk-bench-upstream-0000}
exec "$bin" serve --config "$cfg"
