#pragma once
// A validating reader for the safetensors format (8-byte little-endian header length, JSON
// header {name: {dtype, shape, data_offsets}}, raw little-endian data). Only F32 tensors are
// materialised; any malformed header, overlapping or out-of-range offsets, or a byte size
// that does not match dtype × shape is an error naming the tensor — a truncated or corrupt
// download never reaches the encoder.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gi::classify {

struct tensor {
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::vector<float> data;  // F32 only; empty for other dtypes (which the encoder never uses)
};

using tensor_map = std::map<std::string, tensor, std::less<>>;

core::result<tensor_map> parse_safetensors(std::string_view bytes);
core::result<tensor_map> load_safetensors(const std::filesystem::path& file);

}  // namespace gi::classify
