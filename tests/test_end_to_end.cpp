// End-to-end: the real command-line program on the quickstart suite and on
// bad suites, and the foundation's convergence claims through the runner.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>

#include "runner/suite_runner.hpp"
#include "test_helpers.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

struct CommandResult {
  int exit_code;
  std::string out, err;
};

// Runs the vibench executable with `arguments`, capturing its output.
CommandResult vibench_command(const std::string& arguments,
                              const std::filesystem::path& dir) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command = std::string(VIBENCH_EXECUTABLE) + " " +
                              arguments + " >" + out.string() + " 2>" +
                              err.string();
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out),
          read_text(err)};
}

std::string source_path(const std::string& relative) {
  return std::string(VIBENCH_SOURCE_DIR) + "/" + relative;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("end-to-end: vibench run suites/quickstart.json") {
  const auto dir = temp_dir("e2e-quickstart");
  const auto output = dir / "quickstart.json";
  const CommandResult r =
      vibench_command("run " + source_path("suites/quickstart.json") + " -o " +
                          output.string() + " --jobs 2",
                      dir);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("mean ± sd") != std::string::npos);  // the summary table

  const Json results = read_json(output);
  CHECK(results["schema_version"] == 1);
  for (const char* key : {"vibench_version", "git_revision", "compiler",
                          "flags", "cpu", "threads", "start_time", "end_time"})
    CHECK_MESSAGE(results["context"].contains(key), key);
  const Suite suite = load_suite(source_path("suites/quickstart.json"));
  CHECK(results["cells"].size() == expand_cells(suite).size());
  CHECK(results["suite_hash"] == suite.hash);
  for (const auto& record : results["cells"]) {
    INFO(record["id"]);
    CHECK(record["status"] == "ok");
    CHECK(record["trace"]["iterations"].size() >= 2);
    CHECK_FALSE(record["final"]["metrics"].empty());
  }

  // The file is never silently overwritten.
  const CommandResult again = vibench_command(
      "run " + source_path("suites/quickstart.json") + " -o " + output.string(),
      dir);
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("--force") != std::string::npos);
}

TEST_CASE("end-to-end: a misspelled algorithm exits 2 before anything runs") {
  const auto dir = temp_dir("e2e-typo");
  const auto suite = dir / "typo.json";
  write_text(suite, R"({"tasks": [{"name": "gmm"}],
    "algorithms": [{"name": "svgdd"}], "budget": {"max_iterations": 10}})");
  const CommandResult r = vibench_command(
      "run " + suite.string() + " -o " + (dir / "r.json").string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("typo.json") != std::string::npos);
  CHECK(r.err.find("/algorithms/0/name") != std::string::npos);
  CHECK(r.err.find("'svgdd'") != std::string::npos);
  CHECK(r.err.find("did you mean 'svgd'?") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "r.json"));

  write_text(suite, R"({"tasks": [{"name": "gmm"}],
    "algorithms": [{"name": "svgd", "params": {"stepsize": 0.1}}],
    "budget": {"max_iterations": 10}})");
  const CommandResult v = vibench_command("validate " + suite.string(), dir);
  CHECK(v.exit_code == 2);
  CHECK(v.err.find("/algorithms/0/params/stepsize") != std::string::npos);
  CHECK(v.err.find("did you mean 'step_size'?") != std::string::npos);
}

TEST_CASE("end-to-end: list and validate") {
  const auto dir = temp_dir("e2e-list");
  const CommandResult list = vibench_command("list --json", dir);
  REQUIRE(list.exit_code == 0);
  const Json listing = Json::parse(list.out);
  CHECK(listing["tasks"].size() >= 5);
  CHECK(listing["algorithms"].size() >= 7);
  CHECK(listing["metrics"].size() >= 10);
  for (const auto& algorithm : listing["algorithms"])
    for (const auto& p : algorithm["params"]) {
      CHECK(p.contains("type"));
      CHECK(p.contains("default"));
      CHECK(p.contains("allowed"));
      CHECK_FALSE(p["description"].get<std::string>().empty());
    }
  const CommandResult ok =
      vibench_command("validate " + source_path("suites/quickstart.json"), dir);
  CHECK(ok.exit_code == 0);
  CHECK(vibench_command("frobnicate", dir).exit_code == 2);
}

namespace {
Json run_in_process(const std::string& suite_json, const std::string& name) {
  const Suite suite = parse_suite(Json::parse(suite_json), name + ".json");
  RunOptions options;
  options.jobs = 2;
  options.output = (temp_dir(name) / "r.json").string();
  return run_suite(suite, expand_cells(suite), options);
}
}  // namespace

TEST_CASE(
    "claim: SVGD on the 8-mode ring cuts the energy distance at least 5-fold") {
  const Json results = run_in_process(R"({
    "seeds": 3,
    "tasks": [{"name": "gmm", "params": {"preset": "ring8"}}],
    "algorithms": [{"name": "svgd", "params": {"n_particles": 100, "step_size": 0.5,
                                               "schedule": "adagrad_momentum"}}],
    "budget": {"max_iterations": 500}, "checkpoints": {"every": 500},
    "reference_draws": 1000, "metrics": ["energy_distance"]})",
                                      "claim-svgd");
  for (const auto& record : results["cells"]) {
    REQUIRE(record["status"] == "ok");
    const auto& trace = record["trace"]["metrics"]["energy_distance"];
    const double initial = trace.front(), last = trace.back();
    INFO(record["id"], " initial ", initial, " final ", last);
    CHECK(last * 5 <= initial);
  }
}

TEST_CASE(
    "claim: extragradient solves a bilinear game while GDA diverges from it") {
  const Json results = run_in_process(R"({
    "seeds": 2,
    "tasks": [{"name": "bilinear", "params": {"dim": 10}}],
    "algorithms": [{"name": "extragradient", "params": {"step_size": 0.2}},
                   {"name": "gda", "params": {"step_size": 0.2}}],
    "budget": {"max_iterations": 3000}, "checkpoints": {"every": 100},
    "metrics": ["distance_to_solution"]})",
                                      "claim-eg");
  for (const auto& record : results["cells"]) {
    REQUIRE(record["status"] == "ok");
    const auto& trace = record["trace"]["metrics"]["distance_to_solution"];
    const double initial = trace.front(), last = trace.back();
    INFO(record["id"], " initial ", initial, " final ", last);
    if (record["algorithm"]["name"] == "extragradient") {
      CHECK(last < 1e-6);
    } else {
      CHECK(last > initial);
      for (size_t k = 1; k < trace.size(); ++k) CHECK(trace[k] >= trace[k - 1]);
    }
  }
}
