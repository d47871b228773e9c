// Generic conformance of every registered algorithm, so that a new algorithm
// is checked without anyone writing a test for it: it runs on a task of its
// kind within the budget, is deterministic, and rejects bad parameters.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "command_helpers.hpp"
#include "core/error.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite_runner.hpp"
#include "task_cases.hpp"

using namespace vibench;

namespace {

// Every registered task of the algorithm's kind that offers what it needs,
// with default parameters.
std::vector<std::string> tasks_for(const Algorithm& algorithm) {
  std::vector<std::string> out;
  for (const TaskEntry* entry : TaskRegistry::instance().all()) {
    if (entry->kind != algorithm.kind() ||
        !testing::has_default_configuration(*entry))
      continue;
    const auto task = entry->make(
        Params(validate_params({}, entry->params, "", entry->name)));
    if (incompatibility(*task, algorithm).empty()) out.push_back(entry->name);
  }
  return out;
}

// Suite task entries it runs on: every registered task under its defaults,
// or, for a method whose structure no default task has (a variance-reduced
// method needs a finite sum), the test presets that have it.
std::vector<Json> task_entries_for(const Algorithm& algorithm) {
  std::vector<Json> out;
  for (const std::string& name : tasks_for(algorithm))
    out.push_back({{"name", name}});
  if (!out.empty()) return out;
  for (const testing::TaskCase& c : testing::preset_cases()) {
    const auto task = testing::make_task(c);
    if (task->kind() == algorithm.kind() &&
        incompatibility(*task, algorithm).empty() &&
        algorithm.check_task(*task).empty())
      out.push_back({{"name", c.name}, {"params", c.params}});
  }
  return out;
}

// The first of them, or "" when there is none.
std::string task_for(const Algorithm& algorithm) {
  const auto tasks = tasks_for(algorithm);
  return tasks.empty() ? "" : tasks.front();
}

// The parameters an algorithm is run with here: none (its defaults), except
// for one whose entry has required parameters — an external algorithm is
// run as the Python SVGD of python/examples.
Json conformance_params(const std::string& algorithm) {
  if (algorithm == "external")
    return {{"command", testing::python_command("python/examples/svgd.py")},
            {"kind", "sampler"},
            {"n_points", 20}};
  return Json::object();
}

std::shared_ptr<const Algorithm> make_for_conformance(
    const AlgorithmEntry& entry) {
  return entry.make(Params(validate_params(conformance_params(entry.name),
                                           entry.params, "", entry.name)));
}

// A value outside the declared range of `spec`, or null when it has none.
Json out_of_range(const ParamSpec& spec) {
  if (spec.type == ParamType::string && !spec.choices.empty())
    return spec.choices.front() + "_not_a_choice";
  if (spec.type != ParamType::integer && spec.type != ParamType::real)
    return {};
  if (spec.min) return spec.min_exclusive ? *spec.min : *spec.min - 1;
  if (spec.max) return spec.max_exclusive ? *spec.max : *spec.max + 1;
  return {};
}

}  // namespace

namespace {

// Runs `algorithm` on `task` (a suite task entry) for a budget of 2000
// gradient evaluations, twice: the cell must end by that budget, overshoot
// it by at most one step, and give the same trace both times. With
// `may_diverge`, a cell that ends `diverged` (a default fixed step too large
// for the task: legitimate) passes too, deterministically; returns whether
// the cell ended ok.
bool check_runs_within_budget(const std::string& algorithm, const Json& task,
                              bool may_diverge = false) {
  const Json suite_json = {
      {"seeds", 2},
      {"tasks", {task}},
      {"algorithms",
       {{{"name", algorithm}, {"params", conformance_params(algorithm)}}}},
      {"budget", {{"max_grad_evals", 2000}}},
      {"timeout_seconds", 60},
  };
  const AlgorithmEntry* entry = AlgorithmRegistry::instance().find(algorithm);
  REQUIRE(entry != nullptr);
  if (make_for_conformance(*entry)->gradient_free()) {
    // A gradient budget alone cannot end it: the cell says so after one
    // step; an iteration budget ends it, with no gradient spent.
    const Suite by_gradients = parse_suite(suite_json, "conformance.json");
    const Json failed = run_cell(by_gradients, expand_cells(by_gradients)[0]);
    CHECK(failed["status"] == "failed");
    CHECK(failed["message"].get<std::string>().find("max_iterations") !=
          std::string::npos);
    Json by_iterations_json = suite_json;
    by_iterations_json["budget"] = {{"max_iterations", 50}};
    const Suite suite = parse_suite(by_iterations_json, "conformance.json");
    const Json first = run_cell(suite, expand_cells(suite)[0]);
    if (may_diverge && first["status"] == "diverged") return false;
    CHECK(first["status"] == "ok");
    CHECK(first["stopped_by"] == "max_iterations");
    CHECK(first["final"]["grad_evals"] == 0);
    const Json again = run_cell(suite, expand_cells(suite)[0]);
    CHECK(again["trace"]["metrics"] == first["trace"]["metrics"]);
    return first["status"] == "ok";
  }
  const Suite suite = parse_suite(suite_json, "conformance.json");
  const auto cells = expand_cells(suite);
  REQUIRE(cells.size() == 2);
  const Json first = run_cell(suite, cells[0]);
  if (may_diverge && first["status"] == "diverged") {
    const Json again = run_cell(suite, cells[0]);
    CHECK(again["trace"]["metrics"] == first["trace"]["metrics"]);
    CHECK(again["message"] == first["message"]);
    return false;
  }
  CHECK(first["status"] == "ok");
  CHECK(first["stopped_by"] == "max_grad_evals");
  // The budget stops a cell after the step that reaches it: one step may
  // overshoot by its own cost, never more.
  const auto& evals = first["trace"]["grad_evals"];
  const long long final_evals = first["final"]["grad_evals"];
  CHECK(final_evals >= 2000);
  const long long iterations = first["final"]["iterations"];
  REQUIRE(iterations > 0);
  const long long per_step =
      (final_evals - evals.front().get<long long>()) / iterations;
  // A method whose step cost adapts (a line search that tightens its
  // accuracies) may end on a step far dearer than its average: for it,
  // only that the budget was not yet reached at the previous checkpoint.
  const bool adaptive_step_cost = algorithm == "maid";
  if (adaptive_step_cost && evals.size() >= 2)
    CHECK(evals[evals.size() - 2].get<long long>() < 2000);
  else
    CHECK(final_evals < 2000 + 2 * std::max<long long>(per_step, 1) + 1);
  // Deterministic: the same cell twice gives the same trace.
  const Json again = run_cell(suite, cells[0]);
  CHECK(again["trace"]["metrics"] == first["trace"]["metrics"]);
  CHECK(again["trace"]["grad_evals"] == first["trace"]["grad_evals"]);
  return first["status"] == "ok";
}

}  // namespace

TEST_CASE(
    "conformance: every algorithm runs within budget, deterministically") {
  // Samplers on the first task that suits them; optimizers, saddle-point
  // and bilevel solvers on every registered task of their kind.
  for (const AlgorithmEntry* entry : AlgorithmRegistry::instance().all()) {
    INFO("algorithm ", entry->name);
    const auto algorithm = make_for_conformance(*entry);
    if (algorithm->kind() == TaskKind::distribution) {
      const std::string task = task_for(*algorithm);
      REQUIRE_MESSAGE(!task.empty(), "no registered task to run it on");
      check_runs_within_budget(entry->name, {{"name", task}});
      continue;
    }
    // A default fixed step may diverge on some task (gd's 0.1 on Beale's
    // function); it must run ok on at least one.
    int ok = 0;
    for (const Json& task : task_entries_for(*algorithm)) {
      INFO("task ", task.dump());
      ok += check_runs_within_budget(entry->name, task,
                                     /*may_diverge=*/true);
    }
    CHECK_MESSAGE(ok > 0, "no registered task it runs ok on");
  }
}

TEST_CASE("conformance: the constrained-domain samplers on the simplex") {
  // The same checks on the paper's sparse Dirichlet, where a point leaving
  // the simplex would end the cell as diverged.
  for (const std::string name :
       {"msvgd", "svmd", "projected_svgd", "mirror_langevin"}) {
    INFO("algorithm ", name);
    check_runs_within_budget(name,
                             {{"name", "dirichlet"},
                              {"params", {{"preset", "sparse_dirichlet_20"}}}});
  }
}

TEST_CASE(
    "conformance: every parameter of every component rejects bad values") {
  auto check_specs = [](const std::string& owner, const ParamSpecs& specs) {
    for (const ParamSpec& spec : specs) {
      INFO(owner, ".", spec.name);
      CHECK_FALSE(spec.description.empty());
      const Json bad = out_of_range(spec);
      if (!bad.is_null())
        CHECK_THROWS_AS(validate_params({{spec.name, bad}}, specs, "", owner),
                        ConfigError);
      // A value of the wrong type is always rejected.
      const Json wrong =
          spec.type == ParamType::string ? Json(3.5) : Json("text");
      CHECK_THROWS_AS(validate_params({{spec.name, wrong}}, specs, "", owner),
                      ConfigError);
    }
    CHECK_THROWS_AS(
        validate_params({{"no_such_parameter", 1}}, specs, "", owner),
        ConfigError);
  };
  for (const AlgorithmEntry* entry : AlgorithmRegistry::instance().all())
    check_specs(entry->name, entry->params);
  for (const TaskEntry* entry : TaskRegistry::instance().all())
    check_specs(entry->name, entry->params);
  for (const MetricEntry* entry : MetricRegistry::instance().all())
    check_specs(entry->name, entry->settings);
}
