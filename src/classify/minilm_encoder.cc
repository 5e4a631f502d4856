#include "classify/minilm_encoder.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cblas.h>

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
    e.layers_.push_back(l);
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

std::vector<float> minilm_encoder::embed(std::span<const std::int32_t> ids) const {
  return embed_batch({std::vector<std::int32_t>(ids.begin(), ids.end())}).front();
}

std::vector<std::vector<float>> minilm_encoder::embed_batch(const std::vector<std::vector<std::int32_t>>& batch) const {
  const std::size_t h = cfg_.hidden, im = cfg_.intermediate, nh = cfg_.heads, dh = h / nh;
  std::vector<std::vector<float>> result;
  std::vector<float> x, q, k, v, ctx, tmp, inter, scores;
  for (const auto& raw : batch) {
    // Sequences are run one after another through the same workspace: at these lengths the
    // cost is the per-token sgemm work, and padding would only add work.
    const std::size_t t = std::min(std::max<std::size_t>(raw.size(), 1), cfg_.max_positions);
    x.assign(t * h, 0.0f);
    for (std::size_t i = 0; i < t; ++i) {
      std::int32_t id = i < raw.size() ? raw[i] : 0;
      if (id < 0 || static_cast<std::size_t>(id) >= cfg_.vocab) id = 100;  // [UNK]
      const float* we = word_ + static_cast<std::size_t>(id) * h;
      const float* pe = pos_ + i * h;
      for (std::size_t j = 0; j < h; ++j) x[i * h + j] = we[j] + pe[j] + type_[j];
    }
    layer_norm(x.data(), t, h, emb_ln_g_, emb_ln_b_, cfg_.layer_norm_eps);
    q.resize(t * h);
    k.resize(t * h);
    v.resize(t * h);
    ctx.resize(t * h);
    tmp.resize(t * h);
    inter.resize(t * im);
    scores.resize(t * t);
    const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
    for (const auto& l : layers_) {
      linear(x.data(), t, h, l.wq, l.bq, h, q.data());
      linear(x.data(), t, h, l.wk, l.bk, h, k.data());
      linear(x.data(), t, h, l.wv, l.bv, h, v.data());
      for (std::size_t hd = 0; hd < nh; ++hd) {
        const std::size_t off = hd * dh;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(t), static_cast<int>(t),
                    static_cast<int>(dh), scale, q.data() + off, static_cast<int>(h), k.data() + off,
                    static_cast<int>(h), 0.0f, scores.data(), static_cast<int>(t));
        for (std::size_t i = 0; i < t; ++i) {
          float* r = scores.data() + i * t;
          const float m = *std::max_element(r, r + t);
          float sum = 0;
          for (std::size_t j = 0; j < t; ++j) sum += (r[j] = std::exp(r[j] - m));
          const float inv = 1.0f / sum;
          for (std::size_t j = 0; j < t; ++j) r[j] *= inv;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(t), static_cast<int>(dh),
                    static_cast<int>(t), 1.0f, scores.data(), static_cast<int>(t), v.data() + off,
                    static_cast<int>(h), 0.0f, ctx.data() + off, static_cast<int>(h));
      }
      linear(ctx.data(), t, h, l.wo, l.bo, h, tmp.data());
      for (std::size_t i = 0; i < t * h; ++i) x[i] += tmp[i];
      layer_norm(x.data(), t, h, l.ln1_g, l.ln1_b, cfg_.layer_norm_eps);
      linear(x.data(), t, h, l.wi, l.bi, im, inter.data());
      for (auto& z : inter) z = gelu(z);
      linear(inter.data(), t, im, l.wo2, l.bo2, h, tmp.data());
      for (std::size_t i = 0; i < t * h; ++i) x[i] += tmp[i];
      layer_norm(x.data(), t, h, l.ln2_g, l.ln2_b, cfg_.layer_norm_eps);
    }
    std::vector<double> pooled(h, 0.0);
    for (std::size_t i = 0; i < t; ++i)
      for (std::size_t j = 0; j < h; ++j) pooled[j] += x[i * h + j];
    double norm = 0;
    for (auto& p : pooled) {
      p /= static_cast<double>(t);
      norm += p * p;
    }
    norm = std::max(std::sqrt(norm), 1e-12);
    std::vector<float> out(h);
    for (std::size_t j = 0; j < h; ++j) out[j] = static_cast<float>(pooled[j] / norm);
    result.push_back(std::move(out));
  }
  return result;
}

}  // namespace gi::classify
