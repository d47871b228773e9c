// The check of an input file named on the command line. CLI11's
// ExistingFile says "File does not exist" for a name too long for the file
// system and cannot tell a file that cannot be read; this one gives the
// system's reason (core/path_checks.hpp), and a configuration error's exit
// code like every other usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/path_checks.hpp"

namespace vibench::cli {

inline CLI::Validator readable_file() {
  return CLI::Validator(
      [](std::string& path) {
        const std::string why = unreadable_file_reason(path);
        return why.empty() ? std::string() : "'" + path + "' " + why;
      },
      "FILE");
}

}  // namespace vibench::cli
