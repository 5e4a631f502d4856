#include "route/explain.h"

#include <cstdio>

#include <boost/json/array.hpp>

namespace gi::route {

namespace {

double round6(double v) { return static_cast<double>(static_cast<long long>(v * 1e6 + (v < 0 ? -0.5 : 0.5))) / 1e6; }

}  // namespace

boost::json::object explain_json(const plan& p, const rank_options& opts) {
  boost::json::object o;
  o["task"] = p.task;
  o["task_source"] = p.task_source;
  o["preference"] = std::string(preference_name(opts.pref));
  if (opts.cost_quality) o["cost_quality"] = *opts.cost_quality;
  else o["cost_quality"] = nullptr;
  auto w = weights_for(opts);
  o["weights"] = {{"quality", round6(w.quality)}, {"cost", round6(w.cost)}, {"latency", round6(w.latency)}};
  boost::json::array cands;
  int rank_no = 0;
  for (const auto& a : p.attempts) {
    boost::json::object c;
    c["endpoint"] = a.endpoint->id;
    if (a.skip_reason.empty()) {
      c["rank"] = ++rank_no;
      c["skipped"] = nullptr;
    } else {
      c["rank"] = nullptr;
      c["skipped"] = a.skip_reason;
      if (!a.skip_detail.empty()) c["skip_detail"] = a.skip_detail;
    }
    if (a.terms) {
      const auto& t = *a.terms;
      c["quality"] = round6(t.quality);
      c["quality_norm"] = round6(t.quality_norm);
      c["est_cost_usd"] = t.est_cost.to_string();
      c["cost_norm"] = round6(t.cost_norm);
      c["p50_ms"] = t.p50.count();
      c["p50_source"] = t.p50_from_prior ? "prior" : "live";
      c["latency_norm"] = round6(t.latency_norm);
      c["error_rate"] = round6(t.error_rate);
      c["score"] = a.skip_reason.empty() ? boost::json::value(round6(t.score)) : boost::json::value(nullptr);
    }
    cands.push_back(std::move(c));
  }
  o["candidates"] = std::move(cands);
  return o;
}

std::string explain_text(const plan& p, const rank_options& opts) {
  return explain_text(explain_json(p, opts));
}

namespace {

double num(const boost::json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (!v) return 0;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  return 0;
}

std::string str(const boost::json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

// Renders explain_json's shape, so a gateway's /v1/route/explain answer prints exactly like
// the offline plan (route --explain --gateway).
std::string explain_text(const boost::json::object& j) {
  std::string out;
  char line[512];
  const boost::json::object empty;
  const auto* wv = j.if_contains("weights");
  const auto& w = wv && wv->is_object() ? wv->as_object() : empty;
  std::snprintf(line, sizeof line, "task %s (%s)  preference %s  weights q=%.2f c=%.2f l=%.2f\n",
                str(j, "task").c_str(), str(j, "task_source").c_str(), str(j, "preference").c_str(),
                num(w, "quality"), num(w, "cost"), num(w, "latency"));
  out += line;
  std::snprintf(line, sizeof line, "%-4s %-40s %7s %6s %12s %6s %8s %6s %6s %7s  %s\n", "rank",
                "endpoint", "quality", "q_norm", "est_cost_usd", "c_norm", "p50_ms", "l_norm",
                "errors", "score", "note");
  out += line;
  const auto* cv = j.if_contains("candidates");
  if (!cv || !cv->is_array()) return out;
  for (const auto& cj : cv->as_array()) {
    if (!cj.is_object()) continue;
    const auto& c = cj.as_object();
    std::string skipped = str(c, "skipped");
    std::string rank = skipped.empty() ? std::to_string(static_cast<long long>(num(c, "rank"))) : "-";
    std::string note = skipped.empty() ? "" : "skipped=" + skipped;
    if (auto d = str(c, "skip_detail"); !d.empty()) note += "(" + d + ")";
    if (c.contains("quality")) {
      if (str(c, "p50_source") == "prior") note += note.empty() ? "p50=prior" : " p50=prior";
      std::snprintf(line, sizeof line, "%-4s %-40s %7.3f %6.3f %12s %6.3f %8lld %6.3f %6.3f %7s  %s\n",
                    rank.c_str(), str(c, "endpoint").c_str(), num(c, "quality"), num(c, "quality_norm"),
                    str(c, "est_cost_usd").c_str(), num(c, "cost_norm"),
                    static_cast<long long>(num(c, "p50_ms")), num(c, "latency_norm"),
                    num(c, "error_rate"),
                    skipped.empty() ? std::to_string(num(c, "score")).substr(0, 6).c_str() : "-",
                    note.c_str());
    } else {
      std::snprintf(line, sizeof line, "%-4s %-40s %s\n", rank.c_str(), str(c, "endpoint").c_str(),
                    note.c_str());
    }
    out += line;
  }
  return out;
}

}  // namespace gi::route
