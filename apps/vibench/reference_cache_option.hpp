// The --reference-cache option and the progress notes shared by the
// commands that may compute a NUTS reference posterior (run, eval,
// reference).
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <string>

#include "reference/reference_posterior.hpp"

namespace vibench::cli {

inline void add_reference_cache_option(CLI::App* command, std::string& dir) {
  command->add_option(
      "--reference-cache", dir,
      "Directory of cached NUTS reference posteriors, for tasks without exact "
      "draws (default: $VIBENCH_REFERENCE_CACHE, else "
      "~/.cache/vibench/references); results do not depend on whether a "
      "reference was cached or computed");
}

// The directory the option names, or the default.
inline std::filesystem::path reference_cache_dir(const std::string& option) {
  return option.empty() ? default_reference_cache()
                        : std::filesystem::path(option);
}

// Notes such as "computing the NUTS reference posterior of ..." go to
// standard error, so that standard output stays the command's result.
inline void print_note(const std::string& message) {
  std::cerr << "vibench: " << message << "\n";
}

}  // namespace vibench::cli
