// vibench eval and vibench reference: exact draws written by `reference`
// score near zero, shifted draws clearly worse; bad sample files and task
// specs give errors that say what is wrong and where.
#include <doctest/doctest.h>

#include "command_helpers.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "report/eval.hpp"

using namespace vibench;
using namespace vibench::testing;

TEST_CASE(
    "eval: exact draws from reference score near zero, shifted draws "
    "clearly worse") {
  const auto dir = temp_dir("eval-reference");
  const std::string spec = shell_quote(R"(gmm{"preset":"ring8"})");
  const auto draws = dir / "draws.csv";
  auto r = vibench_run(
      "reference " + spec + " -n 500 --seed 3 -o " + draws.string(), dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Matrix points = read_samples_csv_file(draws.string(), 2);
  CHECK(points.rows() == 500);
  CHECK(read_text(draws).rfind("x1,x2\n", 0) == 0);

  // Shifted: add 1 to every coordinate.
  const Matrix shifted = points.array() + 1.0;
  const auto shifted_path = dir / "shifted.csv";
  write_file(shifted_path, samples_csv(shifted));

  const auto exact_json = dir / "exact.json";
  r = vibench_run("eval " + spec + " --samples " + draws.string() + " -o " +
                      exact_json.string(),
                  dir);
  REQUIRE(r.exit_code == 0);
  r = vibench_run("eval " + spec + " --samples " + shifted_path.string() +
                      " --reference-draws 1000 --seed 1",
                  dir);
  REQUIRE(r.exit_code == 0);
  const Json exact = read_json(exact_json), off = Json::parse(r.out);

  CHECK(exact["task"] == "gmm");
  CHECK(exact["params"]["preset"] == "ring8");
  CHECK(exact["n_samples"] == 500);
  CHECK(exact["reference_draws"] == 1000);
  CHECK(exact["seed"] == 0);
  CHECK(off["seed"] == 1);
  // Every distribution metric by default, with its settings.
  for (const char* name :
       {"energy_distance", "mmd2", "ksd", "mean_error", "covariance_error"}) {
    CHECK_MESSAGE(exact["metrics"].contains(name), name);
    CHECK_MESSAGE(exact["settings"].contains(name), name);
  }
  const auto metric = [](const Json& j, const char* name) {
    return j["metrics"][name].get<double>();
  };
  INFO("exact: ", exact["metrics"].dump(), " shifted: ", off["metrics"].dump());
  CHECK(metric(exact, "energy_distance") < 0.03);
  CHECK(metric(off, "energy_distance") > 10 * metric(exact, "energy_distance"));
  CHECK(metric(off, "energy_distance") > 0.2);
  CHECK(metric(exact, "ksd") < 0.3);
  CHECK(metric(off, "ksd") > 5 * metric(exact, "ksd"));
  CHECK(std::abs(metric(exact, "mmd2")) < 0.005);
  CHECK(metric(off, "mmd2") > 0.015);  // median bandwidth ~ the ring's size
  CHECK(metric(exact, "mean_error") < 0.3);
  CHECK(metric(off, "mean_error") > 1.2);  // ‖(1, 1)‖ = 1.41

  // --metrics with settings; the result names only those.
  r = vibench_run("eval " + spec + " --samples " + draws.string() +
                      " --metrics " +
                      shell_quote(R"(ksd{"beta":-0.25},mean_error)"),
                  dir);
  REQUIRE(r.exit_code == 0);
  const Json chosen = Json::parse(r.out);
  CHECK(chosen["metrics"].size() == 2);
  CHECK(chosen["settings"]["ksd"]["beta"] == -0.25);
  CHECK(chosen["reference_draws"].is_null());  // no metric needed them

  // A JSON file as the task spec gives the same numbers.
  write_file(dir / "task.json",
             R"({"name": "gmm", "params": {"preset": "ring8"}})");
  r = vibench_run(
      "eval " + (dir / "task.json").string() + " --samples " + draws.string(),
      dir);
  REQUIRE(r.exit_code == 0);
  CHECK(Json::parse(r.out)["metrics"] == exact["metrics"]);

  // The output file is never replaced without --force.
  r = vibench_run("eval " + spec + " --samples " + draws.string() + " -o " +
                      exact_json.string(),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--force") != std::string::npos);
}

TEST_CASE("eval: bad sample files say what is wrong and where") {
  const auto expect_error = [](const std::string& text, Index dim,
                               const std::vector<std::string>& parts) {
    INFO(text);
    try {
      read_samples_csv(text, dim, "s.csv");
      FAIL("no error");
    } catch (const ConfigError& e) {
      CHECK(e.where() == "s.csv");
      for (const auto& part : parts)
        CHECK_MESSAGE(std::string(e.what()).find(part) != std::string::npos,
                      e.what(), " lacks ", part);
    }
  };
  expect_error("x1,x2,x3\n1,2,3\n", 2, {"3 columns", "expected d = 2"});
  expect_error("x1,x2\n1,2\n3\n", 2, {"line 3", "1 column", "expected d = 2"});
  expect_error("x1,x2\n1,2\n3,abc\n", 2,
               {"line 3", "column 2", "'x2'", "'abc'", "not a finite number"});
  expect_error("x1,x2\n1,2\n3,\n", 2, {"line 3", "column 2"});
  expect_error("x1,x2\n1,nan\n", 2, {"line 2", "'nan'"});
  expect_error("1,2\n3,4\n", 2, {"header"});
  expect_error("x1,x2\n", 2, {"no samples"});
  expect_error("", 2, {"empty", "x1,x2"});
  expect_error("x1,x2\n\"1,2\n", 2, {"not valid CSV", "never closed"});

  const Matrix ok =
      read_samples_csv("\xEF\xBB\xBFx,y\r\n1, 2.5\r\n-3e-1,4\r\n", 2, "ok.csv");
  REQUIRE(ok.rows() == 2);
  CHECK(ok(0, 1) == 2.5);
  CHECK(ok(1, 0) == -0.3);
  // samples_csv reads back exactly.
  Matrix m(2, 3);
  m << 0.1, -1e-300, 3, 1.0 / 3, 2e10, -7.25;
  CHECK(read_samples_csv(samples_csv(m), 3, "m.csv") == m);

  // Through the program: exit 2 and the file named.
  const auto dir = temp_dir("eval-bad-csv");
  write_file(dir / "bad.csv", "x1,x2\n1,2\n3,x\n");
  const auto r =
      vibench_run("eval gaussian --samples " + (dir / "bad.csv").string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bad.csv") != std::string::npos);
  CHECK(r.err.find("line 3") != std::string::npos);
}

TEST_CASE("eval: task specs and metric lists are validated") {
  const TaskSpec spec = parse_task_spec(R"(gaussian{"dim": 3})");
  CHECK(spec.name == "gaussian");
  CHECK(spec.params["dim"] == 3);
  CHECK(spec.task->dim() == 3);
  CHECK(parse_task_spec("gmm").params["preset"].is_string());

  CHECK_THROWS_WITH_AS(parse_task_spec(R"(gmm{"prest": "ring8"})"),
                       doctest::Contains("did you mean 'preset'?"),
                       ConfigError);
  try {
    parse_task_spec(R"(gaussian{"dim": -1})");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where().find("/params/dim") != std::string::npos);
  }
  CHECK_THROWS_WITH_AS(parse_task_spec("gausian"),
                       doctest::Contains("did you mean 'gaussian'?"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse_task_spec("gmm{preset}"),
                       doctest::Contains("not valid JSON"), ConfigError);
  CHECK_THROWS_AS(parse_task_spec("missing/task.json"), ConfigError);

  CHECK_THROWS_WITH_AS(parse_eval_metrics("ksd,energy_distanse", spec),
                       doctest::Contains("did you mean 'energy_distance'?"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse_eval_metrics("suboptimality", spec),
                       doctest::Contains("does not apply to distributions"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse_eval_metrics(R"(ksd{"beta": 1})", spec),
                       doctest::Contains("beta"), ConfigError);
  CHECK(parse_eval_metrics(R"(ksd{"c": 2, "beta": -1}, mmd2)", spec).size() ==
        2);

  const TaskSpec objective = parse_task_spec("quadratic");
  CHECK_THROWS_WITH_AS(reference_draws(objective, 10, 0),
                       doctest::Contains("not a distribution"), ConfigError);
  const Matrix draws = reference_draws(spec, 10, 7);
  CHECK(draws.rows() == 10);
  CHECK(draws == reference_draws(spec, 10, 7));  // deterministic in the seed
}
