#include "classify/shipped_model.h"

#ifndef GI_LEXICAL_MODEL_FILE
#error "GI_LEXICAL_MODEL_FILE must name models/task-lexical-v1.bin (src/classify/CMakeLists.txt)"
#endif

// .incbin keeps the 1 MiB model out of the C++ front end; the CMake OBJECT_DEPENDS on the
// file rebuilds this object when the model is retrained.
__asm__(".section .rodata\n"
        ".balign 16\n"
        "gi_classify_lexical_model_begin:\n"
        ".incbin \"" GI_LEXICAL_MODEL_FILE "\"\n"
        "gi_classify_lexical_model_end:\n"
        ".previous\n");
extern "C" const char gi_classify_lexical_model_begin[];
extern "C" const char gi_classify_lexical_model_end[];

namespace gi::classify {

std::string_view shipped_lexical_model_bytes() noexcept {
  return {gi_classify_lexical_model_begin,
          static_cast<std::size_t>(gi_classify_lexical_model_end - gi_classify_lexical_model_begin)};
}

core::result<std::shared_ptr<const lexical_model>> shipped_lexical_model() {
  static const core::result<std::shared_ptr<const lexical_model>> model =
      []() -> core::result<std::shared_ptr<const lexical_model>> {
    auto m = lexical_model::parse(shipped_lexical_model_bytes());
    if (!m) return std::move(m).error();
    return std::make_shared<const lexical_model>(std::move(m).value());
  }();
  return model;
}

}  // namespace gi::classify
