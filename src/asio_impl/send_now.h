#pragma once
// One non-blocking gather send on a plain TCP socket, outside Asio's completion machinery.
//
// Why: an Asio async write that completes at once (the usual case: the socket buffer has
// room) still posts its completion, and every post is a trip through the scheduler queue
// (often with a zero-timeout epoll_wait) before the coroutine resumes. A proxied request
// makes two such writes (upstream request, client response). Sending directly first and
// falling back to the async write only for what the socket did not take removes those
// trips. Used by the server session and the upstream client on plain TCP; TLS streams
// always take the async path.

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstddef>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

namespace gi::asio_impl {

// Sends what the kernel accepts now. Returns the bytes sent (0 when it would block or the
// sequence has more pieces than one call takes); `ec` is set only on a real socket error.
template <class ConstBufferSequence>
std::size_t send_now(int fd, const ConstBufferSequence& bufs, boost::system::error_code& ec) {
  constexpr std::size_t max_pieces = 16;
  iovec iov[max_pieces];
  std::size_t n = 0;
  const auto end = boost::asio::buffer_sequence_end(bufs);
  for (auto it = boost::asio::buffer_sequence_begin(bufs); it != end; ++it) {
    const boost::asio::const_buffer b(*it);
    if (b.size() == 0) continue;
    if (n == max_pieces) return 0;  // rare; the async path handles any length
    iov[n].iov_base = const_cast<void*>(b.data());
    iov[n].iov_len = b.size();
    ++n;
  }
  if (n == 0) return 0;
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = n;
  const ssize_t r = ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (r >= 0) return static_cast<std::size_t>(r);
  if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    ec = boost::system::error_code(errno, boost::system::system_category());
  return 0;
}

}  // namespace gi::asio_impl
