// Chain samplers (ula, mala, hmc, underdamped_langevin, nuts, sgld) against
// closed forms and Monte Carlo error, and the chain metrics (rhat, ess_bulk,
// ess_tail, ess_per_grad) against direct calls of lib/mcmc diagnostics.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "algorithm_helpers.hpp"
#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/chain_history.hpp"
#include "core/error.hpp"
#include "mcmc/diagnostics.hpp"
#include "metrics/metric.hpp"
#include "reference/reference_posterior.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite_runner.hpp"
#include "task_cases.hpp"
#include "tasks/distribution.hpp"
#include "tasks/oracles.hpp"
#include "test_helpers.hpp"

namespace vibench {
namespace {

using testing::make_task;

std::shared_ptr<const Algorithm> algorithm(const std::string& name,
                                           const Json& given) {
  const AlgorithmEntry* entry = AlgorithmRegistry::instance().find(name);
  REQUIRE(entry != nullptr);
  return entry->make(Params(validate_params(given, entry->params, "", name)));
}

std::shared_ptr<const Distribution> distribution(const std::string& name,
                                                 const Json& params) {
  return std::dynamic_pointer_cast<const Distribution>(
      make_task({name, params}));
}

// Coordinate j of a history as n_draws × n_chains.
Matrix column_draws(const std::vector<Matrix>& history, Index j) {
  Matrix out(static_cast<Index>(history.size()), history.front().rows());
  for (size_t t = 0; t < history.size(); ++t)
    out.row(static_cast<Index>(t)) = history[t].col(j).transpose();
  return out;
}

// Runs `iterations` steps of `name` from exact draws of `target`; returns
// the recorded history.
std::vector<Matrix> run_chains(const std::string& name, const Json& params,
                               const Distribution& target, int iterations,
                               Counters& counters) {
  const auto sampler = algorithm(name, params);
  const DistributionOracle oracle(target, counters);
  Rng init = make_rng(11);
  State initial;
  initial.points = target.sample(sampler->num_points(), init);
  auto run = sampler->start(oracle, initial, make_rng(12));
  for (int t = 0; t < iterations; ++t) run->step();
  return run->state().history;
}

// Every coordinate's mean within 4.5 MCSE of the exact mean, and every
// covariance entry E[(x_i − μ_i)(x_j − μ_j)] within 4.5 MCSE of Σ_ij, the
// MCSE of that entry being the mcse_mean of the product draws (their own
// autocorrelation counted through ess_basic). 4.5σ over 65 statistics keeps
// a correct sampler's chance of failing below 1e-3.
void check_moments(const std::vector<Matrix>& history,
                   const Distribution& target) {
  REQUIRE(history.size() >= 100);
  const Vector mu = target.mean();
  const Matrix sigma = target.covariance();
  const Index d = mu.size();
  std::vector<Matrix> centred(d);
  for (Index j = 0; j < d; ++j) {
    const Matrix draws = column_draws(history, j);
    const double error = draws.mean() - mu(j);
    const double mcse = mcse_mean(draws);
    INFO("coordinate " << j << " mean error " << error << " mcse " << mcse);
    CHECK(std::abs(error) < 4.5 * mcse);
    centred[j] = draws.array() - mu(j);
  }
  for (Index i = 0; i < d; ++i)
    for (Index j = 0; j <= i; ++j) {
      const Matrix product = centred[i].cwiseProduct(centred[j]);
      const double error = product.mean() - sigma(i, j);
      const double mcse = mcse_mean(product);
      INFO("covariance (" << i << ", " << j << ") error " << error << " mcse "
                          << mcse);
      CHECK(std::abs(error) < 4.5 * mcse);
    }
}

const Json kCorrelated = {{"dim", 10}, {"covariance", "correlated"}};

}  // namespace

TEST_CASE("chain samplers: MALA with warm-up adaptation, correlated 10-D") {
  const auto target = distribution("gaussian", kCorrelated);
  Counters counters;
  const auto history = run_chains(
      "mala", {{"n_chains", 100}, {"warmup", 200}, {"step_size", 1.0}}, *target,
      1200, counters);
  CHECK(history.size() == 1000);
  check_moments(history, *target);
  CHECK(counters.grad_evals == 100 * (1 + 1200));
}

TEST_CASE("chain samplers: MALA's step adapts during warm-up only") {
  const auto target = distribution("gaussian", kCorrelated);
  Counters counters;
  const DistributionOracle oracle(*target, counters);
  Rng init = make_rng(3);
  State initial;
  initial.points = target->sample(50, init);
  const auto adaptive = algorithm(
      "mala", {{"n_chains", 50}, {"warmup", 300}, {"step_size", 5.0}});
  auto run = adaptive->start(oracle, initial, make_rng(4));
  for (int t = 0; t < 300; ++t) run->step();
  const double adapted = run->diagnostics().at("step_size").get<double>();
  CHECK(adapted < 5.0);  // 5 is far too large: acceptance ≈ 0
  CHECK(run->state().history.empty());
  for (int t = 0; t < 300; ++t) run->step();
  CHECK(run->diagnostics().at("step_size").get<double>() == adapted);
  CHECK(run->state().history.size() == 300);
  // The acceptance at the frozen step is near the 0.574 target.
  const double last = run->diagnostics().at("last_acceptance_rate");
  CHECK(last > 0.35);
  CHECK(last < 0.8);
  // warmup = 0: the step is never touched.
  auto fixed = algorithm("mala", {{"n_chains", 50}, {"step_size", 5.0}})
                   ->start(oracle, initial, make_rng(4));
  for (int t = 0; t < 20; ++t) fixed->step();
  CHECK(fixed->diagnostics().at("step_size").get<double>() == 5.0);
}

TEST_CASE("chain samplers: HMC reproduces the correlated 10-D Gaussian") {
  const auto target = distribution("gaussian", kCorrelated);
  Counters counters;
  const auto history = run_chains(
      "hmc", {{"n_chains", 100}, {"step_size", 0.5}, {"n_leapfrog", 8}},
      *target, 400, counters);
  CHECK(history.size() == 400);
  check_moments(history, *target);
  CHECK(counters.grad_evals == 100 * (1 + 400 * 8));
}

TEST_CASE("chain samplers: underdamped Langevin (BAOAB) on correlated 10-D") {
  // BAOAB's configurational marginal is exact on Gaussians, so even a
  // large step h = 0.7 (stable: h < 2/√λmax(Σ⁻¹) = 2) shows no bias.
  const auto target = distribution("gaussian", kCorrelated);
  Counters counters;
  const auto history =
      run_chains("underdamped_langevin",
                 {{"n_chains", 100}, {"step_size", 0.7}, {"gamma", 1.0}},
                 *target, 1500, counters);
  check_moments(history, *target);
  CHECK(counters.grad_evals == 100 * (1 + 1500));
}

TEST_CASE("chain samplers: NUTS reproduces the correlated 10-D Gaussian") {
  const auto target = distribution("gaussian", kCorrelated);
  Counters counters;
  const auto history = run_chains("nuts", {{"n_chains", 16}, {"warmup", 150}},
                                  *target, 550, counters);
  CHECK(history.size() == 400);
  check_moments(history, *target);
}

TEST_CASE("chain samplers: ULA's stationary variance is s2/(1 - h/(2 s2))") {
  // Diagonal Σ = diag(1, 4): each coordinate is an AR(1) chain
  // x ← (1 − h/σ²) x + √(2h) ξ with stationary variance σ²/(1 − h/(2σ²)),
  // 1.333 and 4.267 for h = 0.5: 33% and 7% above the target's.
  const auto target = distribution(
      "gaussian",
      {{"dim", 2}, {"covariance", "diagonal"}, {"condition_number", 4.0}});
  const double h = 0.5;
  Counters counters;
  const auto history =
      run_chains("ula", {{"n_chains", 200}, {"step_size", h}, {"warmup", 100}},
                 *target, 1100, counters);
  const Matrix sigma = target->covariance();
  for (Index j = 0; j < 2; ++j) {
    const double s2 = sigma(j, j);
    const Matrix squares = column_draws(history, j).array().square().matrix();
    const double expected = s2 / (1.0 - h / (2.0 * s2));
    INFO("coordinate " << j << ": " << squares.mean() << " vs " << expected);
    CHECK(std::abs(squares.mean() - expected) < 4.5 * mcse_mean(squares));
    // ... and excludes the unbiased answer.
    CHECK(std::abs(squares.mean() - s2) > 4.5 * mcse_mean(squares));
  }
}

TEST_CASE("chain samplers: SGLD on full gradients is ULA with step eps/2") {
  const auto target = distribution("gaussian", kCorrelated);
  Counters a, b;
  const auto sgld = run_chains("sgld", {{"n_chains", 10}, {"step_size", 0.2}},
                               *target, 50, a);
  const auto ula =
      run_chains("ula", {{"n_chains", 10}, {"step_size", 0.1}}, *target, 50, b);
  REQUIRE(sgld.size() == ula.size());
  for (size_t t = 0; t < sgld.size(); ++t) CHECK(sgld[t] == ula[t]);
  CHECK(a.grad_evals == b.grad_evals);
}

TEST_CASE("chain samplers: SGLD's decaying step follows a (b + t)^-gamma") {
  const auto target = distribution("gaussian", {{"dim", 2}});
  Counters counters;
  const DistributionOracle oracle(*target, counters);
  auto run = algorithm("sgld", {{"n_chains", 2},
                                {"step_size", 0.5},
                                {"decay_offset", 10.0},
                                {"decay_power", 0.55}})
                 ->start(oracle, testing::points_state(Matrix::Zero(2, 2)),
                         make_rng(1));
  for (int t = 0; t < 5; ++t) run->step();
  CHECK(run->diagnostics().at("last_step_size").get<double>() ==
        doctest::Approx(0.5 * std::pow(14.0, -0.55)));
}

TEST_CASE("chain samplers: minibatch SGLD approaches NUTS as the step falls") {
  const Json full = {{"data", "pima"}, {"test_fraction", 0.0}};
  Json minibatch = full;
  minibatch["batch_size"] = 32;
  const auto exact = distribution("logistic_regression", full);
  const auto noisy = distribution("logistic_regression", minibatch);
  const std::filesystem::path cache = testing::temp_dir("chain-sgld-cache");
  ReferenceSettings settings;
  settings.warmup = 500;
  settings.draws_per_chain = 1000;
  const Json params = validate_params(
      full, TaskRegistry::instance().find("logistic_regression")->params, "",
      "logistic_regression");
  const Matrix reference = reference_posterior("logistic_regression", params,
                                               *exact, cache, settings)
                               .draws;
  std::filesystem::remove_all(cache);
  const Vector reference_mean = reference.colwise().mean().transpose();

  // Chains start at reference draws, so that only the stationary bias of
  // each step size is measured, not the burn-in.
  const Index n = 100;
  std::vector<double> errors, mcses;
  for (const double step : {4e-3, 1e-3, 2.5e-4}) {
    Counters counters;
    const DistributionOracle oracle(*noisy, counters, 5);
    State initial;
    initial.points = thin_draws(reference, n);
    auto run =
        algorithm("sgld",
                  {{"n_chains", n}, {"step_size", step}, {"warmup", 200}})
            ->start(oracle, initial, make_rng(6));
    for (int t = 0; t < 1200; ++t) run->step();
    const auto& history = run->state().history;
    Vector mean(reference_mean.size());
    double mcse2 = 0.0;
    for (Index j = 0; j < mean.size(); ++j) {
      const Matrix draws = column_draws(history, j);
      mean(j) = draws.mean();
      mcse2 += std::pow(mcse_mean(draws), 2);
    }
    errors.push_back((mean - reference_mean).norm());
    mcses.push_back(std::sqrt(mcse2));
    MESSAGE("sgld step " << step << ": mean error " << errors.back()
                         << " (mcse " << mcses.back() << ")");
  }
  // The largest step is clearly biased; each smaller step does at least as
  // well, up to 3 Monte Carlo standard errors of the error norm (at the
  // small steps the bias falls below the Monte Carlo error, ≈ 0.01–0.02).
  CHECK(errors[0] > errors[1] + 3 * mcses[1]);
  CHECK(errors[2] < errors[1] + 3 * mcses[2]);
  CHECK(errors[0] > 2 * errors[2]);
}

TEST_CASE("chain samplers: chain metrics equal direct diagnostics") {
  // AR(1) chains with different autocorrelations per coordinate and an
  // offset chain, so that R-hat and ESS differ between coordinates.
  Rng rng = make_rng(21);
  const Index chains = 6, d = 3, draws = 200;
  State state;
  Matrix x = rng.normal_matrix(chains, d);
  const double phi[d] = {0.2, 0.6, 0.9};
  for (Index t = 0; t < draws; ++t) {
    for (Index c = 0; c < chains; ++c)
      for (Index j = 0; j < d; ++j)
        x(c, j) = phi[j] * x(c, j) + rng.normal() + (c == 0 ? 0.3 : 0.0);
    state.history.push_back(x);
  }
  state.points = x;
  double max_rhat = 0, min_bulk = 1e300, min_tail = 1e300;
  for (Index j = 0; j < d; ++j) {
    const Matrix m = column_draws(state.history, j);
    max_rhat = std::max(max_rhat, rhat(m));
    min_bulk = std::min(min_bulk, ess_bulk(m));
    min_tail = std::min(min_tail, ess_tail(m));
  }
  const auto task = make_task({"gaussian", {{"dim", d}}});
  const Matrix none;
  const Params settings(Json::object());
  Counters counters;
  counters.grad_evals = 5000;
  auto metric = [&](const char* name, const State& s, const Counters* c) {
    const MetricEntry* entry = MetricRegistry::instance().find(name);
    REQUIRE(entry != nullptr);
    CHECK(entry->nan_when_undefined);
    return entry->compute(MetricContext{*task, s, none, settings, c});
  };
  CHECK(metric("rhat", state, &counters) == max_rhat);
  CHECK(metric("ess_bulk", state, &counters) == min_bulk);
  CHECK(metric("ess_tail", state, &counters) == min_tail);
  CHECK(metric("ess_per_grad", state, &counters) == min_bulk / 5000.0);
  CHECK(std::isnan(metric("ess_per_grad", state, nullptr)));
  // Fewer than 4 recorded iterations, or none (particle methods): NaN.
  State short_state = state;
  short_state.history.resize(3);
  for (const char* name : {"rhat", "ess_bulk", "ess_tail", "ess_per_grad"}) {
    CHECK(std::isnan(metric(name, short_state, &counters)));
    CHECK(std::isnan(
        metric(name, testing::points_state(state.points), &counters)));
  }
}

TEST_CASE(
    "chain samplers: undefined chain metrics do not mark a cell "
    "diverged") {
  const Json suite_json = {
      {"seeds", 1},
      {"tasks", {{{"name", "gaussian"}, {"params", {{"dim", 2}}}}}},
      {"algorithms",
       {{{"name", "mala"},
         {"params", {{"n_chains", 8}, {"warmup", 5}, {"step_size", 0.5}}}},
        {{"name", "svgd"}, {"params", {{"n_particles", 8}}}}}},
      {"metrics", {"rhat", "ess_bulk", "ess_tail", "ess_per_grad"}},
      {"budget", {{"max_iterations", 30}}},
      {"checkpoints", {{"every", 3}}},
  };
  const Suite suite = parse_suite(suite_json, "chain.json");
  const auto cells = expand_cells(suite);
  REQUIRE(cells.size() == 2);
  for (const auto& cell : cells) {
    const Json record = run_cell(suite, cell);
    INFO(record.dump());
    CHECK(record["status"] == "ok");
    // NaN is stored as a NaN number and written to JSON as null.
    const auto missing = [](const Json& v) {
      return v.is_null() || std::isnan(v.get<double>());
    };
    const Json& rhats = record["trace"]["metrics"]["rhat"];
    CHECK(missing(rhats.front()));  // iteration 0: no history
    if (record["algorithm"]["name"] == "mala") {
      CHECK(!missing(record["final"]["metrics"]["rhat"]));
      CHECK(record["final"]["metrics"]["ess_per_grad"].get<double>() > 0);
    } else {
      CHECK(missing(record["final"]["metrics"]["rhat"]));
    }
  }
}

TEST_CASE("chain samplers: the history is bounded and thinned evenly") {
  // Points carrying their iteration number show which iterations were kept.
  for (const long long max_draws : {2LL, 3LL, 4LL, 7LL}) {
    for (const long long record_every : {1LL, 3LL}) {
      CAPTURE(max_draws);
      CAPTURE(record_every);
      const long long warmup = 5;
      ChainHistory recorder(warmup, record_every, max_draws);
      std::vector<Matrix> history;
      for (long long t = 1; t <= 500; ++t) {
        recorder.record(t, Matrix::Constant(1, 1, static_cast<double>(t)),
                        history);
        REQUIRE(static_cast<long long>(history.size()) <= max_draws);
        // Always every stride()-th iteration after the warm-up, from the
        // first, none missing: the whole run so far, thinned evenly.
        // The stride: record_every doubled as often as needed to keep the
        // draws so far within max_draws.
        long long expected_stride = record_every;
        while (std::max(0LL, t - warmup) / expected_stride > max_draws)
          expected_stride *= 2;
        const long long stride = recorder.stride();
        REQUIRE(stride == expected_stride);
        const long long expected = t > warmup ? (t - warmup) / stride : 0;
        REQUIRE(static_cast<long long>(history.size()) == expected);
        for (std::size_t i = 0; i < history.size(); ++i)
          REQUIRE(history[i](0, 0) ==
                  static_cast<double>(warmup + stride * (i + 1)));
      }
      // At least half full once it has been thinned.
      CHECK(static_cast<long long>(history.size()) >= max_draws / 2);
    }
  }
  CHECK(ChainHistory::draws_for(5, 2, 100, 25) == 10);
  CHECK(ChainHistory::draws_for(5, 2, 100, 3) == 0);
  CHECK(ChainHistory::draws_for(5, 2, 100, 10000) == 100);
  CHECK(ChainHistory::draws_for(5, 2, 100, -1) == 100);
  CHECK_THROWS(ChainHistory(0, 1, 1));

  // In a suite (its max_history_draws): the diagnostic says the interval
  // once thinned, and the chain metrics read the thinned draws.
  const Json suite_json = {
      {"seeds", 1},
      {"tasks", {{{"name", "gaussian"}, {"params", {{"dim", 2}}}}}},
      {"algorithms",
       {{{"name", "mala"}, {"params", {{"n_chains", 4}, {"step_size", 0.5}}}}}},
      {"metrics", {"rhat"}},
      {"budget", {{"max_iterations", 40}}},
  };
  const Suite whole_suite = parse_suite(suite_json, "chain.json");
  Json bounded_json = suite_json;
  bounded_json["max_history_draws"] = 8;
  const Suite bounded_suite = parse_suite(bounded_json, "chain.json");
  // Given, it is part of the suite's identity; not given, older suites keep
  // their hash.
  CHECK(bounded_suite.hash != whole_suite.hash);
  CHECK(!whole_suite.canonical.contains("max_history_draws"));
  const Json whole = run_cell(whole_suite, expand_cells(whole_suite)[0]);
  const Json bounded = run_cell(bounded_suite, expand_cells(bounded_suite)[0]);
  CHECK(bounded["diagnostics"]["algorithm"]["history_stride"] == 8);
  CHECK(!whole["diagnostics"]["algorithm"].contains("history_stride"));
  CHECK(bounded["final"]["metrics"]["rhat"] !=
        whole["final"]["metrics"]["rhat"]);
  bounded_json["max_history_draws"] = 1;
  try {
    parse_suite(bounded_json, "chain.json");
    FAIL("max_history_draws = 1 was accepted");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "/max_history_draws");
  }
}

TEST_CASE("chain samplers: the memory estimate counts the recorded history") {
  // 100 chains × 10 000 draws × d = 2000 × 8 bytes = 16 GB of history, past
  // the 8 GiB default, when a chain metric reads it and the budget does not
  // bound the iterations; none without such a metric.
  Json suite_json = {
      {"seeds", 1},
      {"tasks", {{{"name", "gaussian"}, {"params", {{"dim", 2000}}}}}},
      {"algorithms", {{{"name", "ula"}, {"params", {{"step_size", 0.01}}}}}},
      {"metrics", {"rhat"}},
      {"budget", {{"max_grad_evals", 1000000000}}},
  };
  try {
    parse_suite(suite_json, "chain.json");
    FAIL("the history was not counted");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "/algorithms/0/params");
    CHECK(std::string(e.what()).find("14.9 GiB of recorded chain history") !=
          std::string::npos);
  }
  // An iteration budget bounds the draws; so do fewer draws, or thinning.
  Json budgeted = suite_json;
  budgeted["budget"]["max_iterations"] = 1000;
  CHECK_NOTHROW(parse_suite(budgeted, "chain.json"));
  Json fewer = suite_json;
  fewer["max_history_draws"] = 1000;
  CHECK_NOTHROW(parse_suite(fewer, "chain.json"));
  // Without a chain metric the history is not kept, nor counted.
  Json no_history = suite_json;
  no_history["metrics"] = {"mean_error"};
  CHECK_NOTHROW(parse_suite(no_history, "chain.json"));
  const auto ula = testing::make_algorithm("ula", {{"step_size", 0.01}});
  CHECK(ula->history_bytes(2000, -1, 10000) == 100.0 * 10000 * 2000 * 8);
  CHECK(ula->history_bytes(2000, 30, 10000) == 100.0 * 30 * 2000 * 8);
  CHECK(ula->history_bytes(2000, 30, 20) == 100.0 * 20 * 2000 * 8);
}

}  // namespace vibench
