// vibench series RESULTS.json... --metric M [--x COUNTER] [--select
// best-by=M2]: the convergence lines of a figure as JSON, labelled and
// coloured, for scripts/plot.py or any other drawing program.
#include <fmt/format.h>

#include <iostream>

#include "report/grid_selection.hpp"
#include "report/series.hpp"
#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

struct SeriesArguments {
  std::vector<std::string> files;
  std::string metric;
  std::string x = "grad_evals";
  std::string select;
  std::string at = "final";
  bool include_unfinished = false;
  std::string stat = "median-iqr";
  std::string xscale = "auto", yscale = "auto";
  std::string output;
  bool force = false;
};

int series(const SeriesArguments& args) {
  check_output_free(args.output, args.force);
  SeriesOptions options;
  options.metric = args.metric;
  options.x = args.x;
  if (!args.select.empty())
    options.select_by = parse_select_option(args.select);
  options.select_at = TracePoint::parse(args.at, "--at");
  options.include_unfinished = args.include_unfinished;
  options.stat =
      args.stat == "mean-ci" ? SeriesStat::mean_ci : SeriesStat::median_iqr;
  auto scale = [](const std::string& text) {
    return text == "log"      ? AxisScale::log
           : text == "linear" ? AxisScale::linear
                              : AxisScale::automatic;
  };
  options.x_scale = scale(args.xscale);
  options.y_scale = scale(args.yscale);
  const ResultSet results = load_result_set(args.files);
  for (const auto& warning : results.warnings)
    std::cerr << "vibench: warning: " << warning << "\n";
  write_output(args.output,
               series_json(build_series(results, options)).dump() + "\n",
               args.force);
  return kExitOk;
}

}  // namespace

Action add_series_command(CLI::App& app) {
  auto args = std::make_shared<SeriesArguments>();
  auto* command = app.add_subcommand(
      "series",
      "The convergence lines of a figure as JSON: one panel per task, one "
      "line per algorithm configuration, the traces of its seeds");
  command->footer(
      "Labels are the display labels (a suite entry's 'label', else the name "
      "and the parameters that vary); a line's colour index is its place "
      "among every configuration of the files, so figures of different "
      "metrics colour an algorithm alike. scripts/plot.py draws this.");
  command->add_option("results", args->files, "Result files (JSON)")
      ->required()
      ->check(readable_file());
  command->add_option("-m,--metric", args->metric, "Metric to draw")
      ->required();
  command->add_option("--x", args->x,
                      "Cost axis: a counter of the trace (grad_evals, "
                      "oracle_calls, iterations, ...) or seconds; default "
                      "grad_evals");
  command->add_option(
      "--select", args->select,
      "best-by=METRIC: one line per algorithm name, its configuration with "
      "the best median of METRIC over seeds on each task (as table --select)");
  command->add_option("--at", args->at,
                      "Where --select reads METRIC: final (default), "
                      "COUNTER=N or best");
  command
      ->add_option("--stat", args->stat,
                   "How each line sums up its seeds: median-iqr (default; "
                   "median and quartiles) or mean-ci (mean and 95% "
                   "confidence band, Student's t)")
      ->check(CLI::IsMember({"median-iqr", "mean-ci"}));
  command
      ->add_option("--xscale", args->xscale,
                   "auto (default: log when the positive x values span two "
                   "decades), log or linear")
      ->check(CLI::IsMember({"auto", "log", "linear"}));
  command
      ->add_option("--yscale", args->yscale,
                   "auto (default: log when every value is positive), log or "
                   "linear")
      ->check(CLI::IsMember({"auto", "log", "linear"}));
  command->add_flag("--include-unfinished", args->include_unfinished,
                    "Also draw cells that diverged, timed out or failed");
  command->add_option("-o,--output", args->output,
                      "Output file (default: standard output); never "
                      "overwritten without --force");
  command->add_flag("--force", args->force, "Replace an existing output file");
  return [args] { return series(*args); };
}

}  // namespace vibench::cli
