// vibench eval TASK-SPEC --samples FILE.csv: distribution metrics of draws
// produced by another tool, against the task's ground truth.
#include <fmt/format.h>

#include "core/csv.hpp"
#include "report/eval.hpp"
#include "vibench/commands.hpp"
#include "vibench/reference_cache_option.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

struct EvalArguments {
  std::string task;
  std::string samples;
  std::string metrics;
  long long reference_draws = 1000;
  std::uint64_t seed = 0;
  std::string reference_cache;
  std::string output;
  bool force = false;
};

int run_eval(const EvalArguments& args) {
  check_output_free(args.output, args.force);
  const TaskSpec spec = parse_task_spec(args.task);
  require_distribution(spec, "eval");
  const auto metrics = parse_eval_metrics(args.metrics, spec);
  const Matrix samples = read_samples_csv_file(args.samples, spec.task->dim());
  EvalOptions options;
  options.reference_draws = args.reference_draws;
  options.seed = args.seed;
  options.reference_cache = reference_cache_dir(args.reference_cache);
  options.on_message = print_note;
  Json result = evaluate_samples(spec, samples, metrics, options);
  result["samples_file"] = args.samples;
  write_output(args.output, result.dump(2) + "\n", args.force);
  return kExitOk;
}

}  // namespace

Action add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArguments>();
  auto* command = app.add_subcommand(
      "eval",
      "Score samples from another tool: distribution metrics of a CSV of "
      "draws against a task's ground truth");
  command
      ->add_option("task", args->task,
                   "TASK-SPEC: a task name with optional JSON parameters, "
                   "e.g. gaussian or 'gmm{\"preset\":\"ring8\"}', or a JSON "
                   "file {\"name\": ..., \"params\": {...}}")
      ->required();
  command
      ->add_option("--samples", args->samples,
                   "CSV file: a header row, then one row per draw with one "
                   "number per coordinate")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option(
      "--metrics", args->metrics,
      "Comma-separated metrics, optionally with settings, e.g. "
      "'energy_distance,ksd{\"beta\":-0.25}' (default: every distribution "
      "metric the task supports)");
  command
      ->add_option("--reference-draws", args->reference_draws,
                   "Exact draws for energy_distance and mmd (default 1000)")
      ->check(CLI::Range(2LL, 100000000LL));
  add_reference_cache_option(command, args->reference_cache);
  command->add_option("--seed", args->seed,
                      "Seed of the reference draws (default 0)");
  command->add_option("-o,--output", args->output,
                      "Output JSON file (default: standard output); never "
                      "overwritten without --force");
  command->add_flag("--force", args->force, "Replace an existing output file");
  return [args] { return run_eval(*args); };
}

}  // namespace vibench::cli
