// The native posteriordb targets (blr, eight_schools_noncentered,
// low_dim_gauss_mix) against independent computations, and the loader of
// posteriordb data and reference draws. Gradients with the default data are
// covered by the generic test of tests/test_task_gradients.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "core/data_files.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "targets/distributions/posteriordb.hpp"
#include "test_helpers.hpp"

namespace vibench {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<const Distribution> make_target(const std::string& name,
                                                const Json& params = {}) {
  const TaskEntry* entry = TaskRegistry::instance().find(name);
  REQUIRE_MESSAGE(entry != nullptr, "task '" << name << "' not registered");
  const auto task =
      entry->make(Params(validate_params(params, entry->params, "", name)));
  const auto dist = std::dynamic_pointer_cast<const Distribution>(task);
  REQUIRE(dist != nullptr);
  return dist;
}

// The bundled data, read without the loader.
Json bundled_data(const std::string& posterior) {
  return testing::read_json(data_directory() / "posteriordb" / posterior /
                            "data.json");
}

// Writes `json` to dir/file and returns the path as a parameter value.
std::string write_json(const fs::path& dir, const std::string& file,
                       const Json& json) {
  const fs::path path = dir / file;
  std::ofstream(path) << json.dump(1);
  return path.string();
}

double log_normal(double x, double mean, double sd) {
  const double z = (x - mean) / sd;
  return -0.5 * std::log(2.0 * std::numbers::pi) - std::log(sd) - 0.5 * z * z;
}

// ---------------------------------------------------------------------------
// Independent log densities: the constrained log posterior of each Stan
// program written point by point with scalar loops, plus Stan's
// log-Jacobian of the transform to the unconstrained coordinates.

double blr_reference(const Json& data, const Vector& x) {
  const size_t n = data["N"], d = data["D"];
  const double sigma = std::exp(x(d));
  double lp = log_normal(sigma, 0.0, 10.0) + std::log(sigma);
  for (size_t k = 0; k < d; ++k) lp += log_normal(x(k), 0.0, 10.0);
  for (size_t i = 0; i < n; ++i) {
    double mean = 0.0;
    for (size_t k = 0; k < d; ++k) mean += data["X"][i][k].get<double>() * x(k);
    lp += log_normal(data["y"][i].get<double>(), mean, sigma);
  }
  return lp;
}

double eight_schools_reference(const Json& data, const Vector& x) {
  const size_t j_count = data["J"];
  const double mu = x(j_count), tau = std::exp(x(j_count + 1));
  // Cauchy(0, 5) density of τ, the truncation left unnormalized as in Stan.
  double lp =
      log_normal(mu, 0.0, 5.0) -
      std::log(std::numbers::pi * 5.0 * (1.0 + (tau / 5.0) * (tau / 5.0))) +
      std::log(tau);
  for (size_t j = 0; j < j_count; ++j) {
    const double theta = mu + tau * x(j);
    lp += log_normal(x(j), 0.0, 1.0) +
          log_normal(data["y"][j].get<double>(), theta,
                     data["sigma"][j].get<double>());
  }
  return lp;
}

double gauss_mix_reference(const Json& data, const Vector& x) {
  const double mu1 = x(0), mu2 = x(0) + std::exp(x(1));
  const double s1 = std::exp(x(2)), s2 = std::exp(x(3));
  const double lambda = 1.0 / (1.0 + std::exp(-x(4)));
  const double log_beta_55 = std::log(24.0 * 24.0 / 362880.0);
  double lp = log_normal(mu1, 0.0, 2.0) + log_normal(mu2, 0.0, 2.0) +
              log_normal(s1, 0.0, 2.0) + log_normal(s2, 0.0, 2.0) +
              4.0 * std::log(lambda) + 4.0 * std::log(1.0 - lambda) -
              log_beta_55;
  // Jacobian: ordered (x₂), two logs, logit.
  lp += x(1) + x(2) + x(3) + std::log(lambda) + std::log(1.0 - lambda);
  for (const auto& y : data["y"]) {
    const double a = std::log(lambda) + log_normal(y.get<double>(), mu1, s1);
    const double b =
        std::log(1.0 - lambda) + log_normal(y.get<double>(), mu2, s2);
    const double m = std::max(a, b);
    lp += m + std::log(std::exp(a - m) + std::exp(b - m));
  }
  return lp;
}

using ReferenceFn = std::function<double(const Json&, const Vector&)>;

// log π̃ − the independent value must be one constant over all points; the
// targets keep every normalizing constant, so that constant is 0.
void check_against_reference(const Distribution& task, const Json& data,
                             const ReferenceFn& reference, const Matrix& x) {
  const Vector logp = task.log_prob(x);
  REQUIRE(logp.allFinite());
  Vector diff(x.rows());
  for (Index i = 0; i < x.rows(); ++i)
    diff(i) = logp(i) - reference(data, x.row(i).transpose());
  INFO("log π̃ = " << logp.transpose());
  INFO("log π̃ − independent = " << diff.transpose());
  const double scale = 1.0 + logp.cwiseAbs().maxCoeff();
  CHECK(diff.maxCoeff() - diff.minCoeff() <= 1e-9 * scale);
  CHECK(std::abs(diff(0)) <= 1e-9 * scale);
}

// Test points: Stan's initial points and, when given, some near the
// posterior (where the log density is of moderate size).
Matrix test_points(const Distribution& task, const Matrix& near,
                   std::uint64_t seed) {
  Rng rng = make_rng(seed);
  const Matrix init = task.initial_points(4, rng);
  Matrix x(init.rows() + near.rows(), task.dim());
  x << init, near;
  return x;
}

// Central differences of log π along every coordinate.
void check_gradient_fd(const Distribution& task, const Matrix& x) {
  Vector logp;
  Matrix grad;
  task.log_prob_grad(x, logp, grad);
  REQUIRE(grad.rows() == x.rows());
  REQUIRE(grad.cols() == task.dim());
  for (Index j = 0; j < task.dim(); ++j) {
    const double h = 1e-6;
    Matrix plus = x, minus = x;
    plus.col(j).array() += h;
    minus.col(j).array() -= h;
    const Vector fd = (task.log_prob(plus) - task.log_prob(minus)) / (2 * h);
    for (Index i = 0; i < x.rows(); ++i) {
      INFO("coordinate " << j << ", point " << i);
      CHECK(fd(i) == doctest::Approx(grad(i, j))
                         .epsilon(1e-5)
                         .scale(1.0 + grad.row(i).norm()));
    }
  }
}

// Unconstrained coordinates of the first draws of a reference chain.
Matrix first_draws(const posteriordb::Reference& ref, Index count) {
  return ref.chains.front().topRows(count);
}

Matrix blr_unconstrain(const Matrix& p) {
  Matrix x = p;
  x.col(p.cols() - 1) = p.col(p.cols() - 1).array().log().matrix();
  return x;
}

Matrix eight_schools_unconstrain(const Matrix& p) {
  const Index j = p.cols() - 2;
  Matrix x = p;
  for (Index i = 0; i < p.rows(); ++i) {
    for (Index k = 0; k < j; ++k) x(i, k) = (p(i, k) - p(i, j)) / p(i, j + 1);
    x(i, j + 1) = std::log(p(i, j + 1));
  }
  return x;
}

Matrix gauss_mix_unconstrain(const Matrix& p) {
  Matrix x(p.rows(), 5);
  for (Index i = 0; i < p.rows(); ++i) {
    x(i, 0) = p(i, 0);
    x(i, 1) = std::log(p(i, 1) - p(i, 0));
    x(i, 2) = std::log(p(i, 2));
    x(i, 3) = std::log(p(i, 3));
    x(i, 4) = std::log(p(i, 4) / (1.0 - p(i, 4)));
  }
  return x;
}

struct Bundled {
  std::string task, posterior;
  std::function<Matrix(const Matrix&)> unconstrain;
  ReferenceFn reference;
};

std::vector<Bundled> bundled() {
  return {
      {"blr", "sblrc-blr", blr_unconstrain, blr_reference},
      {"eight_schools_noncentered", "eight_schools-eight_schools_noncentered",
       eight_schools_unconstrain, eight_schools_reference},
      {"low_dim_gauss_mix", "low_dim_gauss_mix-low_dim_gauss_mix",
       gauss_mix_unconstrain, gauss_mix_reference},
  };
}

// "beta[1]", ..., "sigma" from posterior.json's dimensions, in file order
// (posteriordb writes a parameter of dimension 1 without an index).
std::vector<std::string> names_from_dimensions(
    const nlohmann::ordered_json& posterior) {
  std::vector<std::string> names;
  for (const auto& [name, size] : posterior.at("dimensions").items()) {
    if (size.get<int>() == 1)
      names.push_back(name);
    else
      for (int k = 1; k <= size.get<int>(); ++k)
        names.push_back(name + "[" + std::to_string(k) + "]");
  }
  return names;
}

const Bundled& find_bundled(const std::string& task) {
  static const std::vector<Bundled> all = bundled();
  for (const auto& b : all)
    if (b.task == task) return b;
  FAIL("no bundled posterior for " << task);
  return all.front();
}

void check_bundled_log_density(const std::string& task_name) {
  const Bundled& b = find_bundled(task_name);
  const auto task = make_target(b.task);
  const auto ref = posteriordb::load_reference(b.posterior, "");
  const Matrix near = b.unconstrain(first_draws(ref, 3));
  check_against_reference(*task, bundled_data(b.posterior), b.reference,
                          test_points(*task, near, hash_string(b.task)));
}

}  // namespace

TEST_CASE("posteriordb: blr log density equals an independent computation") {
  check_bundled_log_density("blr");
  // Any posteriordb data file with N, D, X, y: a small one with D = 2.
  const fs::path dir = testing::temp_dir("posteriordb-blr");
  const Json data = {{"N", 4},
                     {"D", 2},
                     {"X", {{1.0, 0.5}, {-0.3, 2.0}, {0.7, -1.1}, {0.0, 0.4}}},
                     {"y", {1.5, 3.1, -0.4, 0.9}}};
  const auto task =
      make_target("blr", {{"data", write_json(dir, "blr.json", data)}});
  CHECK(task->dim() == 3);
  Rng rng = make_rng(5);
  const Matrix x = test_points(*task, rng.normal_matrix(3, 3), 17);
  check_against_reference(*task, data, blr_reference, x);
  check_gradient_fd(*task, x);
  fs::remove_all(dir);
}

TEST_CASE(
    "posteriordb: eight_schools_noncentered log density equals an "
    "independent computation") {
  check_bundled_log_density("eight_schools_noncentered");
  const fs::path dir = testing::temp_dir("posteriordb-eight-schools");
  const Json data = {
      {"J", 3}, {"y", {10.0, -2.0, 4.5}}, {"sigma", {5.0, 12.0, 8.0}}};
  const auto task =
      make_target("eight_schools_noncentered",
                  {{"data", write_json(dir, "schools.json", data)}});
  CHECK(task->dim() == 5);
  Rng rng = make_rng(6);
  const Matrix x = test_points(*task, 2.0 * rng.normal_matrix(3, 5), 18);
  check_against_reference(*task, data, eight_schools_reference, x);
  check_gradient_fd(*task, x);
  fs::remove_all(dir);
}

TEST_CASE(
    "posteriordb: low_dim_gauss_mix log density equals an independent "
    "computation") {
  check_bundled_log_density("low_dim_gauss_mix");
  const fs::path dir = testing::temp_dir("posteriordb-gauss-mix");
  const Json data = {{"N", 5}, {"y", {-2.0, -1.5, 0.3, 2.2, 3.0}}};
  const auto task = make_target("low_dim_gauss_mix",
                                {{"data", write_json(dir, "mix.json", data)}});
  Rng rng = make_rng(7);
  const Matrix x = test_points(*task, rng.normal_matrix(3, 5), 19);
  check_against_reference(*task, data, gauss_mix_reference, x);
  check_gradient_fd(*task, x);
  // Far in the tails, where exp of either component underflows, the
  // log-sum-exp keeps the log density and its gradient finite.
  Matrix extreme(3, 5);
  extreme << -1.0, 0.0, -20.0, -20.0, 30.0,  //
      5.0, 3.0, 4.0, -15.0, -40.0,           //
      -30.0, -5.0, -25.0, 10.0, 0.0;
  Vector logp;
  Matrix grad;
  task->log_prob_grad(extreme, logp, grad);
  CHECK(logp.allFinite());
  CHECK(grad.allFinite());
  fs::remove_all(dir);
}

TEST_CASE("posteriordb: names and to_parameters of each target") {
  {
    const auto task = make_target("blr");
    CHECK(task->dim() == 6);
    CHECK(task->coordinate_names() ==
          std::vector<std::string>{"beta[1]", "beta[2]", "beta[3]", "beta[4]",
                                   "beta[5]", "log_sigma"});
    CHECK(task->parameter_names() ==
          std::vector<std::string>{"beta[1]", "beta[2]", "beta[3]", "beta[4]",
                                   "beta[5]", "sigma"});
    Matrix x(1, 6);
    x << 0.5, -1.0, 0.25, 2.0, 3.0, std::log(2.0);
    Matrix expected(1, 6);
    expected << 0.5, -1.0, 0.25, 2.0, 3.0, 2.0;
    CHECK(task->to_parameters(x).isApprox(expected, 1e-14));
    CHECK(task->capabilities() ==
          Capabilities{Capability::reference, Capability::hessian_vector});
  }
  {
    const auto task = make_target("eight_schools_noncentered");
    CHECK(task->dim() == 10);
    CHECK(task->coordinate_names().front() == "theta_trans[1]");
    CHECK(task->coordinate_names()[8] == "mu");
    CHECK(task->coordinate_names()[9] == "log_tau");
    CHECK(task->parameter_names() ==
          std::vector<std::string>{"theta[1]", "theta[2]", "theta[3]",
                                   "theta[4]", "theta[5]", "theta[6]",
                                   "theta[7]", "theta[8]", "mu", "tau"});
    Matrix x(2, 10);
    x << 1.0, -1.0, 0.5, 0.0, 2.0, 0.0, -2.0, 1.0, 3.0, std::log(2.0),  //
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, -1.0, 0.0;
    // θ = μ + τθ̃ with μ = 3, τ = 2; then μ = −1, τ = 1.
    Matrix expected(2, 10);
    expected << 5.0, 1.0, 4.0, 3.0, 7.0, 3.0, -1.0, 5.0, 3.0, 2.0,  //
        -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, 0.0, -1.0, 1.0;
    CHECK(task->to_parameters(x).isApprox(expected, 1e-14));
    CHECK(task->capabilities() ==
          Capabilities{Capability::reference, Capability::hessian_vector});
  }
  {
    const auto task = make_target("low_dim_gauss_mix");
    CHECK(task->dim() == 5);
    CHECK(task->coordinate_names() ==
          std::vector<std::string>{"mu[1]", "log_mu_gap", "log_sigma[1]",
                                   "log_sigma[2]", "logit_theta"});
    CHECK(task->parameter_names() ==
          std::vector<std::string>{"mu[1]", "mu[2]", "sigma[1]", "sigma[2]",
                                   "theta"});
    Matrix x(1, 5);
    x << -1.0, std::log(3.0), std::log(0.5), 0.0, std::log(1.0 / 3.0);
    Matrix expected(1, 5);
    expected << -1.0, 2.0, 0.5, 1.0, 0.25;
    CHECK(task->to_parameters(x).isApprox(expected, 1e-14));
    CHECK(task->capabilities() ==
          Capabilities{Capability::reference, Capability::hessian_vector});
  }
  // Stan's initialization: U(−2, 2) in each unconstrained coordinate.
  const auto task = make_target("eight_schools_noncentered");
  Rng rng = make_rng(3);
  const Matrix init = task->initial_points(500, rng);
  CHECK(init.maxCoeff() < 2.0);
  CHECK(init.minCoeff() > -2.0);
  CHECK(init.maxCoeff() > 1.9);
  CHECK(init.minCoeff() < -1.9);
  CHECK(std::abs(init.mean()) < 0.1);
}

TEST_CASE("posteriordb: data loader errors name the file, field and fix") {
  const auto message_of = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const ConfigError& e) {
      CHECK(e.where() == "/data");
      return e.what();
    }
    FAIL("no ConfigError");
    return "";
  };
  // A misspelt or partial bundled name suggests the closest bundled one.
  std::string m = message_of([] {
    posteriordb::Data("sblrc-blrr", "/data", {"blr", {}});
  });
  CHECK(m.find("'sblrc-blrr'") != std::string::npos);
  CHECK(m.find("did you mean 'sblrc-blr'") != std::string::npos);
  m = message_of([] { make_target("blr", {{"data", "blr"}}); });
  CHECK(m.find("did you mean 'sblrc-blr'") != std::string::npos);
  m = message_of([] {
    make_target("eight_schools_noncentered", {{"data", "eight"}});
  });
  CHECK(m.find("did you mean 'eight_schools-eight_schools_noncentered'") !=
        std::string::npos);
  m = message_of([] {
    posteriordb::Data("/no/such/data.json", "/data", {"blr", {}});
  });
  CHECK(m.find("/no/such/data.json") != std::string::npos);
  CHECK(m.find("does not exist") != std::string::npos);

  const fs::path dir = testing::temp_dir("posteriordb-errors");
  const std::string no_x =
      write_json(dir, "no_x.json", {{"N", 2}, {"D", 1}, {"y", {1.0, 2.0}}});
  m = message_of([&] { make_target("blr", {{"data", no_x}}); });
  CHECK(m.find(no_x) != std::string::npos);
  CHECK(m.find("missing: 'X'") != std::string::npos);
  const std::string ragged = write_json(
      dir, "ragged.json",
      {{"N", 2}, {"D", 2}, {"X", {{1.0, 2.0}, {3.0}}}, {"y", {1.0, 2.0}}});
  m = message_of([&] { make_target("blr", {{"data", ragged}}); });
  CHECK(m.find("X must be an N×D array of numbers (N = 2, D = 2)") !=
        std::string::npos);
  CHECK(m.find("row 2") != std::string::npos);
  const std::string short_y =
      write_json(dir, "short_y.json",
                 {{"N", 2}, {"D", 1}, {"X", {{1.0}, {2.0}}}, {"y", {1.0}}});
  m = message_of([&] { make_target("blr", {{"data", short_y}}); });
  CHECK(m.find("y must be an array of N = 2 numbers") != std::string::npos);
  const std::string bad_j =
      write_json(dir, "bad_j.json", {{"J", 2.5}, {"y", {1.0}}, {"sigma", {1}}});
  m = message_of([&] {
    make_target("eight_schools_noncentered", {{"data", bad_j}});
  });
  CHECK(m.find("J must be an integer") != std::string::npos);
  const std::string bad_sigma = write_json(
      dir, "bad_sigma.json", {{"J", 2}, {"y", {1.0, 2.0}}, {"sigma", {1, 0}}});
  m = message_of([&] {
    make_target("eight_schools_noncentered", {{"data", bad_sigma}});
  });
  CHECK(m.find("sigma must be positive") != std::string::npos);
  const std::string not_json = (dir / "not.json").string();
  std::ofstream(not_json) << "{ \"N\": ";
  m = message_of([&] {
    make_target("low_dim_gauss_mix", {{"data", not_json}});
  });
  CHECK(m.find("not valid JSON") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("posteriordb: another model's data is refused by name") {
  const auto message_of = [](const auto& make) -> std::string {
    try {
      make();
    } catch (const ConfigError& e) {
      CHECK(e.where() == "/data");
      return e.what();
    }
    FAIL("no ConfigError");
    return "";
  };
  // posteriordb's diamonds data (model `diamonds`: N, K, Y, X), as a user
  // would give it to blr, in its posterior's directory with the record.
  const fs::path dir = testing::temp_dir("posteriordb-wrong-model");
  const fs::path diamonds = dir / "diamonds-diamonds";
  fs::create_directories(diamonds);
  const Json data = {
      {"N", 2}, {"K", 2}, {"Y", {1.0, 2.0}}, {"X", {{1.0, 0.5}, {0.2, 0.3}}}};
  write_json(diamonds, "data.json", data);
  write_json(diamonds, "posterior.json",
             {{"name", "diamonds-diamonds"},
              {"model_name", "diamonds"},
              {"data_name", "diamonds"}});
  std::string m = message_of([&] {
    make_target("blr", {{"data", (diamonds / "data.json").string()}});
  });
  CHECK(m.find("posterior 'diamonds-diamonds'") != std::string::npos);
  CHECK(m.find("whose model is 'diamonds'") != std::string::npos);
  CHECK(m.find("'blr' model only") != std::string::npos);
  // The directory names the same data.
  m = message_of([&] { make_target("blr", {{"data", diamonds.string()}}); });
  CHECK(m.find("whose model is 'diamonds'") != std::string::npos);

  // Without a record the fields decide: diamonds' K and Y are not blr's.
  const std::string bare = write_json(dir, "diamonds.json", data);
  m = message_of([&] { make_target("blr", {{"data", bare}}); });
  CHECK(m.find("not the data of posteriordb's 'blr' model") !=
        std::string::npos);
  CHECK(m.find("missing: 'D', 'y'") != std::string::npos);
  CHECK(m.find("not in the model: 'K', 'Y'") != std::string::npos);
  // Renaming K to D and Y to y would parse; an extra field still refuses.
  Json renamed = {{"N", 2},
                  {"D", 2},
                  {"y", {1.0, 2.0}},
                  {"X", {{1.0, 0.5}, {0.2, 0.3}}},
                  {"cut", {1, 2}}};
  m = message_of([&] {
    make_target("blr", {{"data", write_json(dir, "extra.json", renamed)}});
  });
  CHECK(m.find("not in the model: 'cut'") != std::string::npos);
  // With the record of a blr posterior beside it, the same fields fit.
  const fs::path own = dir / "own-blr";
  fs::create_directories(own);
  renamed.erase("cut");
  write_json(own, "data.json", renamed);
  write_json(own, "posterior.json",
             {{"name", "own-blr"}, {"model_name", "blr"}});
  CHECK(make_target("blr", {{"data", own.string()}})->dim() == 3);
  // The bundled posteriors pass both checks.
  for (const auto& b : bundled()) CHECK(make_target(b.task)->dim() > 0);
  m = message_of([&] {
    make_target("eight_schools_noncentered", {{"data", "sblrc-blr"}});
  });
  CHECK(m.find("whose model is 'blr'") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("posteriordb: reference draws of the bundled posteriors") {
  for (const auto& b : bundled()) {
    INFO("posterior " << b.posterior);
    const auto ref = posteriordb::load_reference(b.posterior, "");
    REQUIRE(ref.chains.size() == 10);
    for (const Matrix& chain : ref.chains) {
      CHECK(chain.rows() == 1000);
      CHECK(chain.cols() == static_cast<Index>(ref.names.size()));
      CHECK(chain.allFinite());
    }
    CHECK(ref.names == names_from_dimensions(ref.posterior));
    CHECK(ref.info.at("name") == b.posterior);
    CHECK(ref.info.at("diagnostics").at("nchains") == 10);
    // The target reports its parameters under the same names, in order.
    CHECK(make_target(b.task)->parameter_names() == ref.names);
  }
  // A directory path works as well as a bundled name, for data too.
  const fs::path blr_dir = posteriordb::bundled_directory() / "sblrc-blr";
  CHECK(posteriordb::resolve_data(blr_dir.string(), "") ==
        blr_dir / "data.json");
  const auto by_path = posteriordb::load_reference(
      (posteriordb::bundled_directory() / "sblrc-blr").string(), "");
  CHECK(by_path.names.front() == "beta[1]");
  CHECK_THROWS_AS(posteriordb::load_reference("sblrc", ""), ConfigError);

  // Malformed files are errors naming the file.
  const fs::path dir = testing::temp_dir("posteriordb-draws");
  const std::string uneven =
      write_json(dir, "uneven.json",
                 Json::array({{{"a", {1.0, 2.0}}, {"b", {3.0, 4.0}}},
                              {{"a", {1.0, 2.0}}, {"b", {3.0}}}}));
  CHECK_THROWS_WITH_AS(posteriordb::read_reference_draws(uneven, ""),
                       doctest::Contains("'b' has 1 draws"), ConfigError);
  const std::string renamed =
      write_json(dir, "renamed.json",
                 Json::array({{{"a", {1.0}}, {"b", {3.0}}},
                              {{"a", {1.0}}, {"c", {3.0}}}}));
  CHECK_THROWS_WITH_AS(posteriordb::read_reference_draws(renamed, ""),
                       doctest::Contains("lacks parameter 'b'"), ConfigError);
  // File order is kept (not sorted): "b" before "a".
  const fs::path ordered = dir / "ordered.json";
  std::ofstream(ordered) << R"([{"b": [1, 2, 3], "a": [4, 5, 6]}])";
  const auto small = posteriordb::read_reference_draws(ordered, "");
  CHECK(small.names == std::vector<std::string>{"b", "a"});
  REQUIRE(small.chains.size() == 1);
  CHECK(small.chains[0](2, 1) == 6.0);
  fs::remove_all(dir);
}

// An end-to-end check that each target is the posterior Stan sampled: under
// π the score has mean zero, E_π[∇ log π(x)] = 0 (the density vanishes at
// the ends of every unconstrained coordinate), so the mean gradient over the
// 10 000 reference draws, mapped to the unconstrained scale, must be zero
// within a few Monte Carlo standard errors.
TEST_CASE("posteriordb: the score has mean zero under the reference draws") {
  for (const auto& b : bundled()) {
    INFO("posterior " << b.posterior);
    const auto task = make_target(b.task);
    const auto ref = posteriordb::load_reference(b.posterior, "");
    Matrix all(10 * 1000, task->dim());
    for (size_t c = 0; c < ref.chains.size(); ++c)
      all.middleRows(static_cast<Index>(c) * 1000, 1000) = ref.chains[c];
    const Matrix x = b.unconstrain(all);
    // The round trip through to_parameters gives the draws back.
    CHECK(task->to_parameters(x).isApprox(all, 1e-12));
    Vector logp;
    Matrix grad;
    task->log_prob_grad(x, logp, grad);
    const RowVector mean = grad.colwise().mean();
    const RowVector sd = ((grad.rowwise() - mean).colwise().squaredNorm() /
                          static_cast<double>(grad.rows() - 1))
                             .cwiseSqrt();
    // The draws are thinned to near independence (ESS ≈ 10 000).
    const RowVector z =
        mean.cwiseQuotient(sd / std::sqrt(static_cast<double>(grad.rows())));
    INFO("standardized mean score: " << z);
    CHECK(z.cwiseAbs().maxCoeff() < 5.0);
  }
}

}  // namespace vibench
