#include "server/default_handler.h"

#include "server/router.h"

namespace gi::server {

boost::asio::awaitable<void> model_not_found_handler::handle(chat_call& call) {
  core::error e(core::error_kind::not_found,
                "The model `" + call.request.model +
                    "` does not exist or you do not have access to it.",
                "model", "model_not_found");
  co_await send_error(call.writer, e);
}

}  // namespace gi::server
