#pragma once
// Starts the real gateway_server in-process on 127.0.0.1:0 with a test config and an
// injected chat handler.

#include <memory>
#include <string>

#include "config/config.h"
#include "server/chat_handler.h"
#include "server/gateway_server.h"

namespace gi::test {

inline constexpr const char* test_api_key = "sk-gammainfra-test-key-0001";

// port 0, 2 threads, access log off, one API key (test_api_key, id "test-key"), two
// endpoints with aliases.
std::shared_ptr<config::snapshot> test_config();

// "Authorization: Bearer <test_api_key>\r\n"
std::string auth_header();

// A valid chat body for `model`.
std::string chat_body(const std::string& model = "gpt-4o-mini");

class running_server {
 public:
  explicit running_server(std::shared_ptr<const config::snapshot> cfg,
                          std::shared_ptr<server::chat_handler> handler = nullptr);
  ~running_server();
  std::uint16_t port() const { return port_; }
  server::gateway_server& server() { return *srv_; }

 private:
  std::unique_ptr<server::gateway_server> srv_;
  std::uint16_t port_ = 0;
};

}  // namespace gi::test
