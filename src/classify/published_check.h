#pragma once
// The load-time self-check for real all-MiniLM-L6-v2 weights (issue 9 §3): embed the inputs
// of published_checks.json (published sentence-transformers outputs) and refuse the weights
// if a token id or any published embedding dimension differs by more than `tolerance`.
// The published values have 8 significant decimals and an fp32 forward is within ~1e-7 of
// float64, so 1e-5 accepts every correct copy and rejects any other model (random or
// corrupt weights are off by ~1e-2).

#include <filesystem>
#include <string_view>

#include "classify/minilm_encoder.h"
#include "classify/wordpiece.h"
#include "core/result.h"

namespace gi::classify {

inline constexpr double published_check_tolerance = 1e-5;

core::status<> verify_published(const minilm_encoder& enc, const wordpiece_tokenizer& tok, std::string_view checks_json,
                                double tolerance = published_check_tolerance);
core::status<> verify_published_file(const minilm_encoder& enc, const wordpiece_tokenizer& tok,
                                     const std::filesystem::path& checks_file,
                                     double tolerance = published_check_tolerance);

}  // namespace gi::classify
