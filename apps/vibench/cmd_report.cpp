// vibench report RESULTS.json... -o report.html [--baseline BASE.json]: one
// self-contained HTML page of a run — figures, tables, failures, provenance
// and the regression verdict.
#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "report/grid_selection.hpp"
#include "report/html_report.hpp"
#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

struct ReportArguments {
  std::vector<std::string> files;
  std::string output;
  std::string baseline;
  std::string select;
  std::string at = "final";
  std::string x;
  std::string title = "vibench report";
  bool allow_mixed = false;
  bool force = false;
};

int report(const ReportArguments& args) {
  // Every check before anything is read at length; nothing is written
  // unless the whole page was made.
  check_output_free(args.output, args.force);
  for (const auto& input : args.files)
    check_not_input(args.output, "--output", input);
  check_not_input(args.output, "--output", args.baseline);
  ReportOptions options;
  options.title = args.title;
  options.at = TracePoint::parse(args.at, "--at");
  options.x = args.x;
  options.allow_mixed = args.allow_mixed;
  if (!args.select.empty())
    options.select_by = parse_select_option(args.select);
  const ResultSet results = load_result_set(args.files);
  std::optional<ReportBaseline> baseline;
  if (!args.baseline.empty()) {
    baseline.emplace();
    baseline->file = args.baseline;
    baseline->comparison = compare_results(load_result_set({args.baseline}),
                                           results, baseline->options);
  }
  const std::string page =
      html_report(results, options, baseline ? &*baseline : nullptr);
  write_output(args.output, page, args.force);
  std::cerr << fmt::format(
      "vibench: report of {} cells written to {} ({} kB)\n",
      results.cells.size(), args.output, (page.size() + 1023) / 1024);
  return kExitOk;
}

}  // namespace

Action add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArguments>();
  auto* command = app.add_subcommand(
      "report",
      "One self-contained HTML page of result files: figures, tables with "
      "significance marks, failed cells, provenance, regression verdict");
  command->footer(
      "The page loads nothing from anywhere (figures are inline SVG, styles "
      "inline, no script) and opens from disk. Files of different suites "
      "are refused unless --allow-mixed.");
  command->add_option("results", args->files, "Result files (JSON)")
      ->required()
      ->check(readable_file());
  command->add_option("-o,--output", args->output, "The HTML file to write")
      ->required();
  command
      ->add_option("--baseline", args->baseline,
                   "A baseline result file: the page shows vibench compare's "
                   "regression verdict against it (default tolerances)")
      ->check(readable_file());
  command->add_option("--select", args->select,
                      "best-by=METRIC: tables and figures keep the best "
                      "configuration per (task, algorithm name)");
  command->add_option("--at", args->at,
                      "Where tables and --select read values: final "
                      "(default), COUNTER=N or best");
  command->add_option("--x", args->x,
                      "The figures' cost axis (default: oracle_calls for "
                      "bilevel tasks, grad_evals otherwise)");
  command->add_option("--title", args->title, "The page's title");
  command->add_flag("--allow-mixed", args->allow_mixed,
                    "Report files of different suites together");
  command->add_flag("--force", args->force, "Replace an existing output file");
  return [args] { return report(*args); };
}

}  // namespace vibench::cli
