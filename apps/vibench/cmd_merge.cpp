// vibench merge A.json B.json ... -o ALL.json: joins result files of one
// suite (e.g. the shards of `vibench run --shard K/N`).
#include <fmt/format.h>

#include <iostream>

#include "report/merge.hpp"
#include "vibench/commands.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

struct MergeArguments {
  std::vector<std::string> inputs;
  std::string output;
  bool force = false;
};

int run_merge(const MergeArguments& args, const std::string& command_line) {
  check_output_free(args.output, args.force);
  std::vector<ResultsInput> inputs;
  for (const auto& path : args.inputs)
    inputs.push_back(load_results_file(path));
  const Json merged = merge_results(inputs, command_line);
  write_output(args.output, merged.dump(1), args.force);
  std::cout << fmt::format("merged {} file{} ({} cells) into {}\n",
                           inputs.size(), inputs.size() == 1 ? "" : "s",
                           merged["cells"].size(), args.output);
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
      ->check(CLI::ExistingFile);
  command
      ->add_option("-o,--output", args->output,
                   "Merged result file; never overwritten without --force")
      ->required();
  command->add_flag("--force", args->force, "Replace an existing output file");
  return [args, command_line] { return run_merge(*args, command_line); };
}

}  // namespace vibench::cli
