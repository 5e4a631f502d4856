#pragma once
// A real `gammainfra serve` child process for the accounts durability and secrets tests:
// fork + execve with an explicit environment (never the test's own), stdout/stderr to
// files, the bound port read from the "listening on http://HOST:PORT" line. The binary is
// $GI_BINARY (set by ctest), else <build dir>/gammainfra next to the test binary's tree.
//
// Thread safety: one controlling thread.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace gi::test {

inline std::filesystem::path gateway_binary() {
  if (const char* b = std::getenv("GI_BINARY"); b && *b) return b;
  // <build>/test/integration/integration_tests -> <build>/gammainfra
  auto self = std::filesystem::read_symlink("/proc/self/exe");
  return self.parent_path().parent_path().parent_path() / "gammainfra";
}

class gateway_process {
 public:
  gateway_process(std::filesystem::path config, std::map<std::string, std::string> env,
                  std::filesystem::path log_dir, std::string tag)
      : config_(std::move(config)), env_(std::move(env)), out_(log_dir / (tag + ".stdout")),
        err_(log_dir / (tag + ".stderr")) {}
  ~gateway_process() { kill9(); }
  gateway_process(const gateway_process&) = delete;
  gateway_process& operator=(const gateway_process&) = delete;

  // Starts the child and waits (≤ timeout) for its listening line. False on failure.
  bool start(std::chrono::seconds timeout = std::chrono::seconds(30)) {
    auto bin = gateway_binary();
    if (!std::filesystem::exists(bin)) {
      error_ = "no gateway binary at " + bin.string();
      return false;
    }
    std::vector<std::string> args{bin.string(), "serve", "--config", config_.string()};
    std::vector<std::string> envs;
    for (const auto& [k, v] : env_) envs.push_back(k + "=" + v);
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      // Child: only async-signal-safe calls until execve.
      int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (o < 0 || e < 0) ::_exit(126);
      ::dup2(o, 1);
      ::dup2(e, 2);
      std::vector<char*> argv, envp;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      for (auto& v : envs) envp.push_back(v.data());
      envp.push_back(nullptr);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::string marker = "listening on http://127.0.0.1:";
    while (std::chrono::steady_clock::now() < deadline) {
      std::string err = std::filesystem::exists(err_) ? read_file(err_) : std::string();
      // The last listening line (a restarted gateway appends to the same file).
      if (auto p = err.rfind(marker); p != std::string::npos && p >= err_offset_) {
        port_ = static_cast<std::uint16_t>(std::atoi(err.c_str() + p + marker.size()));
        err_offset_ = err.size();
        return port_ != 0;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error_ = "gateway exited during start: " + err;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    error_ = "gateway did not report its port in time";
    return false;
  }

  // SIGKILL: no flush, no shutdown path (the crash case).
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  // SIGTERM and wait (≤ timeout) for a graceful exit; true when it exited with status 0.
  bool terminate(std::chrono::seconds timeout = std::chrono::seconds(30)) {
    if (pid_ <= 0) return false;
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill9();
    return false;
  }

  std::uint16_t port() const { return port_; }
  const std::string& error() const { return error_; }
  const std::filesystem::path& stdout_path() const { return out_; }
  const std::filesystem::path& stderr_path() const { return err_; }

 private:
  std::filesystem::path config_;
  std::map<std::string, std::string> env_;
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::size_t err_offset_ = 0;
  std::string error_;
};

}  // namespace gi::test
