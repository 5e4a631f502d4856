#pragma once
// Training the lexical model: multinomial logistic regression, AdaGrad SGD with L2 on the
// touched rows, single-threaded with a seeded shuffle (splitmix64) so a fixed seed gives a
// bit-identical model on the same build. Hyper-parameters are chosen by k-fold
// cross-validation on TRAIN only (`cross_validate`); dev is only ever used to report.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "classify/dataset.h"
#include "classify/lexical_model.h"

namespace gi::classify {

// Defaults = the setting chosen by 5-fold CV on train (docs/classifier.md has the grid).
struct lexical_train_options {
  feature_config features{.hash_bits = 17};
  std::uint32_t epochs = 8;
  float learning_rate = 0.2f;
  float l2 = 1e-6f;
  std::uint64_t seed = 1234;
  friend bool operator==(const lexical_train_options&, const lexical_train_options&) = default;
};

// progress(done, total) is called once per example processed (cheap; the bar throttles).
using progress_fn = std::function<void(std::uint64_t done, std::uint64_t total)>;

lexical_weights train_lexical(const std::vector<example>& train, const lexical_train_options& opt,
                              const progress_fn& progress = {});

// Mean k-fold accuracy and macro-F1 on `train` for one setting (folds from `seed`).
struct cv_result {
  double accuracy = 0;
  double macro_f1 = 0;
};
cv_result cross_validate(const std::vector<example>& train, const lexical_train_options& opt, std::uint32_t folds,
                         const progress_fn& progress = {});

// Describes a setting in one line (also stored as the model's metadata).
std::string describe(const lexical_train_options& opt);

// Deterministic PRNG used for shuffles (never std::shuffle: its algorithm is unspecified).
class splitmix64 {
 public:
  explicit splitmix64(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  template <class T>
  void shuffle(std::vector<T>& v) noexcept {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[next() % i]);
  }

 private:
  std::uint64_t s_;
};

}  // namespace gi::classify
