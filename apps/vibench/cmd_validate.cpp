// vibench validate SUITE.json: checks a suite without running anything.
#include <fmt/format.h>

#include <iostream>

#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"
#include "vibench/suite_loading.hpp"

namespace vibench::cli {

Action add_validate_command(CLI::App& app) {
  auto* command = app.add_subcommand(
      "validate",
      "Check a suite file (names, parameters, types, ranges) "
      "without running it");
  auto path = std::make_shared<std::string>();
  command->add_option("suite", *path, "Suite file (JSON)")
      ->required()
      ->check(readable_file());
  return [path] {
    const Suite suite = load_suite_for_command(*path);
    const auto cells = expand_cells(suite);
    for (const auto& warning : suite.warnings)
      std::cerr << "vibench: warning: " << *path << ": " << warning << "\n";
    std::cout << fmt::format(
        "{}: valid: {} tasks, {} algorithms, {} metrics, {} "
        "cells\n",
        *path, suite.tasks.size(), suite.algorithms.size(),
        suite.metrics.size(), cells.size());
    return kExitOk;
  };
}

}  // namespace vibench::cli
