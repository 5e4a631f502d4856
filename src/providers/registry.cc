#include "providers/registry.h"

#include "providers/openai_compat/codec.h"
#include "providers/registry_hooks.h"

namespace gi::providers {

const adapter* find_adapter(core::provider_kind kind) noexcept {
  // One switch, every enum value listed: -Werror=switch-enum makes a new provider a build
  // error here until it is wired in.
  switch (kind) {
    case core::provider_kind::openai: {
      static const openai_compat::codec c(openai_compat::openai_dialect());
      return &c;
    }
    case core::provider_kind::groq: {
      static const openai_compat::codec c(openai_compat::groq_dialect());
      return &c;
    }
    case core::provider_kind::deepseek: {
      static const openai_compat::codec c(openai_compat::deepseek_dialect());
      return &c;
    }
    case core::provider_kind::xai: {
      static const openai_compat::codec c(openai_compat::xai_dialect());
      return &c;
    }
    case core::provider_kind::mistral: {
      static const openai_compat::codec c(openai_compat::mistral_dialect());
      return &c;
    }
    case core::provider_kind::anthropic: return anthropic_adapter();
    case core::provider_kind::gemini: return gemini_adapter();
    case core::provider_kind::bedrock: return bedrock_adapter();
  }
  return nullptr;
}

}  // namespace gi::providers
