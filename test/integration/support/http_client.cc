#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gi::test {

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

raw_connection::raw_connection(std::uint16_t port) : fd_(connect_to(port)) {
  if (fd_ < 0) throw std::runtime_error("connect failed: " + std::string(std::strerror(errno)));
}

raw_connection::~raw_connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool raw_connection::send(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

bool raw_connection::fill(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char tmp[16384];
  auto n = ::recv(fd_, tmp, sizeof tmp, 0);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<std::size_t>(n));
  return true;
}

std::optional<http_response> raw_connection::read_response(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto read_line = [&](std::string& line) {
    for (;;) {
      auto p = buf_.find("\r\n");
      if (p != std::string::npos) {
        line = buf_.substr(0, p);
        buf_.erase(0, p + 2);
        return true;
      }
      if (!fill(deadline)) return false;
    }
  };
  auto read_n = [&](std::size_t n, std::string& out) {
    while (buf_.size() < n)
      if (!fill(deadline)) return false;
    out.append(buf_, 0, n);
    buf_.erase(0, n);
    return true;
  };
  http_response r;
  std::string line;
  do {  // skip interim 1xx responses
    if (!read_line(line) || line.size() < 12) return std::nullopt;
    r.status = std::stoi(line.substr(9, 3));
    r.headers.clear();
    for (;;) {
      if (!read_line(line)) return std::nullopt;
      if (line.empty()) break;
      auto c = line.find(':');
      if (c == std::string::npos) return std::nullopt;
      r.headers[lower(line.substr(0, c))] = trim(line.substr(c + 1));
    }
  } while (r.status >= 100 && r.status < 200);
  if (lower(r.header("transfer-encoding")) == "chunked") {
    r.chunked = true;
    for (;;) {
      if (!read_line(line)) return std::nullopt;
      auto size = std::stoul(line, nullptr, 16);
      if (size == 0) break;
      if (!read_n(size, r.body) || !read_line(line)) return std::nullopt;
    }
    for (;;) {
      if (!read_line(line)) return std::nullopt;
      if (line.empty()) break;
      auto c = line.find(':');
      if (c != std::string::npos) r.trailers[lower(line.substr(0, c))] = trim(line.substr(c + 1));
    }
  } else if (auto cl = r.header("content-length"); !cl.empty()) {
    if (!read_n(std::stoul(cl), r.body)) return std::nullopt;
  }
  return r;
}

bool raw_connection::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[4096];
    auto n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return true;
  }
}

bool can_connect(std::uint16_t port) {
  int fd = connect_to(port);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

std::string make_request(const std::string& method, const std::string& target,
                         const std::string& body, const std::string& extra_headers) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers;
  if (!body.empty() || method == "POST") r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  r += "\r\n";
  r += body;
  return r;
}

std::optional<http_response> simple_request(std::uint16_t port, const std::string& method,
                                            const std::string& target, const std::string& body,
                                            const std::string& extra_headers) {
  raw_connection c(port);
  if (!c.send(make_request(method, target, body, extra_headers))) return std::nullopt;
  return c.read_response();
}

}  // namespace gi::test
