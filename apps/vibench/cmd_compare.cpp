// vibench compare BASELINE.json CANDIDATE.json: regression verdicts for CI,
// as a Markdown report and github-action-benchmark JSON; exit code 1 on any
// regression.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <utility>
#include <vector>

#include "report/compare.hpp"
#include "report/exact_diff.hpp"
#include "runner/results_file.hpp"
#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

constexpr int kExitRegression = 1;  // documented in the README

struct CompareArguments {
  std::string baseline, candidate;
  CompareOptions options;
  std::string report, json_smaller, json_bigger;
  bool exact = false;
  bool force = false;
};

// --exact: every value must be reproduced bit for bit.
size_t report_exact_differences(const CompareArguments& args) {
  const ExactDifferences diff =
      exact_differences(read_result_document(args.baseline),
                        read_result_document(args.candidate));
  for (const auto& line : diff.lines)
    std::cerr << "vibench: moved: " << line << "\n";
  if (diff.count > diff.lines.size())
    std::cerr << fmt::format("vibench: moved: ... and {} more\n",
                             diff.count - diff.lines.size());
  std::cerr << fmt::format(
      "vibench: compare --exact: {} value{} moved ({} vs {})\n", diff.count,
      diff.count == 1 ? "" : "s", args.candidate, args.baseline);
  return diff.count;
}

int compare(const CompareArguments& args) {
  for (const auto& [tolerance, option] :
       {std::pair{args.options.rtol, "--rtol"},
        std::pair{args.options.atol, "--atol"}})
    if (!std::isfinite(tolerance))
      throw ConfigError(option,
                        "must be a finite number, not nan or inf: a "
                        "comparison with it would pass whatever the values");
  // Every output: not an existing file without --force, never an input,
  // and no two the same.
  const std::vector<std::pair<std::string, std::string>> outputs = {
      {args.report, "--report"},
      {args.json_smaller, "--json"},
      {args.json_bigger, "--json-bigger"}};
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& [path, option] = outputs[i];
    if (path.empty()) continue;
    check_writable_kind(path, option);
    for (const auto& input : {args.baseline, args.candidate})
      check_not_input(path, option, input);
    check_output_free(path, args.force, option);
    for (size_t j = 0; j < i; ++j)
      if (outputs[j].first == path)
        throw ConfigError(option, fmt::format("'{}' is also given to {}", path,
                                              outputs[j].second));
  }
  const ResultSet baseline = load_result_set({args.baseline});
  const ResultSet candidate = load_result_set({args.candidate});
  const Comparison comparison =
      compare_results(baseline, candidate, args.options);
  const std::string report = compare_report(comparison, args.options);
  if (args.report.empty())
    std::cout << report;
  else
    write_atomically(args.report, report);
  if (!args.json_smaller.empty())
    write_atomically(args.json_smaller,
                     benchmark_action_json(comparison, true).dump(2) + "\n");
  if (!args.json_bigger.empty())
    write_atomically(args.json_bigger,
                     benchmark_action_json(comparison, false).dump(2) + "\n");

  if (!comparison.only_in_baseline.empty() ||
      !comparison.only_in_candidate.empty())
    std::cerr << fmt::format(
        "vibench: warning: {} cell(s) only in the baseline and {} only in "
        "the candidate were not compared\n",
        comparison.only_in_baseline.size(),
        comparison.only_in_candidate.size());
  for (const auto& line : comparison.regression_lines())
    std::cerr << "vibench: regression: " << line << "\n";
  const size_t regressions = comparison.regression_count();
  std::cerr << fmt::format("vibench: compare: {} regression{} ({} vs {})\n",
                           regressions, regressions == 1 ? "" : "s",
                           args.candidate, args.baseline);
  const size_t moved = args.exact ? report_exact_differences(args) : 0;
  return regressions == 0 && moved == 0 ? kExitOk : kExitRegression;
}

}  // namespace

Action add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArguments>();
  auto* command = app.add_subcommand(
      "compare",
      "Compare a candidate result file with a baseline: regression verdicts "
      "for CI (exit code 1 on any regression)");
  command->footer(
      "Cells are matched by id (cells in one file only are listed as "
      "warnings) and grouped by (task, algorithm). For each metric at the "
      "final checkpoint, over the seeds ok in both files, a regression is: "
      "the candidate's median is worse than the baseline's (by the metric's "
      "direction) by more than max(rtol*|baseline median|, atol), and, when "
      "both have at least 5 seeds, a two-sided Mann-Whitney U test gives "
      "p <= 0.05 (with fewer seeds the tolerance alone decides). A cell ok in "
      "the baseline and not ok in the candidate is a regression too. Exit "
      "codes: 0 no regression, 1 some regression, 2 usage error.");
  command->add_option("baseline", args->baseline, "Baseline result file")
      ->required()
      ->check(readable_file());
  command->add_option("candidate", args->candidate, "Candidate result file")
      ->required()
      ->check(readable_file());
  command
      ->add_option("--rtol", args->options.rtol,
                   "Relative tolerance on the median (default 0.1)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--atol", args->options.atol,
                   "Absolute floor of the tolerance (default 1e-12)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--metrics", args->options.metrics,
                   "Metrics to compare, comma-separated (default: every "
                   "metric of both files)")
      ->delimiter(',');
  command->add_flag(
      "--exact", args->exact,
      "Also require every status and every metric and cost value at every "
      "checkpoint to be bit-identical (a run of the same code and suite); "
      "each moved value is listed, and any makes the exit code 1");
  command->add_option("--report", args->report,
                      "Write the Markdown report to this file instead of "
                      "stdout (never replacing a file without --force, nor "
                      "an input)");
  command->add_option(
      "--json", args->json_smaller,
      "Write the smaller-is-better metrics as github-action-benchmark "
      "'customSmallerIsBetter' JSON: [{name, unit, value, extra}], value = "
      "the candidate's median");
  command->add_option("--json-bigger", args->json_bigger,
                      "Write the bigger-is-better metrics as "
                      "'customBiggerIsBetter' JSON");
  command->add_flag("--force", args->force,
                    "Replace existing --report/--json/--json-bigger files");
  return [args] { return compare(*args); };
}

}  // namespace vibench::cli
