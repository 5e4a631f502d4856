#include "classify/dataset.h"

#include <cstdio>
#include <fstream>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace gi::classify {

core::result<std::vector<example>> load_jsonl(const std::filesystem::path& file, bool require_labels) {
  std::ifstream in(file);
  if (!in) return core::error(core::error_kind::invalid_request, "cannot open " + file.string());
  std::vector<example> out;
  std::string line;
  std::size_t line_no = 0;
  auto fail = [&](const std::string& why) {
    return core::error(core::error_kind::invalid_request,
                       file.string() + ":" + std::to_string(line_no) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) return fail("not a JSON object");
    const auto& o = v.get_object();
    const auto* t = o.if_contains("text");
    if (t == nullptr || !t->is_string()) return fail("missing string field \"text\"");
    example e;
    e.text = std::string(t->get_string());
    if (const auto* l = o.if_contains("label"); l != nullptr && l->is_string()) {
      e.label = task_index(std::string_view(l->get_string()));
      if (e.label < 0) return fail("unknown label \"" + std::string(l->get_string()) + "\"");
    } else if (require_labels) {
      return fail("missing string field \"label\"");
    }
    out.push_back(std::move(e));
  }
  return out;
}

eval_report evaluate(const std::vector<int>& gold, const std::vector<int>& predicted) {
  eval_report r;
  r.n = gold.size();
  std::size_t correct = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    if (gold[i] < 0 || predicted[i] < 0) continue;
    ++r.confusion[static_cast<std::size_t>(gold[i])][static_cast<std::size_t>(predicted[i])];
    if (gold[i] == predicted[i]) ++correct;
  }
  r.accuracy = r.n ? static_cast<double>(correct) / static_cast<double>(r.n) : 0.0;
  double sum = 0;
  for (std::size_t c = 0; c < task_count; ++c) {
    double tp = r.confusion[c][c], fp = 0, fn = 0;
    for (std::size_t k = 0; k < task_count; ++k) {
      if (k == c) continue;
      fp += r.confusion[k][c];
      fn += r.confusion[c][k];
    }
    r.f1[c] = tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0.0;
    sum += r.f1[c];
  }
  r.macro_f1 = sum / task_count;
  return r;
}

std::string format_report(const eval_report& r) {
  std::string s;
  char buf[256];
  std::snprintf(buf, sizeof buf, "accuracy: %.4f\nmacro-F1: %.4f\nexamples: %zu\nper-class F1:\n", r.accuracy,
                r.macro_f1, r.n);
  s += buf;
  for (std::size_t c = 0; c < task_count; ++c) {
    std::snprintf(buf, sizeof buf, "  %-12s %.4f\n", std::string(task_names[c]).c_str(), r.f1[c]);
    s += buf;
  }
  s += "confusion (rows = gold, columns = predicted):\n             ";
  for (auto n : task_names) {
    std::snprintf(buf, sizeof buf, " %5.5s", std::string(n).c_str());
    s += buf;
  }
  s += '\n';
  for (std::size_t g = 0; g < task_count; ++g) {
    std::snprintf(buf, sizeof buf, "  %-11s", std::string(task_names[g]).c_str());
    s += buf;
    for (std::size_t p = 0; p < task_count; ++p) {
      std::snprintf(buf, sizeof buf, " %5d", r.confusion[g][p]);
      s += buf;
    }
    s += '\n';
  }
  return s;
}

}  // namespace gi::classify
