#pragma once
// Task classification (design §4.8): the interface both classifiers implement. The module's
// issue fills it in; this header exists so the pipeline can be wired against it.

#include <array>
#include <string>
#include <string_view>

namespace gi::classify {

inline constexpr std::size_t task_count = 8;

struct classification {
  std::string task;                       // one of the 8 task names
  std::array<float, task_count> scores{}; // per class, in config::known_tasks order
  std::string source;                     // "lexical" | "minilm" | "fallback"
};

}  // namespace gi::classify
