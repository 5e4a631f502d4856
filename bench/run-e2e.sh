#!/usr/bin/env bash
# End-to-end overhead benchmark of the GammaInfra gateway (issue 4 item 7 and "Targets").
# One run, same machine state, pinned cores: the mock upstream (nginx answering from memory),
# nginx proxy_pass in front of it (the raw-proxy ceiling) and the gateway in front of it are
# measured one after another, then compared. See bench/README.md for what every number means.
#
#   bench/run-e2e.sh                       # about 8 minutes
#   GI_BINARY=build/bench/gammainfra PERF=1 bench/run-e2e.sh
#
# Needs: nginx + libnginx-mod-http-echo, wrk, curl, python3, cc, taskset (scripts/install-deps
# lists them); perf only with PERF=1. Everything listens on 127.0.0.1 only; every measurement
# has a fixed duration.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

# ---- knobs (environment) ----
GI_BINARY=${GI_BINARY:-$root/build/release/gammainfra}
DURATION=${DURATION:-8}            # seconds per wrk measurement
WARMUP=${WARMUP:-3}                # seconds of unmeasured load before each target and suite
CONC_TPUT=${CONC_TPUT:-64}         # wrk connections for throughput
CONC_LAT=${CONC_LAT:-8}            # wrk connections for latency percentiles
WRK_THREADS=${WRK_THREADS:-1}
RATE=${RATE:-1000}                 # open-loop request rate (ratebench), requests/s, non-stream
STREAM_RATE=${STREAM_RATE:-500}    # open-loop rate for the stream suite (1000/s saturates the gateway today)
RATE_DURATION=${RATE_DURATION:-8}
RATE_CONNS=${RATE_CONNS:-64}
TTFB_N=${TTFB_N:-100}              # sequential paced streams for time to first content, per round
TTFB_ROUNDS=${TTFB_ROUNDS:-5}      # rounds of direct, nginx, gateway in turn
IDLE_CONNS=${IDLE_CONNS:-1000}     # idle keep-alive client connections for the RSS probe
IDLE_HOLD=${IDLE_HOLD:-6}
SLOW_STREAMS=${SLOW_STREAMS:-1000} # concurrent slow streams (events 100 ms apart)
SLOW_DURATION=${SLOW_DURATION:-8}
GAP_RATES=${GAP_RATES:-25 100 500}  # gap suite: open-loop json rates on ONE connection (40/10/2 ms between requests)
GAP_DURATION=${GAP_DURATION:-5}
GAP_N=${GAP_N:-1000}               # gap suite: back-to-back sequential requests (no gap) for the baseline row
SUITES=${SUITES:-json stream ttfb gap idle slow}
TARGETS=${TARGETS:-direct nginx gateway}
REPEAT_DIRECT=${REPEAT_DIRECT:-1}  # measure direct again after the others: the noise yardstick
SUT_CPUS=${SUT_CPUS:-0}            # nginx proxy and gateway
MOCK_CPUS=${MOCK_CPUS:-$SUT_CPUS}  # the mock upstream (shares the SUT core by default, like the reference)
LOADGEN_CPUS=${LOADGEN_CPUS:-1}    # wrk, ratebench, connhold
ACCESS_LOG=${ACCESS_LOG:-false}    # gateway access log (nginx runs with access_log off)
GATEWAY_PORT=${GATEWAY_PORT:-18200}
PERF=${PERF:-0}                    # 1: after the measurements, perf-record the gateway under wrk load
NICE=${NICE:-0}                    # e.g. -10 (root): run everything of the benchmark at this nice level, so
                                   # that other work on a shared machine does not preempt the targets
BENCH_TMP=${BENCH_TMP:-${TMPDIR:-/tmp}/gi-e2e-bench-$(id -u)}
NGINX_ECHO_MODULE=${NGINX_ECHO_MODULE:-/usr/lib/nginx/modules/ngx_http_echo_module.so}

# Fixed loopback ports (bench/configs/nginx-*.conf): mock 18180 json, 18181 stream, 18182 paced
# (2 ms), 18183 slow (100 ms); proxy = mock port + 10; gateway GATEWAY_PORT routes by model name.
API_KEY=sk-gammainfra-bench-0000          # the gateway's client key (its sha256 goes in the config)
UPSTREAM_KEY=sk-bench-upstream-0000       # what the gateway sends upstream (the mock ignores it)

if [[ $NICE != 0 ]]; then renice -n "$NICE" -p $$ >/dev/null; fi  # inherited by everything started below
ts=$(date -u +%Y%m%dT%H%M%SZ)
run=$BENCH_TMP/run-$ts
mkdir -p "$run" "$BENCH_TMP/bin"
meas=$run/measurements.jsonl
: > "$meas"
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

for tool in nginx wrk curl python3 taskset cc sha256sum; do
  command -v "$tool" >/dev/null || { echo "missing $tool (see bench/README.md)" >&2; exit 1; }
done
[[ -x $GI_BINARY ]] || { echo "no gateway binary at $GI_BINARY (set GI_BINARY)" >&2; exit 1; }
[[ -f $NGINX_ECHO_MODULE ]] || { echo "missing nginx echo module $NGINX_ECHO_MODULE" >&2; exit 1; }
for t in ratebench connhold; do
  if [[ ! -x $BENCH_TMP/bin/$t || $here/tools/$t.c -nt $BENCH_TMP/bin/$t ]]; then
    cc -O2 -Wall -o "$BENCH_TMP/bin/$t" "$here/tools/$t.c"
  fi
done
RB=$BENCH_TMP/bin/ratebench CH=$BENCH_TMP/bin/connhold

# ---- start / stop what this run owns ----
nginx_pids=() gw_pid=''
stop_pid() { kill -TERM "$1" 2>/dev/null || return 0; for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; kill -KILL "$1" 2>/dev/null || true; }
cleanup() {
  set +e
  if [[ -n $gw_pid ]]; then
    stop_pid "$gw_pid"
    wait "$gw_pid" 2>/dev/null
    local rc=$?
    ((rc == 0 || rc == 143)) || log "WARNING: the gateway exited with status $rc on SIGTERM (log: $run/gateway.log)"
  fi
  for p in "${nginx_pids[@]}"; do stop_pid "$p"; done
  wait 2>/dev/null
  log "stopped everything this run started"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in 18180 18190 "$GATEWAY_PORT"; do
  port_busy "$p" && { echo "port $p is busy: another run? stop it first" >&2; exit 1; }
done

start_nginx() {  # NAME CPUS [extra args]
  local name=$1 cpus=$2; shift 2
  local prefix=$run/nginx-$name
  mkdir -p "$prefix/tmp"
  taskset -c "$cpus" nginx -p "$prefix/" -c "$here/configs/nginx-$name.conf" -e "$prefix/error.log" "$@"
  for _ in $(seq 50); do [[ -s $prefix/nginx.pid ]] && break; sleep 0.1; done
  [[ -s $prefix/nginx.pid ]] || { echo "nginx-$name did not start: $prefix/error.log" >&2; exit 1; }
  nginx_pids+=("$(cat "$prefix/nginx.pid")")
}
start_nginx mock "$MOCK_CPUS" -g "load_module $NGINX_ECHO_MODULE;"
start_nginx proxy "$SUT_CPUS"

sed -e "s/@PORT@/$GATEWAY_PORT/" -e "s/@KEY_SHA256@/$(printf %s "$API_KEY" | sha256sum | cut -d' ' -f1)/" \
    -e "s/@ACCESS_LOG@/$ACCESS_LOG/" \
    -e "s#@MOCK_BASE@#http://127.0.0.1:18180/v1#" -e "s#@MOCK_STREAM_BASE@#http://127.0.0.1:18181/v1#" \
    -e "s#@MOCK_PACED_BASE@#http://127.0.0.1:18182/v1#" -e "s#@MOCK_SLOW_BASE@#http://127.0.0.1:18183/v1#" \
    "$here/configs/gateway.yaml.in" > "$run/gateway.yaml"
if [[ " $TARGETS " == *" gateway "* ]]; then
  GI_BENCH_UPSTREAM_KEY=$UPSTREAM_KEY taskset -c "$SUT_CPUS" "$GI_BINARY" serve --config "$run/gateway.yaml" \
    > "$run/gateway.log" 2>&1 &
  gw_pid=$!
fi

payload() { case $1 in json) echo "$here/configs/payloads/chat.json" ;; stream) echo "$here/configs/payloads/chat-stream.json" ;;
                       paced) echo "$here/configs/payloads/chat-paced.json" ;; slow) echo "$run/chat-slow.json" ;; esac; }
sed 's/"mock-paced"/"mock-slow"/' "$here/configs/payloads/chat-paced.json" > "$run/chat-slow.json"
mock_port() { case $1 in json) echo 18180 ;; stream) echo 18181 ;; paced) echo 18182 ;; slow) echo 18183 ;; esac; }

# set_target TARGET KIND -> URL, BODY, HDRS
set_target() {
  local p; p=$(mock_port "$2")
  BODY=$(payload "$2")
  HDRS=("Authorization: Bearer $API_KEY")   # direct/nginx: the mock only wants *a* bearer key
  case $1 in
    direct|direct-again) URL=http://127.0.0.1:$p/v1/chat/completions ;;
    nginx) URL=http://127.0.0.1:$((p + 10))/v1/chat/completions ;;
    gateway) URL=http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions ;;
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}

smoke() {  # TARGET KIND: one request, 200 with the mock's answer (and [DONE] for streams)
  set_target "$1" "$2"
  local out=$run/smoke.$1.$2 code
  code=$(curl -s -o "$out" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' \
         -H "${HDRS[0]}" --data-binary @"$BODY" "$URL" || true)
  if [[ $code == 200 ]] && grep -q jittered "$out" && { [[ $2 == json ]] || grep -q '^data: \[DONE\]' "$out"; }; then
    return 0
  fi
  log "SMOKE FAIL $1/$2: HTTP $code from $URL: $(head -c 300 "$out")"
  return 1
}

if [[ -n $gw_pid ]]; then
  for i in $(seq 100); do smoke gateway json 2>/dev/null && break; kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.1; done
  smoke gateway json || { log "gateway not ready; log:"; cat "$run/gateway.log" >&2; exit 1; }
  log "gateway ready (pid $gw_pid, $(cat "$run/gateway.log" | head -1))"
fi

save() {  # FILE TARGET SUITE KIND [ROUND]
  python3 - "$meas" "$@" <<'PY'
import json, sys
out, f, t, s, k = sys.argv[1:6]
try:
    data = json.loads(open(f).read().strip().splitlines()[-1])
except Exception as e:
    print(f"cannot read {f}: {e}", file=sys.stderr); sys.exit(0)
m = {"target": t, "suite": s, "kind": k, "data": data}
if len(sys.argv) > 6:
    m["round"] = int(sys.argv[6])
open(out, "a").write(json.dumps(m) + "\n")
PY
}

# CPU time (user, kernel) of the process serving TARGET and of the mock, in clock ticks, from
# /proc/PID/stat: read around the throughput run to give CPU per request.
sut_pid() { case $1 in nginx) pgrep -P "${nginx_pids[1]}" | head -1 ;; gateway) echo "$gw_pid" ;; *) echo '' ;; esac; }
mock_pid() { pgrep -P "${nginx_pids[0]}" | head -1; }
cpu_ticks() { if [[ -n $1 ]]; then awk '{print $14 + 0, $15 + 0}' "/proc/$1/stat" 2>/dev/null || echo '0 0'; else echo '0 0'; fi; }

wrk_run() {  # TARGET SUITE KIND CONNS SECONDS
  local out=$run/$1.$2.$3 sp mp s0 s1 m0 m1
  sp=$(sut_pid "$1") mp=$(mock_pid)
  s0=$(cpu_ticks "$sp") m0=$(cpu_ticks "$mp")
  taskset -c "$LOADGEN_CPUS" wrk -t"$WRK_THREADS" -c"$4" -d"$5s" --timeout 10s "$URL" \
    -s "$here/tools/post.lua" -- "$BODY" "${HDRS[@]}" > "$out.txt" 2>&1 || true
  s1=$(cpu_ticks "$sp") m1=$(cpu_ticks "$mp")
  sed -n 's/^WRK_JSON //p' "$out.txt" > "$out.json"
  [[ -s $out.json ]] || { log "wrk failed, see $out.txt"; return 0; }
  [[ $3 == warmup ]] || save "$out.json" "$1" "$2" "$3"
  if [[ $3 == tput ]]; then
    read -r su0 ss0 <<< "$s0"; read -r su1 ss1 <<< "$s1"; read -r mu0 ms0 <<< "$m0"; read -r mu1 ms1 <<< "$m1"
    printf '{"clk_tck":%d,"has_sut":%s,"sut_user":%d,"sut_sys":%d,"mock_user":%d,"mock_sys":%d}\n' \
      "$(getconf CLK_TCK)" "$([[ -n $sp ]] && echo true || echo false)" $((su1 - su0)) $((ss1 - ss0)) \
      $((mu1 - mu0)) $((ms1 - ms0)) > "$out.cpu.json"
    save "$out.cpu.json" "$1" "$2" cpu
  fi
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
scrape_overhead_hist() {  # FILE: the gateway's overhead histogram buckets, as Prometheus text
  curl -s --max-time 5 -H "Authorization: Bearer $API_KEY" "http://127.0.0.1:$GATEWAY_PORT/metrics" \
    | grep '^gammainfra_gateway_overhead_seconds' > "$1" || true
}

rate_run() {  # TARGET SUITE
  local out=$run/$1.$2.rate extra=()
  [[ $2 == stream ]] && extra+=(-e '"Retry"')
  [[ $1 == gateway ]] && { extra+=(-x X-GammaInfra-Overhead-Ms); scrape_overhead_hist "$out.hist0"; }
  local rate=$RATE
  [[ $2 == stream ]] && rate=$STREAM_RATE
  taskset -c "$LOADGEN_CPUS" "$RB" -r "$rate" -d "$RATE_DURATION" -w "$WARMUP" -c "$RATE_CONNS" \
    -b "$BODY" -H "${HDRS[0]}" "${extra[@]}" "$URL" > "$out.json" 2> "$out.err" || { log "ratebench failed: $(cat "$out.err")"; return 0; }
  [[ $1 == gateway ]] && scrape_overhead_hist "$out.hist1"
  save "$out.json" "$1" "$2" rate
}

ttfb_run() {  # TARGET ROUND: sequential paced streams on one connection; "Retry" is the first content token
  set_target "$1" paced
  local out=$run/$1.paced.ttfb.r$2
  taskset -c "$LOADGEN_CPUS" "$RB" -n "$TTFB_N" -w 10 -b "$BODY" -H "${HDRS[0]}" -e '"Retry"' "$URL" \
    > "$out.json" 2> "$out.err" || { log "ratebench failed: $(cat "$out.err")"; return 0; }
  save "$out.json" "$1" paced ttfb "$2"
}

idle_run() {  # gateway only: RSS before and while IDLE_CONNS keep-alive connections sit idle
  set_target gateway json
  local out=$run/gateway.idle before during
  before=$(rss_kb "$gw_pid")
  taskset -c "$LOADGEN_CPUS" "$CH" -m idle -c "$IDLE_CONNS" -d "$IDLE_HOLD" -b "$BODY" -H "${HDRS[0]}" "$URL" \
    > "$out.txt" 2> "$out.err" &
  local ch=$!
  for _ in $(seq 150); do grep -q '^READY' "$out.txt" && break; sleep 0.1; done
  sleep 1
  during=$(rss_kb "$gw_pid")
  local fds; fds=$(ls "/proc/$gw_pid/fd" 2>/dev/null | wc -l)
  wait "$ch" || true
  python3 - "$out.txt" "$before" "$during" "$fds" "$IDLE_CONNS" > "$out.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
ready = next((json.loads(l[6:]) for l in lines if l.startswith("READY ")), {})
final = next((json.loads(l) for l in lines if l.startswith("{")), {})
print(json.dumps({"conns": int(sys.argv[5]), "rss_before_kb": int(sys.argv[2]), "rss_idle_kb": int(sys.argv[3]),
                  "gateway_fds": int(sys.argv[4]), "ready": ready, "final": final}))
PY
  save "$out.json" gateway idle rss
}

gap_run() {  # TARGET: json one request at a time, back to back and then GAP_RATES apart
  set_target "$1" json
  local extra=() r out
  [[ $1 == gateway ]] && extra+=(-x X-GammaInfra-Overhead-Ms)
  out=$run/$1.gap.seq
  taskset -c "$LOADGEN_CPUS" "$RB" -n "$GAP_N" -w 50 -b "$BODY" -H "${HDRS[0]}" "${extra[@]}" "$URL" \
    > "$out.json" 2> "$out.err" && save "$out.json" "$1" gap seq || log "ratebench failed: $(cat "$out.err")"
  for r in $GAP_RATES; do
    out=$run/$1.gap.r$r
    taskset -c "$LOADGEN_CPUS" "$RB" -r "$r" -d "$GAP_DURATION" -w 1 -c 1 -b "$BODY" -H "${HDRS[0]}" "${extra[@]}" "$URL" \
      > "$out.json" 2> "$out.err" && save "$out.json" "$1" gap "r$r" || log "ratebench failed: $(cat "$out.err")"
  done
}

slow_run() {  # TARGET: SLOW_STREAMS concurrent streams, events 100 ms apart
  set_target "$1" slow
  local out=$run/$1.slow peak=0 r
  taskset -c "$LOADGEN_CPUS" "$CH" -m stream -c "$SLOW_STREAMS" -d "$SLOW_DURATION" -R 1000 -s 1000 \
    -b "$BODY" -H "${HDRS[0]}" "$URL" > "$out.json" 2> "$out.err" &
  local ch=$!
  while kill -0 "$ch" 2>/dev/null; do
    [[ $1 == gateway ]] && { r=$(rss_kb "$gw_pid"); ((r > peak)) && peak=$r; }
    sleep 0.5
  done
  wait "$ch" || true
  [[ $1 == gateway ]] && python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); d["rss_peak_kb"]=int(sys.argv[2]); open(sys.argv[1],"w").write(json.dumps(d))' "$out.json" "$peak"
  save "$out.json" "$1" slow streams
}

order=$TARGETS
[[ $REPEAT_DIRECT == 1 && " $TARGETS " == *" direct "* ]] && order="$TARGETS direct-again"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(date +%s)
for suite in $SUITES; do
  case $suite in
    json|stream)
      for t in $order; do
        smoke "$t" "$suite" || continue
        log "$t/$suite: warm-up ${WARMUP}s, throughput c$CONC_TPUT, latency c$CONC_LAT, open loop $([[ $suite == json ]] && echo "$RATE" || echo "$STREAM_RATE")/s"
        wrk_run "$t" "$suite" warmup "$CONC_TPUT" "$WARMUP"
        wrk_run "$t" "$suite" tput "$CONC_TPUT" "$DURATION"
        wrk_run "$t" "$suite" lat "$CONC_LAT" "$DURATION"
        rate_run "$t" "$suite"
      done ;;
    ttfb)
      # Rounds of every target in turn: the machine's state drifts over minutes, and each
      # round's overhead is taken against direct in the same round.
      ttfb_targets=""
      for t in $order; do [[ $t == direct-again ]] || { smoke "$t" paced && ttfb_targets+=" $t"; }; done
      for round in $(seq "$TTFB_ROUNDS"); do
        log "paced, round $round/$TTFB_ROUNDS: time to first content over $TTFB_N sequential streams each:$ttfb_targets"
        for t in $ttfb_targets; do ttfb_run "$t" "$round"; done
      done ;;
    gap)
      for t in $order; do
        smoke "$t" json || continue
        log "$t/json: one request at a time, back to back and at $GAP_RATES/s"
        gap_run "$t"
      done ;;
    idle)
      [[ -n $gw_pid ]] || continue
      log "gateway: RSS with $IDLE_CONNS idle keep-alive connections"
      idle_run ;;
    slow)
      for t in $TARGETS; do
        smoke "$t" slow || continue
        log "$t: $SLOW_STREAMS concurrent slow streams for ${SLOW_DURATION}s"
        slow_run "$t"
      done ;;
    *) echo "unknown suite $suite" >&2; exit 2 ;;
  esac
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

if [[ $PERF == 1 && -n $gw_pid ]] && command -v perf >/dev/null; then
  for s in json stream; do
    set_target gateway "$s"
    log "perf: recording the gateway under wrk c$CONC_TPUT ($s, ${DURATION}s; not part of the numbers)"
    taskset -c "$LOADGEN_CPUS" perf record -q -g -F 999 -p "$gw_pid" -o "$run/perf.$s.data" -- sleep "$DURATION" \
      > "$run/perf.$s.log" 2>&1 &
    local_perf=$!
    wrk_run gateway "$s" warmup "$CONC_TPUT" "$DURATION"
    wait "$local_perf" || true
    perf report -i "$run/perf.$s.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
      | grep -E '^ +[0-9]' | sed 's/ \{2,\}/  /g' | cut -c1-180 | head -40 > "$run/perf.$s.top.txt" || true
    perf report -i "$run/perf.$s.data" --children --sort symbol --stdio -g none 2>/dev/null \
      | grep -E '^ +[0-9]' | sed 's/ \{2,\}/  /g' | cut -c1-180 | head -80 > "$run/perf.$s.children.txt" || true
  done
fi

gw_version=$([[ -n $gw_pid ]] && "$GI_BINARY" --version 2>/dev/null | head -1 || true)
python3 "$here/tools/report.py" "$meas" --run "$run" --ts "$ts" --load "$load_start -> $load_end" --conc-tput "$CONC_TPUT" \
  --wall "$(( $(date +%s) - t_start ))" --config "DURATION=$DURATION WARMUP=$WARMUP CONC_TPUT=$CONC_TPUT CONC_LAT=$CONC_LAT RATE=$RATE STREAM_RATE=$STREAM_RATE RATE_DURATION=$RATE_DURATION RATE_CONNS=$RATE_CONNS TTFB_N=$TTFB_N TTFB_ROUNDS=$TTFB_ROUNDS GAP_RATES=${GAP_RATES// /,} IDLE_CONNS=$IDLE_CONNS SLOW_STREAMS=$SLOW_STREAMS SUT_CPUS=$SUT_CPUS MOCK_CPUS=$MOCK_CPUS LOADGEN_CPUS=$LOADGEN_CPUS ACCESS_LOG=$ACCESS_LOG NICE=$NICE" \
  --gateway "$GI_BINARY $gw_version" | tee "$run/report.md"
[[ $PERF == 1 && -s $run/perf.json.top.txt ]] && { echo; echo "perf (json, self time):"; head -25 "$run/perf.json.top.txt"; }
log "raw output and report in $run"
