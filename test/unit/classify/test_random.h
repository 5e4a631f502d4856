#pragma once
// Seeded normal random vectors for the classify kernel tests.

#include <cstdint>
#include <random>
#include <vector>

namespace gi::classify {

inline std::vector<float> randn(std::size_t n, std::uint32_t seed, float sd = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, sd);
  std::vector<float> v(n);
  for (auto& x : v) x = nd(rng);
  return v;
}

}  // namespace gi::classify
