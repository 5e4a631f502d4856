#include "classify/minilm_encoder.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cblas.h>

#include "classify/attention_kernel.h"
#include "classify/fast_math.h"

namespace gi::classify {

namespace {

core::error bad(std::string msg) { return core::error(core::error_kind::internal, "minilm: " + std::move(msg)); }

std::string shape_str(const std::vector<std::int64_t>& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) r.push_back(',');
    r.append(std::to_string(s[i]));
  }
  r.push_back(']');
  return r;
}

// Y[T×out] = X[T×in] · W[out×in]^T + b (torch Linear layout).
void linear(const float* x, std::size_t t, std::size_t in, const float* w, const float* b, std::size_t out, float* y) {
  for (std::size_t i = 0; i < t; ++i) std::copy(b, b + out, y + i * out);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(t), static_cast<int>(out),
              static_cast<int>(in), 1.0f, x, static_cast<int>(in), w, static_cast<int>(in), 1.0f, y,
              static_cast<int>(out));
}

void layer_norm(float* x, std::size_t t, std::size_t h, const float* g, const float* b, double eps) {
  for (std::size_t i = 0; i < t; ++i) {
    float* r = x + i * h;
    double mean = 0, var = 0;
    for (std::size_t j = 0; j < h; ++j) mean += r[j];
    mean /= static_cast<double>(h);
    for (std::size_t j = 0; j < h; ++j) var += (r[j] - mean) * (r[j] - mean);
    var /= static_cast<double>(h);
    const double inv = 1.0 / std::sqrt(var + eps);
    for (std::size_t j = 0; j < h; ++j) r[j] = static_cast<float>((r[j] - mean) * inv) * g[j] + b[j];
  }
}

float gelu(float v) { return 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f)); }

}  // namespace

encoder_precision fastest_precision() noexcept {
  return best_int8_kernel() == int8_kernel::portable ? encoder_precision::fp32 : encoder_precision::int8;
}

core::result<bert_config> parse_bert_config(std::string_view json) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return bad("config.json is not a JSON object");
  const auto& o = v.get_object();
  bert_config c;
  auto num = [&](const char* key, std::size_t& out) -> bool {
    const auto* x = o.if_contains(key);
    if (x == nullptr || !x->is_int64() || x->get_int64() <= 0) return false;
    out = static_cast<std::size_t>(x->get_int64());
    return true;
  };
  for (auto [key, out] : {std::pair{"hidden_size", &c.hidden}, {"num_hidden_layers", &c.layers},
                          {"num_attention_heads", &c.heads}, {"intermediate_size", &c.intermediate},
                          {"vocab_size", &c.vocab}, {"max_position_embeddings", &c.max_positions},
                          {"type_vocab_size", &c.type_vocab}})
    if (!num(key, *out)) return bad(std::string("config.json: missing or invalid \"") + key + "\"");
  if (c.hidden % c.heads != 0) return bad("config.json: hidden_size not divisible by num_attention_heads");
  if (const auto* e = o.if_contains("layer_norm_eps"); e != nullptr && e->is_number()) c.layer_norm_eps = e->to_number<double>();
  if (const auto* a = o.if_contains("hidden_act"); a == nullptr || !a->is_string() || a->get_string() != "gelu")
    return bad("config.json: hidden_act must be \"gelu\" (erf)");
  if (const auto* p = o.if_contains("position_embedding_type");
      p != nullptr && (!p->is_string() || p->get_string() != "absolute"))
    return bad("config.json: only absolute position embeddings are supported");
  return c;
}

core::result<bert_config> load_bert_config(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return bad("cannot open " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_bert_config(ss.str());
}

core::result<minilm_encoder> minilm_encoder::create(const bert_config& cfg, tensor_map weights) {
  minilm_encoder e;
  e.cfg_ = cfg;
  e.weights_ = std::move(weights);
  std::string err;
  auto get = [&](const std::string& name, std::vector<std::int64_t> shape) -> const float* {
    auto it = e.weights_.find(name);
    if (it == e.weights_.end()) {
      if (err.empty()) err = "missing tensor " + name;
      return nullptr;
    }
    if (it->second.dtype != "F32") {
      if (err.empty()) err = name + ": dtype " + it->second.dtype + ", expected F32";
      return nullptr;
    }
    if (it->second.shape != shape) {
      if (err.empty())
        err = name + ": shape " + shape_str(it->second.shape) + ", config.json implies " + shape_str(shape);
      return nullptr;
    }
    return it->second.data.data();
  };
  const auto h = static_cast<std::int64_t>(cfg.hidden), im = static_cast<std::int64_t>(cfg.intermediate);
  e.word_ = get("embeddings.word_embeddings.weight", {static_cast<std::int64_t>(cfg.vocab), h});
  e.pos_ = get("embeddings.position_embeddings.weight", {static_cast<std::int64_t>(cfg.max_positions), h});
  e.type_ = get("embeddings.token_type_embeddings.weight", {static_cast<std::int64_t>(cfg.type_vocab), h});
  e.emb_ln_g_ = get("embeddings.LayerNorm.weight", {h});
  e.emb_ln_b_ = get("embeddings.LayerNorm.bias", {h});
  for (std::size_t n = 0; n < cfg.layers; ++n) {
    const std::string p = "encoder.layer." + std::to_string(n) + ".";
    layer l{};
    l.wq = get(p + "attention.self.query.weight", {h, h});
    l.bq = get(p + "attention.self.query.bias", {h});
    l.wk = get(p + "attention.self.key.weight", {h, h});
    l.bk = get(p + "attention.self.key.bias", {h});
    l.wv = get(p + "attention.self.value.weight", {h, h});
    l.bv = get(p + "attention.self.value.bias", {h});
    l.wo = get(p + "attention.output.dense.weight", {h, h});
    l.bo = get(p + "attention.output.dense.bias", {h});
    l.ln1_g = get(p + "attention.output.LayerNorm.weight", {h});
    l.ln1_b = get(p + "attention.output.LayerNorm.bias", {h});
    l.wi = get(p + "intermediate.dense.weight", {im, h});
    l.bi = get(p + "intermediate.dense.bias", {im});
    l.wo2 = get(p + "output.dense.weight", {h, im});
    l.bo2 = get(p + "output.dense.bias", {h});
    l.ln2_g = get(p + "output.LayerNorm.weight", {h});
    l.ln2_b = get(p + "output.LayerNorm.bias", {h});
    if (err.empty()) {
      const std::size_t hh = cfg.hidden * cfg.hidden;
      l.wqkv.resize(3 * hh);
      l.bqkv.resize(3 * cfg.hidden);
      std::copy(l.wq, l.wq + hh, l.wqkv.begin());
      std::copy(l.wk, l.wk + hh, l.wqkv.begin() + static_cast<std::ptrdiff_t>(hh));
      std::copy(l.wv, l.wv + hh, l.wqkv.begin() + static_cast<std::ptrdiff_t>(2 * hh));
      std::copy(l.bq, l.bq + cfg.hidden, l.bqkv.begin());
      std::copy(l.bk, l.bk + cfg.hidden, l.bqkv.begin() + static_cast<std::ptrdiff_t>(cfg.hidden));
      std::copy(l.bv, l.bv + cfg.hidden, l.bqkv.begin() + static_cast<std::ptrdiff_t>(2 * cfg.hidden));
      // Packed once, for the kernel this process runs (7-bit weights for AVX2).
      const int bits = weight_bits_for(best_int8_kernel());
      l.qkv_q = pack_int8(l.wqkv.data(), 3 * cfg.hidden, cfg.hidden, bits);
      l.wo_q = pack_int8(l.wo, cfg.hidden, cfg.hidden, bits);
      l.wi_q = pack_int8(l.wi, cfg.intermediate, cfg.hidden, bits);
      l.wo2_q = pack_int8(l.wo2, cfg.hidden, cfg.intermediate, bits);
    }
    e.layers_.push_back(std::move(l));
  }
  // An extra encoder layer means config and weights disagree on depth.
  if (err.empty() && e.weights_.count("encoder.layer." + std::to_string(cfg.layers) + ".output.dense.weight"))
    err = "weights have more layers than num_hidden_layers=" + std::to_string(cfg.layers);
  if (!err.empty()) return bad(err);
  for (const auto& [name, t] : e.weights_)
    for (float v : t.data)
      if (!std::isfinite(v)) return bad(name + ": non-finite value");
  // One core per forward: the classifier service parallelises across its worker threads,
  // and OpenBLAS's own thread pool would oversubscribe the gateway's cores.
  openblas_set_num_threads(1);
  return e;
}

core::result<minilm_encoder> minilm_encoder::load(const std::filesystem::path& config_json,
                                                  const std::filesystem::path& safetensors) {
  auto cfg = load_bert_config(config_json);
  if (!cfg) return std::move(cfg).error();
  auto w = load_safetensors(safetensors);
  if (!w) return std::move(w).error();
  return create(*cfg, std::move(w).value());
}

std::vector<float> minilm_encoder::embed(std::span<const std::int32_t> ids, encoder_precision p) const {
  std::vector<float> out(cfg_.hidden);
  forward(std::span<const std::span<const std::int32_t>>(&ids, 1), p, std::span<float>(out));
  return out;
}

std::vector<std::vector<float>> minilm_encoder::embed_batch(const std::vector<std::vector<std::int32_t>>& batch,
                                                            encoder_precision p) const {
  std::vector<std::span<const std::int32_t>> seqs(batch.begin(), batch.end());
  std::vector<float> flat(batch.size() * cfg_.hidden);
  forward(seqs, p, flat);
  std::vector<std::vector<float>> result;
  result.reserve(batch.size());
  for (std::size_t s = 0; s < batch.size(); ++s)
    result.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(s * cfg_.hidden),
                        flat.begin() + static_cast<std::ptrdiff_t>((s + 1) * cfg_.hidden));
  return result;
}

// The forward pass; all scratch lives in a thread-local workspace that only grows, so a warm
// thread allocates nothing here (the callers allocate the returned vectors).
void minilm_encoder::forward(std::span<const std::span<const std::int32_t>> batch, encoder_precision prec,
                             std::span<float> out) const {
  const std::size_t h = cfg_.hidden, im = cfg_.intermediate, nh = cfg_.heads, dh = h / nh;
  const bool q8 = prec == encoder_precision::int8;
  struct workspace {
    std::vector<float> x, qkv, ctx, tmp, inter, scores;
    std::vector<double> pooled;
    std::vector<std::size_t> len, off;
    int8_scratch q;
    attention_scratch att;
  };
  thread_local workspace ws;
  auto& len = ws.len;
  auto& off = ws.off;
  len.clear();
  off.clear();
  std::size_t rows = 0;
  for (const auto& raw : batch) {
    const std::size_t t = std::min(std::max<std::size_t>(raw.size(), 1), cfg_.max_positions);
    off.push_back(rows);
    len.push_back(t);
    rows += t;
  }
  auto& x = ws.x;
  x.resize(rows * h);
  for (std::size_t s = 0; s < batch.size(); ++s)
    for (std::size_t i = 0; i < len[s]; ++i) {
      std::int32_t id = i < batch[s].size() ? batch[s][i] : 0;
      if (id < 0 || static_cast<std::size_t>(id) >= cfg_.vocab) id = 100;  // [UNK]
      const float* we = word_ + static_cast<std::size_t>(id) * h;
      const float* pe = pos_ + i * h;
      float* r = x.data() + (off[s] + i) * h;
      for (std::size_t j = 0; j < h; ++j) r[j] = we[j] + pe[j] + type_[j];
    }
  if (q8)
    add_layer_norm_fast(x.data(), nullptr, rows, h, emb_ln_g_, emb_ln_b_, static_cast<float>(cfg_.layer_norm_eps));
  else
    layer_norm(x.data(), rows, h, emb_ln_g_, emb_ln_b_, cfg_.layer_norm_eps);
  ws.qkv.resize(rows * 3 * h);
  ws.ctx.resize(rows * h);
  ws.tmp.resize(rows * h);
  ws.inter.resize(rows * im);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const int ld = static_cast<int>(3 * h);
  for (const auto& l : layers_) {
    if (q8)
      linear_int8(x.data(), rows, l.qkv_q, l.bqkv.data(), ws.qkv.data(), ws.q);
    else
      linear(x.data(), rows, h, l.wqkv.data(), l.bqkv.data(), 3 * h, ws.qkv.data());
    for (std::size_t s = 0; s < batch.size(); ++s) {
      const std::size_t t = len[s];
      const float* base = ws.qkv.data() + off[s] * 3 * h;
      if (q8) {
        // Fused per-head attention (AVX2+FMA, attention_kernel.h); every key is real (one
        // sequence per call, no padding), so no mask.
        for (std::size_t hd = 0; hd < nh; ++hd) {
          const std::size_t c = hd * dh;
          attention_head({.q = base + c, .k = base + h + c, .v = base + 2 * h + c, .ld_in = 3 * h, .t = t, .dh = dh,
                          .scale = scale, .key_mask = nullptr, .ctx = ws.ctx.data() + off[s] * h + c, .ld_out = h},
                         ws.att);
        }
        continue;
      }
      ws.scores.resize(t * t);
      for (std::size_t hd = 0; hd < nh; ++hd) {
        const std::size_t c = hd * dh;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(t), static_cast<int>(t),
                    static_cast<int>(dh), scale, base + c, ld, base + h + c, ld, 0.0f, ws.scores.data(),
                    static_cast<int>(t));
        for (std::size_t i = 0; i < t; ++i) {
          float* r = ws.scores.data() + i * t;
          const float m = *std::max_element(r, r + t);
          float sum = 0;
          for (std::size_t j = 0; j < t; ++j) sum += (r[j] = std::exp(r[j] - m));
          const float inv = 1.0f / sum;
          for (std::size_t j = 0; j < t; ++j) r[j] *= inv;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(t), static_cast<int>(dh),
                    static_cast<int>(t), 1.0f, ws.scores.data(), static_cast<int>(t), base + 2 * h + c, ld, 0.0f,
                    ws.ctx.data() + off[s] * h + c, static_cast<int>(h));
      }
    }
    if (q8) {
      linear_int8(ws.ctx.data(), rows, l.wo_q, l.bo, ws.tmp.data(), ws.q);
      add_layer_norm_fast(x.data(), ws.tmp.data(), rows, h, l.ln1_g, l.ln1_b, static_cast<float>(cfg_.layer_norm_eps));
      linear_int8(x.data(), rows, l.wi_q, l.bi, ws.inter.data(), ws.q);
      gelu_fast(ws.inter.data(), rows * im);
      linear_int8(ws.inter.data(), rows, l.wo2_q, l.bo2, ws.tmp.data(), ws.q);
      add_layer_norm_fast(x.data(), ws.tmp.data(), rows, h, l.ln2_g, l.ln2_b, static_cast<float>(cfg_.layer_norm_eps));
      continue;
    }
    linear(ws.ctx.data(), rows, h, l.wo, l.bo, h, ws.tmp.data());
    for (std::size_t i = 0; i < rows * h; ++i) x[i] += ws.tmp[i];
    layer_norm(x.data(), rows, h, l.ln1_g, l.ln1_b, cfg_.layer_norm_eps);
    linear(x.data(), rows, h, l.wi, l.bi, im, ws.inter.data());
    for (std::size_t i = 0; i < rows * im; ++i) ws.inter[i] = gelu(ws.inter[i]);
    linear(ws.inter.data(), rows, im, l.wo2, l.bo2, h, ws.tmp.data());
    for (std::size_t i = 0; i < rows * h; ++i) x[i] += ws.tmp[i];
    layer_norm(x.data(), rows, h, l.ln2_g, l.ln2_b, cfg_.layer_norm_eps);
  }
  auto& pooled = ws.pooled;
  pooled.resize(h);
  for (std::size_t s = 0; s < batch.size(); ++s) {
    std::fill(pooled.begin(), pooled.end(), 0.0);
    for (std::size_t i = 0; i < len[s]; ++i)
      for (std::size_t j = 0; j < h; ++j) pooled[j] += x[(off[s] + i) * h + j];
    double norm = 0;
    for (auto& p : pooled) {
      p /= static_cast<double>(len[s]);
      norm += p * p;
    }
    norm = std::max(std::sqrt(norm), 1e-12);
    for (std::size_t j = 0; j < h; ++j) out[s * h + j] = static_cast<float>(pooled[j] / norm);
  }
}

}  // namespace gi::classify
