#include "classify/model_store.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/evp.h>

namespace gi::classify {

namespace {
core::error bad(std::string m) { return core::error(core::error_kind::internal, std::move(m)); }

std::string hex(const unsigned char* d, unsigned n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    s.push_back(digits[d[i] >> 4]);
    s.push_back(digits[d[i] & 15]);
  }
  return s;
}
}  // namespace

std::filesystem::path default_data_dir() {
  if (const char* d = std::getenv("GAMMAINFRA_DATA_DIR"); d != nullptr && *d != '\0') return d;
  return "gammainfra-data";
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  return hex(md, n);
}

core::result<std::string> sha256_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return bad("cannot open " + file.string());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx, md, &n);
  EVP_MD_CTX_free(ctx);
  return hex(md, n);
}

core::status<> write_lock(const std::filesystem::path& dir, std::string_view revision) {
  boost::json::object files;
  for (auto name : minilm_files) {
    const auto p = dir / std::string(name);
    auto h = sha256_file(p);
    if (!h) return std::move(h).error();
    std::error_code ec;
    const auto size = std::filesystem::file_size(p, ec);
    files[name] = boost::json::object{{"sha256", *h}, {"bytes", static_cast<std::uint64_t>(size)}};
  }
  boost::json::object lock{{"repo", minilm_repo}, {"revision", revision}, {"files", std::move(files)}};
  const auto tmp = dir / (std::string(minilm_lock_name) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << boost::json::serialize(lock) << '\n';
    if (!out) return bad("cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, dir / std::string(minilm_lock_name), ec);
  if (ec) return bad("cannot write lock: " + ec.message());
  return core::ok;
}

core::status<> verify_lock(const std::filesystem::path& dir) {
  const auto lock_path = dir / std::string(minilm_lock_name);
  std::ifstream in(lock_path);
  if (!in)
    return bad("no " + lock_path.string() + ": the MiniLM files were not installed by `gammainfra model fetch`");
  std::ostringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = boost::json::parse(ss.str(), ec);
  if (ec || !v.is_object() || !v.get_object().contains("files") || !v.at("files").is_object())
    return bad(lock_path.string() + " is malformed");
  for (auto name : minilm_files) {
    const auto* f = v.at("files").get_object().if_contains(name);
    if (f == nullptr || !f->is_object() || !f->get_object().contains("sha256"))
      return bad(lock_path.string() + " has no entry for " + std::string(name));
    auto h = sha256_file(dir / std::string(name));
    if (!h) return std::move(h).error();
    if (*h != f->at("sha256").as_string())
      return bad((dir / std::string(name)).string() + ": sha256 " + *h + " differs from the lock (" +
                 std::string(f->at("sha256").as_string()) + "); re-run `gammainfra model fetch`");
  }
  return core::ok;
}

}  // namespace gi::classify
