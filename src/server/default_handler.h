#pragma once
// The chat handler used when no pipeline is wired (issue 3 state): every model is unknown,
// so the answer is a 404 `model_not_found` naming the requested model, exactly as OpenAI
// answers an unknown model.
//
// Thread safety: stateless.

#include "server/chat_handler.h"

namespace gi::server {

class model_not_found_handler final : public chat_handler {
 public:
  boost::asio::awaitable<void> handle(chat_call& call) override;
};

}  // namespace gi::server
