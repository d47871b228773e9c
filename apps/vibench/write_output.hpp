// Writing a subcommand's output: to stdout, or to a file written atomically
// that is never replaced without --force.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "core/error.hpp"
#include "runner/results_file.hpp"

namespace vibench::cli {

// Throws ConfigError when `path` exists and `force` is off.
inline void check_output_free(const std::string& path, bool force) {
  if (!path.empty() && std::filesystem::exists(path) && !force)
    throw ConfigError("--output",
                      fmt::format("'{}' exists; choose another file with -o "
                                  "or pass --force to replace it",
                                  path));
}

// `text` to `path` (atomically), or to stdout when `path` is empty.
inline void write_output(const std::string& path, const std::string& text,
                         bool force) {
  if (path.empty()) {
    std::cout << text << std::flush;
    return;
  }
  check_output_free(path, force);
  write_atomically(path, text);
}

}  // namespace vibench::cli
