// vibench reference TASK-SPEC [-n N] [--seed S] [-o FILE.csv]: draws of a
// task's ground truth as CSV (header x1..xd), e.g. to test another tool or
// `vibench eval`: exact draws, or the task's NUTS reference posterior
// (computed once, checked and cached with its provenance).
#include <fmt/format.h>

#include "core/csv.hpp"
#include "report/eval.hpp"
#include "vibench/commands.hpp"
#include "vibench/reference_cache_option.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

struct ReferenceArguments {
  std::string task;
  long long n = 0;  // 0: 1000 exact draws, or every reference draw
  std::uint64_t seed = 0;
  std::string reference_cache;
  std::string output;
  bool force = false;
};

int run_reference(const ReferenceArguments& args) {
  check_output_free(args.output, args.force);
  const TaskSpec spec = parse_task_spec(args.task);
  EvalOptions options;
  options.reference_cache = reference_cache_dir(args.reference_cache);
  options.on_message = print_note;
  const Matrix draws = reference_draws(spec, args.n, args.seed, options);
  write_output(args.output, samples_csv(draws), args.force);
  return kExitOk;
}

}  // namespace

Action add_reference_command(CLI::App& app) {
  auto args = std::make_shared<ReferenceArguments>();
  auto* command = app.add_subcommand(
      "reference",
      "Write draws of a task's ground truth as CSV (header x1,...,xd): exact "
      "draws, or its NUTS reference posterior (computed, checked and cached)");
  command
      ->add_option("task", args->task,
                   "TASK-SPEC: a task name with optional JSON parameters, "
                   "e.g. gaussian or 'gmm{\"preset\":\"ring8\"}', or a JSON "
                   "file {\"name\": ..., \"params\": {...}}")
      ->required();
  command
      ->add_option("-n,--draws", args->n,
                   "Number of draws (default: 1000 exact draws, or every "
                   "draw of a reference posterior, evenly thinned otherwise)")
      ->check(CLI::Range(1LL, 100000000LL));
  command->add_option("--seed", args->seed,
                      "Seed of exact draws (default 0; a reference posterior "
                      "has its own seed, derived from the task)");
  add_reference_cache_option(command, args->reference_cache);
  command->add_option("-o,--output", args->output,
                      "Output CSV file (default: standard output); never "
                      "overwritten without --force");
  command->add_flag("--force", args->force, "Replace an existing output file");
  return [args] { return run_reference(*args); };
}

}  // namespace vibench::cli
