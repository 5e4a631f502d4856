#pragma once
// Helpers shared by all test binaries.

#include <filesystem>
#include <string>

#include <boost/json/value.hpp>
#include <gtest/gtest.h>

namespace gi::test {

// Repository root (for test data under test/…).
std::filesystem::path source_dir();
std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& content);

// Structural JSON comparison: key order and whitespace never matter. On mismatch the
// result names the first differing JSON path.
::testing::AssertionResult json_equal(const boost::json::value& expected,
                                      const boost::json::value& actual);
::testing::AssertionResult json_equal(std::string_view expected, std::string_view actual);

// GW_UPDATE_GOLDEN=1 rewrites expected files in place.
bool update_goldens();

// A fresh empty temporary directory, removed by the destructor.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace gi::test
