#include "classify/lexical_train.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace gi::classify {

namespace {

// Features of every example as sorted (bucket, value) pairs; value = count / sqrt(total),
// exactly the weighting lexical_model::logits applies at inference.
struct sparse_set {
  std::vector<std::uint32_t> idx;
  std::vector<float> val;
  std::vector<std::size_t> offset{0};
  std::vector<int> label;
};

sparse_set featurize(const std::vector<example>& ex, const std::vector<std::size_t>& which,
                     const feature_config& cfg) {
  sparse_set s;
  std::vector<std::uint32_t> tmp;
  for (std::size_t i : which) {
    tmp.clear();
    const std::uint32_t n = for_each_feature(ex[i].text, cfg, [&](std::uint32_t b) { tmp.push_back(b); });
    std::sort(tmp.begin(), tmp.end());
    const float norm = n > 0 ? 1.0f / std::sqrt(static_cast<float>(n)) : 0.0f;
    for (std::size_t k = 0; k < tmp.size();) {
      std::size_t j = k;
      while (j < tmp.size() && tmp[j] == tmp[k]) ++j;
      s.idx.push_back(tmp[k]);
      s.val.push_back(static_cast<float>(j - k) * norm);
      k = j;
    }
    s.offset.push_back(s.idx.size());
    s.label.push_back(ex[i].label);
  }
  return s;
}

lexical_weights fit(const sparse_set& s, const lexical_train_options& opt, const progress_fn& progress,
                    std::uint64_t done_before, std::uint64_t total) {
  lexical_weights w;
  w.features = opt.features;
  const std::size_t rows = std::size_t{1} << opt.features.hash_bits;
  w.w.assign(rows * task_count, 0.0f);
  std::vector<float> g2(rows * task_count, 0.0f);
  std::array<float, task_count> bias_g2{};
  constexpr float eps = 1e-8f;
  splitmix64 rng(opt.seed);
  std::vector<std::size_t> order(s.label.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::uint64_t done = done_before;
  for (std::uint32_t epoch = 0; epoch < opt.epochs; ++epoch) {
    rng.shuffle(order);
    for (std::size_t e : order) {
      std::array<float, task_count> z = w.bias;
      for (std::size_t k = s.offset[e]; k < s.offset[e + 1]; ++k) {
        const float* row = &w.w[static_cast<std::size_t>(s.idx[k]) * task_count];
        for (std::size_t c = 0; c < task_count; ++c) z[c] += row[c] * s.val[k];
      }
      softmax(z);
      z[static_cast<std::size_t>(s.label[e])] -= 1.0f;  // dL/dlogit
      for (std::size_t k = s.offset[e]; k < s.offset[e + 1]; ++k) {
        const std::size_t base = static_cast<std::size_t>(s.idx[k]) * task_count;
        for (std::size_t c = 0; c < task_count; ++c) {
          const float g = z[c] * s.val[k] + opt.l2 * w.w[base + c];
          g2[base + c] += g * g;
          w.w[base + c] -= opt.learning_rate * g / (std::sqrt(g2[base + c]) + eps);
        }
      }
      for (std::size_t c = 0; c < task_count; ++c) {
        bias_g2[c] += z[c] * z[c];
        w.bias[c] -= opt.learning_rate * z[c] / (std::sqrt(bias_g2[c]) + eps);
      }
      if (progress) progress(++done, total);
    }
  }
  w.meta = describe(opt);
  return w;
}

}  // namespace

std::string describe(const lexical_train_options& o) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "{\"hash_bits\":%u,\"char_ngrams\":[%u,%u],\"edge_words\":%u,\"word_bigrams\":%s,"
                "\"sentence_tags\":%s,\"epochs\":%u,\"learning_rate\":%g,\"l2\":%g,\"seed\":%llu}",
                o.features.hash_bits, o.features.char_min, o.features.char_max, o.features.edge_words,
                o.features.word_bigrams ? "true" : "false", o.features.sentence_tags ? "true" : "false", o.epochs,
                static_cast<double>(o.learning_rate), static_cast<double>(o.l2),
                static_cast<unsigned long long>(o.seed));
  return buf;
}

lexical_weights train_lexical(const std::vector<example>& train, const lexical_train_options& opt,
                              const progress_fn& progress) {
  std::vector<std::size_t> all(train.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  const auto s = featurize(train, all, opt.features);
  return fit(s, opt, progress, 0, static_cast<std::uint64_t>(train.size()) * opt.epochs);
}

cv_result cross_validate(const std::vector<example>& train, const lexical_train_options& opt, std::uint32_t folds,
                         const progress_fn& progress) {
  std::vector<std::size_t> order(train.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  splitmix64 rng(opt.seed ^ 0xC0FFEEULL);
  rng.shuffle(order);
  cv_result r;
  const std::uint64_t per_fold = static_cast<std::uint64_t>(train.size() - train.size() / folds) * opt.epochs;
  for (std::uint32_t f = 0; f < folds; ++f) {
    std::vector<std::size_t> tr, te;
    for (std::size_t i = 0; i < order.size(); ++i) (i % folds == f ? te : tr).push_back(order[i]);
    const auto s = featurize(train, tr, opt.features);
    const auto model = lexical_model::from_weights(fit(s, opt, progress, per_fold * f, per_fold * folds));
    std::vector<int> gold, pred;
    for (std::size_t i : te) {
      gold.push_back(train[i].label);
      pred.push_back(task_index(model.classify(train[i].text).task));
    }
    const auto e = evaluate(gold, pred);
    r.accuracy += e.accuracy / folds;
    r.macro_f1 += e.macro_f1 / folds;
  }
  return r;
}

}  // namespace gi::classify
