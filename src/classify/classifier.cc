#include "classify/classifier.h"

#include <algorithm>

namespace gi::classify {

int task_index(std::string_view name) noexcept {
  for (std::size_t i = 0; i < task_names.size(); ++i)
    if (task_names[i] == name) return static_cast<int>(i);
  return -1;
}

void finish(classification& c) {
  auto it = std::max_element(c.scores.begin(), c.scores.end());
  c.task = std::string(task_names[static_cast<std::size_t>(it - c.scores.begin())]);
}

}  // namespace gi::classify
