#include "test_server.h"

#include <stdexcept>

#include "auth/authenticator.h"

namespace gi::test {

std::shared_ptr<config::snapshot> test_config() {
  auto s = std::make_shared<config::snapshot>();
  s->server.host = "127.0.0.1";
  s->server.port = 0;
  s->server.threads = 2;
  s->logging.access_log = false;
  s->auth.keys.push_back({"test-key", auth::sha256_hex(test_api_key)});
  config::endpoint_config a;
  a.id = "openai/gpt-4o-mini";
  a.provider = core::provider_kind::openai;
  a.model = "gpt-4o-mini";
  a.aliases = {"gpt-4o-mini"};
  config::endpoint_config b;
  b.id = "anthropic/claude-haiku-4-5";
  b.provider = core::provider_kind::anthropic;
  b.model = "claude-haiku-4-5";
  b.aliases = {"claude-haiku-4-5", "haiku"};
  s->endpoints = {a, b};
  s->source = "<test>";
  return s;
}

std::string auth_header() { return std::string("Authorization: Bearer ") + test_api_key + "\r\n"; }

std::string chat_body(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})";
}

running_server::running_server(std::shared_ptr<const config::snapshot> cfg,
                               std::shared_ptr<server::chat_handler> handler) {
  server::server_options o;
  o.config = std::move(cfg);
  o.handler = std::move(handler);
  srv_ = std::make_unique<server::gateway_server>(std::move(o));
  auto p = srv_->start();
  if (!p) throw std::runtime_error("server start failed: " + p.error().message);
  port_ = *p;
}

running_server::~running_server() {
  srv_->stop();
  srv_->wait();
}

}  // namespace gi::test
