#pragma once
// Task classification (design §4.8): the result type and the interface both classifiers
// (lexical, MiniLM) implement. Labels are in core/tasks.h order.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/tasks.h"

namespace gi::classify {

// Labels are the routing tasks in core/tasks.h order.
using core::task_count;
using core::task_names;

// Index of a task name, or -1.
int task_index(std::string_view name) noexcept;

struct classification {
  std::string task;                       // one of the 8 task names
  std::array<float, task_count> scores{}; // probabilities per class, task_names order
  std::string source;                     // "lexical" | "minilm" | "fallback"
};

// A loaded classifier. classify() is const and thread-safe (no shared mutable state).
class classifier {
 public:
  virtual ~classifier() = default;
  virtual classification classify(std::string_view text) const = 0;
  // Several texts at once (the service's micro-batches); default: one by one.
  virtual std::vector<classification> classify_batch(const std::vector<std::string_view>& texts) const {
    std::vector<classification> out;
    out.reserve(texts.size());
    for (auto t : texts) out.push_back(classify(t));
    return out;
  }
  virtual std::string_view name() const noexcept = 0;  // "lexical" | "minilm"
};

// Fills `task` from the arg-max of `scores`.
void finish(classification& c);

}  // namespace gi::classify
