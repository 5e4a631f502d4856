#include "providers/bedrock/codec.h"
#include "providers/registry_hooks.h"

namespace gi::providers {

const adapter* bedrock_adapter() noexcept {
  static const bedrock::codec c;
  return &c;
}

}  // namespace gi::providers
