// Helpers for the report tests (table, compare): synthetic result documents,
// a small step-size grid run through the real runner, and the command-line
// program.
#pragma once

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "runner/suite_runner.hpp"
#include "test_helpers.hpp"

namespace vibench::testing {

// One synthetic cell: metric values are its final values and a two-point
// trace (the initial value 10 times the final one).
struct SyntheticCell {
  std::string task, algorithm;
  long long replicate = 0;
  std::string status = "ok";
  std::map<std::string, double> values;
};

inline Json synthetic_results(
    const std::vector<std::pair<std::string, bool>>& metrics,
    const std::vector<SyntheticCell>& cells,
    const std::string& suite_hash = "synthetic") {
  Json doc = {
      {"schema_version", 1},      {"suite", {{"name", "synthetic"}}},
      {"suite_hash", suite_hash}, {"context", {{"git_revision", "test"}}},
      {"metrics", Json::array()}, {"cells", Json::array()}};
  for (const auto& [name, smaller] : metrics)
    doc["metrics"].push_back({{"name", name}, {"smaller_is_better", smaller}});
  for (const auto& c : cells) {
    const auto brace = c.algorithm.find('{');
    Json record = {
        {"id", fmt::format("{}|{}|r{}", c.task, c.algorithm, c.replicate)},
        {"kind", "objective"},
        {"task",
         {{"name", c.task.substr(0, c.task.find('{'))}, {"label", c.task}}},
        {"algorithm",
         {{"name", c.algorithm.substr(0, brace)}, {"label", c.algorithm}}},
        {"replicate", c.replicate},
        {"status", c.status},
        {"message", c.status == "ok" ? "" : "synthetic " + c.status}};
    Json trace_metrics = Json::object(), final_metrics = Json::object();
    for (const auto& [name, v] : c.values) {
      trace_metrics[name] = {10 * v, v};
      final_metrics[name] = v;
    }
    record["trace"] = {{"iterations", {0, 100}},
                       {"grad_evals", {0, 100}},
                       {"metrics", trace_metrics}};
    record["final"] = {
        {"iterations", 100}, {"grad_evals", 100}, {"metrics", final_metrics}};
    doc["cells"].push_back(record);
  }
  return doc;
}

// Runs a suite through the runner; the result file is written to
// temp_dir(name)/results.json.
inline Json run_report_suite(const std::string& suite_json,
                             const std::string& name) {
  const Suite suite = parse_suite(Json::parse(suite_json), name + ".json");
  RunOptions options;
  options.jobs = 2;
  options.output = (temp_dir(name) / "results.json").string();
  return run_suite(suite, expand_cells(suite), options);
}

inline void write_json(const std::filesystem::path& path, const Json& doc) {
  std::ofstream(path) << doc.dump(1);
}

struct ProgramResult {
  int exit_code;
  std::string out, err;
};

// Runs the vibench executable with `arguments` (already shell-quoted),
// capturing its output in `dir`.
inline ProgramResult run_vibench(const std::string& arguments,
                                 const std::filesystem::path& dir) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command = std::string(VIBENCH_EXECUTABLE) + " " +
                              arguments + " >" + out.string() + " 2>" +
                              err.string();
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out),
          read_text(err)};
}

inline std::string quoted(const std::filesystem::path& path) {
  std::string out = "'";
  return out.append(path.string()).append("'");
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace vibench::testing
