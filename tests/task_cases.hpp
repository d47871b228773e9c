// Parameter sets of the registered tasks that the generic task tests run
// on: every task with its defaults, plus presets and non-default settings.
// One list, so a new preset is covered by every generic test at once.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "command_helpers.hpp"
#include "core/error.hpp"
#include "core/params.hpp"
#include "tasks/task.hpp"

namespace vibench::testing {

struct TaskCase {
  std::string name;
  Json params;
  std::string label() const { return name + " " + params.dump(); }
};

inline std::shared_ptr<const Task> make_task(const TaskCase& c) {
  const TaskEntry* entry = TaskRegistry::instance().find(c.name);
  REQUIRE_MESSAGE(entry != nullptr, "task '" << c.name << "' not registered");
  return entry->make(
      Params(validate_params(c.params, entry->params, "", c.name)));
}

// Whether the task can be made with its defaults. The served tasks
// (external_density, external_objective) cannot: they need the program
// that serves them and its dimension (tests/test_served_tasks.cpp checks
// that no other task lacks defaults).
inline bool has_default_configuration(const TaskEntry& entry) {
  try {
    entry.make(Params(validate_params({}, entry.params, "", entry.name)));
    return true;
  } catch (const ConfigError&) {
    return false;
  }
}

inline std::vector<TaskCase> default_cases() {
  std::vector<TaskCase> out;
  for (const TaskEntry* entry : TaskRegistry::instance().all())
    if (has_default_configuration(*entry))
      out.push_back({entry->name, Json::object()});
  return out;
}

// The served tasks, each served by a Python example of python/examples (so
// that every generic test checks the protocol's oracles too: finite
// differences, determinism, threads); none when no python3 has numpy.
inline std::vector<TaskCase> served_cases() {
  if (python_with_numpy().empty()) return {};
  return {
      {"external_density",
       {{"command", python_command("python/examples/gaussian_density.py")},
        {"dim", 3},
        {"hessian_vector", true},
        {"args", {{"mean", {1.0, -1.0, 0.5}}, {"covariance", "diagonal"}}}}},
      {"external_objective",
       {{"command", python_command("python/examples/quadratic_objective.py")},
        {"dim", 4},
        {"optimum", {2.0, 1.0, 0.0, -1.0}},
        {"optimal_value", 0.0},
        {"args", {{"center", {2.0, 1.0, 0.0, -1.0}}}}}},
  };
}

inline std::vector<TaskCase> preset_cases() {
  return {
      {"gaussian", {{"covariance", "diagonal"}, {"dim", 4}}},
      {"gaussian",
       {{"covariance", "correlated"},
        {"dim", 5},
        {"condition_number", 100.0},
        {"mean", {1.0, -2.0, 0.5, 0.0, 3.0}},
        {"instance", 3}}},
      {"gaussian", {{"dim", 1}, {"mean", 2.5}}},
      {"gmm", {{"preset", "grid25"}}},
      {"gmm",
       {{"preset", "ring8"}, {"radius", 2.0}, {"component_variance", 1.0}}},
      {"gmm", {{"preset", "random"}}},
      {"gmm",
       {{"preset", "random"}, {"dim", 4}, {"components", 3}, {"instance", 2}}},
      {"gmm",
       {{"preset", "custom"},
        {"means", {{0.0, 0.0, 0.0}, {2.0, 1.0, -1.0}}},
        {"weights", {1.0, 3.0}},
        {"covariances",
         {{{1.0, 0.3, 0.0}, {0.3, 2.0, 0.1}, {0.0, 0.1, 0.5}},
          {{0.4, 0.0, 0.0}, {0.0, 0.4, 0.0}, {0.0, 0.0, 0.4}}}}}},
      {"gmm",
       {{"preset", "custom"},
        {"means", {{-1.0, 0.0}, {1.0, 0.5}, {0.0, 2.0}}},
        {"covariances", {{{0.5, 0.2}, {0.2, 0.3}}}}}},
      {"gmm",
       {{"preset", "custom"},
        {"means", {{-1.0, 0.0}, {1.0, 0.5}, {0.0, 2.0}}},
        {"weights", {0.2, 0.5, 0.3}},
        {"covariances", {{{0.5, 0.2}, {0.2, 0.3}}}}}},
      {"logistic_regression",
       {{"data", "german_credit"}, {"prior", "hierarchical"}}},
      {"logistic_regression",
       {{"data", "breast_cancer"},
        {"test_fraction", 0.0},
        {"prior_scale", 3.0}}},
      {"logistic_regression", {{"data", "sonar"}}},
      {"logistic_regression", {{"data", "ionosphere"}}},
      {"logistic_regression",
       {{"data", "pima"}, {"batch_size", 32}, {"split_seed", 4}}},
      {"dirichlet", {{"preset", "sparse_dirichlet_20"}}},
      {"dirichlet", {{"alpha", {0.5, 2.0, 0.3, 4.0}}}},
      {"simplex_quadratic", {{"components", 5}, {"instance", 2}}},
      {"truncated_gaussian",
       {{"domain", "box"},
        {"dim", 3},
        {"mean", {0.5, -3.0, 0.0}},
        {"scale", {1.0, 0.5, 2.0}},
        {"lower", {-1.0, 0.0, 2.0}},
        {"upper", {1.0, 1.0, 8.0}}}},
      {"truncated_gaussian", {{"dim", 1}, {"mean", -40.0}}},
      {"truncated_gaussian", {{"dim", 3}, {"mean", {1.0, -2.0, 0.0}}}},
      {"uniform_box",
       {{"dim", 3}, {"lower", {-1.0, 0.0, 5.0}}, {"upper", {1.0, 1e-3, 6.0}}}},
      {"quadratic", {{"rotate", false}}},
      {"quadratic",
       {{"dim", 3}, {"condition_number", 1000.0}, {"instance", 7}}},
      {"bilinear",
       {{"dim", 3}, {"sigma_min", 0.1}, {"sigma_max", 10.0}, {"instance", 1}}},
      {"bilinear", {{"dim", 2}, {"dim_y", 5}, {"instance", 2}}},
      {"bilinear", {{"dim", 4}, {"dim_y", 3}, {"linear_terms", false}}},
      {"quadratic_game", {{"dim", 4}, {"mu", 0.3}, {"lipschitz", 2.0}}},
      {"quadratic_game",
       {{"dim", 3}, {"mu", 0.0}, {"mu_b", 0.5}, {"instance", 3}}},
      {"quadratic_game",
       {{"dim", 3}, {"components", 8}, {"batch_size", 3}, {"instance", 1}}},
      {"quadratic_game", {{"dim", 3}, {"components", 8}, {"instance", 2}}},
      {"comonotone_linear", {{"dim", 2}, {"rho", 0.3}, {"lipschitz", 2.0}}},
      {"comonotone_linear", {{"rho", 0.0}}},
      {"matrix_game", {{"payoff", "rps"}}},
      {"matrix_game",
       {{"payoff", "intransitive"},
        {"actions", 5},
        {"regularization", 0.3},
        {"reference", "random"}}},
      {"toy_game", {{"name", "pl_game"}, {"start_std", 1.0}}},
      {"robust_least_squares", {{"dim", 3}, {"rows", 6}, {"instance", 2}}},
      {"toy_game", {{"name", "almost_bilinear"}, {"start_std", 0.5}}},
      {"toy_game", {{"name", "dirac_gan"}, {"start_std", 2.0}}},
      {"toy_game", {{"name", "nonsaturating_gan"}, {"start_std", 1.0}}},
      {"toy_game", {{"name", "wgan_clip"}, {"start_std", 0.5}}},
      {"toy_game", {{"name", "wgan_gp"}, {"start_std", 0.2}}},
      {"toy_game", {{"name", "forsaken"}, {"start_std", 0.5}}},
      {"bilinear", {{"dim", 3}, {"linear_terms", false}, {"box_radius", 1.0}}},
      {"bilinear",
       {{"dim", 3},
        {"instance", 4},
        {"box_radius", 20.0},
        {"box_geometry", "mirror"}}},
      {"matrix_game", {{"actions", 5}, {"instance", 4}}},
      {"matrix_game", {{"payoff", "intransitive"}, {"actions", 6}}},
      {"quadratic_bilevel", {{"dim_x", 3}, {"dim_y", 2}, {"mu", 0.5}}},
      {"quadratic_bilevel",
       {{"dim_x", 2}, {"dim_y", 4}, {"mu", 0.0}, {"condition_number", 50.0}}},
      {"finite_sum_quadratic",
       {{"dim_x", 3}, {"dim_y", 4}, {"n_inner", 30}, {"n_outer", 20}}},
      {"quadratic_bilevel", {{"dim_x", 3}, {"dim_y", 4}, {"quartic", 0.5}}},
      {"finite_sum_quadratic",
       {{"dim_x", 4},
        {"dim_y", 2},
        {"n_inner", 25},
        {"n_outer", 25},
        {"batch_size", 5},
        {"instance", 2}}},
      {"data_hypercleaning",
       {{"validation_fraction", 0.45},
        {"test_fraction", 0.45},
        {"corruption", 0.5}}},
      {"logistic_hyperparameters", {{"data", "sonar"}}},
      {"logistic_hyperparameters",
       {{"n_data", 200}, {"dim", 4}, {"batch_size", 16}}},
      {"ridge_hyperparameters",
       {{"dim", 4}, {"n_train", 12}, {"n_validation", 9}, {"informative", 2}}},
      {"logistic_loss", {{"data", "sonar"}, {"reg", 1e-3}}},
      {"logistic_loss", {{"n_data", 300}, {"dim", 4}, {"batch_size", 30}}},
      {"rosenbrock", {{"dim", 5}}},
      {"quartic", {{"dim", 3}, {"start_scale", -4.0}}},
      {"exp_quadratic", {{"dim", 5}, {"terms", 50}, {"instance", 2}}},
      {"online_linear", {{"form", "stochastic"}, {"start", 0.5}}},
      {"quadratic_deep", {{"dim", 10}, {"rotate", false}, {"n_data", 50}}},
      {"noisy_rosenbrock", {{"n_data", 40}, {"instance", 3}}},
      {"phase_retrieval", {{"dim", 3}, {"measurements", 7}, {"instance", 4}}},
      {"matrix_sensing",
       {{"n", 3},
        {"rank", 1},
        {"width", 2},
        {"measurements", 9},
        {"init_scale", 0.5}}},
      {"lasso", {{"n_samples", 30}, {"n_features", 10}, {"rho", 0.9}}},
      {"entropic_ot", {{"n_source", 3}, {"n_target", 4}, {"epsilon", 0.2}}},
      {"simplex_least_squares",
       {{"components", 3}, {"rows", 5}, {"support", 2}}},
      {"online_linear", {{"large", 3.0}, {"small", 1.0}, {"period", 3}}},
      {"online_linear", {{"large", 1.0}, {"period", 3}, {"start", -1.0}}},
      {"test_function", {{"name", "sphere"}, {"dim", 5}}},
      {"test_function", {{"name", "rastrigin"}, {"dim", 3}}},
      {"test_function", {{"name", "ackley"}, {"dim", 4}}},
      {"test_function", {{"name", "styblinski_tang"}, {"dim", 3}}},
      {"test_function", {{"name", "schwefel"}, {"dim", 2}}},
      {"test_function", {{"name", "booth"}}},
      {"test_function", {{"name", "himmelblau"}}},
      {"test_function", {{"name", "matyas"}}},
      {"test_function", {{"name", "mccormick"}}},
      {"test_function", {{"name", "goldstein_price"}}},
      {"test_function", {{"name", "levy13"}}},
      {"test_function", {{"name", "three_hump_camel"}}},
  };
}

inline std::vector<TaskCase> all_cases() {
  std::vector<TaskCase> out = default_cases();
  for (auto& c : preset_cases()) out.push_back(std::move(c));
  for (auto& c : served_cases()) out.push_back(std::move(c));
  return out;
}

// The cases whose task is of `kind`.
inline std::vector<TaskCase> cases_of_kind(TaskKind kind) {
  std::vector<TaskCase> out;
  for (auto& c : all_cases())
    if (make_task(c)->kind() == kind) out.push_back(std::move(c));
  return out;
}

}  // namespace vibench::testing
