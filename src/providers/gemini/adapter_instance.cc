#include "providers/gemini/codec.h"
#include "providers/registry_hooks.h"

namespace gi::providers {

const adapter* gemini_adapter() noexcept {
  static const gemini::codec instance;
  return &instance;
}

}  // namespace gi::providers
