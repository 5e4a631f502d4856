// The fused attention kernel and the vectorised residual LayerNorm of the MiniLM fast path
// (attention_kernel.h, fast_math.h) against naive double-precision references: odd token
// counts and head dimensions (vector tails), strided rows as in the fused QKV buffer, key masks
// (including a row with every key masked), and the portable and AVX2 versions agreeing.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <tuple>

#include "classify/attention_kernel.h"
#include "classify/fast_math.h"
#include "test_random.h"

namespace gi::classify {
namespace {

// softmax over attended keys in double; rows with no attended key give 0.
std::vector<double> naive_attention(const attention_head_args& a) {
  std::vector<double> out(a.t * a.dh, 0.0);
  for (std::size_t i = 0; i < a.t; ++i) {
    std::vector<double> s(a.t);
    double m = -INFINITY;
    for (std::size_t j = 0; j < a.t; ++j) {
      double dot = 0;
      for (std::size_t d = 0; d < a.dh; ++d) dot += static_cast<double>(a.q[i * a.ld_in + d]) * a.k[j * a.ld_in + d];
      s[j] = dot * a.scale;
      if (a.key_mask == nullptr || a.key_mask[j] != 0) m = std::max(m, s[j]);
    }
    if (m == -INFINITY) continue;
    double sum = 0;
    for (std::size_t j = 0; j < a.t; ++j) {
      s[j] = (a.key_mask == nullptr || a.key_mask[j] != 0) ? std::exp(s[j] - m) : 0.0;
      sum += s[j];
    }
    for (std::size_t j = 0; j < a.t; ++j)
      for (std::size_t d = 0; d < a.dh; ++d) out[i * a.dh + d] += s[j] / sum * a.v[j * a.ld_in + d];
  }
  return out;
}

enum class mask_kind { none, some, all };

TEST(attention_kernel, matches_a_naive_reference_on_odd_shapes_with_masks) {
  int cases = 0;
  for (auto [t, dh] : {std::pair<std::size_t, std::size_t>{1, 32}, {2, 8}, {3, 5}, {7, 32}, {9, 13}, {17, 40},
                       {33, 32}, {64, 32}, {65, 31}, {128, 64}, {5, 1}}) {
    for (auto mk : {mask_kind::none, mask_kind::some, mask_kind::all}) {
      // q, k, v interleaved in one buffer with a stride, like the fused QKV output.
      const std::size_t ld = 3 * dh + 3;
      const auto buf = randn(t * ld, static_cast<std::uint32_t>(t * 131 + dh), 1.5f);
      std::vector<std::uint8_t> mask(t, 1);
      if (mk == mask_kind::some)
        for (std::size_t j = 0; j < t; ++j) mask[j] = (j % 3 == 1) ? 0 : 1;
      if (mk == mask_kind::all) std::fill(mask.begin(), mask.end(), 0);
      const std::size_t ld_out = dh + 2;
      for (bool portable : {true, false}) {
        std::vector<float> ctx(t * ld_out, 123.0f);
        attention_head_args a{.q = buf.data(), .k = buf.data() + dh, .v = buf.data() + 2 * dh, .ld_in = ld, .t = t,
                              .dh = dh, .scale = 1.0f / std::sqrt(static_cast<float>(dh)),
                              .key_mask = mk == mask_kind::none ? nullptr : mask.data(), .ctx = ctx.data(),
                              .ld_out = ld_out};
        attention_scratch s;
        if (portable)
          attention_head_portable(a, s);
        else
          attention_head(a, s);
        const auto ref = naive_attention(a);
        double worst = 0;
        for (std::size_t i = 0; i < t; ++i) {
          for (std::size_t d = 0; d < dh; ++d)
            worst = std::max(worst, std::fabs(ctx[i * ld_out + d] - ref[i * dh + d]));
          // Padding between output rows is never written.
          for (std::size_t d = dh; d < ld_out; ++d) EXPECT_EQ(ctx[i * ld_out + d], 123.0f);
        }
        EXPECT_LE(worst, 2e-5) << "t=" << t << " dh=" << dh << " mask=" << static_cast<int>(mk)
                               << (portable ? " portable" : " dispatched");
        if (mk == mask_kind::all) {
          for (std::size_t i = 0; i < t; ++i)
            for (std::size_t d = 0; d < dh; ++d) EXPECT_EQ(ctx[i * ld_out + d], 0.0f);
        }
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 66);
}

// A masked key must not influence the result at all: changing its K and V values changes
// nothing (exactly), while changing an attended key does.
TEST(attention_kernel, masked_keys_have_no_influence) {
  const std::size_t t = 11, dh = 16, ld = 3 * dh;
  auto buf = randn(t * ld, 7);
  std::vector<std::uint8_t> mask(t, 1);
  mask[4] = 0;
  auto run = [&](const std::vector<float>& b) {
    std::vector<float> ctx(t * dh);
    attention_scratch s;
    attention_head({.q = b.data(), .k = b.data() + dh, .v = b.data() + 2 * dh, .ld_in = ld, .t = t, .dh = dh,
                    .scale = 0.25f, .key_mask = mask.data(), .ctx = ctx.data(), .ld_out = dh},
                   s);
    return ctx;
  };
  const auto base = run(buf);
  auto changed = buf;
  for (std::size_t d = dh; d < 3 * dh; ++d) changed[4 * ld + d] += 5.0f;
  EXPECT_EQ(run(changed), base);
  auto attended = buf;
  attended[5 * ld + 2 * dh] += 5.0f;
  EXPECT_NE(run(attended), base);
}

TEST(fast_math, add_layer_norm_matches_a_double_reference) {
  for (auto [t, h] : {std::pair<std::size_t, std::size_t>{1, 384}, {3, 37}, {5, 8}, {2, 7}, {4, 1536}}) {
    auto x = randn(t * h, 11, 2.0f);
    const auto add = randn(t * h, 12, 0.5f), g = randn(h, 13), b = randn(h, 14, 0.1f);
    for (bool with_add : {true, false}) {
      auto y = x;
      add_layer_norm_fast(y.data(), with_add ? add.data() : nullptr, t, h, g.data(), b.data(), 1e-12f);
      for (std::size_t i = 0; i < t; ++i) {
        std::vector<double> r(h);
        double mean = 0, var = 0;
        for (std::size_t j = 0; j < h; ++j) mean += r[j] = static_cast<double>(x[i * h + j]) + (with_add ? add[i * h + j] : 0.0f);
        mean /= static_cast<double>(h);
        for (std::size_t j = 0; j < h; ++j) var += (r[j] - mean) * (r[j] - mean);
        const double inv = 1.0 / std::sqrt(var / static_cast<double>(h) + 1e-12);
        for (std::size_t j = 0; j < h; ++j)
          EXPECT_NEAR(y[i * h + j], (r[j] - mean) * inv * g[j] + b[j], 1e-5 * (1.0 + std::fabs(g[j])))
              << t << "x" << h << " row " << i << " col " << j;
      }
    }
  }
}

}  // namespace
}  // namespace gi::classify
