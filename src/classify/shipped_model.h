#pragma once
// The committed default model (models/task-lexical-v1.bin), compiled into the binary so the
// gateway classifies from a clean clone with no files to find at run time.

#include <memory>
#include <string_view>

#include "classify/lexical_model.h"
#include "core/result.h"

namespace gi::classify {

inline constexpr std::string_view shipped_lexical_model_path = "models/task-lexical-v1.bin";

std::string_view shipped_lexical_model_bytes() noexcept;
// Parsed once; the same instance for every caller.
core::result<std::shared_ptr<const lexical_model>> shipped_lexical_model();

}  // namespace gi::classify
