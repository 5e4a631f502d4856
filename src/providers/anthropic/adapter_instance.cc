#include "providers/anthropic/codec.h"
#include "providers/registry_hooks.h"

namespace gi::providers {

const adapter* anthropic_adapter() noexcept {
  static const anthropic::codec c;
  return &c;
}

}  // namespace gi::providers
