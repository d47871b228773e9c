// vibench profile RESULTS.json... --metric M: performance and data profiles
// and the runtime ECDF of the cost to reach targets (report/profiles.hpp).
#include <fmt/format.h>

#include <sstream>

#include "core/error.hpp"
#include "report/profiles.hpp"
#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"
#include "vibench/write_output.hpp"

namespace vibench::cli {

namespace {

struct ProfileArguments {
  std::vector<std::string> files;
  std::string metric, cost = "grad_evals", format = "markdown", output;
  std::string targets;
  double tau = 1e-3;
  bool force = false;
};

std::vector<double> parse_numbers(const std::string& text,
                                  const std::string& option) {
  std::vector<double> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      out.push_back(std::stod(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw ConfigError(option, fmt::format("'{}' is not a number (expected "
                                            "a comma-separated list, e.g. "
                                            "1e-1,1e-3,1e-6)",
                                            item));
    }
  }
  return out;
}

int profile(const ProfileArguments& args) {
  check_output_free(args.output, args.force);
  ProfileOptions options;
  options.metric = args.metric;
  options.cost = args.cost;
  options.tau = args.tau;
  if (!args.targets.empty())
    options.targets = parse_numbers(args.targets, "--targets");
  const ProfileFormat format =
      args.format == "csv" ? ProfileFormat::csv : ProfileFormat::markdown;
  const ResultSet results = load_result_set(args.files);
  for (const auto& warning : results.warnings)
    std::cerr << "vibench: warning: " << warning << "\n";
  for (const auto& file : args.files)
    if (!args.output.empty() && std::filesystem::exists(args.output) &&
        std::filesystem::equivalent(file, args.output))
      throw ConfigError("--output",
                        fmt::format("'{}' is one of the inputs", file));
  write_output(args.output,
               format_profiles(compute_profiles(results, options), format),
               args.force);
  return kExitOk;
}

}  // namespace

Action add_profile_command(CLI::App& app) {
  auto args = std::make_shared<ProfileArguments>();
  auto* command = app.add_subcommand(
      "profile",
      "Performance profiles (Dolan-More), data profiles (More-Wild) and the "
      "runtime ECDF of the cost to reach targets (COCO), from the traces");
  command->footer(
      "A problem is one (task configuration, replicate); each algorithm "
      "configuration is a solver. Solved means the metric passed m <= m_L + "
      "tau (m_0 - m_L) (m_0 at the start, m_L the best value any solver "
      "reached on the problem); its cost is the counter at the first "
      "checkpoint where it did. Cells that did not end ok never solve. CSV "
      "output (profile, algorithm, x, fraction) is what "
      "scripts/plot_profiles.py draws.");
  command->add_option("results", args->files, "Result files (JSON)")
      ->required()
      ->check(readable_file());
  command->add_option("-m,--metric", args->metric, "Metric of the test")
      ->required();
  command->add_option("--cost", args->cost,
                      "Counter of the x axis: grad_evals (default), "
                      "iterations, value_evals, hvp_evals, data_passes, "
                      "seconds");
  command->add_option("--tau", args->tau,
                      "Tolerance of the convergence test (default 1e-3)");
  command->add_option("--targets", args->targets,
                      "ECDF targets, comma-separated absolute values of the "
                      "metric (default 1e2,1e1,...,1e-8)");
  command->add_option("--format", args->format, "markdown (default) or csv")
      ->check(CLI::IsMember({"markdown", "csv"}));
  command->add_option("-o,--output", args->output,
                      "Write to this file (default: standard output)");
  command->add_flag("--force", args->force, "Replace an existing --output");
  return [args] { return profile(*args); };
}

}  // namespace vibench::cli
