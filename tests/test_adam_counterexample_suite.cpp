// Re-runs a slice of suites/papers/adam_counterexample.json — replicate 0 of
// the deterministic (periodic) tasks: every β₂ entry on the experiment form,
// the theorem's setting on the theorem form; about 10 s — and checks what
// its README paragraph states: Adam ends at +1 for every β₂, the paper's
// ADOPT near x* = −1 for every β₂, AMSGrad closer to −1 than its start and
// with less regret than Adam, the clipped ADOPT of the authors' code at +1
// for β₂ ≤ 0.9; in the theorem's setting Adam ends at +1, AMSGrad and
// ADOPT at −1.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>

#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"

using namespace vibench;

TEST_CASE(
    "paper claim: Adam fails Reddi's online problem, AMSGrad and ADOPT "
    "do not") {
  const std::filesystem::path root(VIBENCH_SOURCE_DIR);
  const Suite suite = load_suite(
      (root / "suites" / "papers" / "adam_counterexample.json").string());
  struct Final {
    double distance, regret;
  };
  // (algorithm label) → final metrics, on the experiment and theorem forms.
  std::map<std::string, Final> experiment, theorem;
  int ran = 0;
  for (const Cell& cell : expand_cells(suite)) {
    if (cell.replicate != 0) continue;
    const Json& task = suite.tasks[cell.task_index].params;
    const Json& algorithm = suite.algorithms[cell.algorithm_index].params;
    if (task["form"] != "periodic") continue;
    const bool theorem_task = task["period"] == 3;
    const bool theorem_setting = algorithm["beta1"] == 0.0;
    if (theorem_task != theorem_setting) continue;
    const Json record = run_cell(suite, cell);
    REQUIRE(record["status"] == "ok");
    const std::string label =
        record["algorithm"]["name"].get<std::string>() +
        " beta2=" + algorithm["beta2"].dump() +
        (algorithm.contains("clip") ? " clip=" + algorithm["clip"].dump()
                                    : std::string());
    const Json& metrics = record["final"]["metrics"];
    (theorem_task ? theorem : experiment)[label] = {
        metrics["distance_to_optimum"].get<double>(),
        metrics["average_regret"].get<double>()};
    ++ran;
  }
  REQUIRE(ran == 23);
  for (const char* beta2 : {"0.1", "0.5", "0.9", "0.99", "0.999"}) {
    INFO("beta2 = " << beta2);
    const Final adam = experiment.at(std::string("adam beta2=") + beta2);
    const Final amsgrad = experiment.at(std::string("amsgrad beta2=") + beta2);
    const Final adopt =
        experiment.at(std::string("adopt beta2=") + beta2 + " clip=false");
    const Final clipped =
        experiment.at(std::string("adopt beta2=") + beta2 + " clip=true");
    CHECK(adam.distance > 1.99);  // x ≥ 0.99: drifted to +1
    CHECK(adopt.distance < 0.1);
    CHECK(amsgrad.distance < 1.0);  // on the side of x*, from x₀ = 0
    CHECK(amsgrad.regret < adam.regret);
    if (std::stod(beta2) <= 0.9)
      CHECK(clipped.distance > 1.99);
    else
      CHECK(clipped.distance < 0.01);
  }
  CHECK(theorem.at("adam beta2=0.1").distance > 1.99);
  CHECK(theorem.at("amsgrad beta2=0.1").distance < 1e-6);
  CHECK(theorem.at("adopt beta2=0.1 clip=false").distance < 1e-6);
}
