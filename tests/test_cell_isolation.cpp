// Cells run in child processes with hard limits (issue #19, defect 7): a
// step or a metric that never returns is killed at the wall-time limit, an
// allocation past the memory limit fails the cell with that reason, a crash
// ends only its cell with the signal's name, and a cell run in a child is
// bit for bit the cell run in the runner's own process.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "report/exact_diff.hpp"
#include "runner/cell_process.hpp"
#include "runner/suite.hpp"
#include "runner/suite_runner.hpp"

using namespace vibench;

namespace {

double seconds_of(const std::function<void()>& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

const ChildFailure& failure_of(const std::variant<Json, ChildFailure>& ended) {
  REQUIRE(std::holds_alternative<ChildFailure>(ended));
  return std::get<ChildFailure>(ended);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cell isolation: the child's JSON comes back exactly") {
  const double third = 1.0 / 3.0, tiny = 4.9406564584124654e-324;
  const auto ended = run_in_child_process(
      [&] {
        return Json{{"third", third},
                    {"tiny", tiny},
                    {"nan", std::numeric_limits<double>::quiet_NaN()},
                    {"big", std::int64_t{9223372036854775807LL}},
                    {"pid", static_cast<std::int64_t>(getpid())}};
      },
      ProcessLimits{});
  REQUIRE(std::holds_alternative<Json>(ended));
  const Json& reply = std::get<Json>(ended);
  const double back = reply["third"], back_tiny = reply["tiny"];
  CHECK(std::memcmp(&back, &third, sizeof third) == 0);
  CHECK(std::memcmp(&back_tiny, &tiny, sizeof tiny) == 0);
  CHECK(std::isnan(reply["nan"].get<double>()));
  CHECK(reply["big"].get<std::int64_t>() == 9223372036854775807LL);
  // It really ran elsewhere.
  CHECK(reply["pid"].get<std::int64_t>() != getpid());
}

TEST_CASE(
    "cell isolation: a crash, an exit and an exception end the child "
    "only") {
  const auto crashed = run_in_child_process(
      []() -> Json {
        raise(SIGSEGV);
        return Json();
      },
      ProcessLimits{});
  CHECK(failure_of(crashed).status == CellStatus::failed);
  CHECK(contains(failure_of(crashed).message, "SIGSEGV"));

  const auto exited =
      run_in_child_process([]() -> Json { _exit(3); }, ProcessLimits{});
  CHECK(contains(failure_of(exited).message, "exited with status 3"));

  const auto threw = run_in_child_process(
      []() -> Json { throw std::runtime_error("boom in the cell"); },
      ProcessLimits{});
  CHECK(failure_of(threw).message == "boom in the cell");
}

TEST_CASE(
    "cell isolation: the wall-time limit kills a child that never "
    "returns") {
  std::variant<Json, ChildFailure> ended;
  const double seconds = seconds_of([&] {
    ended = run_in_child_process(
        []() -> Json {
          for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
        },
        ProcessLimits{0.3, 0});
  });
  CHECK(failure_of(ended).status == CellStatus::timeout);
  CHECK(seconds >= 0.3);
  CHECK(seconds < 10);
}

TEST_CASE("cell isolation: an allocation past the memory limit fails") {
  ProcessLimits limits;
  limits.memory_bytes = std::uint64_t{64} << 20;
  const auto ended = run_in_child_process(
      [] {
        std::vector<double> big(std::size_t{1} << 28);  // 2 GiB
        big.back() = 1;
        return Json(big.back());
      },
      limits);
  CHECK(contains(failure_of(ended).message, "out of memory"));
  // Within the limit the same work succeeds.
  const auto fits = run_in_child_process(
      [] {
        std::vector<double> small(std::size_t{1} << 20);  // 8 MiB
        small.back() = 1;
        return Json(small.back());
      },
      limits);
  CHECK(std::holds_alternative<Json>(fits));
}

TEST_CASE(
    "cell isolation: a cell run in a child process is bit-identical "
    "to one run in the runner's own process") {
  const Suite suite = parse_suite(Json::parse(R"({
    "name": "isolation",
    "seeds": 2,
    "tasks": [{"name": "gaussian", "params": {"dim": 2}},
              {"name": "quadratic", "params": {"dim": 3}}],
    "algorithms": [{"name": "svgd", "params": {"n_particles": 20}},
                   {"name": "ula", "params": {"n_chains": 4}},
                   {"name": "adam"}],
    "metrics": ["energy_distance", "suboptimality", "rhat"],
    "budget": {"max_iterations": 60}
  })"),
                                  "isolation.json");
  const std::vector<Cell> cells = expand_cells(suite);
  RunOptions in_process;
  in_process.output = "/dev/null";
  in_process.isolation = CellIsolation::none;
  RunOptions isolated = in_process;
  isolated.isolation = CellIsolation::process;
  isolated.jobs = 2;
  const Json a = run_suite(suite, cells, in_process);
  const Json b = run_suite(suite, cells, isolated);
  REQUIRE(a["cells"].size() == cells.size());
  size_t ok = 0;
  for (const Json& record : b["cells"]) ok += record["status"] == "ok";
  CHECK(ok > 0);
  const ExactDifferences moved = exact_differences(a, b);
  CHECK_MESSAGE(moved.count == 0,
                (moved.lines.empty() ? "" : moved.lines.front()));
  for (size_t i = 0; i < cells.size(); ++i) {
    // As written to the file (NaN, e.g. an undefined R-hat, as null: NaN
    // is unequal to itself in memory).
    CHECK(a["cells"][i]["trace"]["metrics"].dump() ==
          b["cells"][i]["trace"]["metrics"].dump());
    CHECK(a["cells"][i]["status"] == b["cells"][i]["status"]);
  }
  CHECK(b["context"]["cell_isolation"]["mode"] == "process");
}

TEST_CASE(
    "cell isolation: a metric that runs past timeout_seconds is killed "
    "and the suite goes on") {
  // 200 000 reference draws make the energy distance's reference term take
  // minutes; the runner's own time check only runs between steps.
  const Suite suite = parse_suite(Json::parse(R"({
    "name": "hard-timeout",
    "seeds": 1,
    "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
    "algorithms": [{"name": "svgd", "params": {"n_particles": 10}}],
    "metrics": ["energy_distance"],
    "reference_draws": 200000,
    "timeout_seconds": 0.2,
    "budget": {"max_iterations": 5}
  })"),
                                  "slow.json");
  const Suite quick = parse_suite(Json::parse(R"({
    "name": "quick",
    "seeds": 1,
    "tasks": [{"name": "quadratic", "params": {"dim": 2}}],
    "algorithms": [{"name": "gd", "params": {"step_size": 0.1}}],
    "metrics": ["suboptimality"],
    "timeout_seconds": 0.2,
    "budget": {"max_iterations": 5}
  })"),
                                  "quick.json");
  RunOptions options;
  options.output = "/dev/null";
  options.kill_grace_seconds = 0.3;
  Json slow;
  const double seconds = seconds_of(
      [&] { slow = run_suite(suite, expand_cells(suite), options); });
  CHECK(seconds < 20);
  const Json& record = slow["cells"][0];
  CHECK(record["status"] == "timeout");
  CHECK(contains(record["message"].get<std::string>(),
                 "killed at the hard time limit"));
  CHECK(record["id"] == expand_cells(suite)[0].id);
  // The record has the shape of every other record.
  CHECK(record["trace"].contains("iterations"));
  CHECK(record["final"].contains("metrics"));
  const Json fine = run_suite(quick, expand_cells(quick), options);
  CHECK(fine["cells"][0]["status"] == "ok");
}

TEST_CASE("cell isolation: a cell past the memory limit says so") {
  // SVGD's n × n kernel at n = 20 000, held whole, is 3.2 GB, far past
  // 200 MiB.
  const Suite suite = parse_suite(Json::parse(R"({
    "name": "memory",
    "seeds": 1,
    "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
    "algorithms": [{"name": "svgd",
                    "params": {"n_particles": 20000, "kernel_tile_rows": 20000}}],
    "metrics": ["energy_distance"],
    "reference_draws": 100,
    "budget": {"max_iterations": 2}
  })"),
                                  "memory.json");
  RunOptions options;
  options.output = "/dev/null";
  options.memory_limit_bytes = std::uint64_t{200} << 20;
  const Json results = run_suite(suite, expand_cells(suite), options);
  const Json& record = results["cells"][0];
  CHECK(record["status"] == "failed");
  CHECK(contains(record["message"].get<std::string>(), "memory limit"));
}
