#include "runner/suite_runner.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

#include "reference/reference_posterior.hpp"
#include "runner/cell_process.hpp"
#include "runner/cell_runner.hpp"
#include "runner/results_file.hpp"

namespace vibench {

namespace {

using Clock = std::chrono::steady_clock;

// Runs one cell in a child process under the run's hard limits.
Json run_cell_isolated(const Suite& suite, const Cell& cell,
                       const TaskReference* reference,
                       const RunOptions& options) {
  const double grace = options.kill_grace_seconds >= 0
                           ? options.kill_grace_seconds
                           : default_kill_grace(suite.timeout_seconds);
  ProcessLimits limits;
  limits.wall_seconds = suite.timeout_seconds + grace;
  limits.memory_bytes = options.memory_limit_bytes;
  const auto start = Clock::now();
  auto ended = run_in_child_process(
      [&] {
        Json record = run_cell(suite, cell, reference);
        // Under an address-space limit, running out of memory is hitting
        // the limit: say which, so that the user knows what to raise.
        if (limits.memory_bytes > 0 &&
            record.value("message", std::string())
                .starts_with(kCellOutOfMemoryMessage))
          record["message"] = fmt::format(
              "memory limit: the cell needed more than the {} MiB it may "
              "allocate (vibench run --memory-limit-mb); {}",
              limits.memory_bytes >> 20, kCellOutOfMemoryMessage);
        return record;
      },
      limits);
  if (Json* record = std::get_if<Json>(&ended)) return std::move(*record);
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  ChildFailure failure = std::get<ChildFailure>(std::move(ended));
  if (failure.status == CellStatus::timeout)
    failure.message = fmt::format(
        "killed at the hard time limit after {:.3g} s: timeout_seconds = {} "
        "plus {} s of grace (vibench run --kill-grace), inside a step or a "
        "metric that did not return to the runner's own time check",
        seconds, suite.timeout_seconds, grace);
  return abnormal_cell_record(suite, cell, failure.status, failure.message,
                              seconds);
}

}  // namespace

double default_kill_grace(double timeout_seconds) {
  return std::max(1.0, 0.1 * timeout_seconds);
}

Json run_suite(const Suite& suite, const std::vector<Cell>& cells,
               const RunOptions& options) {
  const std::string start_time = utc_now();
  // One thread per cell: Eigen's own threading is off so that results do not
  // depend on how many cells run at once.
  Eigen::setNbThreads(1);

  // Standard output ("-") and a device such as /dev/null get no journal:
  // there is nowhere beside them to keep one.
  const bool to_stdout = options.output == "-";
  const bool journaled = !to_stdout && !is_character_device(options.output);
  const std::string journal_path = Journal::path_for(options.output);
  std::map<std::string, Json> finished;
  if (journaled && options.resume && std::filesystem::exists(journal_path)) {
    Journal::Contents journal =
        Journal::read(journal_path, suite.hash, options.resume_other_build);
    for (const std::string& problem : journal.skipped)
      if (options.on_message)
        options.on_message("journal " + journal_path + ": " + problem);
    for (Json& record : journal.records) {
      const std::string id = record.value("id", std::string());
      finished[id] = std::move(record);
    }
  }

  std::vector<Json> records(cells.size());
  std::vector<size_t> pending;
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto it = finished.find(cells[i].id);
    if (it != finished.end()) {
      records[i] = it->second;
      set_display_labels(suite, cells[i], records[i]);
    } else {
      pending.push_back(i);
    }
  }

  // Reference posteriors, once per task before any cell runs: NUTS runs its
  // chains in parallel itself, and every cell of the task then compares
  // with the same draws.
  std::vector<TaskReference> references(suite.tasks.size());
  for (size_t t = 0; t < suite.tasks.size(); ++t) {
    bool used = false;
    for (size_t i : pending) used = used || cells[i].task_index == t;
    if (!used || !needs_reference_posterior(suite, t)) continue;
    const TaskConfig& config = suite.tasks[t];
    const auto cache = options.reference_cache.empty()
                           ? default_reference_cache()
                           : std::filesystem::path(options.reference_cache);
    try {
      ReferencePosterior reference =
          reference_posterior(config.name, config.params, *config.task, cache,
                              ReferenceSettings{}, options.on_message);
      references[t].draws = std::move(reference.draws);
      references[t].key = reference.provenance.value("key", "");
    } catch (const ReferenceCheckFailed& e) {
      references[t].unavailable = e.what();
      if (options.on_message) options.on_message(e.what());
    }
  }

  std::optional<Journal> journal;
  if (journaled) journal.emplace(journal_path, suite.hash);
  std::mutex progress_mutex;
  size_t done = cells.size() - pending.size();
  const long long count = static_cast<long long>(pending.size());
  // The first failure to record a cell (a full disk) stops the run: no
  // exception may leave the parallel loop, so it is kept and rethrown, and
  // the cells not yet started are not run.
  std::exception_ptr failure;
  std::atomic<bool> stop{false};
  // No more threads than cells.
  const int threads = static_cast<int>(
      std::max<long long>(1, std::min<long long>(options.jobs, count)));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (long long k = 0; k < count; ++k) {
    if (stop) continue;
    const size_t i = pending[k];
    try {
      const TaskReference* reference = &references[cells[i].task_index];
      records[i] = options.isolation == CellIsolation::process
                       ? run_cell_isolated(suite, cells[i], reference, options)
                       : run_cell(suite, cells[i], reference);
      if (journal) journal->append(records[i]);
    } catch (...) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
      continue;
    }
    std::lock_guard<std::mutex> lock(progress_mutex);
    ++done;
    if (options.on_cell) options.on_cell(records[i], done, cells.size());
  }
  if (failure) std::rethrow_exception(failure);

  Json metric_settings = Json::array();
  for (const auto& metric : suite.metrics)
    for (const std::string& name : metric.recorded_names())
      metric_settings.push_back(
          {{"name", name},
           {"settings", metric.settings.json()},
           {"smaller_is_better", metric.entry->smaller_is_better},
           {"description", metric.entry->description}});
  Json document = {
      {"schema_version", kResultsSchemaVersion},
      {"suite", suite.canonical},
      {"suite_hash", suite.hash},
      {"suite_file", suite.file},
      {"context",
       run_context(options.jobs, start_time, utc_now(), options.command_line)},
      {"metrics", metric_settings},
      {"cells", records},
  };
  if (!options.filter.empty()) document["context"]["filter"] = options.filter;
  if (!options.shard.empty()) document["context"]["shard"] = options.shard;
  // The hard limits the cells ran under (none: in vibench's own process).
  Json isolation = {{"mode", options.isolation == CellIsolation::process
                                 ? "process"
                                 : "none"}};
  if (options.isolation == CellIsolation::process) {
    isolation["memory_limit_bytes"] = options.memory_limit_bytes;
    isolation["kill_grace_seconds"] =
        options.kill_grace_seconds >= 0
            ? options.kill_grace_seconds
            : default_kill_grace(suite.timeout_seconds);
  }
  document["context"]["cell_isolation"] = isolation;
  if (!to_stdout) write_atomically(options.output, document.dump(1));
  journal.reset();
  if (journaled) std::filesystem::remove(journal_path);
  return document;
}

bool all_ok(const Json& results) {
  for (const auto& record : results.at("cells")) {
    const std::string status = record.value("status", std::string());
    if (status != "ok" && status != "skipped") return false;
  }
  return true;
}

}  // namespace vibench
