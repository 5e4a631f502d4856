#pragma once
// The single place a provider kind is wired to its adapter (style.md §2 "Registry").

#include "core/provider_kind.h"
#include "providers/adapter.h"

namespace gi::providers {

// The stateless, thread-safe singleton adapter for `kind`, or nullptr if that provider's
// codec is not yet available in this build (anthropic, gemini, bedrock until their issues
// land). The pointer is valid for the program's lifetime.
const adapter* find_adapter(core::provider_kind kind) noexcept;

}  // namespace gi::providers
