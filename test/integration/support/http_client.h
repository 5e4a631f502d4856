#pragma once
// Blocking raw-socket HTTP/1.1 client for integration tests: lets tests control bytes
// exactly (pipelining, slow clients, partial requests) and parse chunked responses with
// trailers. Every read has a timeout so a broken server fails the test instead of hanging.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace gi::test {

struct http_response {
  int status = 0;
  std::map<std::string, std::string> headers;   // lower-case names
  std::map<std::string, std::string> trailers;  // lower-case names
  std::string body;                             // de-chunked
  bool chunked = false;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port);  // connects to 127.0.0.1:port; throws on failure
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool send(const std::string& bytes);
  // Reads one response (handles Content-Length and chunked + trailers); nullopt on EOF,
  // error or timeout.
  std::optional<http_response> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True when the peer closes (EOF or reset) within `timeout` (pending bytes are discarded).
  bool wait_closed(std::chrono::milliseconds timeout);
  int fd() const { return fd_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buf_;
};

// Whether a TCP connect to 127.0.0.1:port succeeds.
bool can_connect(std::uint16_t port);

// One request on a fresh connection.
std::optional<http_response> simple_request(std::uint16_t port, const std::string& method,
                                            const std::string& target,
                                            const std::string& body = {},
                                            const std::string& extra_headers = {});

// "METHOD target HTTP/1.1\r\nHost: …\r\n<extra>Content-Length: n\r\n\r\nbody"
std::string make_request(const std::string& method, const std::string& target,
                         const std::string& body = {}, const std::string& extra_headers = {});

}  // namespace gi::test
