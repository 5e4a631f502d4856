#pragma once
// A terminal progress bar for long work (training, downloads, model loading; design §2:
// "long work shows progress on a terminal"). Draws only when the stream is a TTY, at most
// every 100 ms; silent otherwise so logs and pipes stay clean.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace gi::classify {

class progress_bar {
 public:
  progress_bar(std::string label, std::uint64_t total, std::FILE* out = stderr);
  ~progress_bar();
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

  void update(std::uint64_t done, std::string_view note = {});
  void finish(std::string_view note = {});
  bool enabled() const noexcept { return enabled_; }

 private:
  void draw(std::string_view note);
  std::string label_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  std::FILE* out_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace gi::classify
