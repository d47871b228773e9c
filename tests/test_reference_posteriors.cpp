// Reference posteriors by NUTS (lib/reference) against independent ground
// truth: Stan's posteriordb reference draws for the three native posteriordb
// targets, and a long MALA run for Bayesian logistic regression; plus the
// cache (bit-identical reload, keys) and the failure of the checks.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "algorithms/algorithm.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "mcmc/diagnostics.hpp"
#include "reference/reference_posterior.hpp"
#include "targets/distributions/posteriordb.hpp"
#include "task_cases.hpp"
#include "tasks/distribution.hpp"
#include "tasks/oracles.hpp"
#include "test_helpers.hpp"

namespace vibench {
namespace {

using testing::make_task;

// Per-chain matrices of pooled reference draws (chain after chain).
std::vector<Matrix> chains_of(const Matrix& pooled, int chains) {
  const Index per_chain = pooled.rows() / chains;
  std::vector<Matrix> out;
  for (int c = 0; c < chains; ++c)
    out.push_back(pooled.middleRows(c * per_chain, per_chain));
  return out;
}

// Mean and sd of every coordinate agree within `sigmas` combined Monte Carlo
// standard errors, sqrt(mcse_a² + mcse_b²) (the two runs are independent).
void check_agreement(const std::vector<ParameterSummary>& a,
                     const std::vector<ParameterSummary>& b,
                     const std::vector<std::string>& names, double sigmas) {
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() == names.size());
  for (size_t j = 0; j < a.size(); ++j) {
    INFO("parameter " << names[j] << ": mean " << a[j].mean << " vs "
                      << b[j].mean << " (mcse " << a[j].mcse_mean << ", "
                      << b[j].mcse_mean << "), sd " << a[j].sd << " vs "
                      << b[j].sd << " (mcse " << a[j].mcse_sd << ", "
                      << b[j].mcse_sd << ")");
    const double se_mean = std::hypot(a[j].mcse_mean, b[j].mcse_mean);
    const double se_sd = std::hypot(a[j].mcse_sd, b[j].mcse_sd);
    CHECK(std::isfinite(se_mean));
    CHECK(std::abs(a[j].mean - b[j].mean) <= sigmas * se_mean);
    CHECK(std::abs(a[j].sd - b[j].sd) <= sigmas * se_sd);
  }
}

struct Cache {
  std::filesystem::path dir = testing::temp_dir("reference-cache");
  ~Cache() { std::filesystem::remove_all(dir); }
};

ReferencePosterior nuts_reference(const testing::TaskCase& c,
                                  const std::filesystem::path& cache,
                                  const ReferenceSettings& settings = {}) {
  const auto task = make_task(c);
  const TaskEntry* entry = TaskRegistry::instance().find(c.name);
  const Json params = validate_params(c.params, entry->params, "", c.name);
  return reference_posterior(c.name, params, *task, cache, settings);
}

}  // namespace

TEST_CASE("reference posteriors: NUTS matches posteriordb's Stan draws") {
  const Cache cache;
  const std::vector<std::pair<std::string, std::string>> posteriors = {
      {"blr", "sblrc-blr"},
      {"eight_schools_noncentered", "eight_schools-eight_schools_noncentered"},
      {"low_dim_gauss_mix", "low_dim_gauss_mix-low_dim_gauss_mix"}};
  for (const auto& [task_name, posterior] : posteriors) {
    INFO("task " << task_name);
    const testing::TaskCase c{task_name, Json::object()};
    const auto task =
        std::dynamic_pointer_cast<const Distribution>(make_task(c));
    const ReferencePosterior reference = nuts_reference(c, cache.dir);
    const ReferenceSettings settings;
    // Our draws on the model's scale, chain by chain.
    std::vector<Matrix> ours;
    for (const Matrix& chain : chains_of(reference.draws, settings.chains))
      ours.push_back(task->to_parameters(chain));
    const posteriordb::Reference stan =
        posteriordb::load_reference(posterior, "");
    REQUIRE(stan.names == task->parameter_names());
    REQUIRE(stan.chains.size() == 10);
    check_agreement(summarize_chains(ours), summarize_chains(stan.chains),
                    stan.names, 4.0);
    // The provenance records the checks that were passed.
    const Json& coords = reference.provenance["diagnostics"]["coordinates"];
    REQUIRE(coords.size() == static_cast<size_t>(task->dim()));
    for (const auto& coordinate : coords) CHECK(coordinate["rhat"] < 1.01);
  }
}

namespace {

// The target seen through x = m + L⁻ᵀz, with m its mode and LLᵀ the negative
// Hessian there (a Laplace preconditioner): any m and L leave the sampled
// distribution exactly the target, but MALA then mixes in a few steps per
// draw instead of hundreds on the ill-conditioned logistic posteriors.
class WhitenedTarget final : public Distribution {
 public:
  WhitenedTarget(const Distribution& base, Vector mode, Matrix chol_lower)
      : base_(base), mode_(std::move(mode)), lower_(std::move(chol_lower)) {}
  Index dim() const override { return base_.dim(); }
  Capabilities capabilities() const override { return {}; }
  Matrix to_base(const Matrix& z) const {
    // Rows: x = m + L⁻ᵀz, i.e. X = 1mᵀ + Z L⁻¹.
    const Matrix zt =
        lower_.transpose().triangularView<Eigen::Upper>().solve(z.transpose());
    return (zt.transpose()).rowwise() + mode_.transpose();
  }
  void log_prob_grad(const Matrix& z, Vector& logp,
                     Matrix& grad) const override {
    Matrix gx;
    base_.log_prob_grad(to_base(z), logp, gx);
    // ∂/∂z = L⁻¹∇x, row-wise G_x L⁻ᵀ.
    grad =
        lower_.triangularView<Eigen::Lower>().solve(gx.transpose()).transpose();
  }

 private:
  const Distribution& base_;
  Vector mode_;
  Matrix lower_;
};

// −∇²log π by central differences of the analytic gradient.
Matrix negative_hessian(const Distribution& target, const Vector& x) {
  const Index d = x.size();
  const double h = 1e-5;
  Matrix points(2 * d, d);
  for (Index j = 0; j < d; ++j) {
    points.row(2 * j) = x.transpose();
    points.row(2 * j + 1) = x.transpose();
    points(2 * j, j) += h;
    points(2 * j + 1, j) -= h;
  }
  Vector logp;
  Matrix grad;
  target.log_prob_grad(points, logp, grad);
  Matrix hessian(d, d);
  for (Index j = 0; j < d; ++j)
    hessian.col(j) =
        -(grad.row(2 * j) - grad.row(2 * j + 1)).transpose() / (2 * h);
  return 0.5 * (hessian + hessian.transpose());
}

// The reference of logistic_regression on `data` (prior scale 1, every row
// for training) against an independent MALA run.
void check_logistic_regression_against_mala(const std::string& data) {
  const Cache cache;
  {
    const testing::TaskCase c{
        "logistic_regression",
        {{"data", data}, {"prior_scale", 1.0}, {"test_fraction", 0.0}}};
    const auto task =
        std::dynamic_pointer_cast<const Distribution>(make_task(c));
    const Index d = task->dim();
    const ReferencePosterior reference = nuts_reference(c, cache.dir);
    for (const auto& coordinate :
         reference.provenance["diagnostics"]["coordinates"])
      CHECK(coordinate["rhat"] < 1.01);

    // The mode by Newton's method (the posterior is log-concave).
    Vector mode = Vector::Zero(d);
    for (int iteration = 0; iteration < 50; ++iteration) {
      Vector logp;
      Matrix grad;
      task->log_prob_grad(mode.transpose(), logp, grad);
      const Vector step =
          negative_hessian(*task, mode).llt().solve(grad.row(0).transpose());
      mode += step;
      if (step.norm() < 1e-10) break;
    }
    const Eigen::LLT<Matrix> llt(negative_hessian(*task, mode));
    REQUIRE(llt.info() == Eigen::Success);
    const WhitenedTarget whitened(*task, mode, llt.matrixL());

    // vibench's MALA, 16 chains from N(0, I) in the whitened coordinates:
    // 500 burn-in and 4000 kept steps.
    const AlgorithmEntry* entry = AlgorithmRegistry::instance().find("mala");
    const Json params = {{"n_chains", 16}, {"step_size", 0.3}};
    const auto mala =
        entry->make(Params(validate_params(params, entry->params, "", "mala")));
    Counters counters;
    const DistributionOracle oracle(whitened, counters);
    Rng init_rng = make_rng(hash_string("mala init " + data));
    State initial;
    initial.points = init_rng.normal_matrix(16, d);
    auto run = mala->start(oracle, initial, make_rng(hash_string(data)));
    for (int t = 0; t < 500; ++t) run->step();
    const Index kept = 4000;
    std::vector<Matrix> mala_chains(16, Matrix(kept, d));
    for (Index t = 0; t < kept; ++t) {
      run->step();
      const Matrix x = whitened.to_base(run->state().points);
      for (Index c2 = 0; c2 < 16; ++c2)
        mala_chains[static_cast<size_t>(c2)].row(t) = x.row(c2);
    }
    const double acceptance = run->diagnostics()["acceptance_rate"];
    INFO("MALA acceptance " << acceptance);
    CHECK(acceptance > 0.4);
    CHECK(acceptance < 0.9);
    const auto mala_summary = summarize_chains(mala_chains);
    for (const auto& s : mala_summary) CHECK(s.rhat < 1.01);
    check_agreement(summarize_chains(
                        chains_of(reference.draws, ReferenceSettings{}.chains)),
                    mala_summary, task->coordinate_names(), 4.0);
  }
}

}  // namespace

TEST_CASE("reference posteriors: german_credit logistic regression vs MALA") {
  check_logistic_regression_against_mala("german_credit");
}

TEST_CASE("reference posteriors: breast_cancer logistic regression vs MALA") {
  check_logistic_regression_against_mala("breast_cancer");
}

TEST_CASE("reference posteriors: the cache reloads the same draws") {
  const Cache cache;
  const testing::TaskCase c{"eight_schools_noncentered", Json::object()};
  ReferenceSettings quick;
  quick.warmup = 300;
  quick.draws_per_chain = 300;
  quick.min_ess = 100;
  quick.max_rhat = 1.05;
  const ReferencePosterior computed = nuts_reference(c, cache.dir, quick);
  CHECK(!computed.from_cache);
  CHECK(std::filesystem::exists(computed.file));
  const ReferencePosterior loaded = nuts_reference(c, cache.dir, quick);
  CHECK(loaded.from_cache);
  CHECK(loaded.draws == computed.draws);  // bit for bit
  CHECK(loaded.provenance["key"] == computed.provenance["key"]);
  CHECK(loaded.provenance["settings"]["draws_per_chain"] == 300);
  CHECK(loaded.provenance.contains("vibench_version"));
  // Computing again without the cache gives the same draws: the seed is the
  // key's hash, not the time.
  std::filesystem::remove(computed.file);
  const ReferencePosterior again = nuts_reference(c, cache.dir, quick);
  CHECK(!again.from_cache);
  CHECK(again.draws == computed.draws);
  // The key follows the parameters and the settings.
  const TaskEntry* entry = TaskRegistry::instance().find(c.name);
  const Json params = validate_params(Json::object(), entry->params, "", "");
  Json other_params = params;
  other_params["data"] = "other";
  ReferenceSettings longer = quick;
  longer.draws_per_chain = 301;
  const std::string key = reference_key(c.name, params, quick);
  CHECK(key.rfind("eight_schools_noncentered-", 0) == 0);
  CHECK(reference_key(c.name, other_params, quick) != key);
  CHECK(reference_key(c.name, params, longer) != key);
  CHECK(reference_key(c.name, params, quick) == key);
}

TEST_CASE(
    "reference posteriors: a data file changed at the same path is never "
    "answered from the cache") {
  // The stale-cache defect: the key covers the task's name and parameters,
  // which name the file, not its contents. The cache files also carry the
  // density's fingerprint, so one number changed in the CSV recomputes.
  const Cache cache;
  const std::filesystem::path csv = cache.dir / "data.csv";
  auto write_data = [&](double first) {
    std::ofstream out(csv);
    out << "a,b,label\n" << first << ",0.5,1\n";
    Rng rng = make_rng(12);
    for (int i = 0; i < 40; ++i) {
      const double a = rng.normal(), b = rng.normal();
      out << a << "," << b << "," << (a + 0.5 * b + rng.normal() > 0) << "\n";
    }
  };
  const testing::TaskCase c{"logistic_regression",
                            {{"data", csv.string()}, {"test_fraction", 0.0}}};
  ReferenceSettings quick;
  quick.warmup = 300;
  quick.draws_per_chain = 300;
  quick.min_ess = 100;
  quick.max_rhat = 1.05;
  write_data(0.25);
  const ReferencePosterior first = nuts_reference(c, cache.dir, quick);
  CHECK(!first.from_cache);
  CHECK(nuts_reference(c, cache.dir, quick).from_cache);
  // Its provenance records the parameters the density used: not the
  // synthetic data's size nor the hierarchical prior's constants.
  const Json& recorded = first.provenance["params"];
  CHECK(recorded["data"] == csv.string());
  CHECK(recorded.contains("prior_scale"));
  for (const char* unused :
       {"n_data", "dim", "instance", "prior_shape", "prior_rate"})
    CHECK_MESSAGE(!recorded.contains(unused), unused);
  write_data(3.25);  // one number changed, same path and parameters
  const ReferencePosterior changed = nuts_reference(c, cache.dir, quick);
  CHECK(!changed.from_cache);
  CHECK(changed.provenance["key"] == first.provenance["key"]);
  CHECK(changed.provenance["density_fingerprint"] !=
        first.provenance["density_fingerprint"]);
  CHECK(changed.draws != first.draws);
  // Writing the old number back finds the first reference again.
  write_data(0.25);
  const ReferencePosterior back = nuts_reference(c, cache.dir, quick);
  CHECK(back.from_cache);
  CHECK(back.draws == first.draws);
}

TEST_CASE("reference posteriors: failed checks are errors and not cached") {
  const Cache cache;
  const testing::TaskCase c{"eight_schools_noncentered", Json::object()};
  ReferenceSettings tiny;
  tiny.warmup = 50;
  tiny.draws_per_chain = 20;  // far too few for 400 effective draws
  std::string message;
  try {
    nuts_reference(c, cache.dir, tiny);
  } catch (const ReferenceCheckFailed& e) {
    message = e.what();
  }
  CHECK(message.find("failed its checks") != std::string::npos);
  CHECK(message.find("of coordinate '") != std::string::npos);
  CHECK(std::filesystem::is_empty(cache.dir));
  // Tasks with exact draws have no NUTS reference.
  const auto gaussian = make_task({"gaussian", Json::object()});
  CHECK_THROWS_AS(
      reference_posterior("gaussian", Json::object(), *gaussian, cache.dir),
      ConfigError);
}

TEST_CASE("reference posteriors: thinning keeps evenly spaced rows") {
  Matrix draws(10, 1);
  for (Index i = 0; i < 10; ++i) draws(i, 0) = static_cast<double>(i);
  const Matrix thin = thin_draws(draws, 4);
  REQUIRE(thin.rows() == 4);
  CHECK(thin(0, 0) == 0);
  CHECK(thin(1, 0) == 2);  // ⌊1·10/4⌋
  CHECK(thin(2, 0) == 5);
  CHECK(thin(3, 0) == 7);
  CHECK(thin_draws(draws, 20).rows() == 10);
}

}  // namespace vibench
