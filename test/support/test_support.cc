#include "support/test_support.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace gi::test {

std::filesystem::path source_dir() {
  if (const char* d = std::getenv("GI_SOURCE_DIR")) return d;
  return GI_SOURCE_DIR;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path& p, const std::string& content) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
}

namespace {
bool diff(const boost::json::value& a, const boost::json::value& b, std::string path,
          std::string& where) {
  if (a.kind() != b.kind()) {
    // int64 vs uint64 vs double compare by value
    if ((a.is_number() && b.is_number()) && a.to_number<double>() == b.to_number<double>())
      return true;
    where = path + ": expected " + boost::json::serialize(a) + ", got " + boost::json::serialize(b);
    return false;
  }
  if (a.is_object()) {
    const auto& oa = a.get_object();
    const auto& ob = b.get_object();
    for (const auto& kv : oa) {
      auto it = ob.find(kv.key());
      if (it == ob.end()) {
        where = path + "." + std::string(kv.key()) + ": missing";
        return false;
      }
      if (!diff(kv.value(), it->value(), path + "." + std::string(kv.key()), where)) return false;
    }
    for (const auto& kv : ob)
      if (!oa.contains(kv.key())) {
        where = path + "." + std::string(kv.key()) + ": unexpected " + boost::json::serialize(kv.value());
        return false;
      }
    return true;
  }
  if (a.is_array()) {
    const auto& aa = a.get_array();
    const auto& ab = b.get_array();
    if (aa.size() != ab.size()) {
      where = path + ": expected " + std::to_string(aa.size()) + " elements, got " +
              std::to_string(ab.size());
      return false;
    }
    for (std::size_t i = 0; i < aa.size(); ++i)
      if (!diff(aa[i], ab[i], path + "[" + std::to_string(i) + "]", where)) return false;
    return true;
  }
  if (a != b) {
    where = path + ": expected " + boost::json::serialize(a) + ", got " + boost::json::serialize(b);
    return false;
  }
  return true;
}
}  // namespace

::testing::AssertionResult json_equal(const boost::json::value& expected,
                                      const boost::json::value& actual) {
  std::string where;
  if (diff(expected, actual, "$", where)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << where;
}

::testing::AssertionResult json_equal(std::string_view expected, std::string_view actual) {
  boost::system::error_code ec1, ec2;
  auto a = boost::json::parse(expected, ec1);
  if (ec1) return ::testing::AssertionFailure() << "expected is not JSON: " << ec1.message();
  auto b = boost::json::parse(actual, ec2);
  if (ec2) return ::testing::AssertionFailure() << "actual is not JSON: " << ec2.message() << ": " << actual;
  return json_equal(a, b);
}

bool update_goldens() {
  const char* v = std::getenv("GW_UPDATE_GOLDEN");
  return v && std::string(v) == "1";
}

temp_dir::temp_dir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (;;) {
    path_ = base / ("gi-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}
temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace gi::test
