// Re-runs suites/papers/generalized_smooth.json (it takes well under a
// second) and checks the claim its README paragraph states: as the start
// moves away from x*, the largest fixed GD step that does not diverge
// shrinks, and from the farthest start no fixed step gets within 0.5 of x*;
// normalized and clipped GD with step 0.1 end near x* from every start.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>

#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"

using namespace vibench;

TEST_CASE(
    "paper claim: generalized smoothness breaks fixed steps, not "
    "normalized or clipped ones") {
  const std::filesystem::path root(VIBENCH_SOURCE_DIR);
  const Suite suite = load_suite(
      (root / "suites" / "papers" / "generalized_smooth.json").string());
  // (task name, start_scale) → algorithm name → step → worst seed's final
  // distance (+inf when a seed diverged).
  std::map<std::pair<std::string, double>,
           std::map<std::string, std::map<double, double>>>
      worst;
  for (const Cell& cell : expand_cells(suite)) {
    const Json record = run_cell(suite, cell);
    const auto key =
        std::make_pair(record["task"]["name"].get<std::string>(),
                       record["task"]["params"]["start_scale"].get<double>());
    const double step = record["algorithm"]["params"]["step_size"];
    const double distance =
        record["status"] == "ok"
            ? record["final"]["metrics"]["distance_to_optimum"].get<double>()
            : std::numeric_limits<double>::infinity();
    double& w =
        worst[key][record["algorithm"]["name"].get<std::string>()][step];
    w = std::max(w, distance);
  }
  for (const std::string task : {"quartic", "exp_quadratic"}) {
    INFO(task);
    double previous_largest_stable = 1.0;
    double farthest = 0;
    for (const auto& [key, by_algorithm] : worst) {
      if (key.first != task) continue;
      INFO("start_scale " << key.second);
      double largest_stable = 0;
      for (const auto& [step, distance] : by_algorithm.at("gd"))
        if (std::isfinite(distance))
          largest_stable = std::max(largest_stable, step);
      CHECK(largest_stable <= previous_largest_stable);
      previous_largest_stable = largest_stable;
      farthest = key.second;
      CHECK(by_algorithm.at("normalized_gd").at(0.1) < 0.1);
      CHECK(by_algorithm.at("clipped_gd").at(0.1) < 0.15);
    }
    // From the farthest start, every fixed step diverges or stays far.
    for (const auto& [step, distance] : worst.at({task, farthest}).at("gd"))
      CHECK(distance > 0.5);
  }
}
