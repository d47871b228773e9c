// vibench merge A.json B.json ... -o ALL.json: joins result files of one
// suite (e.g. the shards of `vibench run --shard K/N`).
#include <fmt/format.h>

#include <iostream>

#include "report/merge.hpp"
#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

struct MergeArguments {
  std::vector<std::string> inputs;
  std::string output;
  bool force = false;
  bool allow_partial = false;
};

int run_merge(const MergeArguments& args, const std::string& command_line) {
  check_output_free(args.output, args.force);
  std::vector<ResultsInput> inputs;
  for (const auto& path : args.inputs)
    inputs.push_back(load_results_file(path));
  Json merged = merge_results(inputs, command_line);

  // A merge that lacks cells of its suite (a shard that failed or was never
  // run) is not passed off as the whole result: it is refused, naming what
  // is missing, or with --allow-partial written with the missing cells
  // listed in "missing_cells".
  const MergeCoverage coverage = merge_coverage(merged);
  if (!coverage.checked)
    std::cerr << "vibench: warning: cannot check that the inputs cover their "
                 "suite: "
              << coverage.unchecked_reason << "\n";
  if (!coverage.missing.empty()) {
    const std::string what =
        fmt::format("the inputs hold {} of the {} cells they were run for: {}",
                    coverage.expected - coverage.missing.size(),
                    coverage.expected, describe_missing(coverage));
    if (!args.allow_partial)
      throw ConfigError(
          "", what +
                  ". Run what is missing (e.g. vibench run SUITE --shard "
                  "K/N -o FILE) and merge again with it, or pass "
                  "--allow-partial to write a partial result that lists the "
                  "missing cells");
    merged["missing_cells"] = coverage.missing;
    Json shards = Json::array();
    for (const auto& shard : coverage.shards) shards.push_back(shard.name);
    merged["context"]["merge"]["missing_shards"] = shards;
    std::cerr << "vibench: warning: partial result: " << what
              << " (listed in its \"missing_cells\")\n";
  }
  write_output(args.output, merged.dump(1), args.force);

  // Cells that failed are results too; say how many.
  const auto not_ok = not_ok_counts(merged);
  std::string statuses;
  size_t not_ok_total = 0;
  for (const auto& [status, count] : not_ok) {
    statuses +=
        fmt::format("{}{} {}", statuses.empty() ? "" : ", ", count, status);
    not_ok_total += count;
  }
  std::cout << fmt::format(
      "merged {} file{} ({} cells{}{}) into {}\n", inputs.size(),
      inputs.size() == 1 ? "" : "s", merged["cells"].size(),
      not_ok_total == 0
          ? ""
          : fmt::format(", {} not ok: {}", not_ok_total, statuses),
      coverage.missing.empty()
          ? ""
          : fmt::format(", {} missing", coverage.missing.size()),
      args.output);
  return kExitOk;
}

}  // namespace

Action add_merge_command(CLI::App& app, const std::string& command_line) {
  auto args = std::make_shared<MergeArguments>();
  auto* command = app.add_subcommand(
      "merge",
      "Join result files of the same suite (e.g. the shards of run --shard) "
      "into one result file");
  command->add_option("results", args->inputs, "Result files (JSON)")
      ->required()
      ->check(readable_file());
  command
      ->add_option("-o,--output", args->output,
                   "Merged result file; never overwritten without --force")
      ->required();
  command->add_flag("--force", args->force, "Replace an existing output file");
  command->add_flag(
      "--allow-partial", args->allow_partial,
      "Write the result even when the inputs miss cells of their suite (a "
      "shard that failed or was not run), listing them in 'missing_cells'; "
      "without it such a merge is refused (exit 2), naming what is missing");
  return [args, command_line] { return run_merge(*args, command_line); };
}

}  // namespace vibench::cli
