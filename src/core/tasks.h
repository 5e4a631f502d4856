#pragma once
// The 8 routing tasks (design §1), in canonical order: the classifier's label order, the
// config's chain keys, the X-GammaInfra-Task values and the `auto:<task>` model names all
// come from this one list.

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

namespace gi::core {

inline constexpr std::size_t task_count = 8;

inline constexpr std::array<std::string_view, task_count> task_names{
    "reasoning", "code", "creative", "rewrite", "chat", "extraction", "summarize", "translation"};

constexpr bool is_known_task(std::string_view task) noexcept {
  return std::find(task_names.begin(), task_names.end(), task) != task_names.end();
}

}  // namespace gi::core
