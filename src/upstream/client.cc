#include "upstream/client.h"

#include <boost/asio/this_coro.hpp>

namespace gi::upstream {

// Stub: the implementation follows; the API above is final.
bool is_cancelled(const core::error& e) noexcept { return e.code == cancelled_code; }

struct response_stream::impl {
  response_head head;
};
response_stream::response_stream(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
response_stream::~response_stream() = default;
const response_head& response_stream::head() const noexcept { return impl_->head; }
boost::asio::awaitable<core::result<std::string_view>> response_stream::read() {
  co_return core::error(core::error_kind::internal, "not implemented");
}
boost::asio::awaitable<core::result<std::string>> response_stream::read_all() {
  co_return core::error(core::error_kind::internal, "not implemented");
}
void response_stream::cancel() noexcept {}

struct client::impl {
  client_options opts;
};
client::client(client_options opts, const core::clock&) : impl_(std::make_shared<impl>()) {
  impl_->opts = std::move(opts);
}
client::~client() = default;
boost::asio::awaitable<core::result<http_response>> client::send(const target_url&,
                                                                 const core::upstream_request&,
                                                                 const phase_deadlines&) {
  co_return core::error(core::error_kind::internal, "not implemented");
}
boost::asio::awaitable<core::result<std::unique_ptr<response_stream>>> client::open(
    const target_url&, const core::upstream_request&, const phase_deadlines&) {
  co_return core::error(core::error_kind::internal, "not implemented");
}
pool_stats client::stats(const target_url&) const { return {}; }
void client::close_idle() {}
const client_options& client::options() const noexcept { return impl_->opts; }

}  // namespace gi::upstream
