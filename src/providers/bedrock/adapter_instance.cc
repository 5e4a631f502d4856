#include "providers/registry_hooks.h"

namespace gi::providers {

// Placeholder until the bedrock codec lands (its issue replaces this file).
const adapter* bedrock_adapter() noexcept { return nullptr; }

}  // namespace gi::providers
