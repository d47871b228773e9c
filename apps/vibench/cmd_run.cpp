// vibench run SUITE.json: runs every cell of a suite and writes the results.
#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <regex>

#include "report/summary.hpp"
#include "runner/cell_filter.hpp"
#include "runner/results_file.hpp"
#include "runner/suite_runner.hpp"
#include "vibench/commands.hpp"
#include "vibench/readable_file_check.hpp"
#include "vibench/reference_cache_option.hpp"
#include "vibench/suite_loading.hpp"

namespace vibench::cli {

namespace {

struct RunArguments {
  std::string suite;
  std::string output;
  int jobs = 0;
  std::string filter;
  std::string shard;  // "K/N": cells with index % N == K - 1
  bool dry_run = false;
  bool force = false;
  bool resume = false;
  bool resume_other_build = false;
  bool quiet = false;
  std::string reference_cache;
  std::string isolation =
      kDefaultCellIsolation == CellIsolation::process ? "process" : "none";
  double memory_limit_mb = -1;  // < 0: physical memory / jobs
  double kill_grace = -1;       // < 0: default_kill_grace(timeout_seconds)
};

// Physical memory of the machine in bytes; 0 if unknown.
std::uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) *
                                     static_cast<std::uint64_t>(page)
                               : 0;
}

std::string default_output(const std::string& suite_path) {
  std::string stamp = utc_now();
  std::erase(stamp, ':');
  return fmt::format("vibench-results/{}-{}.json",
                     std::filesystem::path(suite_path).stem().string(), stamp);
}

// "K/N" with 1 <= K <= N, as (K, N).
std::pair<size_t, size_t> parse_shard(const std::string& text) {
  const std::regex form(R"(\s*(\d+)\s*/\s*(\d+)\s*)");
  std::smatch match;
  if (std::regex_match(text, match, form)) {
    const size_t k = std::stoul(match[1]), n = std::stoul(match[2]);
    if (k >= 1 && k <= n) return {k, n};
  }
  throw ConfigError("--shard",
                    fmt::format("'{}' is not K/N with 1 <= K <= N (e.g. 2/8 "
                                "runs the second of 8 shards)",
                                text));
}

// "1h05m", "3m20s", "42s".
std::string format_duration(double seconds) {
  const long long s = std::llround(std::max(seconds, 0.0));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

int run(const RunArguments& args, const std::string& command_line) {
  const Suite suite = load_suite_for_command(args.suite);
  for (const auto& warning : suite.warnings)
    std::cerr << "vibench: warning: " << args.suite << ": " << warning << "\n";

  std::vector<Cell> cells = expand_cells(suite);
  // Bounded: no pattern can take exponential time or overflow the stack.
  if (!args.filter.empty()) keep_matching_cells(cells, args.filter);
  std::string shard;  // "K/N", normalised, for the results' context
  if (!args.shard.empty()) {
    // A deterministic slice of the expanded (and filtered) list: shards
    // 1..N together run every cell exactly once; `vibench merge` joins them.
    const auto [k, n] = parse_shard(args.shard);
    shard = fmt::format("{}/{}", k, n);
    const size_t before = cells.size();
    std::vector<Cell> slice;
    for (size_t i = k - 1; i < cells.size(); i += n) slice.push_back(cells[i]);
    cells = std::move(slice);
    if (cells.empty() && !args.dry_run)
      throw ConfigError(
          "--shard",
          fmt::format("shard {}/{} has no cells (the suite{} "
                      "has {} cells)",
                      k, n, args.filter.empty() ? "" : " after --filter",
                      before));
  }
  if (args.dry_run) {
    for (const auto& cell : cells) std::cout << cell.id << "\n";
    std::cout << fmt::format("{} cells (dry run: nothing was run)\n",
                             cells.size());
    return kExitOk;
  }
  if (cells.empty())
    throw ConfigError("--filter", "no cell matches the filter");

  const std::string output =
      args.output.empty() ? default_output(args.suite) : args.output;
  const bool to_stdout = output == "-";
  check_writable_kind(output, "--output");
  const bool discard = !to_stdout && is_character_device(output);
  const std::string journal = Journal::path_for(output);
  std::optional<OutputLock> lock;
  if (!to_stdout && !discard) lock.emplace(output);
  if (!to_stdout && !discard && std::filesystem::exists(output) && !args.force)
    throw ConfigError("--output",
                      fmt::format("'{}' exists; choose another file with "
                                  "-o or pass --force to replace it",
                                  output));
  if (!to_stdout && !discard && std::filesystem::exists(journal) &&
      !args.resume) {
    if (!args.force)
      throw ConfigError(
          "--output",
          fmt::format("an interrupted run left '{}'; pass --resume to "
                      "finish it or --force to start over",
                      journal));
    std::filesystem::remove(journal);
  }

  RunOptions options;
  // No more jobs than cells: the context then records the threads used.
  options.jobs = static_cast<int>(
      std::min<size_t>(args.jobs > 0 ? static_cast<size_t>(args.jobs)
                                     : static_cast<size_t>(omp_get_num_procs()),
                       cells.size()));
  options.isolation =
      args.isolation == "none" ? CellIsolation::none : CellIsolation::process;
  // By default the cells running at once may together allocate what the
  // machine has, and no more.
  options.memory_limit_bytes =
      args.memory_limit_mb >= 0
          ? static_cast<std::uint64_t>(args.memory_limit_mb * 1048576.0)
          : physical_memory_bytes() / static_cast<std::uint64_t>(options.jobs);
  options.kill_grace_seconds = args.kill_grace;
  options.output = output;
  options.resume = args.resume;
  options.resume_other_build = args.resume_other_build;
  options.command_line = command_line;
  options.filter = args.filter;
  options.shard = shard;
  options.reference_cache = reference_cache_dir(args.reference_cache).string();
  options.on_message = print_note;
  const bool interactive = isatty(STDERR_FILENO);
  size_t not_ok = 0;
  const auto start = std::chrono::steady_clock::now();
  std::optional<size_t> done_before;  // cells finished by an earlier run
  options.on_cell = [&](const Json& record, size_t done, size_t total) {
    const std::string status = record["status"];
    if (status != "ok" && status != "skipped") {
      ++not_ok;
      std::cerr << fmt::format("vibench: cell {} {}: {}\n",
                               record["id"].get<std::string>(), status,
                               record["message"].get<std::string>());
    }
    if (interactive) {
      // ETA: the mean time per cell finished in this run so far.
      if (!done_before) done_before = done - 1;
      const double elapsed = std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
      const std::string timing =
          done == total
              ? fmt::format("in {}", format_duration(elapsed))
              : fmt::format(
                    "ETA {}",
                    format_duration(elapsed /
                                    static_cast<double>(done - *done_before) *
                                    static_cast<double>(total - done)));
      std::cerr << fmt::format("\r[{}/{}] cells done, {} not ok, {}\x1b[K",
                               done, total, not_ok, timing)
                << (done == total ? "\n" : "") << std::flush;
    }
  };

  const Json results = run_suite(suite, cells, options);
  // With -o - the results are standard output; the summary goes to
  // standard error.
  std::ostream& report = to_stdout ? std::cerr : std::cout;
  if (to_stdout) std::cout << results.dump(1) << std::flush;
  if (!args.quiet) report << summary_table(results);
  report << fmt::format("\nresults: {} ({} cells)\n",
                        to_stdout ? "standard output" : output, cells.size());
  return all_ok(results) ? kExitOk : kExitCellsFailed;
}

}  // namespace

Action add_run_command(CLI::App& app, const std::string& command_line) {
  auto args = std::make_shared<RunArguments>();
  auto* command =
      app.add_subcommand("run", "Run a suite and write its results as JSON");
  command->add_option("suite", args->suite, "Suite file (JSON)")
      ->required()
      ->check(readable_file());
  command->add_option("-o,--output", args->output,
                      "Result file (default: vibench-results/SUITE-TIME.json); "
                      "never overwritten without --force; '-' for standard "
                      "output, a device such as /dev/null to discard (no "
                      "journal then, so no --resume)");
  command
      ->add_option("-j,--jobs", args->jobs,
                   "Cells run in parallel (default: number of cores); results "
                   "do not depend on it")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--filter", args->filter,
                      "Run only cells whose id matches this regular expression "
                      "(ids: TASK|ALGORITHM|rREPLICATE)");
  command->add_option("--shard", args->shard,
                      "Run shard K of N (K/N, 1 <= K <= N): the cells whose "
                      "index in the expanded, filtered list is K-1 modulo N; "
                      "join the shards with 'vibench merge'");
  command->add_flag("--dry-run", args->dry_run, "List the cells and exit");
  command->add_flag(
      "--force", args->force,
      "Replace an existing result file (and discard its journal)");
  command->add_flag("--resume", args->resume,
                    "Finish an interrupted run from its journal");
  command->add_flag("--resume-other-build", args->resume_other_build,
                    "With --resume: reuse a journal written by another build "
                    "(version, revision, compiler or flags), whose records "
                    "need not match this build's bit for bit");
  command
      ->add_option("--isolation", args->isolation,
                   "Where cells run: 'process' (default, except in "
                   "AddressSanitizer builds), each in a child process with "
                   "hard limits, so that a crash, a runaway allocation or a "
                   "step that never returns ends only that cell; 'none', in "
                   "vibench's own process (no hard limits)")
      ->check(CLI::IsMember({"process", "none"}));
  command
      ->add_option("--memory-limit-mb", args->memory_limit_mb,
                   "Memory (MiB) each cell's process may allocate beyond "
                   "what the suite's tasks and data hold; past it the cell "
                   "ends 'failed: memory limit' (default: physical memory "
                   "divided by --jobs; 0: no limit)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--kill-grace", args->kill_grace,
                   "Seconds a cell's process may run past the suite's "
                   "timeout_seconds before it is killed and recorded "
                   "'timeout' (default: 10 % of timeout_seconds, at least 1)")
      ->check(CLI::NonNegativeNumber);
  add_reference_cache_option(command, args->reference_cache);
  command->add_flag("-q,--quiet", args->quiet,
                    "Do not print the summary table");
  return [args, command_line] { return run(*args, command_line); };
}

}  // namespace vibench::cli
