// Small helpers shared by the runner and end-to-end tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/params.hpp"

namespace vibench::testing {

// A fresh, empty directory under the system temporary directory.
inline std::filesystem::path temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("vibench-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline Json read_json(const std::filesystem::path& path) {
  return Json::parse(read_text(path));
}

// Records by id.
inline const Json& record_of(const Json& results, const std::string& id) {
  for (const auto& record : results.at("cells"))
    if (record.at("id") == id) return record;
  throw std::runtime_error("no record " + id);
}

}  // namespace vibench::testing
