#pragma once
// Labelled prompts (data/task_prompts/*.jsonl: {"text", "label", "source"}) and the
// evaluation report (accuracy, macro-F1, per-class F1, confusion matrix).

#include <array>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.h"
#include "core/result.h"

namespace gi::classify {

struct example {
  std::string text;
  int label = -1;  // index into task_names; -1 = unlabelled
};

// Reads a JSONL file; every line needs "text"; "label", when present, must be a known task.
// `require_labels` makes a missing label an error. Errors name the line.
core::result<std::vector<example>> load_jsonl(const std::filesystem::path& file, bool require_labels);

struct eval_report {
  std::size_t n = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  std::array<double, task_count> f1{};
  std::array<std::array<int, task_count>, task_count> confusion{};  // [gold][predicted]
};

eval_report evaluate(const std::vector<int>& gold, const std::vector<int>& predicted);

// Human-readable report: "accuracy: 0.xxx" (the only line starting with "accuracy:"),
// "macro-F1: …", one line per class and the confusion matrix.
std::string format_report(const eval_report& r);

}  // namespace gi::classify
