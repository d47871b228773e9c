// vibench export RESULTS.json... --format csv|jsonl [-o FILE]: result files as
// one tidy long table (one row per cell × checkpoint × metric).
#include <fmt/format.h>

#include <iostream>

#include "report/export.hpp"
#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

struct ExportArguments {
  std::vector<std::string> inputs;
  std::string format;
  std::string output;
  bool force = false;
};

int run_export(const ExportArguments& args) {
  check_output_free(args.output, args.force);
  std::string format = args.format;
  if (format.empty())
    format = args.output.ends_with(".jsonl") || args.output.ends_with(".ndjson")
                 ? "jsonl"
                 : "csv";
  std::vector<ResultsInput> inputs;
  for (const auto& path : args.inputs)
    inputs.push_back(load_results_file(path));
  const std::string text = export_results(
      inputs, format == "jsonl" ? ExportFormat::jsonl : ExportFormat::csv);
  write_output(args.output, text, args.force);
  if (!args.output.empty())
    std::cerr << fmt::format("exported {} rows from {} file{} to {}\n",
                             export_row_count(inputs), inputs.size(),
                             inputs.size() == 1 ? "" : "s", args.output);
  return kExitOk;
}

}  // namespace

Action add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArguments>();
  auto* command = app.add_subcommand(
      "export",
      "Write result files as one tidy table: one row per cell x checkpoint x "
      "metric (CSV or JSON lines)");
  command->add_option("results", args->inputs, "Result files (JSON)")
      ->required()
      ->check(readable_file());
  command
      ->add_option("--format", args->format,
                   "csv (RFC 4180) or jsonl (one JSON object per line); "
                   "default: jsonl for -o *.jsonl, else csv")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  command->add_option("-o,--output", args->output,
                      "Output file (default: standard output); never "
                      "overwritten without --force");
  command->add_flag("--force", args->force, "Replace an existing output file");
  return [args] { return run_export(*args); };
}

}  // namespace vibench::cli
