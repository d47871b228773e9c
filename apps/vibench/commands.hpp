// The subcommands of the vibench CLI, one file each.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace vibench::cli {

// Exit codes (documented in the README).
inline constexpr int kExitOk = 0;  // every cell ok (or skipped)
inline constexpr int kExitCellsFailed =
    1;                                // some cell diverged, timed out or failed
inline constexpr int kExitUsage = 2;  // usage or configuration error

// Each subcommand registers itself on `app` and returns the action to run
// when it was chosen; the action returns the exit code.
using Action = std::function<int()>;
Action add_run_command(CLI::App& app, const std::string& command_line);
Action add_list_command(CLI::App& app);
Action add_validate_command(CLI::App& app);
Action add_table_command(CLI::App& app);
Action add_series_command(CLI::App& app);
Action add_report_command(CLI::App& app);
Action add_profile_command(CLI::App& app);
Action add_compare_command(CLI::App& app);
Action add_export_command(CLI::App& app);
Action add_merge_command(CLI::App& app, const std::string& command_line);
Action add_eval_command(CLI::App& app);
Action add_reference_command(CLI::App& app);

}  // namespace vibench::cli
