// The MiniLM fast path (issue 9 §5): int8 Linear kernels, vectorised exp/GELU, and the int8
// encoder against the fp32 encoder and the float64 reference of the synthetic fixture.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "classify/fast_math.h"
#include "classify/int8_gemm.h"
#include "classify/minilm_encoder.h"
#include "classify/wordpiece.h"
#include "support/test_support.h"
#include "test_random.h"

namespace gi::classify {
namespace {

std::vector<int8_kernel> supported_kernels() {
  std::vector<int8_kernel> k{int8_kernel::portable};
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) k.push_back(int8_kernel::avx2);
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw")) k.push_back(int8_kernel::avx512_vnni);
  return k;
}

// Odd shapes: a partial output block, a partial input group, partial row tiles, an odd
// number of groups. Integer sums are exact, so a kernel equals the portable kernel run with the
// same weight and activation widths bit for bit: VNNI ≡ portable at any width, AVX2 ≡ portable
// with 7-bit activations (8- or 7-bit weights).
TEST(int8_gemm, every_kernel_equals_portable_at_its_widths_and_tracks_fp32) {
  for (auto [t, out, in] : {std::tuple<std::size_t, std::size_t, std::size_t>{7, 40, 37}, {1, 16, 4}, {13, 384, 384},
                            {5, 1152, 384}, {9, 384, 1536}, {4, 70, 3}, {6, 100, 129}, {3, 17, 20}}) {
    const auto w = randn(out * in, 1, 0.05f), x = randn(t * in, 2), b = randn(out, 3, 0.1f);
    std::vector<float> ref(t * out);
    double scale = 0;
    for (std::size_t i = 0; i < t; ++i)
      for (std::size_t o = 0; o < out; ++o) {
        double s = b[o];
        for (std::size_t k = 0; k < in; ++k) s += static_cast<double>(x[i * in + k]) * w[o * in + k];
        ref[i * out + o] = static_cast<float>(s);
        scale = std::max(scale, std::fabs(s));
      }
    for (int wbits : {8, 7}) {
      const auto packed = pack_int8(w.data(), out, in, wbits);
      for (auto act : {int8_activations::bits8, int8_activations::bits7}) {
        std::vector<float> portable(t * out, -1.0f);
        int8_scratch scratch;
        linear_int8(x.data(), t, packed, b.data(), portable.data(), scratch, int8_kernel::portable, act);
        // Quantisation error: per element ≲ √in · (x step · w step) / 2; bound it relative to
        // the largest |y| with margin (measured worst ≈ 0.6% at 8/8 bits, ≈ 1.2% at 7/7).
        double worst = 0;
        for (std::size_t i = 0; i < portable.size(); ++i)
          worst = std::max(worst, std::fabs(static_cast<double>(portable[i]) - ref[i]));
        const bool coarse = wbits == 7 || act == int8_activations::bits7;
        EXPECT_LE(worst, (coarse ? 0.03 : 0.02) * scale) << t << "x" << out << "x" << in << " w" << wbits;
        for (auto k : supported_kernels()) {
          if (k == int8_kernel::portable || (k == int8_kernel::avx2 && act != int8_activations::bits7)) continue;
          std::vector<float> y(t * out, -1.0f);
          linear_int8(x.data(), t, packed, b.data(), y.data(), scratch, k, act);
          EXPECT_EQ(y, portable) << to_string(k) << " differs from portable at " << t << "x" << out << "x" << in
                                 << " w" << wbits << " a" << (act == int8_activations::bits7 ? 7 : 8);
        }
      }
    }
  }
}

TEST(int8_gemm, kernels_use_the_documented_widths) {
  EXPECT_EQ(weight_bits_for(int8_kernel::avx2), 7);
  EXPECT_EQ(weight_bits_for(int8_kernel::avx512_vnni), 8);
  EXPECT_EQ(weight_bits_for(int8_kernel::portable), 8);
  EXPECT_EQ(activations_for(int8_kernel::avx2), int8_activations::bits7);
  EXPECT_EQ(activations_for(int8_kernel::avx512_vnni), int8_activations::bits8);
  EXPECT_EQ(activations_for(int8_kernel::portable), int8_activations::bits8);
}

// The largest products a 7-bit row can meet: x at ±max everywhere, w at ±127 — vpmaddubsw
// must not saturate (it would if 8-bit activations reached it).
TEST(int8_gemm, extreme_values_do_not_saturate) {
  const std::size_t t = 5, out = 32, in = 64;
  std::vector<float> w(out * in), x(t * in);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = (i % 3 == 0) ? -1.0f : 1.0f;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i % 2 == 0) ? 2.0f : ((i % 5 == 0) ? -2.0f : 2.0f);
  const std::vector<float> b(out, 0.0f);
  for (int wbits : {8, 7})
  for (auto k : supported_kernels()) {
    const auto packed = pack_int8(w.data(), out, in, wbits);
    std::vector<float> y(t * out);
    int8_scratch s;
    linear_int8(x.data(), t, packed, b.data(), y.data(), s, k);
    for (std::size_t i = 0; i < t; ++i)
      for (std::size_t o = 0; o < out; ++o) {
        double exact = 0;
        for (std::size_t kk = 0; kk < in; ++kk) exact += static_cast<double>(x[i * in + kk]) * w[o * in + kk];
        EXPECT_NEAR(y[i * out + o], exact, 1e-4 * in) << to_string(k);
      }
  }
}

TEST(int8_gemm, zero_input_row_gives_the_bias) {
  const auto w = randn(32 * 8, 4);
  const std::vector<float> x(2 * 8, 0.0f), b = randn(32, 5);
  const auto packed = pack_int8(w.data(), 32, 8);
  for (auto k : supported_kernels()) {
    std::vector<float> y(64);
    int8_scratch s;
    linear_int8(x.data(), 2, packed, b.data(), y.data(), s, k);
    for (std::size_t i = 0; i < 64; ++i) EXPECT_EQ(y[i], b[i % 32]) << to_string(k);
  }
}

TEST(fast_math, exp_and_gelu_stay_within_their_documented_bounds) {
  std::vector<float> xs;
  for (float v = -20.0f; v <= 20.0f; v += 0.00731f) xs.push_back(v);
  auto e = xs;
  exp_fast(e.data(), e.size());
  double worst_rel = 0;
  for (std::size_t i = 0; i < xs.size(); ++i)
    worst_rel = std::max(worst_rel, std::fabs(e[i] - std::exp(static_cast<double>(xs[i]))) / std::exp(static_cast<double>(xs[i])));
  EXPECT_LE(worst_rel, 2e-7);
  auto g = xs;
  gelu_fast(g.data(), g.size());
  double worst_gelu = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double v = xs[i], exact = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
    worst_gelu = std::max(worst_gelu, std::fabs(g[i] - exact) / std::max(1.0, std::fabs(v)));
  }
  EXPECT_LE(worst_gelu, 1e-6);
  // Softmax rows sum to 1 and keep the order.
  std::vector<float> r{1.0f, 3.0f, -2.0f, 0.5f, 7.0f, 7.0f, -30.0f, 2.0f, 0.0f, 1.5f, 4.0f};
  softmax_fast(r.data(), r.size());
  double sum = 0;
  for (float v : r) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_GT(r[4], r[1]);
  EXPECT_EQ(r[4], r[5]);
}

// The int8 encoder against the float64 reference (26 inputs of the synthetic fixture): the
// documented bound of the fast path is cosine ≥ 0.9999 per embedding (measured worst in the
// test output), with fp32 itself at 1 − 1e-10.
TEST(minilm_encoder_int8, stays_within_the_documented_bound_of_the_reference) {
  const auto dir = test::source_dir() / "test/data/minilm-synthetic-test";
  const auto enc = minilm_encoder::load(dir / "config.json", dir / "model.safetensors").value();
  const auto tok = wordpiece_tokenizer::load(test::source_dir() / "models/all-MiniLM-L6-v2/vocab.txt").value();
  std::istringstream in(test::read_file(dir / "reference.jsonl"));
  std::string line;
  double worst_cos = 1, worst_diff = 0;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto v = boost::json::parse(line).as_object();
    const auto ids = tok.encode(std::string(v.at("text").as_string()));
    const auto emb = enc.embed(ids, encoder_precision::int8);
    const auto& ref = v.at("embedding").as_array();
    ASSERT_EQ(emb.size(), ref.size());
    double dot = 0, na = 0, nb = 0;
    for (std::size_t j = 0; j < emb.size(); ++j) {
      const double r = ref[j].to_number<double>();
      worst_diff = std::max(worst_diff, std::fabs(r - emb[j]));
      dot += r * emb[j];
      na += r * r;
      nb += static_cast<double>(emb[j]) * emb[j];
    }
    worst_cos = std::min(worst_cos, dot / std::sqrt(na * nb));
    ++n;
  }
  EXPECT_EQ(n, 26);
  EXPECT_GE(worst_cos, 0.9999);
  std::printf("int8 fast path (%s kernel) vs float64 reference: %d inputs, min cosine %.6f, max |diff| %.2e\n",
              std::string(to_string(best_int8_kernel())).c_str(), n, worst_cos, worst_diff);
}

// Micro-batching stacks the token rows of several sequences into one forward. On the int8
// path every step is per row (quantisation scales, integer sums, LayerNorm) or per sequence
// (attention), so a batched embedding equals the single one bit for bit.
TEST(minilm_encoder_int8, batch_equals_single_exactly) {
  const auto dir = test::source_dir() / "test/data/minilm-synthetic-test";
  const auto enc = minilm_encoder::load(dir / "config.json", dir / "model.safetensors").value();
  const auto tok = wordpiece_tokenizer::load(test::source_dir() / "models/all-MiniLM-L6-v2/vocab.txt").value();
  const std::vector<std::vector<std::int32_t>> batch{
      tok.encode("hello world"), tok.encode("a much longer sentence, with punctuation and more words than the first"),
      tok.encode("x")};
  const auto out = enc.embed_batch(batch, encoder_precision::int8);
  ASSERT_EQ(out.size(), batch.size());
  for (std::size_t s = 0; s < batch.size(); ++s) EXPECT_EQ(out[s], enc.embed(batch[s], encoder_precision::int8)) << s;
}

}  // namespace
}  // namespace gi::classify
