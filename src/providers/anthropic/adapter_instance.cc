#include "providers/registry_hooks.h"

namespace gi::providers {

// Placeholder until the anthropic codec lands (its issue replaces this file).
const adapter* anthropic_adapter() noexcept { return nullptr; }

}  // namespace gi::providers
