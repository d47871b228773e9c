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

// Throws ConfigError when `path` exists and `force` is off; `option` is the
// command-line option that named it.
inline void check_output_free(const std::string& path, bool force,
                              const std::string& option = "--output") {
  // A character device (/dev/null) is a discard, never replaced.
  if (!path.empty() && std::filesystem::exists(path) && !force &&
      !is_character_device(path))
    throw ConfigError(option,
                      fmt::format("'{}' exists; choose another file with {} "
                                  "or pass --force to replace it",
                                  path, option == "--output" ? "-o" : option));
}

// Throws ConfigError when the output `path` is the input `input` (the same
// file, by any name): --force replaces outputs, never the command's inputs.
inline void check_not_input(const std::string& path, const std::string& option,
                            const std::string& input) {
  std::error_code ec;
  if (!path.empty() && !input.empty() &&
      std::filesystem::equivalent(path, input, ec))
    throw ConfigError(option, fmt::format("'{}' is an input of this command "
                                          "('{}'); choose another file",
                                          path, input));
}

// `text` to `path` (atomically), or to stdout when `path` is empty.
inline void write_output(const std::string& path, const std::string& text,
                         bool force, const std::string& option = "--output") {
  if (path.empty()) {
    std::cout << text << std::flush;
    return;
  }
  check_writable_kind(path, option);
  check_output_free(path, force, option);
  write_atomically(path, text);
}

}  // namespace vibench::cli
