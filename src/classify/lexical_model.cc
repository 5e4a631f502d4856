#include "classify/lexical_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gi::classify {

namespace {

constexpr std::string_view magic = "GILEXCLS";

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

class reader {
 public:
  explicit reader(std::string_view s) : s_(s) {}
  template <class T>
  bool get(T& v) {
    if (s_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(&v, s_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool bytes(std::size_t n, std::string_view& out) {
    if (s_.size() - pos_ < n) return false;
    out = s_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  std::size_t pos() const { return pos_; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

core::error load_error(std::string msg) {
  return core::error(core::error_kind::internal, "lexical model: " + std::move(msg));
}

}  // namespace

void softmax(std::array<float, task_count>& v) noexcept {
  float m = *std::max_element(v.begin(), v.end());
  float sum = 0;
  for (auto& x : v) {
    x = std::exp(x - m);
    sum += x;
  }
  for (auto& x : v) x /= sum;
}

lexical_model lexical_model::from_weights(const lexical_weights& w) {
  lexical_model m;
  m.cfg_ = w.features;
  m.bias_ = w.bias;
  m.meta_ = w.meta;
  const std::size_t rows = w.w.size() / task_count;
  std::array<float, task_count> maxabs{};
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < task_count; ++c)
      maxabs[c] = std::max(maxabs[c], std::fabs(w.w[r * task_count + c]));
  for (std::size_t c = 0; c < task_count; ++c) m.scale_[c] = maxabs[c] > 0 ? maxabs[c] / 127.0f : 1.0f;
  m.q_.resize(w.w.size());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < task_count; ++c) {
      float q = std::nearbyint(w.w[r * task_count + c] / m.scale_[c]);
      m.q_[r * task_count + c] = static_cast<std::int8_t>(std::clamp(q, -127.0f, 127.0f));
    }
  return m;
}

std::array<float, task_count> lexical_model::logits(std::string_view text) const {
  std::array<std::int32_t, task_count> acc{};
  const std::int8_t* q = q_.data();
  const std::uint32_t n = for_each_feature(text, cfg_, [&](std::uint32_t b) {
    const std::int8_t* row = q + static_cast<std::size_t>(b) * task_count;
    for (std::size_t c = 0; c < task_count; ++c) acc[c] += row[c];
  });
  const float norm = n > 0 ? 1.0f / std::sqrt(static_cast<float>(n)) : 0.0f;
  std::array<float, task_count> out{};
  for (std::size_t c = 0; c < task_count; ++c)
    out[c] = bias_[c] + scale_[c] * static_cast<float>(acc[c]) * norm;
  return out;
}

classification lexical_model::classify(std::string_view text) const {
  classification c;
  c.scores = logits(text);
  softmax(c.scores);
  c.source = "lexical";
  finish(c);
  return c;
}

std::string lexical_model::serialize() const {
  std::string out(magic);
  put<std::uint32_t>(out, lexical_format_version);
  put<std::uint32_t>(out, cfg_.hash_bits);
  put<std::uint32_t>(out, cfg_.char_min);
  put<std::uint32_t>(out, cfg_.char_max);
  put<std::uint32_t>(out, cfg_.edge_words);
  put<std::uint32_t>(out, (cfg_.word_bigrams ? 1u : 0u) | (cfg_.sentence_tags ? 2u : 0u));
  put<std::uint32_t>(out, task_count);
  for (auto n : task_names) {
    out.push_back(static_cast<char>(n.size()));
    out.append(n);
  }
  for (float s : scale_) put(out, s);
  for (float b : bias_) put(out, b);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(meta_.size()));
  out.append(meta_);
  out.append(reinterpret_cast<const char*>(q_.data()), q_.size());
  put<std::uint64_t>(out, fnv1a(out));
  return out;
}

core::result<lexical_model> lexical_model::parse(std::string_view bytes) {
  if (bytes.size() < magic.size() + 8 || bytes.substr(0, magic.size()) != magic)
    return load_error("not a GammaInfra lexical model file (bad magic)");
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (stored != fnv1a(bytes.substr(0, bytes.size() - 8)))
    return load_error("checksum mismatch (file truncated or corrupt)");
  reader r(bytes.substr(magic.size(), bytes.size() - magic.size() - 8));
  std::uint32_t version = 0, flags = 0, n_classes = 0;
  lexical_model m;
  if (!r.get(version)) return load_error("truncated header");
  if (version != lexical_format_version)
    return load_error("unsupported format version " + std::to_string(version) + " (this build reads " +
                      std::to_string(lexical_format_version) + ")");
  if (!r.get(m.cfg_.hash_bits) || !r.get(m.cfg_.char_min) || !r.get(m.cfg_.char_max) ||
      !r.get(m.cfg_.edge_words) || !r.get(flags) || !r.get(n_classes))
    return load_error("truncated header");
  if (m.cfg_.hash_bits < 8 || m.cfg_.hash_bits > 24) return load_error("hash_bits out of range");
  if (m.cfg_.char_max > 16 || m.cfg_.char_min > m.cfg_.char_max || m.cfg_.edge_words > 32)
    return load_error("feature settings out of range");
  m.cfg_.word_bigrams = (flags & 1u) != 0;
  m.cfg_.sentence_tags = (flags & 2u) != 0;
  if (n_classes != task_count) return load_error("expected 8 classes, file has " + std::to_string(n_classes));
  for (auto expected : task_names) {
    std::uint8_t len = 0;
    std::string_view name;
    if (!r.get(len) || !r.bytes(len, name)) return load_error("truncated class list");
    if (name != expected)
      return load_error("class list differs from this build (found '" + std::string(name) + "', expected '" +
                        std::string(expected) + "')");
  }
  for (auto& s : m.scale_)
    if (!r.get(s)) return load_error("truncated scales");
  for (auto& b : m.bias_)
    if (!r.get(b)) return load_error("truncated biases");
  std::uint32_t meta_len = 0;
  std::string_view meta;
  if (!r.get(meta_len) || !r.bytes(meta_len, meta)) return load_error("truncated metadata");
  m.meta_ = std::string(meta);
  const std::size_t n = (std::size_t{1} << m.cfg_.hash_bits) * task_count;
  std::string_view w;
  if (!r.bytes(n, w)) return load_error("truncated weights");
  if (r.pos() != bytes.size() - magic.size() - 8) return load_error("trailing bytes after weights");
  m.q_.assign(reinterpret_cast<const std::int8_t*>(w.data()),
              reinterpret_cast<const std::int8_t*>(w.data()) + n);
  for (std::size_t c = 0; c < task_count; ++c)
    if (!std::isfinite(m.scale_[c]) || !std::isfinite(m.bias_[c])) return load_error("non-finite scale or bias");
  return m;
}

core::result<lexical_model> lexical_model::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return load_error("cannot open " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  auto r = parse(ss.str());
  if (!r) r.error().message += " (" + file.string() + ")";
  return r;
}

core::status<> lexical_model::save(const std::filesystem::path& file) const {
  const auto tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return load_error("cannot write " + tmp);
    const std::string s = serialize();
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
    if (!out) return load_error("write failed: " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return load_error("rename " + tmp + ": " + ec.message());
  return core::ok;
}

}  // namespace gi::classify
