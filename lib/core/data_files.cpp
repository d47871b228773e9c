#include "core/data_files.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/error.hpp"
#include "core/path_checks.hpp"
#include "core/suggest.hpp"

namespace vibench {

namespace fs = std::filesystem;

fs::path data_directory() {
  if (const char* dir = std::getenv("VIBENCH_DATA_DIR"); dir && *dir)
    return fs::path(dir);
  return fs::path(VIBENCH_SOURCE_DIR) / "targets" / "data";
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> bundled_names(const fs::path& dir,
                                       const std::string& extension) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (ends_with(file, extension))
      names.push_back(file.substr(0, file.size() - extension.size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

fs::path resolve_data_file(const std::string& value,
                           const std::string& subdirectory,
                           const std::string& extension,
                           const std::string& where) {
  const bool is_path =
      value.find('/') != std::string::npos || ends_with(value, extension);
  if (is_path) {
    // The system's reason (a directory, a name too long), not "does not
    // exist" for all of them.
    if (const std::string why = unreadable_file_reason(value); !why.empty())
      throw ConfigError(where, "data file '" + value + "' " + why);
    return fs::path(value);
  }
  const fs::path dir = data_directory() / subdirectory;
  const fs::path file = dir / (value + extension);
  // Without the error code a name too long would throw a filesystem_error
  // that names neither the suite nor the parameter.
  std::error_code ec;
  if (fs::is_regular_file(file, ec)) return file;
  const std::vector<std::string> names = bundled_names(dir, extension);
  std::string message =
      "no bundled data set '" + value + "' (looked for " + file.string() + ")";
  if (names.empty())
    message += "; the data directory " + dir.string() +
               " is missing or empty (set VIBENCH_DATA_DIR to the directory "
               "holding vibench's targets/data)";
  else
    message += did_you_mean(value, names) + "; bundled: " + quoted_list(names) +
               "; or give a file path";
  throw ConfigError(where, message);
}

std::string read_text_file(const fs::path& path, const std::string& where) {
  // A directory opens as a stream that reads nothing, which would pass for
  // an empty file.
  if (const std::string why = unreadable_file_reason(path.string());
      !why.empty())
    throw ConfigError(where, path.string() + " " + why);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(where, "cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace vibench
