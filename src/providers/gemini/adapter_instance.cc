#include "providers/registry_hooks.h"

namespace gi::providers {

// Placeholder until the gemini codec lands (its issue replaces this file).
const adapter* gemini_adapter() noexcept { return nullptr; }

}  // namespace gi::providers
