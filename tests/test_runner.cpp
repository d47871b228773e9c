// The runner: determinism across jobs and subsets, statuses (diverged,
// failed, timeout, skipped), budgets, journaling and resume.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "runner/cell_runner.hpp"
#include "runner/results_file.hpp"
#include "runner/suite_runner.hpp"
#include "test_helpers.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

Json mixed_suite() {
  return Json::parse(R"({
    "name": "runner-test", "seeds": 2,
    "tasks": [
      {"name": "gmm", "params": {"preset": "ring8"}},
      {"name": "quadratic", "params": {"dim": 5}},
      {"name": "bilinear", "params": {"dim": 3}},
      {"name": "quadratic_bilevel", "params": {"dim_x": 2, "dim_y": 3}}
    ],
    "algorithms": [
      {"name": "svgd", "params": {"n_particles": 30, "step_size": [0.1, 0.3]}},
      {"name": "ula", "params": {"n_chains": 30, "step_size": 0.05}},
      {"name": "mala", "params": {"n_chains": 30, "step_size": 0.05}},
      {"name": "gd", "params": {"step_size": 0.05}},
      {"name": "extragradient", "params": {"step_size": 0.2}},
      {"name": "aid_cg", "params": {"step_size": 0.2}}
    ],
    "budget": {"max_iterations": 40},
    "checkpoints": {"every": 10},
    "reference_draws": 200,
    "metrics": ["energy_distance", "mmd2", "ksd", "mean_error", "suboptimality",
                "distance_to_solution", "hypergradient_error"]
  })");
}

RunOptions options_for(const std::string& output, int jobs) {
  RunOptions options;
  options.jobs = jobs;
  options.output = output;
  return options;
}

// Metric values (trace and final) of every cell, keyed by id.
Json metric_values(const Json& results) {
  Json out = Json::object();
  for (const auto& record : results["cells"])
    out[record["id"].get<std::string>()] = {record["trace"]["metrics"],
                                            record["final"]["metrics"],
                                            record["trace"]["grad_evals"]};
  return out;
}

// A sampler that does whatever the test needs in step().
class StubSampler : public Sampler {
 public:
  enum class Mode { throws, sleeps, needs_hypergradient };
  explicit StubSampler(Mode mode) : mode_(mode) {}
  Capabilities requirements() const override {
    if (mode_ == Mode::needs_hypergradient) return {Capability::hypergradient};
    return {};
  }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle&,
                                 const State& initial, Rng) const override {
    struct StubRun : Run {
      Mode mode;
      State s;
      void step() override {
        if (mode == Mode::throws)
          throw std::runtime_error("stub failure in step");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      const State& state() const override { return s; }
    };
    auto run = std::make_unique<StubRun>();
    run->mode = mode_;
    run->s = initial;
    return run;
  }

 private:
  Mode mode_;
};

}  // namespace

TEST_CASE(
    "runner: metric values do not depend on --jobs or on the cell subset") {
  const auto dir = temp_dir("determinism");
  const Suite suite = parse_suite(mixed_suite(), "runner-test.json");
  const auto cells = expand_cells(suite);
  const Json one = run_suite(suite, cells, options_for(dir / "one.json", 1));
  const Json two = run_suite(suite, cells, options_for(dir / "two.json", 2));
  CHECK(metric_values(one) == metric_values(two));

  // A subset in reverse order gives the same records for its cells.
  std::vector<Cell> subset = {cells[5], cells[2]};
  const Json part = run_suite(suite, subset, options_for(dir / "part.json", 2));
  for (const Cell& c : subset)
    CHECK(metric_values(part)[c.id] == metric_values(one)[c.id]);
  for (const auto& record : one["cells"]) CHECK(record["status"] == "ok");
  CHECK(all_ok(one));
}

TEST_CASE("runner: a diverging algorithm ends its own cell as diverged") {
  Json s = mixed_suite();
  s["tasks"] = Json::parse(
      R"([{"name": "quadratic", "params": {"dim": 5, "condition_number": 100}}])");
  s["algorithms"] =
      Json::parse(R"([{"name": "gd", "params": {"step_size": [0.01, 5.0]}}])");
  s["budget"] = {{"max_iterations", 2000}};
  s["divergence_threshold"] = 1e50;
  const Suite suite = parse_suite(s, "t.json");
  const Json results =
      run_suite(suite, expand_cells(suite),
                options_for(temp_dir("diverge") / "r.json", 2));
  int diverged = 0, ok = 0;
  for (const auto& record : results["cells"]) {
    if (record["status"] == "diverged") {
      ++diverged;
      CHECK(record["final"]["iterations"].get<long long>() < 2000);
      CHECK(record["trace"]["iterations"].size() >= 2);  // trace kept
      CHECK(record["message"].get<std::string>().find("iteration") !=
            std::string::npos);
    } else {
      ++ok;
      CHECK(record["status"] == "ok");
    }
  }
  CHECK(diverged == 2);
  CHECK(ok == 2);
  CHECK_FALSE(all_ok(results));
}

TEST_CASE(
    "runner: exceptions become failed, slow cells time out, incompatible pairs "
    "are skipped") {
  Json s = mixed_suite();
  s["tasks"] = Json::parse(R"([{"name": "gaussian", "params": {"dim": 2}}])");
  s["algorithms"] =
      Json::parse(R"([{"name": "ula", "params": {"step_size": 0.1}},
                                    {"name": "ula", "params": {"step_size": 0.2}},
                                    {"name": "ula", "params": {"step_size": 0.3}}])");
  s["seeds"] = 1;
  s["metrics"] = {"mean_error"};  // the stubs have a single point
  s["timeout_seconds"] = 0.1;
  s["budget"] = {{"max_iterations", 1000}};
  Suite suite = parse_suite(s, "t.json");
  suite.algorithms[0].algorithm =
      std::make_shared<StubSampler>(StubSampler::Mode::throws);
  suite.algorithms[1].algorithm =
      std::make_shared<StubSampler>(StubSampler::Mode::sleeps);
  suite.algorithms[2].algorithm =
      std::make_shared<StubSampler>(StubSampler::Mode::needs_hypergradient);
  const Json results =
      run_suite(suite, expand_cells(suite),
                options_for(temp_dir("statuses") / "r.json", 1));
  const auto& cells = results["cells"];
  CHECK(cells[0]["status"] == "failed");
  CHECK(cells[0]["message"] == "stub failure in step");
  CHECK(cells[1]["status"] == "timeout");
  CHECK(cells[1]["final"]["iterations"].get<long long>() < 1000);
  CHECK(cells[2]["status"] == "skipped");
  CHECK(cells[2]["message"].get<std::string>().find("hypergradient") !=
        std::string::npos);
}

TEST_CASE("runner: the gradient budget is respected and counted per point") {
  Json s = mixed_suite();
  s["tasks"] = Json::parse(R"([{"name": "gaussian", "params": {"dim": 3}}])");
  s["algorithms"] =
      Json::parse(R"([{"name": "svgd", "params": {"n_particles": 20}}])");
  s["budget"] = {{"max_grad_evals", 1000}, {"max_iterations", 100000}};
  s["seeds"] = 1;
  const Suite suite = parse_suite(s, "t.json");
  const Json results = run_suite(suite, expand_cells(suite),
                                 options_for(temp_dir("budget") / "r.json", 1));
  const auto& record = results["cells"][0];
  CHECK(record["status"] == "ok");
  CHECK(record["stopped_by"] == "max_grad_evals");
  // One batched gradient of 20 points per step; the initial step has none
  // beyond it, so the budget stops exactly at 1000.
  CHECK(record["final"]["grad_evals"].get<long long>() >= 1000);
  CHECK(record["final"]["grad_evals"].get<long long>() < 1000 + 2 * 20);
}

TEST_CASE("runner: an interrupted run resumes from its journal") {
  const auto dir = temp_dir("resume");
  Json s = mixed_suite();
  s["tasks"] = Json::parse(R"([{"name": "quadratic", "params": {"dim": 3}}])");
  s["algorithms"] =
      Json::parse(R"([{"name": "gd", "params": {"step_size": 0.1}}])");
  s["seeds"] = 3;
  const Suite suite = parse_suite(s, "t.json");
  const auto cells = expand_cells(suite);
  const std::string output = (dir / "r.json").string();

  // Simulate an interruption after the first cell: its record is in the
  // journal (marked so we can tell it was reused), the result file absent.
  Json first = run_cell(suite, cells[0]);
  first["diagnostics"]["from_journal"] = true;
  {
    Journal journal(Journal::path_for(output), suite.hash);
    journal.append(first);
  }
  RunOptions options = options_for(output, 1);
  options.resume = true;
  const Json results = run_suite(suite, cells, options);
  REQUIRE(results["cells"].size() == 3);
  INFO(results["cells"].dump());
  CHECK(results["cells"][0]["diagnostics"].value("from_journal", false));
  CHECK_FALSE(results["cells"][1]["diagnostics"].value("from_journal", false));
  CHECK_FALSE(std::filesystem::exists(Journal::path_for(output)));
  CHECK(read_json(output)["cells"].size() == 3);

  // A journal of another suite is refused.
  {
    Journal journal(Journal::path_for(output), "another-suite");
    journal.append(first);
  }
  CHECK_THROWS_AS(run_suite(suite, cells, options), ConfigError);
}

TEST_CASE("results: write_atomically replaces the file in one step") {
  const auto dir = temp_dir("atomic");
  const auto path = dir / "sub" / "x.json";
  write_atomically(path.string(), "{\"a\": 1}");
  CHECK(read_json(path)["a"] == 1);
  write_atomically(path.string(), "{\"a\": 2}");
  CHECK(read_json(path)["a"] == 2);
  int files = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(dir / "sub"))
    ++files;
  CHECK(files == 1);  // no temporary left behind
}

TEST_CASE(
    "runner: a suite's normal start is clamped into a game's feasible box "
    "and refused outside an open domain, with the reason") {
  const Json suite_json = {
      {"seeds", 1},
      {"tasks",
       {{{"name", "bilinear"},
         {"params", {{"dim", 2}, {"linear_terms", false}, {"box_radius", 1.0}}},
         {"init", {{"mean", {5.0, 5.0, -5.0, 0.0}}, {"std", 0.1}}}},
        {{"name", "bilinear"},
         {"params",
          {{"dim", 2},
           {"linear_terms", false},
           {"box_radius", 1.0},
           {"box_geometry", "mirror"}}},
         {"init", {{"mean", {5.0, 5.0, -5.0, 0.0}}, {"std", 0.1}}}}}},
      {"algorithms",
       {{{"name", "extragradient"}, {"params", {{"step_size", 0.1}}}},
        {{"name", "mirror_prox"}, {"params", {{"step_size", 0.01}}}}}},
      {"metrics", {"duality_gap", "distance_to_solution"}},
      {"budget", {{"max_iterations", 5}}}};
  const Suite suite = parse_suite(suite_json, "t.json");
  std::map<std::string, Json> by_algorithm;
  for (const Cell& cell : expand_cells(suite)) {
    const Json record = run_cell(suite, cell);
    if (record["status"] == "skipped") continue;
    by_algorithm[record["algorithm"]["name"]] = record;
  }
  REQUIRE(by_algorithm.size() == 2);
  const Json& projected = by_algorithm.at("extragradient");
  CHECK(projected["status"] == "ok");
  // At the first checkpoint the start is in [−1, 1]⁴, at most 2 from
  // z* = 0 (unclamped it would be about 8.7 away).
  REQUIRE(projected["trace"]["iterations"][0] == 0);
  CHECK(
      projected["trace"]["metrics"]["distance_to_solution"][0].get<double>() <=
      2.0);
  const Json& mirrored = by_algorithm.at("mirror_prox");
  CHECK(mirrored["status"] == "failed");
  CHECK(mirrored["message"].get<std::string>().find(
            "outside the task's box domain") != std::string::npos);
}
