// Strict validation of suite files: every kind of bad input is an error that
// names the JSON path and what is allowed, found before any cell runs.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "runner/suite.hpp"

using namespace vibench;

namespace {

// A minimal valid suite; tests patch one part of it.
Json base_suite() {
  return Json::parse(R"({
    "name": "t", "seeds": 2,
    "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
    "algorithms": [{"name": "svgd", "params": {"n_particles": 10}}],
    "budget": {"max_iterations": 5},
    "metrics": ["mean_error"]
  })");
}

// Parses and returns the error; fails the test when there is none.
ConfigError error_of(const Json& suite) {
  try {
    parse_suite(suite, "test.json");
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("the suite was accepted");
  return ConfigError("", "");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("validation: the base suite is valid") {
  const Suite suite = parse_suite(base_suite(), "test.json");
  CHECK(suite.tasks.size() == 1);
  CHECK(expand_cells(suite).size() == 2);
}

TEST_CASE("validation: unknown algorithm name suggests the closest") {
  Json s = base_suite();
  s["algorithms"][0]["name"] = "svgdd";
  const ConfigError e = error_of(s);
  CHECK(e.where() == "/algorithms/0/name");
  CHECK(contains(e.what(), "'svgdd'"));
  CHECK(contains(e.what(), "did you mean 'svgd'?"));
}

TEST_CASE("validation: unknown task and metric names suggest the closest") {
  Json s = base_suite();
  s["tasks"][0]["name"] = "gausian";
  ConfigError e = error_of(s);
  CHECK(e.where() == "/tasks/0/name");
  CHECK(contains(e.what(), "did you mean 'gaussian'?"));

  s = base_suite();
  s["metrics"][0] = "mean_eror";
  e = error_of(s);
  CHECK(e.where() == "/metrics/0");
  CHECK(contains(e.what(), "did you mean 'mean_error'?"));
}

TEST_CASE("validation: misspelled parameter is rejected with its JSON path") {
  Json s = base_suite();
  s["algorithms"][0]["params"]["stepsize"] = 0.1;
  const ConfigError e = error_of(s);
  CHECK(e.where() == "/algorithms/0/params/stepsize");
  CHECK(contains(e.what(), "did you mean 'step_size'?"));
}

TEST_CASE("validation: wrong type and out-of-range values") {
  Json s = base_suite();
  s["algorithms"][0]["params"]["step_size"] = "large";
  ConfigError e = error_of(s);
  CHECK(e.where() == "/algorithms/0/params/step_size");
  CHECK(contains(e.what(), "must be a number"));

  s = base_suite();
  s["algorithms"][0]["params"]["step_size"] = -1;
  e = error_of(s);
  CHECK(e.where() == "/algorithms/0/params/step_size");
  CHECK(contains(e.what(), "out of range"));

  s = base_suite();
  s["tasks"][0]["params"]["dim"] = 2.5;
  e = error_of(s);
  CHECK(e.where() == "/tasks/0/params/dim");
  CHECK(contains(e.what(), "integer"));
}

TEST_CASE("validation: string choices suggest the closest allowed value") {
  Json s = base_suite();
  s["algorithms"][0]["params"]["schedule"] = "adagrad_momentun";
  const ConfigError e = error_of(s);
  CHECK(e.where() == "/algorithms/0/params/schedule");
  CHECK(contains(e.what(), "did you mean 'adagrad_momentum'?"));
}

TEST_CASE("validation: suite structure errors") {
  Json s = base_suite();
  s["budgets"] = s["budget"];
  ConfigError e = error_of(s);
  CHECK(e.where() == "/budgets");
  CHECK(contains(e.what(), "did you mean 'budget'?"));

  s = base_suite();
  s.erase("budget");
  CHECK(error_of(s).where() == "/budget");

  s = base_suite();
  s["budget"] = Json::object();
  CHECK(error_of(s).where() == "/budget");

  s = base_suite();
  s["seeds"] = 0;
  CHECK(error_of(s).where() == "/seeds");

  s = base_suite();
  s["seeds"] = Json::array({1, 1});
  CHECK(error_of(s).where() == "/seeds");

  s = base_suite();
  s["tasks"] = Json::array();
  CHECK(error_of(s).where() == "/tasks");

  s = base_suite();
  s["checkpoints"] = {{"every", 0}};
  CHECK(error_of(s).where() == "/checkpoints/every");

  s = base_suite();
  s["tasks"][0]["init"] = {{"mean", {1, 2, 3}}};
  CHECK(error_of(s).where() == "/tasks/0/init/mean");

  s = base_suite();
  s["algorithms"].push_back(s["algorithms"][0]);
  CHECK(contains(error_of(s).what(), "appears twice"));
}

TEST_CASE("validation: inconsistent task parameters name the task entry") {
  Json s = base_suite();
  s["tasks"][0] = Json::parse(
      R"({"name": "gmm", "params": {"preset": "custom", "means": [[0, 0], [1, 1]],
          "weights": [1, 2, 3]}})");
  const ConfigError e = error_of(s);
  CHECK(contains(e.where(), "/tasks/0/params"));
  CHECK(contains(e.what(), "gmm"));
}

TEST_CASE("validation: grids expand, integers are canonical") {
  Json s = base_suite();
  s["algorithms"][0]["params"]["step_size"] = {0.1, 0.01, 0.001};
  s["tasks"][0]["params"]["mean"] = {
      {"grid", Json::array({Json::array({0, 1}), Json::array({2, 3})})}};
  s["tasks"][0]["params"]["dim"] = 2.0;
  const Suite suite = parse_suite(s, "test.json");
  CHECK(suite.algorithms.size() == 3);
  CHECK(suite.tasks.size() == 2);
  CHECK(suite.tasks[0].params["dim"].is_number_integer());
  CHECK(expand_cells(suite).size() == 3 * 2 * 2);
}

TEST_CASE(
    "seeds: same initial seed for every algorithm on a task and replicate") {
  Json s = base_suite();
  s["algorithms"].push_back({{"name", "ula"}, {"params", {{"n_chains", 10}}}});
  const Suite suite = parse_suite(s, "test.json");
  const auto cells = expand_cells(suite);
  REQUIRE(cells.size() == 4);
  // Order: task, algorithm, replicate.
  CHECK(cells[0].init_seed == cells[2].init_seed);
  CHECK(cells[1].init_seed == cells[3].init_seed);
  CHECK(cells[0].init_seed != cells[1].init_seed);
  CHECK(cells[0].algorithm_seed != cells[2].algorithm_seed);
  // Seeds depend on content, not on position: reordering algorithms keeps them.
  Json reordered = s;
  std::swap(reordered["algorithms"][0], reordered["algorithms"][1]);
  const auto cells2 = expand_cells(parse_suite(reordered, "test.json"));
  CHECK(cells2[0].id == cells[2].id);
  CHECK(cells2[0].algorithm_seed == cells[2].algorithm_seed);
}

TEST_CASE("checkpoints: log-spaced iterations") {
  const auto its = log_spaced_iterations(4, 1000);
  CHECK(its == std::vector<long long>{1, 10, 100, 1000});
  CheckpointRule every;
  every.every = 5;
  CHECK(is_checkpoint(every, 0, {}));
  CHECK(is_checkpoint(every, 10, {}));
  CHECK_FALSE(is_checkpoint(every, 11, {}));
}
