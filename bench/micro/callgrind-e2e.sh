#!/usr/bin/env bash
# Repeatable per-request CPU cost of the gateway: instructions (valgrind callgrind) spent by
# `gammainfra serve` per request, proxying to the nginx mock of bench/run-e2e.sh. On a noisy
# shared VM wall-clock numbers drift by tens of percent between runs; instruction counts do
# not, so this is the before/after measure for hot-path changes.
#
#   bench/micro/callgrind-e2e.sh                       # GI_BINARY=build/release/gammainfra
#   GI_BINARY=build/perf/gammainfra N=500 bench/micro/callgrind-e2e.sh
#
# For each suite (json: 1 KB request, 880 B answer; stream: 21 SSE events in one upstream
# segment) it sends WARM requests sequentially on one keep-alive connection (not counted),
# switches instrumentation on, sends N more and prints instructions per request. Output (the
# callgrind files, for callgrind_annotate) stays in $OUT. Ports are shifted by PORT_SHIFT so
# that a concurrent bench/run-e2e.sh is not disturbed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/.." && pwd)
GI_BINARY=${GI_BINARY:-$root/build/release/gammainfra}
N=${N:-300}
WARM=${WARM:-50}
SUITES=${SUITES:-json stream}
PORT_SHIFT=${PORT_SHIFT:-10000}
OUT=${OUT:-${TMPDIR:-/tmp}/gi-callgrind-$(id -u)}
NGINX_ECHO_MODULE=${NGINX_ECHO_MODULE:-/usr/lib/nginx/modules/ngx_http_echo_module.so}
API_KEY=sk-gammainfra-bench-0000
gw_port=$((18200 + PORT_SHIFT))

mkdir -p "$OUT/nginx/tmp" "$OUT/bin"
rm -f "$OUT"/callgrind.out.*
[[ -x $OUT/bin/ratebench && $OUT/bin/ratebench -nt $here/tools/ratebench.c ]] ||
  cc -O2 -Wall -o "$OUT/bin/ratebench" "$here/tools/ratebench.c"
RB=$OUT/bin/ratebench

# 1818X -> (18180 + PORT_SHIFT)/10 X; PORT_SHIFT must be a multiple of 10.
sed -E "s/127\.0\.0\.1:1818([0-3])/127.0.0.1:$(((18180 + PORT_SHIFT) / 10))\1/" \
  "$here/configs/nginx-mock.conf" > "$OUT/nginx-mock.conf"
mock_base=$((18180 + PORT_SHIFT))
sed -e "s/@PORT@/$gw_port/" -e "s/@KEY_SHA256@/$(printf %s "$API_KEY" | sha256sum | cut -d' ' -f1)/" \
    -e "s/@ACCESS_LOG@/false/" \
    -e "s#@MOCK_BASE@#http://127.0.0.1:$mock_base/v1#" \
    -e "s#@MOCK_STREAM_BASE@#http://127.0.0.1:$((mock_base + 1))/v1#" \
    -e "s#@MOCK_PACED_BASE@#http://127.0.0.1:$((mock_base + 2))/v1#" \
    -e "s#@MOCK_SLOW_BASE@#http://127.0.0.1:$((mock_base + 3))/v1#" \
    "$here/configs/gateway.yaml.in" > "$OUT/gateway.yaml"

nginx_pid='' gw_pid=''
cleanup() {
  set +e
  [[ -n $gw_pid ]] && kill -TERM "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null
  [[ -n $nginx_pid ]] && kill -TERM "$nginx_pid" 2>/dev/null
}
trap cleanup EXIT

nginx -p "$OUT/nginx/" -c "$OUT/nginx-mock.conf" -e "$OUT/nginx/error.log" -g "load_module $NGINX_ECHO_MODULE;"
for _ in $(seq 50); do [[ -s $OUT/nginx/nginx.pid ]] && break; sleep 0.1; done
nginx_pid=$(cat "$OUT/nginx/nginx.pid")

GI_BENCH_UPSTREAM_KEY=sk-bench-upstream-0000 valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$OUT/callgrind.out.%p" "$GI_BINARY" serve --config "$OUT/gateway.yaml" \
  > "$OUT/gateway.log" 2>&1 &
gw_pid=$!
for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$gw_port") 2>/dev/null && break; sleep 0.1; done

url=http://127.0.0.1:$gw_port/v1/chat/completions
for s in $SUITES; do
  case $s in
    json) body=$here/configs/payloads/chat.json extra=() ;;
    stream) body=$here/configs/payloads/chat-stream.json extra=(-e '"Retry"') ;;
    paced) body=$here/configs/payloads/chat-paced.json extra=(-e '"Retry"') ;;
  esac
  "$RB" -n "$WARM" -w 1 -b "$body" -H "Authorization: Bearer $API_KEY" "${extra[@]}" "$url" > /dev/null
  callgrind_control -z "$gw_pid" > /dev/null
  callgrind_control -i on "$gw_pid" > /dev/null
  "$RB" -n "$N" -w 0 -b "$body" -H "Authorization: Bearer $API_KEY" "${extra[@]}" "$url" > "$OUT/$s.rb.json"
  callgrind_control -i off "$gw_pid" > /dev/null
  callgrind_control -d "$s" "$gw_pid" > /dev/null
  f=$(ls -t "$OUT"/callgrind.out.*.* | head -n 1 || true)
  ir=$(sed -n 's/^totals: *//p' "$f" | head -n 1)
  errs=$(python3 -c "import json; print(sum(json.load(open('$OUT/$s.rb.json'))['errors'].values()))" 2>/dev/null || echo '?')
  printf '%-7s N=%-5s instructions/request %10d   (file %s, errors %s)\n' "$s" "$N" $((ir / N)) "$f" "$errs"
done
