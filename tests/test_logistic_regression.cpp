// logistic_regression: the data pipeline (reading, split, standardization),
// the log posterior against a row-by-row computation written here from the
// CSV text, minibatch estimates and their data-pass count, the predictive
// metrics, and the million-row batched gradient without per-point copies.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include "core/data_files.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "metrics/metric.hpp"
#include "targets/models/classification_data.hpp"
#include "task_cases.hpp"
#include "tasks/distribution.hpp"
#include "tasks/oracles.hpp"
#include "test_helpers.hpp"

namespace vibench {
namespace {

using testing::make_task;

std::shared_ptr<const Distribution> make_lr(const Json& params) {
  auto task = make_task({"logistic_regression", params});
  return std::dynamic_pointer_cast<const Distribution>(task);
}

// The CSV as plain rows of numbers, read with a parser of its own.
std::vector<std::vector<double>> read_rows(const std::string& name) {
  std::ifstream in(data_directory() / "classification" / (name + ".csv"));
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

double log_sigmoid(double z) { return -std::log1p(std::exp(-z)); }

// log posterior of the gaussian prior with every row used for training:
// standardize each feature column (population sd), drop constant ones,
// intercept last, then sum the per-row Bernoulli log-likelihoods.
double reference_log_posterior(const std::vector<std::vector<double>>& rows,
                               const Vector& w, double prior_scale) {
  const size_t n = rows.size(), cols = rows[0].size() - 1;
  std::vector<double> mean(cols, 0), sd(cols, 0);
  for (const auto& r : rows)
    for (size_t j = 0; j < cols; ++j) mean[j] += r[j] / n;
  for (const auto& r : rows)
    for (size_t j = 0; j < cols; ++j)
      sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / n;
  std::vector<size_t> kept;
  for (size_t j = 0; j < cols; ++j)
    if (sd[j] > 0) kept.push_back(j);
  REQUIRE(static_cast<Index>(kept.size() + 1) == w.size());
  double total = 0;
  for (const auto& r : rows) {
    double z = w(w.size() - 1);
    for (size_t k = 0; k < kept.size(); ++k)
      z += w(static_cast<Index>(k)) * (r[kept[k]] - mean[kept[k]]) /
           std::sqrt(sd[kept[k]]);
    total += r[cols] > 0.5 ? log_sigmoid(z) : log_sigmoid(-z);
  }
  const double s2 = prior_scale * prior_scale;
  for (Index j = 0; j < w.size(); ++j)
    total -= 0.5 * w(j) * w(j) / s2 + 0.5 * std::log(2 * std::numbers::pi * s2);
  return total;
}

}  // namespace

TEST_CASE("logistic regression: log posterior equals a row-by-row sum") {
  for (const std::string name :
       {"breast_cancer", "german_credit", "sonar", "ionosphere", "pima"}) {
    INFO(name);
    const auto rows = read_rows(name);
    const auto task =
        make_lr({{"data", name}, {"test_fraction", 0.0}, {"prior_scale", 2.0}});
    CHECK(task->dim() == static_cast<Index>(rows[0].size()));  // + intercept
    CHECK(task->data_size() == static_cast<Index>(rows.size()));
    Rng rng = make_rng(1);
    const Matrix w = 0.3 * rng.normal_matrix(3, task->dim());
    const Vector logp = task->log_prob(w);
    for (Index i = 0; i < 3; ++i) {
      const double expected = reference_log_posterior(rows, w.row(i), 2.0);
      CHECK(logp(i) == doctest::Approx(expected).epsilon(1e-10));
    }
    CHECK(task->coordinate_names().back() == "w_intercept");
    CHECK(!task->offers(Capability::test_data));
    CHECK(task->offers(Capability::reference));
  }
}

TEST_CASE("logistic regression: hierarchical prior density in closed form") {
  const auto gauss = make_lr({{"data", "pima"}, {"prior_scale", 1.0}});
  const auto hier = make_lr(
      {{"data", "pima"}, {"prior", "hierarchical"}, {"prior_rate", 0.5}});
  REQUIRE(hier->dim() == gauss->dim() + 1);
  CHECK(hier->coordinate_names().back() == "log_alpha");
  // With α = 1 (s = 0) the weights' prior is N(0, I), so the two log
  // densities differ by the Gamma(1, 0.5) log density of s = log α plus its
  // Jacobian: log(0.5) − 0.5·e^0 + 0.
  Rng rng = make_rng(2);
  const Matrix w = 0.2 * rng.normal_matrix(4, gauss->dim());
  Matrix x(4, hier->dim());
  x << w, Vector::Zero(4);
  const Vector difference = hier->log_prob(x) - gauss->log_prob(w);
  for (Index i = 0; i < 4; ++i)
    CHECK(difference(i) == doctest::Approx(std::log(0.5) - 0.5).epsilon(1e-12));
  // At s = log 4 the weights' prior is N(0, I/4): the difference is the
  // change of the Gaussian term plus the Gamma term at α = 4.
  x.col(hier->dim() - 1).setConstant(std::log(4.0));
  const Vector moved = hier->log_prob(x) - gauss->log_prob(w);
  const double p = static_cast<double>(gauss->dim());
  for (Index i = 0; i < 4; ++i) {
    const double sq = w.row(i).squaredNorm();
    const double expected = (0.5 * p * std::log(4.0) - 2.0 * sq + 0.5 * sq) +
                            (std::log(0.5) - 0.5 * 4.0 + std::log(4.0));
    CHECK(moved(i) == doctest::Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("logistic regression: split and standardization") {
  const ClassificationTable table = read_classification_table("pima", "/data");
  REQUIRE(table.features.rows() == 768);
  const ClassificationSplit split = split_and_standardize(table, 0.2, 7);
  CHECK(split.test_x.rows() == 154);  // round(0.2 · 768)
  CHECK(split.train_x.rows() == 614);
  // Training columns have mean 0 and population sd 1; the intercept is last.
  const Index p = split.train_x.cols();
  CHECK(split.column_names.back() == "intercept");
  CHECK((split.train_x.col(p - 1).array() == 1.0).all());
  for (Index j = 0; j + 1 < p; ++j) {
    const double mean = split.train_x.col(j).mean();
    const double var = split.train_x.col(j).squaredNorm() / 614.0 - mean * mean;
    CHECK(std::abs(mean) < 1e-12);
    CHECK(var == doctest::Approx(1.0).epsilon(1e-10));
  }
  // The parts partition the rows: label counts add up, and another split
  // seed selects other rows.
  CHECK(split.train_y.sum() + split.test_y.sum() == table.labels.sum());
  const ClassificationSplit same = split_and_standardize(table, 0.2, 7);
  CHECK(same.test_x == split.test_x);
  const ClassificationSplit other = split_and_standardize(table, 0.2, 8);
  CHECK(other.test_x.rows() == 154);
  CHECK(other.train_x != split.train_x);
  CHECK_THROWS_AS(split_and_standardize(table, 0.9999, 1), ConfigError);
}

TEST_CASE(
    "logistic regression: constant columns are dropped, bad files named") {
  const auto dir = testing::temp_dir("lr-data");
  const auto good = dir / "tiny.csv";
  std::ofstream(good)
      << "a,const,b,label\n1,5,2,0\n2,5,1,1\n3,5,7,1\n4,5,0,0\n";
  const auto task = make_lr({{"data", good.string()}, {"test_fraction", 0.0}});
  CHECK(task->dim() == 3);  // a, b, intercept
  const ClassificationSplit split = split_and_standardize(
      read_classification_table(good.string(), "/data"), 0.0, 0);
  REQUIRE(split.dropped_columns.size() == 1);
  CHECK(split.dropped_columns[0] == "const");

  const auto bad_label = dir / "bad_label.csv";
  std::ofstream(bad_label) << "a,label\n1,0\n2,2\n";
  const auto no_label = dir / "no_label.csv";
  std::ofstream(no_label) << "a,b\n1,0\n";
  const auto bad_cell = dir / "bad_cell.csv";
  std::ofstream(bad_cell) << "a,label\n1,0\nx,1\n";
  auto message = [](const std::string& data) -> std::string {
    try {
      make_lr({{"data", data}});
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(message(bad_label.string()).find("not 0 or 1") != std::string::npos);
  CHECK(message(no_label.string()).find("'label'") != std::string::npos);
  CHECK(message(bad_cell.string()).find(":3: column 1") != std::string::npos);
  const std::string typo = message("german_credt");
  CHECK(typo.find("did you mean 'german_credit'") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("logistic regression: test metrics against a direct computation") {
  const Json params = {
      {"data", "sonar"}, {"test_fraction", 0.25}, {"split_seed", 3}};
  const auto task = make_lr(params);
  REQUIRE(task->offers(Capability::test_data));
  const ClassificationSplit split = split_and_standardize(
      read_classification_table("sonar", "/data"), 0.25, 3);
  Rng rng = make_rng(5);
  const Matrix particles = 0.4 * rng.normal_matrix(7, task->dim());
  double ll = 0, correct = 0;
  const Index rows = split.test_x.rows();
  for (Index r = 0; r < rows; ++r) {
    double p1 = 0;
    for (Index i = 0; i < particles.rows(); ++i)
      p1 += 1.0 / (1.0 + std::exp(-split.test_x.row(r).dot(particles.row(i)))) /
            static_cast<double>(particles.rows());
    const bool positive = split.test_y(r) > 0.5;
    ll += std::log(positive ? p1 : 1 - p1) / static_cast<double>(rows);
    correct += (p1 > 0.5) == positive ? 1.0 / static_cast<double>(rows) : 0.0;
  }
  State state;
  state.points = particles;
  const Params no_settings;
  const Matrix none;
  const MetricContext ctx{*task, state, none, no_settings};
  const auto& metrics = MetricRegistry::instance();
  CHECK(metrics.find("test_log_likelihood")->compute(ctx) ==
        doctest::Approx(ll).epsilon(1e-12));
  CHECK(metrics.find("test_accuracy")->compute(ctx) ==
        doctest::Approx(correct).epsilon(1e-12));
  // A zero weight vector predicts 1/2 everywhere: log(1/2) exactly.
  state.points = Matrix::Zero(1, task->dim());
  CHECK(metrics.find("test_log_likelihood")->compute(ctx) ==
        doctest::Approx(std::log(0.5)).epsilon(1e-14));
}

TEST_CASE("logistic regression: minibatch gradients are unbiased and counted") {
  const auto full = make_lr({{"data", "pima"}, {"test_fraction", 0.0}});
  const auto mini =
      make_lr({{"data", "pima"}, {"test_fraction", 0.0}, {"batch_size", 64}});
  CHECK(mini->batch_size() == 64);
  CHECK(full->batch_size() == 0);  // full-data gradients by default
  Rng rng = make_rng(9);
  const Matrix x = 0.3 * rng.normal_matrix(2, full->dim());
  Vector logp;
  Matrix grad;
  full->log_prob_grad(x, logp, grad);

  Counters counters;
  const DistributionOracle oracle(*mini, counters, 11);
  const int calls = 4000;
  Matrix sum = Matrix::Zero(2, full->dim()), sum_sq = sum;
  Vector value_sum = Vector::Zero(2);
  Vector mlogp;
  Matrix mgrad;
  for (int c = 0; c < calls; ++c) {
    oracle.log_prob_grad(x, mlogp, mgrad);
    sum += mgrad;
    sum_sq += mgrad.array().square().matrix();
    value_sum += mlogp;
  }
  // Every coordinate's mean within 5 standard errors of the full gradient.
  const Matrix mean = sum / calls;
  const Matrix se =
      ((sum_sq / calls - mean.array().square().matrix()) / calls).cwiseSqrt();
  CHECK(((mean - grad).cwiseAbs().array() <= 5 * se.array() + 1e-9).all());
  // The estimate varies (it is not the full gradient in disguise).
  CHECK(se.maxCoeff() > 1e-3);
  CHECK(counters.grad_evals == 2LL * calls);
  CHECK(counters.data_passes == doctest::Approx(calls * 64.0 / 768.0));
  // A full-data oracle counts one pass per call whatever the number of points.
  Counters full_counters;
  const DistributionOracle full_oracle(*full, full_counters);
  full_oracle.log_prob_grad(x, mlogp, mgrad);
  CHECK(full_counters.data_passes == 1.0);
}

TEST_CASE("logistic regression: synthetic data do not depend on threads") {
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const ClassificationTable one = synthetic_classification_table(20000, 5, 3);
  omp_set_num_threads(2);
  const ClassificationTable two = synthetic_classification_table(20000, 5, 3);
  omp_set_num_threads(threads);
  CHECK(one.features == two.features);
  CHECK(one.labels == two.labels);
  // Informative labels: the true logit's variance is about 4, so between
  // 30% and 70% of labels are 1, and another instance gives other data.
  const double positive = one.labels.mean();
  CHECK(positive > 0.3);
  CHECK(positive < 0.7);
  CHECK(synthetic_classification_table(20000, 5, 4).features != one.features);
}

TEST_CASE("logistic regression: blocked products equal a row-by-row sum") {
  // 10 000 rows span five 2048-row blocks, the last one partial.
  const auto task = make_lr({{"data", "synthetic"},
                             {"n_data", 10000},
                             {"dim", 20},
                             {"instance", 2},
                             {"test_fraction", 0.0}});
  const ClassificationSplit split = split_and_standardize(
      synthetic_classification_table(10000, 20, 2), 0.0, 0);
  Rng rng = make_rng(13);
  const Matrix x = 0.2 * rng.normal_matrix(3, task->dim());
  Vector logp;
  Matrix grad;
  task->log_prob_grad(x, logp, grad);
  for (Index i = 0; i < 3; ++i) {
    Vector expected = -x.row(i).transpose();  // N(0, I) prior
    double ll = -0.5 * x.row(i).squaredNorm() -
                0.5 * 21.0 * std::log(2 * std::numbers::pi);
    for (Index r = 0; r < split.train_x.rows(); ++r) {
      const double z = split.train_x.row(r).dot(x.row(i));
      const double y = split.train_y(r);
      expected +=
          (y - 1.0 / (1.0 + std::exp(-z))) * split.train_x.row(r).transpose();
      ll += y > 0.5 ? log_sigmoid(z) : log_sigmoid(-z);
    }
    CHECK((grad.row(i).transpose() - expected).norm() <
          1e-10 * expected.norm());
    CHECK(logp(i) == doctest::Approx(ll).epsilon(1e-11));
  }
}

namespace {
// Peak resident memory of this process so far, in bytes (Linux VmHWM).
long long peak_resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      long long kb = 0;
      status >> kb;
      return kb * 1024;
    }
    status.ignore(1 << 20, '\n');
  }
  return -1;
}
}  // namespace

TEST_CASE("logistic regression: a million rows, d = 100, 100 particles") {
  const auto task = make_lr({{"data", "synthetic"},
                             {"n_data", 1000000},
                             {"dim", 99},
                             {"test_fraction", 0.0}});
  REQUIRE(task->dim() == 100);  // 99 features + intercept
  const double data_bytes = 1e6 * 100 * sizeof(double);
  Rng rng = make_rng(13);
  const Matrix x = 0.1 * rng.normal_matrix(100, 100);
  const long long before = peak_resident_bytes();
  REQUIRE(before > 0);
  Vector logp;
  Matrix grad;
  task->log_prob_grad(x, logp, grad);
  const long long growth = peak_resident_bytes() - before;
  // One copy of the data per particle would need 100 × 800 MB, and even a
  // single rows × particles logit matrix 800 MB; the blocked products hold
  // a few 2048-row blocks at a time.
  INFO("peak memory grew by " << growth / 1e6 << " MB");
  CHECK(static_cast<double>(growth) < 0.1 * data_bytes);
  CHECK(grad.allFinite());

  // Batching is exact at this scale too: a particle alone gets the same
  // gradient as in the batch of 100 (row-by-row correctness over many
  // blocks is checked on 10 000 rows above).
  for (Index i : {Index{0}, Index{57}}) {
    Vector alone_logp;
    Matrix alone_grad;
    task->log_prob_grad(x.row(i), alone_logp, alone_grad);
    CHECK((alone_grad.row(0) - grad.row(i)).norm() <=
          1e-12 * grad.row(i).norm());
    CHECK(alone_logp(0) == doctest::Approx(logp(i)).epsilon(1e-13));
  }
}

}  // namespace vibench
