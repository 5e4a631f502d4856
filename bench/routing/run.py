#!/usr/bin/env python3
"""Routing simulation benchmark (issue 8 item 9): does routing pay?

Drives the real gateway (`gammainfra serve`, one process per strategy so live statistics and
circuits do not mix) against the real mock upstream (`gammainfra mock-upstream`) with scripted
latency distributions (mock fault grammar: latency_ms + jitter_ms + a slow tail), a provider
outage (provider A's mock process is SIGSTOPped for the middle of the run: its connections
hang until the gateway's 2 s TTFB timeout) and a 429 storm (provider B answers 429 with
Retry-After to half of its requests, all run long). All strategies run at the same time, so
they see the same outage window.

Strategies (same chat chain A, B, C, D; WORKERS threads each, one request per INTERVAL):
  direct        pinned to A with X-GammaInfra-Fallback: off (a plain single-provider proxy)
  static        the configured order with fallback, no live stats (routing.latency.live: false)
  live-p50      live ranking (p50, error rate, circuits), X-GammaInfra-Hedge: off
  live+hedge    live ranking and hedging (X-GammaInfra-Hedge: on; delay = leader's p90)

Request i of every strategy has the same body, so the mock draws the same latency for the
same endpoint: the comparison is paired. Reports success rate, p50/p95/p99 latency (client
side, failures included at their time), billed cost per 1k requests and the hedge waste.

usage: bench/routing/run.py [--binary build/release/gammainfra] [--duration 90] [--workers 4]
                           [--interval 0.5]
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

KEY = "sk-gammainfra-bench-routing-0000000000001"

# id, mock process, model spec (mock fault grammar), price in/out per 1M, quality
ENDPOINTS = [
    ("a/primary", "A", "gpt-4o-mini@latency_ms=150,jitter_ms=200,tail_pct=8,tail_ms=1500", "0.15", "0.6", "0.85"),
    ("b/storm", "BCD", "gpt-4o-mini@latency_ms=250,jitter_ms=250,tail_pct=5,tail_ms=1000,fault=429,fault_pct=50,retry_after=1", "0.4", "1.6", "0.80"),
    ("c/steady", "BCD", "gpt-4o-mini@latency_ms=300,jitter_ms=150,tail_pct=2,tail_ms=800", "1.0", "4.0", "0.85"),
    ("d/premium", "BCD", "gpt-4o-mini@latency_ms=400,jitter_ms=300,tail_pct=3,tail_ms=1200", "3.0", "15.0", "0.90"),
]

STRATEGIES = [
    # name, live stats, headers, model
    ("direct", False, {"X-GammaInfra-Fallback": "off"}, "a/primary"),
    ("static", False, {}, "auto"),
    ("live-p50", True, {"X-GammaInfra-Hedge": "off"}, "auto"),
    ("live+hedge", True, {"X-GammaInfra-Hedge": "on"}, "auto"),
]


def start(cmd, pattern, env=None):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        m = re.search(pattern, line)
        if m:
            threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
            return p, int(m.group(1))
    p.kill()
    sys.exit("could not start: %s" % " ".join(cmd))


def gateway_yaml(mock_ports, live):
    eps = ""
    for eid, proc, model, pin, pout, q in ENDPOINTS:
        eps += (f"  - id: {eid}\n    provider: openai\n    model: \"{model}\"\n"
                f"    base_url: http://127.0.0.1:{mock_ports[proc]}/v1\n    api_key_env: BENCH_MOCK_KEY\n"
                f"    prices: {{input: \"{pin}\", output: \"{pout}\"}}\n"
                f"    quality: {{chat: {q}}}\n    quality_source: \"estimate: benchmark endpoint\"\n")
    sha = hashlib.sha256(KEY.encode()).hexdigest()
    return ("catalog: false\n"
            "server: {host: 127.0.0.1, port: 0, threads: 1}\n"
            "logging: {access_log: false}\n"
            f"auth: {{keys: [{{id: bench, sha256: {sha}}}]}}\n"
            "upstream: {timeouts: {ttfb: 2s, total: 10s}}\n"
            "endpoints:\n" + eps +
            "routing:\n  default_task: chat\n  chains:\n    chat: [a/primary, b/storm, c/steady, d/premium]\n"
            "  hedge: {default: \"off\", min_delay: 100ms, max_delay: 2s}\n"
            f"  latency: {{live: {'true' if live else 'false'}, window: 60s, refresh: 5s, min_samples: 5}}\n")


def worker(port, name, headers, model, stop_at, counter, lock, out, interval):
    # Paced: one request every `interval` seconds per worker (or right away when behind), so
    # every strategy offers the same load and a fail-fast strategy does not flood.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    next_t = time.time()
    while True:
        now = time.time()
        if next_t > now:
            time.sleep(next_t - now)
        next_t += interval
        if time.time() >= stop_at:
            break
        with lock:
            i = counter[0]
            counter[0] += 1
        body = json.dumps({"model": model, "messages": [{"role": "user", "content": f"bench request {i}"}]})
        h = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}
        h.update(headers)
        t0 = time.time()
        try:
            conn.request("POST", "/v1/chat/completions", body, h)
            r = conn.getresponse()
            r.read()
            ok = r.status == 200
            cost = float(r.getheader("X-GammaInfra-Cost-USD") or 0)
            hedged = r.getheader("X-GammaInfra-Hedged") == "true"
            endpoint = r.getheader("X-GammaInfra-Endpoint") or "-"
        except Exception as e:
            if os.environ.get("BENCH_DEBUG"):
                print(name, "request failed:", repr(e), file=sys.stderr)
            ok, cost, hedged, endpoint = False, 0.0, False, "-"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        out.append((t0, time.time() - t0, ok, cost, hedged, endpoint))


def metric(port, name):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    m = re.search(r"^%s (\d+)" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else 0


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = min(len(sorted_vals) - 1, int(round(p / 100.0 * (len(sorted_vals) - 1))))
    return sorted_vals[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.environ.get("GI_BINARY", "build/release/gammainfra"))
    ap.add_argument("--duration", type=float, default=90)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between a worker's requests")
    args = ap.parse_args()
    procs = []
    try:
        mock_ports = {}
        for name in ("A", "BCD"):
            p, port = start([args.binary, "mock-upstream", "--port", "0"], r"listening on http://127\.0\.0\.1:(\d+)")
            procs.append(p)
            mock_ports[name] = port
            if name == "A":
                mock_a = p
        tmp = tempfile.mkdtemp(prefix="gi-bench-routing-")
        gateways = {}
        for name, live, headers, model in STRATEGIES:
            path = os.path.join(tmp, name + ".yaml")
            with open(path, "w") as f:
                f.write(gateway_yaml(mock_ports, live))
            env = dict(os.environ, BENCH_MOCK_KEY="sk-mock-bench")  # the mock wants a bearer, any
            p, port = start([args.binary, "serve", "--config", path], r"listening on http://127\.0\.0\.1:(\d+)", env)
            procs.append(p)
            gateways[name] = port

        t_start = time.time()
        stop_at = t_start + args.duration
        outage = (t_start + args.duration * 0.35, t_start + args.duration * 0.75)
        results = {n: [] for n, *_ in STRATEGIES}
        threads = []
        for name, live, headers, model in STRATEGIES:
            counter, lock = [0], threading.Lock()
            for _ in range(args.workers):
                t = threading.Thread(target=worker, args=(gateways[name], name, headers, model, stop_at,
                                                           counter, lock, results[name], args.interval))
                t.start()
                threads.append(t)
        time.sleep(outage[0] - time.time())
        mock_a.send_signal(signal.SIGSTOP)
        print("provider A down (SIGSTOP) at t=%.0fs" % (time.time() - t_start), file=sys.stderr)
        time.sleep(max(0, outage[1] - time.time()))
        mock_a.send_signal(signal.SIGCONT)
        print("provider A back (SIGCONT) at t=%.0fs" % (time.time() - t_start), file=sys.stderr)
        for t in threads:
            t.join()

        print("| strategy | requests | success | p50 ms | p95 ms | p99 ms | cost / 1k req (billed) | hedge waste / 1k | hedged |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        summary = {}
        for name, *_ in STRATEGIES:
            rs = results[name]
            n = len(rs)
            ok = sum(1 for r in rs if r[2])
            lat = sorted(r[1] * 1000 for r in rs)
            cost = sum(r[3] for r in rs)
            hedged = sum(1 for r in rs if r[4])
            waste = metric(gateways[name], "gammainfra_router_hedge_waste_nano_usd_total") / 1e9
            summary[name] = dict(n=n, ok=ok, p50=pct(lat, 50), p95=pct(lat, 95), p99=pct(lat, 99))
            print("| %s | %d | %.1f %% | %.0f | %.0f | %.0f | $%.4f | $%.4f | %.1f %% |" % (
                name, n, 100.0 * ok / max(n, 1), pct(lat, 50), pct(lat, 95), pct(lat, 99),
                1000 * cost / max(n, 1), 1000 * waste / max(n, 1), 100.0 * hedged / max(n, 1)))
        d, h = summary["direct"], summary["live+hedge"]
        print("\nclaim 'hedging lowers p95 versus going direct': %s (p95 %.0f ms -> %.0f ms)" % (
            "holds" if h["p95"] < d["p95"] else "does NOT hold", d["p95"], h["p95"]))
    finally:
        for p in procs:
            try:
                p.send_signal(signal.SIGCONT)
                p.terminate()
                p.wait(timeout=15)
            except Exception:
                p.kill()


if __name__ == "__main__":
    main()
