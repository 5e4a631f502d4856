#include "classify/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace gi::classify {

namespace {

core::error bad(std::string msg) {
  return core::error(core::error_kind::internal, "safetensors: " + std::move(msg));
}

std::size_t dtype_size(std::string_view d) {
  if (d == "F32" || d == "I32" || d == "U32") return 4;
  if (d == "F16" || d == "BF16" || d == "I16") return 2;
  if (d == "F64" || d == "I64" || d == "U64") return 8;
  if (d == "I8" || d == "U8" || d == "BOOL") return 1;
  return 0;
}

}  // namespace

core::result<tensor_map> parse_safetensors(std::string_view bytes) {
  if (bytes.size() < 8) return bad("file shorter than its 8-byte header length");
  std::uint64_t hlen = 0;
  std::memcpy(&hlen, bytes.data(), 8);
  if (hlen == 0 || hlen > 100'000'000 || hlen > bytes.size() - 8) return bad("header length out of range");
  boost::system::error_code ec;
  auto header = boost::json::parse(bytes.substr(8, hlen), ec);
  if (ec || !header.is_object()) return bad("header is not a JSON object");
  const std::string_view data = bytes.substr(8 + hlen);
  tensor_map out;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [key, val] : header.get_object()) {
    if (key == "__metadata__") continue;
    const std::string name(key);
    if (!val.is_object()) return bad(name + ": entry is not an object");
    const auto& o = val.get_object();
    const auto* dt = o.if_contains("dtype");
    const auto* sh = o.if_contains("shape");
    const auto* off = o.if_contains("data_offsets");
    if (dt == nullptr || !dt->is_string() || sh == nullptr || !sh->is_array() || off == nullptr ||
        !off->is_array() || off->get_array().size() != 2)
      return bad(name + ": needs dtype, shape and data_offsets[2]");
    tensor t;
    t.dtype = std::string(dt->get_string());
    const std::size_t esize = dtype_size(t.dtype);
    if (esize == 0) return bad(name + ": unknown dtype " + t.dtype);
    std::uint64_t count = 1;
    for (const auto& d : sh->get_array()) {
      if (!d.is_int64() || d.get_int64() < 0) return bad(name + ": bad shape");
      t.shape.push_back(d.get_int64());
      count *= static_cast<std::uint64_t>(d.get_int64());
      if (count > (std::uint64_t{1} << 34)) return bad(name + ": shape too large");
    }
    const auto& oa = off->get_array();
    if (!oa[0].is_number() || !oa[1].is_number()) return bad(name + ": bad data_offsets");
    const auto b = oa[0].to_number<std::uint64_t>(), e = oa[1].to_number<std::uint64_t>();
    if (b > e || e > data.size())
      return bad(name + ": data_offsets [" + std::to_string(b) + ", " + std::to_string(e) + ") outside the " +
                 std::to_string(data.size()) + "-byte data section (truncated file?)");
    if (e - b != count * esize)
      return bad(name + ": " + std::to_string(e - b) + " bytes for " + std::to_string(count) + " × " + t.dtype);
    ranges.emplace_back(b, e);
    if (t.dtype == "F32") {
      t.data.resize(count);
      std::memcpy(t.data.data(), data.data() + b, e - b);
    }
    out.emplace(name, std::move(t));
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second) return bad("tensors overlap in the data section");
  return out;
}

core::result<tensor_map> load_safetensors(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return bad("cannot open " + file.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = parse_safetensors(bytes);
  if (!r) r.error().message += " (" + file.string() + ")";
  return r;
}

}  // namespace gi::classify
