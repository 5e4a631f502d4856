#pragma once
// `gammainfra model fetch`: download the pinned all-MiniLM-L6-v2 files over HTTPS into a
// staging directory (resumable: each file grows as <name>.part and continues with an HTTP
// Range request), check vocab.txt against its pinned sha256, load the weights and run the
// published-value self-check, and only then move the files into place and write minilm.lock.
// A failed step leaves the previous install (if any) untouched.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/result.h"

namespace gi::classify {

// sha256 of the canonical BERT uncased vocab (models/all-MiniLM-L6-v2/SOURCE.md).
inline constexpr std::string_view pinned_vocab_sha256 =
    "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3";

struct fetch_settings {
  std::string base_url = "https://huggingface.co";  // https://host[:port]
  std::string repo;                                 // default minilm_repo
  std::string revision;                             // default minilm_revision
  std::string ca_file;                              // extra trusted CA (PEM)
  std::chrono::seconds io_timeout{30};              // per connect/handshake/read
  int max_redirects = 5;
  // (file, bytes so far, total or 0 if unknown)
  std::function<void(std::string_view, std::uint64_t, std::uint64_t)> progress;
};

// One HTTPS GET into `dest`, resuming from `dest` + ".part" when present.
core::status<> download(const std::string& url, const std::filesystem::path& dest, const fetch_settings& s,
                        std::string_view label);

struct install_settings {
  std::string published_checks_json;  // default: the built-in published_checks.json
  std::string expected_vocab_sha256 = std::string(pinned_vocab_sha256);  // empty = skip
};

// Verifies the files in `staging` (vocab hash, config, weights, self-check), then moves them
// into `model_dir` and writes the lock.
core::status<> install_verified(const std::filesystem::path& staging, const std::filesystem::path& model_dir,
                                const install_settings& s, std::string_view revision);

// download (each file of minilm_files) + install_verified.
core::status<> fetch_minilm(const std::filesystem::path& data_dir, const fetch_settings& f, const install_settings& s);
// Copy from a local directory + install_verified.
core::status<> install_minilm_from(const std::filesystem::path& src, const std::filesystem::path& data_dir,
                                   const install_settings& s);

// The published_checks.json shipped with the code (models/all-MiniLM-L6-v2/).
std::string_view builtin_published_checks() noexcept;

}  // namespace gi::classify
