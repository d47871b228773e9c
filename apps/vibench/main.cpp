// vibench: benchmark samplers and optimizers on tasks with known answers.
#include <fmt/format.h>
#include <malloc.h>

#include <iostream>

#include "core/error.hpp"
#include "core/kernel_backend.hpp"
#include "vibench/commands.hpp"
#include "vibench_revision.hpp"

int main(int argc, char** argv) {
  using namespace vibench;
  // Metrics allocate n×m matrices at every checkpoint; by default glibc
  // serves each with a fresh mmap and returns it at once, so most of the
  // time went into page faults. Keeping freed blocks for reuse removes that.
  mallopt(M_MMAP_THRESHOLD, 512 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  CLI::App app{
      "vibench: a benchmark suite for samplers and optimizers.\n"
      "Runs suites of (task, algorithm, seed) cells and writes JSON metrics."};
  app.set_version_flag("--version", std::string(VIBENCH_VERSION) + " (" +
                                        VIBENCH_GIT_REVISION + ")");
  app.require_subcommand(1);

  std::string command_line;
  for (int i = 0; i < argc; ++i)
    command_line += (i ? " " : "") + std::string(argv[i]);
  std::vector<std::pair<CLI::App*, cli::Action>> actions;
  actions.emplace_back(nullptr, cli::add_run_command(app, command_line));
  actions.back().first = app.get_subcommand("run");
  actions.emplace_back(nullptr, cli::add_list_command(app));
  actions.back().first = app.get_subcommand("list");
  actions.emplace_back(nullptr, cli::add_validate_command(app));
  actions.back().first = app.get_subcommand("validate");
  actions.emplace_back(nullptr, cli::add_table_command(app));
  actions.back().first = app.get_subcommand("table");
  actions.emplace_back(nullptr, cli::add_series_command(app));
  actions.back().first = app.get_subcommand("series");
  actions.emplace_back(nullptr, cli::add_report_command(app));
  actions.back().first = app.get_subcommand("report");
  actions.emplace_back(nullptr, cli::add_profile_command(app));
  actions.back().first = app.get_subcommand("profile");
  actions.emplace_back(nullptr, cli::add_compare_command(app));
  actions.back().first = app.get_subcommand("compare");
  actions.emplace_back(nullptr, cli::add_export_command(app));
  actions.back().first = app.get_subcommand("export");
  actions.emplace_back(nullptr, cli::add_merge_command(app, command_line));
  actions.back().first = app.get_subcommand("merge");
  actions.emplace_back(nullptr, cli::add_eval_command(app));
  actions.back().first = app.get_subcommand("eval");
  actions.emplace_back(nullptr, cli::add_reference_command(app));
  actions.back().first = app.get_subcommand("reference");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cli::kExitOk : cli::kExitUsage;
  }
  try {
    // The kernel backend is read from the environment once, here, so that
    // a bad VIBENCH_KERNELS is reported before any work.
    kernel_backend();
    for (auto& [subcommand, action] : actions)
      if (subcommand->parsed()) return action();
  } catch (const ConfigError& e) {
    // Subcommands prefix the file name into the message where they know it.
    std::cerr << "vibench: error: "
              << (e.where().empty() ? "" : e.where() + ": ") << e.what()
              << "\n";
    return cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "vibench: error: " << e.what() << "\n";
    return cli::kExitUsage;
  }
  return cli::kExitUsage;
}
