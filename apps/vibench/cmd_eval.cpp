// vibench eval TASK-SPEC --samples FILE.csv: distribution metrics of draws
// produced by another tool, against the task's ground truth.
#include <fmt/format.h>

#include "core/csv.hpp"
#include "report/eval.hpp"
#include "tasks/distribution.hpp"
#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"
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
  bool reference_draws_given = false;  // --reference-draws on the command line
  std::string reference_draws_file;
  std::string export_reference_draws;
  std::string reference_cache;
  std::string output;
  bool force = false;
};

int run_eval(const EvalArguments& args) {
  check_output_free(args.output, args.force);
  check_output_free(args.export_reference_draws, args.force,
                    "--export-reference-draws");
  for (const auto& [path, option] :
       {std::pair{args.output, "--output"},
        std::pair{args.export_reference_draws, "--export-reference-draws"}})
    for (const auto& input : {args.samples, args.reference_draws_file})
      check_not_input(path, option, input);
  if (!args.output.empty() && args.output == args.export_reference_draws)
    throw ConfigError("--export-reference-draws",
                      "the same file as --output; choose another");
  const TaskSpec spec = parse_task_spec(args.task);
  require_distribution(spec, "eval");
  std::vector<std::string> notes;
  const auto metrics = parse_eval_metrics(
      args.metrics, spec, !args.reference_draws_file.empty(), &notes);
  for (const auto& note : notes) print_note(note);
  const Matrix samples = read_samples_csv_file(args.samples, spec.task->dim());
  EvalOptions options;
  options.reference_draws = args.reference_draws;
  options.seed = args.seed;
  options.reference_cache = reference_cache_dir(args.reference_cache);
  options.reference_draws_file = args.reference_draws_file;
  options.thin_reference_file = args.reference_draws_given;
  options.on_message = print_note;
  Matrix reference;
  Json result = evaluate_samples(spec, samples, metrics, options, &reference);
  result["samples_file"] = args.samples;
  if (!args.export_reference_draws.empty()) {
    if (reference.rows() == 0)
      throw ConfigError("--export-reference-draws",
                        "no metric asked for uses reference draws, so there "
                        "are none to export");
    const auto& distribution = static_cast<const Distribution&>(*spec.task);
    write_output(args.export_reference_draws,
                 samples_csv(reference, distribution.coordinate_names()),
                 args.force, "--export-reference-draws");
  }
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
      ->check(readable_file());
  command->add_option(
      "--metrics", args->metrics,
      "Comma-separated metrics, optionally with settings, e.g. "
      "'energy_distance,ksd{\"beta\":-0.25}' (default: every distribution "
      "metric the task supports)");
  auto* draws_option =
      command
          ->add_option("--reference-draws", args->reference_draws,
                       "Reference draws for the metrics that use them "
                       "(energy_distance, mmd2, the Wasserstein metrics): "
                       "exact draws or the reference posterior thinned to "
                       "this many (default 1000); with "
                       "--reference-draws-file, the file's draws evenly "
                       "thinned to this many (default: all of them)")
          ->check(CLI::Range(2LL, 100000000LL));
  command
      ->add_option(
          "--reference-draws-file", args->reference_draws_file,
          "Score against these draws instead of the task's own: a CSV "
          "(header of names, one draw per row) or posteriordb's "
          "reference_draws.json. Columns are matched by name to the task's "
          "coordinates or to its parameters (e.g. sigma for log_sigma), or "
          "taken in order under a header x1..xd")
      ->check(readable_file());
  command->add_option(
      "--export-reference-draws", args->export_reference_draws,
      "Also write the reference draws the metrics were computed against, as "
      "CSV in the task's coordinates (never overwritten without --force)");
  add_reference_cache_option(command, args->reference_cache);
  command->add_option("--seed", args->seed,
                      "Seed of the reference draws (default 0)");
  command->add_option("-o,--output", args->output,
                      "Output JSON file (default: standard output); never "
                      "overwritten without --force");
  command->add_flag("--force", args->force, "Replace an existing output file");
  return [args, draws_option] {
    args->reference_draws_given = draws_option->count() > 0;
    return run_eval(*args);
  };
}

}  // namespace vibench::cli
