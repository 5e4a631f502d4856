#!/usr/bin/env python3
"""Turns bench/run-e2e.sh measurements into Markdown tables and the issue-4 target check.

Input: measurements.jsonl (one {target, suite, kind, data} per line; data is the raw JSON of
wrk's post.lua, ratebench or connhold). Also writes <run>/results.json (everything, raw included).
Overhead = target minus direct at the same percentile, measured in the same run.
"""
import argparse
import json
import os
import platform
import re
import statistics

ap = argparse.ArgumentParser()
ap.add_argument("measurements")
ap.add_argument("--run", required=True)
ap.add_argument("--ts", required=True)
ap.add_argument("--load", default="")
ap.add_argument("--wall", default="")
ap.add_argument("--config", default="")
ap.add_argument("--gateway", default="")
ap.add_argument("--conc-tput", dest="conc_tput", default="64")
a = ap.parse_args()

M = [json.loads(l) for l in open(a.measurements) if l.strip()]


def get(t, s, k):
    for m in M:
        if m["target"] == t and m["suite"] == s and m["kind"] == k:
            return m["data"]
    return None


def f3(x):
    return "-" if x is None else f"{x:.3f}"


def sgn(x):
    return "-" if x is None else ("0" if x == 0 else f"{x:+.3f}")


def pct(x):
    return "-" if x is None else f"{100 * x:.0f}%"


def ratio(x):
    return "-" if x is None else f"{x:.2f}×"


TARGETS = [t for t in ["direct", "nginx", "gateway", "direct-again"] if any(m["target"] == t for m in M)]
out = []
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
out.append(f"## GammaInfra end-to-end benchmark {a.ts}")
out.append("")
out.append(f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; load average {a.load}; "
           f"wall {a.wall} s")
out.append(f"`{a.config}`  ")
out.append(f"gateway: `{a.gateway.strip()}`")
out.append("")
summary = {"closed_loop": {}, "rate": {}, "ttfb": {}, "own_time": {}, "idle": None, "slow": {}}

# ---- closed loop ----
for suite, title in [("json", "Non-streaming chat.completion (1 KB request, 880 B answer)"),
                     ("stream", "Streaming SSE (21 events sent at once)")]:
    dt, dl = get("direct", suite, "tput"), get("direct", suite, "lat")
    nt = get("nginx", suite, "tput")
    if not dt and not any(get(t, suite, "lat") for t in TARGETS):
        continue
    out.append(f"### {title} — wrk closed loop: RPS at c64, latency at c8")
    out.append("")
    out.append("| target | RPS | vs direct | vs nginx | p50 ms | p90 ms | p99 ms | added p50 | added p90 | added p99 | errors |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    summary["closed_loop"][suite] = {}
    for t in TARGETS:
        tp, la = get(t, suite, "tput"), get(t, suite, "lat")
        if not tp and not la:
            continue
        rps = tp["rps"] if tp else None
        lat = {p: la["lat_us"][p] / 1000 for p in ("p50", "p90", "p99")} if la else {}
        add = {p: (lat[p] - dl["lat_us"][p] / 1000) if dl and la else None for p in ("p50", "p90", "p99")}
        errs = sum((x or {}).get("errors", {}).get(k, 0) for x in (tp, la) for k in ("connect", "read", "write", "status", "timeout"))
        vs_d = rps / dt["rps"] if rps and dt else None
        vs_n = rps / nt["rps"] if rps and nt else None
        summary["closed_loop"][suite][t] = {"rps": rps, "rps_vs_direct": vs_d, "rps_vs_nginx": vs_n, "lat_ms": lat,
                                            "added_ms": add, "errors": errs}
        out.append(f"| {t} | {rps:.0f} | {pct(vs_d)} | {pct(vs_n)} | {f3(lat.get('p50'))} | {f3(lat.get('p90'))} | "
                   f"{f3(lat.get('p99'))} | {sgn(add['p50'])} | {sgn(add['p90'])} | {sgn(add['p99'])} | {errs} |"
                   if rps else f"| {t} | - | - | - | {f3(lat.get('p50'))} | - | - | - | - | - | {errs} |")
    out.append("")
    # CPU per request during the c64 run: what the throughput ratio is made of.
    cpu_rows, clk = [], None
    for t in TARGETS:
        c, tp = get(t, suite, "cpu"), get(t, suite, "tput")
        if not c or not tp or not tp.get("requests"):
            continue
        clk = c["clk_tck"]
        us = lambda ticks: ticks * 1e6 / c["clk_tck"] / tp["requests"]
        sut = (f"{us(c['sut_user']):.1f} | {us(c['sut_sys']):.1f} | {us(c['sut_user'] + c['sut_sys']):.1f}"
               if c["has_sut"] else "- | - | -")
        summary["closed_loop"][suite].setdefault(t, {})["cpu_us_per_request"] = (
            {"user": us(c["sut_user"]), "sys": us(c["sut_sys"])} if c["has_sut"] else None)
        cpu_rows.append(f"| {t} | {sut} | {us(c['mock_user'] + c['mock_sys']):.1f} |")
    if cpu_rows:
        out.append(f"CPU per request during the c{a.conc_tput} run (`/proc/PID/stat`, {clk} ticks/s; "
                   "nginx = its proxy worker; a 10 ms tick over ~8 s of load):")
        out.append("")
        out.append("| target | user µs | kernel µs | total µs | mock µs |")
        out.append("|---|---:|---:|---:|---:|")
        out += cpu_rows
        out.append("")

# ---- open loop ----
rows = []
for suite in ("json", "stream"):
    d = get("direct", suite, "rate")
    for t in TARGETS:
        r = get(t, suite, "rate")
        if not r:
            continue
        lat = {p: r["lat_us"][p] / 1000 for p in ("p50", "p90", "p99", "p999")}
        add = {p: (lat[p] - d["lat_us"][p] / 1000) if d else None for p in ("p50", "p90", "p99", "p999")}
        fc = r.get("first_content_us")
        dfc = d.get("first_content_us") if d else None
        e = {k: v for k, v in r["errors"].items() if v}
        sat = r["achieved_rps"] < 0.9 * r["target_rps"] or r["errors"].get("unsent") or r["errors"].get("timeout")
        summary["rate"].setdefault(suite, {})[t] = {"achieved_rps": r["achieved_rps"], "lat_ms": lat, "added_ms": add,
                                                    "first_content_p50_ms": fc["p50"] / 1000 if fc else None,
                                                    "errors": e, "saturated": bool(sat)}
        rows.append(f"| {suite} | {t} | {r['target_rps']:.0f} | {r['achieved_rps']:.0f} | {f3(lat['p50'])} | {f3(lat['p90'])} | "
                    f"{f3(lat['p99'])} | {f3(lat['p999'])} | {sgn(add['p50'])} | {sgn(add['p99'])} | "
                    f"{f3(fc['p50'] / 1000) if fc else '-'} | {sgn((fc['p50'] - dfc['p50']) / 1000) if fc and dfc else '-'} | "
                    f"{r['send_lag_us']['p99'] / 1000:.3f} | "
                    f"{', '.join(f'{k} {v}' for k, v in e.items()) + (' SATURATED' if sat else '') or '0'} |")
if rows:
    out.append("### Open loop — ratebench at a fixed rate (latency from the intended send time; no coordinated omission)")
    out.append("")
    out.append("| suite | target | rate/s | achieved/s | p50 ms | p90 ms | p99 ms | p99.9 ms | added p50 | added p99 | first content p50 ms | added first content p50 | client lag p99 ms | errors |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    out += rows
    out.append("")

# ---- time to first content ----
# Measured in rounds (every target in turn, TTFB_ROUNDS times). Per round, added = target
# minus direct of the same round; the table shows the median over rounds of each number.
def rounds_of(t):
    return {m.get("round", 1): m["data"] for m in M if m["target"] == t and m["suite"] == "paced" and m["kind"] == "ttfb"}


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


dr = rounds_of("direct")
rows = []
for t in TARGETS:
    rr_ = rounds_of(t)
    if not rr_:
        continue
    ks = sorted(rr_)
    fc = {p: median([rr_[k]["first_content_us"][p] / 1000 for k in ks]) for p in ("p50", "p90", "p99")}
    fb = median([rr_[k]["first_body_us"]["p50"] / 1000 for k in ks])
    first_byte = median([rr_[k]["ttfb_us"]["p50"] / 1000 for k in ks])
    full = median([rr_[k]["lat_us"]["p50"] / 1000 for k in ks])
    both = [k for k in ks if k in dr]
    add_rounds = {p: [(rr_[k]["first_content_us"][p] - dr[k]["first_content_us"][p]) / 1000 for k in both]
                  for p in ("p50", "p90", "p99")}
    add = {p: median(add_rounds[p]) for p in add_rounds}
    addfull = median([(rr_[k]["lat_us"]["p50"] - dr[k]["lat_us"]["p50"]) / 1000 for k in both])
    e = {}
    for k in ks:
        for name, v in rr_[k]["errors"].items():
            if v:
                e[name] = e.get(name, 0) + v
    summary["ttfb"][t] = {"rounds": len(ks), "first_event_p50_ms": fb, "first_content_ms": fc,
                          "added_first_content_ms": add, "added_first_content_p50_by_round_ms": add_rounds["p50"],
                          "full_stream_p50_ms": full, "added_full_p50_ms": addfull, "errors": e}
    by_round = " ".join(f"{x * 1000:+.0f}" for x in add_rounds["p50"]) if t != "direct" else "-"
    rows.append(f"| {t} | {len(ks)} | {first_byte:.3f} | {fb:.3f} | {f3(fc['p50'])} | {f3(fc['p99'])} | "
                f"{sgn(add['p50'])} | {by_round} | {sgn(add['p99'])} | {full:.3f} | {sgn(addfull)} | "
                f"{', '.join(f'{k} {v}' for k, v in e.items()) or '0'} |")
if rows:
    out.append("### Time to first content — paced stream (21 events 2 ms apart), sequential requests on one connection")
    out.append("")
    out.append("first content = the first SSE event carrying content (`\"Retry\"`), not the role-only preamble; "
               "the mock sends it 2 ms after the preamble, so ~2 ms is the floor. Targets take turns in rounds; "
               "each number is the median over rounds, added = target − direct of the same round (µs per round listed).")
    out.append("")
    out.append("| target | rounds | first byte p50 ms | first event p50 ms | first content p50 ms | first content p99 ms | added p50 | added p50 per round µs | added p99 | full stream p50 ms | added full p50 | errors |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|")
    out += rows
    out.append("")

# ---- idle gaps: one request at a time ----
gap_kinds = sorted({m["kind"] for m in M if m["suite"] == "gap"}, key=lambda k: (k != "seq", int(k[1:]) if k != "seq" else 0))
rows = []
summary["gap"] = {}
for k in gap_kinds:
    d = get("direct", "gap", k)
    if not d:
        continue
    base = d["lat_us"]["p50"] / 1000
    cells = {}
    for t in ("nginx", "gateway"):
        r = get(t, "gap", k)
        cells[t] = (r["lat_us"]["p50"] / 1000 - base) if r else None
    g = get("gateway", "gap", k)
    own = g["hdr_us"]["p50"] if g and g.get("hdr_n") else None
    rr = cells["gateway"] / cells["nginx"] if cells["gateway"] is not None and cells["nginx"] else None
    label = "back to back" if k == "seq" else f"{k[1:]}/s ({1000 / int(k[1:]):.0f} ms apart)"
    summary["gap"][k] = {"direct_p50_ms": base, "added_p50_ms": cells, "gateway_own_p50_us": own}
    rows.append(f"| {label} | {base:.3f} | {sgn(cells['nginx'])} | {sgn(cells['gateway'])} | {ratio(rr)} | "
                f"{'-' if own is None else f'{own:.0f}'} |")
if rows:
    out.append("### One request at a time — json, back to back and spaced apart (one connection)")
    out.append("")
    out.append("Added = target p50 minus direct p50 at the same spacing; own time = the gateway's "
               "`X-GammaInfra-Overhead-Ms` p50. The longer the machine sits idle between requests, the "
               "colder caches and branch predictors are when one arrives.")
    out.append("")
    out.append("| spacing | direct p50 ms | nginx added p50 | gateway added p50 | gateway / nginx | gateway own time p50 µs |")
    out.append("|---|---:|---:|---:|---:|---:|")
    out += rows
    out.append("")

# ---- gateway own time ----
def parse_hist(path):
    b = {}
    if not os.path.exists(path):
        return None
    for line in open(path):
        m = re.match(r'gammainfra_gateway_overhead_seconds_bucket\{.*le="([^"]+)".*\}\s+(\S+)', line)
        if m:
            le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
            b[le] = float(m.group(2))
    return b or None


def hist_quantile(b, q):
    """Prometheus-style linear interpolation inside the bucket (cumulative counts)."""
    les = sorted(b)
    total = b[les[-1]]
    if total <= 0:
        return None
    rank, prev_le, prev_c = q * total, 0.0, 0.0
    for le in les:
        if b[le] >= rank:
            if le == float("inf"):
                return prev_le
            return prev_le + (le - prev_le) * ((rank - prev_c) / max(b[le] - prev_c, 1e-9))
        prev_le, prev_c = le, b[le]
    return None


own_rows = []
for suite in ("json", "stream"):
    r = get("gateway", suite, "rate")
    h0 = parse_hist(os.path.join(a.run, f"gateway.{suite}.rate.hist0"))
    h1 = parse_hist(os.path.join(a.run, f"gateway.{suite}.rate.hist1"))
    hd = {le: h1[le] - h0.get(le, 0) for le in h1} if h0 and h1 else None
    ent = {}
    if r and r.get("hdr_us"):
        hu = r["hdr_us"]
        ent["header_us"] = {k: hu[k] for k in ("p50", "p90", "p99", "p999", "max")}
        ent["header_n"] = r.get("hdr_n")
    if hd:
        tot = hd[float("inf")]
        ent["hist_n"] = tot
        ent["hist_le"] = {f"{le * 1e6:g}us": hd[le] / tot for le in sorted(hd) if le != float("inf") and le <= 0.001} if tot else {}
        ent["hist_p50_us"] = (hist_quantile(hd, 0.5) or 0) * 1e6
        ent["hist_p99_us"] = (hist_quantile(hd, 0.99) or 0) * 1e6
    if ent:
        summary["own_time"][suite] = ent
        hu = ent.get("header_us", {})
        le = ent.get("hist_le", {})
        own_rows.append(f"| {suite} | {r['achieved_rps']:.0f} | {hu.get('p50', 0):.1f} | {hu.get('p90', 0):.1f} | {hu.get('p99', 0):.1f} | "
                        f"{hu.get('p999', 0):.1f} | {hu.get('max', 0):.1f} | {ent.get('hist_p50_us', 0):.1f} | {ent.get('hist_p99_us', 0):.1f} | "
                        f"{pct(le.get('50us'))} | {pct(le.get('250us'))} |")
if own_rows:
    out.append(f"### Gateway's own time (excluding upstream waits) during the open-loop run")
    out.append("")
    out.append("header = `X-GammaInfra-Overhead-Ms` of every recorded response (µs, resolution 1 µs); histogram = "
               "`gammainfra_gateway_overhead_seconds` scraped before/after the run (warm-up included; quantiles interpolated inside buckets 50/100/250/500 µs).")
    out.append("")
    out.append("| suite | req/s | header p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | histogram p50 µs | histogram p99 µs | ≤ 50 µs | ≤ 250 µs |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    out += own_rows
    out.append("")

# ---- idle RSS ----
r = get("gateway", "idle", "rss")
if r:
    summary["idle"] = r
    before, idle = r["rss_before_kb"] / 1024, r["rss_idle_kb"] / 1024
    fin = r.get("final", {})
    out.append("### Gateway memory with idle keep-alive client connections")
    out.append("")
    out.append("| connections | answered | still open at end | gateway fds | RSS before MiB | RSS with idle conns MiB | per connection KiB |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|")
    out.append(f"| {r['conns']} | {r['ready'].get('answered', '-')} | {fin.get('open_at_end', '-')} | {r['gateway_fds']} | "
               f"{before:.1f} | {idle:.1f} | {(idle - before) * 1024 / max(r['conns'], 1):.1f} |")
    out.append("")

# ---- slow streams ----
rows = []
for t in TARGETS:
    r = get(t, "slow", "streams")
    if not r:
        continue
    summary["slow"][t] = r
    g, fe = r["gap_ms"], r["first_event_ms"]
    rows.append(f"| {t} | {r['conns']} | {r['completed']} | {r['failed']} | {r['stalls']} | {g['p50']:.1f} | {g['p99']:.1f} | "
                f"{g['max']:.1f} | {fe['p99']:.1f} | {r['rss_peak_kb'] / 1024:.1f} |" if 'rss_peak_kb' in r else
                f"| {t} | {r['conns']} | {r['completed']} | {r['failed']} | {r['stalls']} | {g['p50']:.1f} | {g['p99']:.1f} | "
                f"{g['max']:.1f} | {fe['p99']:.1f} | - |")
if rows:
    out.append("### Concurrent slow streams (21 events 100 ms apart, ~2 s per stream, closed loop per connection)")
    out.append("")
    out.append("gap = time between successive body reads of one stream (the mock's pacing, 100 ms, is the floor); "
               "a stall is a gap over 1 s; failed = non-200, connection error, no `[DONE]`, or unfinished 10 s after the end.")
    out.append("")
    out.append("| target | streams | completed | failed | stalls | gap p50 ms | gap p99 ms | gap max ms | first event p99 ms | gateway peak RSS MiB |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    out += rows
    out.append("")

# ---- targets ----
tg = []


def added_ratio(g, n):
    """gateway added / nginx added, or None when either is not a positive delay (a direct
    run slower than the proxies was disturbed: a negative ratio would read as a pass)."""
    if g is None or n is None or n <= 0 or g < 0:
        return None
    return g / n


UNDEFINED = " (an added value ≤ 0: direct was disturbed, ratio undefined)"


def add_row(name, goal, measured, ok):
    tg.append(f"| {name} | {goal} | {measured} | {'met' if ok else ('**missed**' if ok is not None else 'n/a')} |")


cl = summary["closed_loop"].get("json", {})
rt = summary["rate"].get("json", {})
if "gateway" in cl and "nginx" in cl:
    g, n = cl["gateway"]["added_ms"]["p50"], cl["nginx"]["added_ms"]["p50"]
    rr = added_ratio(g, n)
    add_row("added p50, 1 KB non-stream, closed loop c8", "≤ 1.5× nginx's",
            f"gateway {sgn(g)} ms, nginx {sgn(n)} ms → {ratio(rr)}" + ("" if rr is not None else UNDEFINED),
            rr <= 1.5 if rr is not None else None)
if "gateway" in rt and "nginx" in rt:
    g, n = rt["gateway"]["added_ms"]["p50"], rt["nginx"]["added_ms"]["p50"]
    rr = added_ratio(g, n)
    add_row(f"added p50, 1 KB non-stream, open loop", "(≤ 1.5× nginx's)",
            f"gateway {sgn(g)} ms, nginx {sgn(n)} ms → {ratio(rr)}" + ("" if rr is not None else UNDEFINED),
            rr <= 1.5 if rr is not None else None)
ot = summary["own_time"].get("json", {}).get("header_us")
if ot:
    add_row("gateway own time p50 (json, open loop)", "≤ 50 µs", f"{ot['p50']:.1f} µs", ot["p50"] <= 50)
    add_row("gateway own time p99 (json, open loop)", "≤ 250 µs", f"{ot['p99']:.1f} µs", ot["p99"] <= 250)
if "gateway" in cl and "nginx" in cl and cl["gateway"]["rps"] and cl["nginx"]["rps"]:
    rr = cl["gateway"]["rps"] / cl["nginx"]["rps"]
    add_row("throughput, one core, non-stream c64", "≥ 50% of nginx",
            f"{cl['gateway']['rps']:.0f} vs {cl['nginx']['rps']:.0f} RPS → {pct(rr)}", rr >= 0.5)
cs = summary["closed_loop"].get("stream", {})
if "gateway" in cs and "nginx" in cs and cs["gateway"]["rps"] and cs["nginx"]["rps"]:
    rr = cs["gateway"]["rps"] / cs["nginx"]["rps"]
    add_row("throughput, one core, stream c64", "(≥ 50% of nginx)",
            f"{cs['gateway']['rps']:.0f} vs {cs['nginx']['rps']:.0f} RPS → {pct(rr)}", rr >= 0.5)
tt = summary["ttfb"]
if "gateway" in tt and "nginx" in tt:
    g, n = tt["gateway"]["added_first_content_ms"]["p50"], tt["nginx"]["added_first_content_ms"]["p50"]
    rr = added_ratio(g, n)
    add_row("added time to first content p50 (paced)", "≤ 1.5× nginx's",
            f"gateway {sgn(g)} ms, nginx {sgn(n)} ms → {ratio(rr)}" + ("" if rr is not None else UNDEFINED),
            rr <= 1.5 if rr is not None else None)
sl = summary["slow"].get("gateway")
if sl:
    add_row(f"{sl['conns']} concurrent slow streams", "no stalls, none failed",
            f"completed {sl['completed']}, failed {sl['failed']}, stalls {sl['stalls']}, max gap {sl['gap_ms']['max']:.1f} ms",
            sl["failed"] == 0 and sl["stalls"] == 0)
if summary["idle"]:
    mib = summary["idle"]["rss_idle_kb"] / 1024
    add_row(f"RSS with {summary['idle']['conns']} idle keep-alive connections", "≤ 60 MB", f"{mib:.1f} MiB", mib * 1.048576 <= 60)
if tg:
    out.append("### Issue 4 targets (ratios from this run)")
    out.append("")
    out.append("| target | goal | measured | verdict |")
    out.append("|---|---|---|---|")
    out += tg
    out.append("")

print("\n".join(out))
json.dump({"timestamp": a.ts, "load": a.load, "config": a.config, "gateway": a.gateway, "summary": summary,
           "measurements": M}, open(os.path.join(a.run, "results.json"), "w"), indent=1)
