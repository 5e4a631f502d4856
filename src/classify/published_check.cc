#include "classify/published_check.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace gi::classify {

namespace {
core::error bad(std::string msg) {
  return core::error(core::error_kind::internal, "minilm self-check: " + std::move(msg));
}
}  // namespace

core::status<> verify_published(const minilm_encoder& enc, const wordpiece_tokenizer& tok, std::string_view checks_json,
                                double tolerance) {
  boost::system::error_code ec;
  auto v = boost::json::parse(checks_json, ec);
  if (ec || !v.is_object() || !v.get_object().contains("items") || !v.at("items").is_array())
    return bad("published_checks.json is malformed");
  std::size_t checked = 0;
  for (const auto& item : v.at("items").get_array()) {
    if (!item.is_object() || !item.get_object().contains("text")) return bad("item without text");
    const std::string text(item.at("text").as_string());
    const auto ids = tok.encode(text);
    if (const auto* exp = item.get_object().if_contains("input_ids")) {
      std::vector<std::int32_t> want;
      for (const auto& x : exp->as_array()) want.push_back(static_cast<std::int32_t>(x.to_number<long>()));
      if (want != ids) return bad("token ids for \"" + text + "\" differ from the published ones (wrong vocab?)");
    }
    const auto emb = enc.embed(ids);
    const auto& prefix = item.at("embedding_prefix").as_array();
    if (prefix.size() > emb.size()) return bad("embedding smaller than the published prefix (not all-MiniLM-L6-v2)");
    for (std::size_t j = 0; j < prefix.size(); ++j) {
      const double want = prefix[j].to_number<double>();
      if (std::fabs(want - emb[j]) > tolerance) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "dimension %zu of \"%s\" is %.8f, published %.8f (tolerance %g)", j,
                      text.c_str(), static_cast<double>(emb[j]), want, tolerance);
        return bad(std::string(buf) +
                   ": these weights are not the pinned all-MiniLM-L6-v2 (wrong or corrupt download); refusing them");
      }
    }
    ++checked;
  }
  if (checked == 0) return bad("published_checks.json has no items");
  return core::ok;
}

core::status<> verify_published_file(const minilm_encoder& enc, const wordpiece_tokenizer& tok,
                                     const std::filesystem::path& checks_file, double tolerance) {
  std::ifstream in(checks_file);
  if (!in) return bad("cannot open " + checks_file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return verify_published(enc, tok, ss.str(), tolerance);
}

}  // namespace gi::classify
