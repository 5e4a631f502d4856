#pragma once
// Where the MiniLM files live on a user's machine and how they are trusted:
//   <data_dir>/models/all-MiniLM-L6-v2/{config.json, model.safetensors, vocab.txt, minilm.lock}
//   <data_dir>/models/task-minilm-head.bin            (written by train-classifier --encoder minilm)
// `minilm.lock` (JSON) records the pinned revision and each file's byte size and sha256; it is
// written only after the weights pass the published-value self-check, and every later load
// re-hashes the files against it. A changed or truncated file is therefore a load error.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gi::classify {

inline constexpr std::string_view minilm_repo = "sentence-transformers/all-MiniLM-L6-v2";
inline constexpr std::string_view minilm_revision = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41";
inline constexpr std::string_view minilm_lock_name = "minilm.lock";
// The files `model fetch` installs, in download order.
inline constexpr std::string_view minilm_files[] = {"config.json", "vocab.txt", "model.safetensors"};

struct minilm_layout {
  std::filesystem::path data_dir;
  std::filesystem::path model_dir() const { return data_dir / "models" / "all-MiniLM-L6-v2"; }
  std::filesystem::path config() const { return model_dir() / "config.json"; }
  std::filesystem::path weights() const { return model_dir() / "model.safetensors"; }
  std::filesystem::path vocab() const { return model_dir() / "vocab.txt"; }
  std::filesystem::path lock() const { return model_dir() / std::string(minilm_lock_name); }
  std::filesystem::path head() const { return data_dir / "models" / "task-minilm-head.bin"; }
};

// $GAMMAINFRA_DATA_DIR, else ./gammainfra-data.
std::filesystem::path default_data_dir();

// Lower-case hex sha256 of a file's bytes.
core::result<std::string> sha256_file(const std::filesystem::path& file);
std::string sha256_hex(std::string_view bytes);

// Writes the lock for the files now in `dir` (after the self-check passed).
core::status<> write_lock(const std::filesystem::path& dir, std::string_view revision);
// Re-hashes the files named in the lock; any mismatch or missing file is an error naming it.
core::status<> verify_lock(const std::filesystem::path& dir);

}  // namespace gi::classify
