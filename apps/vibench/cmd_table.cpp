// vibench table RESULTS.json... --metric M: one metric as a table for papers
// (Markdown, LaTeX with booktabs, or CSV).
#include <fmt/format.h>

#include <iostream>

#include "core/error.hpp"
#include "report/grid_selection.hpp"
#include "report/table.hpp"
#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"

namespace vibench::cli {

namespace {

struct TableArguments {
  std::vector<std::string> files;
  std::string metric;
  std::string at = "final";
  std::string format = "markdown";
  std::string stat = "mean-sd";
  std::string select;
  bool transpose = false;
  bool standalone = false;
};

int table(const TableArguments& args, bool format_given) {
  TableOptions options;
  options.metric = args.metric;
  options.at = TracePoint::parse(args.at, "--at");
  options.format = args.format == "latex" ? TableFormat::latex
                   : args.format == "csv" ? TableFormat::csv
                                          : TableFormat::markdown;
  options.stat = args.stat == "median-iqr"  ? TableStat::median_iqr
                 : args.stat == "quantiles" ? TableStat::tail_quantiles
                                            : TableStat::mean_sd;
  options.transpose = args.transpose;
  options.standalone = args.standalone;
  if (args.standalone) {
    if (format_given && options.format != TableFormat::latex)
      throw ConfigError("--standalone",
                        "a standalone document is LaTeX; use "
                        "it with --format latex");
    options.format = TableFormat::latex;
  }
  if (!args.select.empty())
    options.select_by = parse_select_option(args.select);

  const ResultSet results = load_result_set(args.files);
  for (const auto& warning : results.warnings)
    std::cerr << "vibench: warning: " << warning << "\n";
  std::cout << make_table(results, options);
  return kExitOk;
}

}  // namespace

Action add_table_command(CLI::App& app) {
  auto args = std::make_shared<TableArguments>();
  auto* command = app.add_subcommand(
      "table",
      "One metric as a table for papers: algorithm configurations x tasks, "
      "aggregated over seeds");
  command->footer(
      "Each entry aggregates the seeds (replicates) of one (task, algorithm "
      "configuration) whose cells ended ok; other cells are counted in a "
      "note (e.g. '2/5 diverged'). The best entry of each task is in bold; "
      "an entry marked with a dagger is significantly worse than it: "
      "two-sided Mann-Whitney U test over seeds (exact without ties for up "
      "to 20 seeds per side, else the normal approximation with tie "
      "correction), Holm-corrected across the entries of the task, level "
      "alpha = 0.05. With 3 seeds per side no difference can be significant "
      "(the smallest p is 0.1); 5 seeds give p >= 0.0079. Several result "
      "files are joined (e.g. shards of one suite); a cell id present twice "
      "is an error.");
  command->add_option("results", args->files, "Result files (JSON)")
      ->required()
      ->check(readable_file());
  command->add_option("-m,--metric", args->metric, "Metric to tabulate")
      ->required();
  command->add_option(
      "--at", args->at,
      "Where on the trace: final (default); grad_evals=N (the last "
      "checkpoint with grad_evals <= N, no interpolation); best (the best "
      "value of the trace, by the metric's direction)");
  command
      ->add_option("--format", args->format, "markdown (default), latex, csv")
      ->check(CLI::IsMember({"markdown", "latex", "csv"}));
  command
      ->add_option("--stat", args->stat,
                   "mean-sd (default): mean ± sd, best = smallest/largest "
                   "mean; median-iqr: median [q1, q3], best by median; "
                   "quantiles: median (95th, 99th percentile), best by "
                   "median, for high-probability claims")
      ->check(CLI::IsMember({"mean-sd", "median-iqr", "quantiles"}));
  command->add_flag("--transpose", args->transpose,
                    "Rows = tasks, columns = algorithms (ignored by csv)");
  command->add_option(
      "--select", args->select,
      "best-by=METRIC: for hyper-parameter grids, keep for each (task, "
      "algorithm name) the configuration with the best median of METRIC "
      "over seeds (at the same --at point); a note says which was chosen");
  command->add_flag("--standalone", args->standalone,
                    "LaTeX: a complete document (article with booktabs) "
                    "instead of a table environment");
  return [args, command] {
    return table(*args, command->get_option("--format")->count() > 0);
  };
}

}  // namespace vibench::cli
