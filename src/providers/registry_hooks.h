#pragma once
// One accessor per provider family with its own codec, each defined in that family's folder
// (providers/<family>/adapter_instance.cc). registry.cc's single switch calls them. A family
// whose codec has not landed returns nullptr (the router then skips its endpoints as
// incapable).

#include "providers/adapter.h"

namespace gi::providers {

const adapter* anthropic_adapter() noexcept;
const adapter* gemini_adapter() noexcept;
const adapter* bedrock_adapter() noexcept;

}  // namespace gi::providers
