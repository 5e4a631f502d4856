#include "classify/minilm_head.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>

#include "classify/lexical_model.h"
#include "classify/lexical_train.h"

namespace gi::classify {

namespace {

constexpr std::string_view head_magic = "GIMLHEAD";

std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = detail::fnv_offset;
  for (unsigned char c : s) h = (h ^ c) * detail::fnv_prime;
  return h;
}

template <class T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

core::error bad(std::string m) { return core::error(core::error_kind::internal, "minilm head: " + std::move(m)); }

}  // namespace

std::array<float, task_count> minilm_head::logits(std::span<const float> f) const {
  std::array<float, task_count> z = bias;
  const std::size_t n = std::min(f.size(), n_features());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < task_count; ++c) z[c] += w[i * task_count + c] * f[i];
  return z;
}

std::string minilm_head::serialize() const {
  std::string out(head_magic);
  put<std::uint32_t>(out, 1);
  put<std::uint32_t>(out, embed_dim);
  put<std::uint32_t>(out, use_lexical ? 1 : 0);
  put<std::uint32_t>(out, task_count);
  for (float x : w) put(out, x);
  for (float x : bias) put(out, x);
  put<std::uint64_t>(out, fnv1a(out));
  return out;
}

core::result<minilm_head> minilm_head::parse(std::string_view b) {
  if (b.size() < head_magic.size() + 16 + 8 || b.substr(0, head_magic.size()) != head_magic)
    return bad("not a MiniLM head file (bad magic)");
  std::uint64_t stored = 0;
  std::memcpy(&stored, b.data() + b.size() - 8, 8);
  if (stored != fnv1a(b.substr(0, b.size() - 8))) return bad("checksum mismatch (file truncated or corrupt)");
  std::uint32_t version = 0, dim = 0, lex = 0, classes = 0;
  std::size_t pos = head_magic.size();
  for (auto* p : {&version, &dim, &lex, &classes}) {
    std::memcpy(p, b.data() + pos, 4);
    pos += 4;
  }
  if (version != 1) return bad("unsupported version " + std::to_string(version));
  if (classes != task_count) return bad("expected 8 classes");
  if (dim == 0 || dim > 8192) return bad("embedding size out of range");
  minilm_head h;
  h.embed_dim = dim;
  h.use_lexical = lex != 0;
  const std::size_t nw = h.n_features() * task_count;
  if (b.size() != pos + (nw + task_count) * 4 + 8) return bad("size does not match its header");
  h.w.resize(nw);
  std::memcpy(h.w.data(), b.data() + pos, nw * 4);
  std::memcpy(h.bias.data(), b.data() + pos + nw * 4, task_count * 4);
  return h;
}

core::result<minilm_head> minilm_head::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return bad("cannot open " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str());
}

core::status<> minilm_head::save(const std::filesystem::path& file) const {
  const auto tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    const auto s = serialize();
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
    if (!out) return bad("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return bad("rename " + tmp + ": " + ec.message());
  return core::ok;
}

minilm_head train_head(const std::vector<float>& rows, const std::vector<int>& labels, std::uint32_t embed_dim,
                       bool use_lexical, const head_train_options& opt,
                       const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  minilm_head h;
  h.embed_dim = embed_dim;
  h.use_lexical = use_lexical;
  const std::size_t nf = h.n_features();
  h.w.assign(nf * task_count, 0.0f);
  std::vector<float> g2(h.w.size(), 0.0f);
  std::array<float, task_count> bg2{};
  splitmix64 rng(opt.seed);
  std::vector<std::size_t> order(labels.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::uint64_t total = static_cast<std::uint64_t>(labels.size()) * opt.epochs;
  std::uint64_t done = 0;
  for (std::uint32_t e = 0; e < opt.epochs; ++e) {
    rng.shuffle(order);
    for (std::size_t i : order) {
      const float* x = rows.data() + i * nf;
      auto z = h.logits({x, nf});
      softmax(z);
      z[static_cast<std::size_t>(labels[i])] -= 1.0f;
      for (std::size_t f = 0; f < nf; ++f)
        for (std::size_t c = 0; c < task_count; ++c) {
          float& wv = h.w[f * task_count + c];
          const float g = z[c] * x[f] + opt.l2 * wv;
          g2[f * task_count + c] += g * g;
          wv -= opt.learning_rate * g / (std::sqrt(g2[f * task_count + c]) + 1e-8f);
        }
      for (std::size_t c = 0; c < task_count; ++c) {
        bg2[c] += z[c] * z[c];
        h.bias[c] -= opt.learning_rate * z[c] / (std::sqrt(bg2[c]) + 1e-8f);
      }
      if (progress) progress(++done, total);
    }
  }
  return h;
}

}  // namespace gi::classify
