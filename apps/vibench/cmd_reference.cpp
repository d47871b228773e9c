// vibench reference TASK-SPEC [-n N] [--seed S] [-o FILE.csv]: exact draws of
// a task as CSV (header x1..xd), e.g. to test another tool or `vibench eval`.
#include <fmt/format.h>

#include "report/csv_samples.hpp"
#include "report/eval.hpp"
#include "vibench/commands.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

struct ReferenceArguments {
  std::string task;
  long long n = 1000;
  std::uint64_t seed = 0;
  std::string output;
  bool force = false;
};

int run_reference(const ReferenceArguments& args) {
  check_output_free(args.output, args.force);
  const TaskSpec spec = parse_task_spec(args.task);
  const Matrix draws = reference_draws(spec, args.n, args.seed);
  write_output(args.output, samples_csv(draws), args.force);
  return kExitOk;
}

}  // namespace

Action add_reference_command(CLI::App& app) {
  auto args = std::make_shared<ReferenceArguments>();
  auto* command = app.add_subcommand(
      "reference", "Write exact draws of a task as CSV (header x1,...,xd)");
  command
      ->add_option("task", args->task,
                   "TASK-SPEC: a task name with optional JSON parameters, "
                   "e.g. gaussian or 'gmm{\"preset\":\"ring8\"}', or a JSON "
                   "file {\"name\": ..., \"params\": {...}}")
      ->required();
  command->add_option("-n,--draws", args->n, "Number of draws (default 1000)")
      ->check(CLI::Range(1LL, 100000000LL));
  command->add_option("--seed", args->seed, "Seed of the draws (default 0)");
  command->add_option("-o,--output", args->output,
                      "Output CSV file (default: standard output); never "
                      "overwritten without --force");
  command->add_flag("--force", args->force, "Replace an existing output file");
  return [args] { return run_reference(*args); };
}

}  // namespace vibench::cli
