#include "classify/progress.h"

#include <unistd.h>

namespace gi::classify {

progress_bar::progress_bar(std::string label, std::uint64_t total, std::FILE* out)
    : label_(std::move(label)), total_(total), out_(out), enabled_(out != nullptr && isatty(fileno(out)) != 0) {}

progress_bar::~progress_bar() {
  if (!finished_) finish();
}

void progress_bar::update(std::uint64_t done, std::string_view note) {
  done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100) && done < total_) return;
  last_ = now;
  draw(note);
}

void progress_bar::finish(std::string_view note) {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  done_ = total_;
  draw(note);
  std::fputc('\n', out_);
  std::fflush(out_);
}

void progress_bar::draw(std::string_view note) {
  constexpr int width = 30;
  const double f = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const int fill = static_cast<int>(f * width);
  std::string bar(static_cast<std::size_t>(fill), '#');
  bar.append(static_cast<std::size_t>(width - fill), '.');
  std::fprintf(out_, "\r%s [%s] %3d%% %.*s\x1b[K", label_.c_str(), bar.c_str(), static_cast<int>(f * 100),
               static_cast<int>(note.size()), note.data());
  std::fflush(out_);
}

}  // namespace gi::classify
