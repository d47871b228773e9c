#include "tasks/oracles.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace vibench {

nlohmann::json Counters::to_json() const {
  nlohmann::json out = {{"iterations", iterations},
                        {"grad_evals", grad_evals},
                        {"value_evals", value_evals},
                        {"hvp_evals", hvp_evals},
                        {"data_passes", data_passes}};
  if (bilevel) {
    out["outer_grad_evals"] = outer_grad_evals;
    out["inner_grad_evals"] = inner_grad_evals;
    out["cross_evals"] = cross_evals;
    out["oracle_calls"] = oracle_calls;
  }
  if (finite_sum) out["oracle_calls"] = oracle_calls;
  if (prox_evals > 0) out["prox_evals"] = prox_evals;
  return out;
}

void Oracle::check_points(const Matrix& x, Index cols, const char* what) const {
  if (x.cols() != cols || x.rows() < 1)
    throw std::invalid_argument(
        fmt::format("{}: got a {}x{} matrix, expected n x {} (one point per "
                    "row)",
                    what, x.rows(), x.cols(), cols));
}

void Oracle::reuse_last_sample() const {
  if (!remembered_)
    throw std::logic_error(
        "reuse_last_sample: the previous call was not preceded by "
        "remember_next_sample()");
  replay_ = true;
}

void Oracle::start_sample() const {
  if (replay_) {
    minibatch_rng_ = saved_minibatch_rng_;
    noise_rng_ = saved_noise_rng_;
    replay_ = remembered_ = false;
    return;
  }
  remembered_ = remember_;
  if (remember_) {
    saved_minibatch_rng_ = minibatch_rng_;
    saved_noise_rng_ = noise_rng_;
    remember_ = false;
  }
}

void Oracle::count_full_data_pass() const {
  if (task_.data_size() > 0) counters_.data_passes += 1.0;
}

void Oracle::count_rows(Index rows) const {
  if (rows == 0) return;  // a synthetic task, or a level without data
  counters_.data_passes +=
      static_cast<double>(rows) / static_cast<double>(task_.data_size());
}

void DistributionOracle::log_prob_grad(const Matrix& x, Vector& logp,
                                       Matrix& grad) const {
  check_points(x, dim(), "log_prob_grad");
  counters_.grad_evals += x.rows();
  counters_.value_evals += x.rows();
  if (task_.batch_size() > 0) {
    count_rows(task_.log_prob_grad_minibatch(x, minibatch_rng_, logp, grad));
  } else {
    count_full_data_pass();
    task_.log_prob_grad(x, logp, grad);
  }
  add_noise(grad);
}

Vector DistributionOracle::log_prob(const Matrix& x) const {
  check_points(x, dim(), "log_prob");
  counters_.value_evals += x.rows();
  count_full_data_pass();
  return task_.log_prob(x);
}

Matrix DistributionOracle::smoothed_score(const Matrix& x, double sigma) const {
  check_points(x, dim(), "smoothed_score");
  counters_.grad_evals += x.rows();
  count_full_data_pass();
  return task_.smoothed_score(x, sigma);
}

Matrix DistributionOracle::log_prob_hessian_vector(const Matrix& x,
                                                   const Matrix& v) const {
  check_points(x, dim(), "log_prob_hessian_vector");
  check_points(v, dim(), "log_prob_hessian_vector (v)");
  if (v.rows() != x.rows())
    throw std::invalid_argument(
        "log_prob_hessian_vector: v must have one row per point");
  counters_.hvp_evals += x.rows();
  count_full_data_pass();
  return task_.log_prob_hessian_vector(x, v);
}

Matrix DistributionOracle::dual_score(const Matrix& x) const {
  check_points(x, dim(), "dual_score");
  counters_.grad_evals += x.rows();
  count_full_data_pass();
  return task_.dual_score(x);
}

Distribution::FisherMetric DistributionOracle::fisher_metric(
    const Matrix& x, double damping) const {
  check_points(x, dim(), "fisher_metric");
  counters_.hvp_evals += x.rows();
  count_full_data_pass();
  return task_.fisher_metric(x, damping);
}

Matrix DistributionOracle::sample(Index n, Rng& rng) const {
  if (n < 1)
    throw std::invalid_argument(
        fmt::format("sample: asked for {} draws, expected at least 1", n));
  return task_.sample(n, rng);
}

void DistributionOracle::smooth_log_prob_grad(const Matrix& x, Vector& logp,
                                              Matrix& grad) const {
  check_points(x, dim(), "smooth_log_prob_grad");
  counters_.grad_evals += x.rows();
  counters_.value_evals += x.rows();
  count_full_data_pass();
  task_.smooth_log_prob_grad(x, logp, grad);
  add_noise(grad);
}

Vector DistributionOracle::nonsmooth_potential(const Matrix& x) const {
  check_points(x, dim(), "nonsmooth_potential");
  counters_.value_evals += x.rows();
  count_full_data_pass();
  return task_.nonsmooth_potential(x);
}

void DistributionOracle::prox(Matrix& x, double step) const {
  check_points(x, dim(), "prox");
  if (!(step > 0))
    throw std::invalid_argument("prox: the step must be positive");
  counters_.prox_evals += x.rows();
  task_.prox(x, step);
}

void DistributionOracle::bregman_prox(Matrix& x, double step) const {
  check_points(x, dim(), "bregman_prox");
  if (!(step > 0))
    throw std::invalid_argument("bregman_prox: the step must be positive");
  counters_.prox_evals += x.rows();
  task_.bregman_prox(x, step);
}

void ObjectiveOracle::value_grad(const Matrix& x, Vector& f,
                                 Matrix& grad) const {
  check_points(x, dim(), "value_grad");
  counters_.grad_evals += x.rows();
  counters_.value_evals += x.rows();
  if (online_) {
    counters_.online_rounds += 1;
    task_.value_grad_round(x, counters_.online_rounds, minibatch_rng_, f, grad);
    counters_.online_loss += f.mean();
  } else if (task_.batch_size() > 0) {
    count_rows(task_.value_grad_minibatch(x, minibatch_rng_, f, grad));
  } else {
    count_full_data_pass();
    task_.value_grad(x, f, grad);
  }
  add_noise(grad);
}

Vector ObjectiveOracle::transport_softmin_rows(const Vector& g) const {
  const TransportProblem& t = task_.transport();
  if (g.size() != t.cost.cols())
    throw std::invalid_argument("transport_softmin_rows: g has the wrong size");
  counters_.grad_evals += 1;
  return soft_min_rows(t.cost, g, t.epsilon);
}

Vector ObjectiveOracle::transport_softmin_cols(const Vector& f) const {
  const TransportProblem& t = task_.transport();
  if (f.size() != t.cost.rows())
    throw std::invalid_argument("transport_softmin_cols: f has the wrong size");
  counters_.grad_evals += 1;
  return soft_min_rows(t.cost_transposed, f, t.epsilon);
}

Vector ObjectiveOracle::value(const Matrix& x) const {
  check_points(x, dim(), "value");
  counters_.value_evals += x.rows();
  count_full_data_pass();
  return task_.value(x);
}

SaddlePointOracle::SaddlePointOracle(const SaddlePoint& task,
                                     Counters& counters,
                                     std::uint64_t minibatch_seed,
                                     const GradientNoise& noise,
                                     std::uint64_t noise_seed)
    : Oracle(task, counters, minibatch_seed, noise, noise_seed), task_(task) {
  if (task.data_size() > 0) counters.finite_sum = true;
}

void SaddlePointOracle::count_components(Index points, Index rows) const {
  counters_.oracle_calls += points * rows;
}

Matrix SaddlePointOracle::operator_value(const Matrix& z) const {
  check_points(z, dim(), "operator_value");
  counters_.grad_evals += z.rows();
  start_sample();
  Matrix field;
  if (task_.batch_size() > 0) {
    const Index rows = task_.operator_minibatch(z, minibatch_rng_, field);
    count_rows(rows);
    count_components(z.rows(), rows);
  } else {
    count_full_data_pass();
    count_components(z.rows(), task_.data_size());
    field = task_.operator_value(z);
  }
  add_noise(field);
  return field;
}

Matrix SaddlePointOracle::operator_components(
    const Matrix& z, const std::vector<Index>& rows) const {
  check_points(z, dim(), "operator_components");
  if (rows.empty())
    throw std::invalid_argument("operator_components: no component given");
  for (Index r : rows)
    if (r < 0 || r >= task_.data_size())
      throw std::invalid_argument(
          fmt::format("operator_components: component {} outside [0, {})", r,
                      task_.data_size()));
  counters_.grad_evals += z.rows();
  start_sample();
  Matrix field;
  task_.operator_components(z, rows, field);
  count_rows(static_cast<Index>(rows.size()));
  count_components(z.rows(), static_cast<Index>(rows.size()));
  add_noise(field);
  return field;
}

Vector SaddlePointOracle::value(const Matrix& z) const {
  check_points(z, dim(), "value");
  counters_.value_evals += z.rows();
  count_full_data_pass();
  return task_.value(z);
}

Matrix SaddlePointOracle::resolvent(const Matrix& z, double gamma) const {
  check_points(z, dim(), "resolvent");
  if (!(gamma > 0))
    throw std::invalid_argument("resolvent: the step γ must be positive");
  if (task_.batch_size() > 0 || noise_active())
    throw std::invalid_argument(
        "resolvent: exact resolvents need the exact operator; this task "
        "entry is stochastic (minibatch or noise), which proximal point "
        "and Halpern would silently ignore");
  if (linear_m_.size() == 0) task_.linear_operator(linear_m_, linear_q_);
  if (gamma != resolvent_gamma_) {
    resolvent_lu_.compute(Matrix::Identity(dim(), dim()) + gamma * linear_m_);
    if (!(resolvent_lu_.rcond() > 1e-14))
      throw std::domain_error(fmt::format(
          "resolvent: I + γM is singular for γ = {} (the operator has the "
          "eigenvalue −1/γ); choose another step_size",
          gamma));
    resolvent_gamma_ = gamma;
  }
  counters_.grad_evals += z.rows();
  count_full_data_pass();
  count_components(z.rows(), task_.data_size());
  // Point by point in reused vectors, so that a call allocates only its
  // result: a multi-column triangular solve takes a heap blocking buffer,
  // and a solve on a block of a matrix first copies the block.
  resolvent_rhs_.resize(dim());
  resolvent_solution_.resize(dim());
  Matrix out(z.rows(), dim());
  for (Index i = 0; i < z.rows(); ++i) {
    resolvent_rhs_.noalias() = z.row(i).transpose() - gamma * linear_q_;
    resolvent_solution_.noalias() = resolvent_lu_.solve(resolvent_rhs_);
    out.row(i) = resolvent_solution_.transpose();
  }
  return out;
}

void BilevelOracle::check_pair(const Matrix& x, const Matrix& y) const {
  check_points(x, dim_x(), "bilevel oracle (x)");
  check_points(y, dim_y(), "bilevel oracle (y)");
  if (x.rows() != y.rows())
    throw std::invalid_argument("bilevel oracle: x and y have different rows");
}

BilevelOracle::BilevelOracle(const Bilevel& task, Counters& counters,
                             std::uint64_t minibatch_seed,
                             const GradientNoise& noise,
                             std::uint64_t noise_seed)
    : Oracle(task, counters, minibatch_seed, noise, noise_seed), task_(task) {
  counters.bilevel = true;
}

void BilevelOracle::count_level_rows(Index points, Index rows) const {
  count_rows(rows);
  counters_.oracle_calls += points * std::max<Index>(rows, 1);
}

Vector BilevelOracle::outer_value(const Matrix& x, const Matrix& y) const {
  check_pair(x, y);
  counters_.value_evals += x.rows();
  count_rows(task_.outer_data_size());
  return task_.outer_value(x, y);
}
void BilevelOracle::outer_grad(const Matrix& x, const Matrix& y, Matrix& fx,
                               Matrix& fy) const {
  check_pair(x, y);
  counters_.grad_evals += x.rows();
  counters_.outer_grad_evals += x.rows();
  if (task_.batch_size() > 0) {
    count_level_rows(x.rows(),
                     task_.outer_grad_minibatch(x, y, minibatch_rng_, fx, fy));
  } else {
    count_level_rows(x.rows(), task_.outer_data_size());
    task_.outer_grad(x, y, fx, fy);
  }
  add_noise(fx);
  add_noise(fy);
}
Vector BilevelOracle::inner_value(const Matrix& x, const Matrix& y) const {
  check_pair(x, y);
  counters_.value_evals += x.rows();
  count_rows(task_.inner_data_size());
  return task_.inner_value(x, y);
}
void BilevelOracle::inner_grad(const Matrix& x, const Matrix& y, Matrix& gx,
                               Matrix& gy) const {
  check_pair(x, y);
  counters_.grad_evals += x.rows();
  counters_.inner_grad_evals += x.rows();
  if (task_.batch_size() > 0) {
    count_level_rows(x.rows(),
                     task_.inner_grad_minibatch(x, y, minibatch_rng_, gx, gy));
  } else {
    count_level_rows(x.rows(), task_.inner_data_size());
    task_.inner_grad(x, y, gx, gy);
  }
  add_noise(gx);
  add_noise(gy);
}
Matrix BilevelOracle::inner_hvp_yy(const Matrix& x, const Matrix& y,
                                   const Matrix& v) const {
  check_pair(x, y);
  check_points(v, dim_y(), "inner_hvp_yy (v)");
  counters_.hvp_evals += x.rows();
  Matrix out;
  if (task_.batch_size() > 0) {
    count_level_rows(
        x.rows(), task_.inner_hvp_yy_minibatch(x, y, v, minibatch_rng_, out));
  } else {
    count_level_rows(x.rows(), task_.inner_data_size());
    out = task_.inner_hvp_yy(x, y, v);
  }
  return out;
}
Matrix BilevelOracle::inner_cross(const Matrix& x, const Matrix& y,
                                  const Matrix& v) const {
  check_pair(x, y);
  check_points(v, dim_y(), "inner_cross (v)");
  counters_.cross_evals += x.rows();
  Matrix out;
  if (task_.batch_size() > 0) {
    count_level_rows(x.rows(),
                     task_.inner_cross_minibatch(x, y, v, minibatch_rng_, out));
  } else {
    count_level_rows(x.rows(), task_.inner_data_size());
    out = task_.inner_cross(x, y, v);
  }
  return out;
}

void BilevelOracle::check_rows(const std::vector<Index>& rows,
                               Index level_rows) const {
  for (Index r : rows)
    if (r < 0 || r >= level_rows)
      throw std::invalid_argument(fmt::format(
          "bilevel sample terms: row {} outside 0 … {}", r, level_rows - 1));
}

void BilevelOracle::inner_sample_terms(const RowVector& x, const RowVector& y,
                                       const RowVector& v,
                                       const std::vector<Index>& rows,
                                       Matrix& gy, Matrix& hvp,
                                       Matrix& cross) const {
  check_pair(x, y);
  check_points(v, dim_y(), "inner_sample_terms (v)");
  check_rows(rows, task_.inner_data_size());
  const Index k = static_cast<Index>(rows.size());
  counters_.grad_evals += 1;
  counters_.inner_grad_evals += 1;
  counters_.hvp_evals += 1;
  counters_.cross_evals += 1;
  counters_.oracle_calls += 3 * k;
  count_rows(k);
  task_.inner_sample_terms(x, y, v, rows, gy, hvp, cross);
}

void BilevelOracle::outer_sample_terms(const RowVector& x, const RowVector& y,
                                       const std::vector<Index>& rows,
                                       Matrix& fx, Matrix& fy) const {
  check_pair(x, y);
  check_rows(rows, task_.outer_data_size());
  const Index k = static_cast<Index>(rows.size());
  counters_.grad_evals += 1;
  counters_.outer_grad_evals += 1;
  counters_.oracle_calls += k;
  count_rows(k);
  task_.outer_sample_terms(x, y, rows, fx, fy);
}

}  // namespace vibench
