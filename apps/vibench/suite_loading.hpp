// Loading a suite for a subcommand: configuration errors name the file.
#pragma once

#include <string>

#include "core/error.hpp"
#include "runner/suite.hpp"

namespace vibench::cli {

inline Suite load_suite_for_command(const std::string& path) {
  try {
    return load_suite(path);
  } catch (const ConfigError& e) {
    throw ConfigError(e.where().empty() ? path : path + ": " + e.where(),
                      e.what());
  }
}

}  // namespace vibench::cli
