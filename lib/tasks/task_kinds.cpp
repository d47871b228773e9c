// Default implementations of the optional parts of the four task kinds: a
// task that does not declare a capability never has these called (the runner
// checks capabilities first), so reaching one is a programming error.
#include <cmath>
#include <stdexcept>

#include "core/box.hpp"
#include "tasks/bilevel.hpp"
#include "tasks/distribution.hpp"
#include "tasks/objective.hpp"
#include "tasks/quadratic_restricted_gap.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {

namespace {
[[noreturn]] void not_offered(const char* what) {
  throw std::logic_error(std::string("task does not offer ") + what);
}
}  // namespace

Vector Distribution::log_prob(const Matrix& x) const {
  Vector logp;
  Matrix grad;
  log_prob_grad(x, logp, grad);
  return logp;
}
Matrix Distribution::sample(Index, Rng&) const { not_offered("exact_draws"); }
Vector Distribution::mean() const { not_offered("moments"); }
Matrix Distribution::covariance() const { not_offered("moments"); }
double Distribution::log_z() const { not_offered("log_z"); }
std::vector<std::string> Distribution::coordinate_names() const {
  std::vector<std::string> names;
  for (Index j = 0; j < dim(); ++j)
    names.push_back("x" + std::to_string(j + 1));
  return names;
}
std::vector<std::string> Distribution::parameter_names() const {
  return coordinate_names();
}
Matrix Distribution::to_parameters(const Matrix& x) const { return x; }
Matrix Distribution::from_parameters(const Matrix& parameters) const {
  return parameters;
}
Index Distribution::log_prob_grad_minibatch(const Matrix&, Rng&, Vector&,
                                            Matrix&) const {
  not_offered("minibatch");
}
double Distribution::test_log_likelihood(const Matrix&) const {
  not_offered("test_data");
}
double Distribution::test_accuracy(const Matrix&) const {
  not_offered("test_data");
}
Matrix Distribution::smoothed_score(const Matrix&, double) const {
  not_offered("smoothed_score");
}
Matrix Distribution::log_prob_hessian_vector(const Matrix&,
                                             const Matrix&) const {
  not_offered("hessian_vector");
}
Matrix Distribution::dual_score(const Matrix& x) const {
  Vector logp;
  Matrix grad;
  log_prob_grad(x, logp, grad);
  domain().to_dual_density(x, logp, grad);
  return grad;
}
Distribution::FisherMetric Distribution::fisher_metric(const Matrix&,
                                                       double) const {
  not_offered("fisher_metric");
}
void Distribution::smooth_log_prob_grad(const Matrix&, Vector&, Matrix&) const {
  not_offered("composite");
}
Vector Distribution::nonsmooth_potential(const Matrix&) const {
  not_offered("composite");
}
void Distribution::prox(Matrix&, double) const { not_offered("composite"); }
void Distribution::bregman_prox(Matrix&, double) const {
  not_offered("bregman_prox");
}
double Distribution::smoothness() const { not_offered("smoothness"); }

Vector Objective::value(const Matrix& x) const {
  Vector f;
  Matrix grad;
  value_grad(x, f, grad);
  return f;
}
Index Objective::value_grad_minibatch(const Matrix&, Rng&, Vector&,
                                      Matrix&) const {
  not_offered("minibatch");
}
void Objective::value_grad_round(const Matrix&, long long, Rng&, Vector&,
                                 Matrix&) const {
  not_offered("online");
}
void Objective::project_feasible(Matrix& x) const {
  clamp_rows_to_box(x, feasible_box());
}
Vector Objective::regularizer(const Matrix&) const { not_offered("composite"); }
void Objective::prox(Matrix&, double) const { not_offered("composite"); }
Vector Objective::composite_value(const Matrix& x) const {
  Vector p = value(x);
  if (offers(Capability::composite)) p += regularizer(x);
  return p;
}
double Objective::smoothness() const {
  if (!offers(Capability::smoothness)) not_offered("smoothness");
  return properties().smoothness;
}
const TransportProblem& Objective::transport() const {
  not_offered("transport");
}
Vector Objective::duality_gap(const Matrix&) const {
  not_offered("duality_gap");
}
double Objective::optimal_value() const { not_offered("optimal_value"); }
Json ObjectiveProperties::to_json() const {
  return {{"convex", convex},
          {"strong_convexity", strong_convexity},
          {"smoothness",
           std::isfinite(smoothness) ? Json(smoothness) : Json("unbounded")}};
}
Vector Objective::optimum() const { not_offered("optimum"); }

Vector SaddlePoint::solution() const { not_offered("optimum"); }
Vector SaddlePoint::distance_to_solution(const Matrix& z) const {
  return (z.rowwise() - solution().transpose()).rowwise().norm();
}
double SaddlePoint::lipschitz() const {
  if (!offers(Capability::smoothness)) not_offered("smoothness");
  return properties().lipschitz;
}
Vector SaddlePoint::duality_gap(const Matrix&) const {
  not_offered("duality_gap");
}
Vector SaddlePoint::restricted_gap(const Matrix& z, double radius) const {
  if (!offers(Capability::restricted_gap)) not_offered("restricted_gap");
  return quadratic_restricted_gap(*this, z, radius);
}
void SaddlePoint::operator_components(const Matrix&, const std::vector<Index>&,
                                      Matrix&) const {
  not_offered("sample_terms");
}
void SaddlePoint::player_losses(const Matrix& z, Vector& loss_x,
                                Vector& loss_y) const {
  loss_x = value(z);
  loss_y = -loss_x;
}
void SaddlePoint::project_feasible(Matrix& z) const {
  clamp_rows_to_box(z, feasible_box());
}
void SaddlePoint::linear_operator(Matrix&, Vector&) const {
  not_offered("linear_operator");
}
KlRegularization SaddlePoint::kl_regularization() const {
  not_offered("kl_regularized");
}
Json SaddleProperties::to_json() const {
  return {{"monotone", monotone},
          {"strong_monotonicity", strong_monotonicity},
          {"comonotonicity", comonotonicity},
          {"lipschitz",
           std::isfinite(lipschitz) ? Json(lipschitz) : Json("unbounded")}};
}
Index SaddlePoint::operator_minibatch(const Matrix&, Rng&, Matrix&) const {
  not_offered("minibatch");
}
Index Bilevel::outer_grad_minibatch(const Matrix&, const Matrix&, Rng&, Matrix&,
                                    Matrix&) const {
  not_offered("minibatch");
}
Index Bilevel::inner_grad_minibatch(const Matrix&, const Matrix&, Rng&, Matrix&,
                                    Matrix&) const {
  not_offered("minibatch");
}
Index Bilevel::inner_hvp_yy_minibatch(const Matrix&, const Matrix&,
                                      const Matrix&, Rng&, Matrix&) const {
  not_offered("minibatch Hessian-vector products");
}
Index Bilevel::inner_cross_minibatch(const Matrix&, const Matrix&,
                                     const Matrix&, Rng&, Matrix&) const {
  not_offered("minibatch cross products");
}

Matrix Bilevel::inner_hvp_yy(const Matrix&, const Matrix&,
                             const Matrix&) const {
  not_offered("hessian_vector");
}
Matrix Bilevel::inner_cross(const Matrix&, const Matrix&, const Matrix&) const {
  not_offered("hessian_vector");
}
Matrix Bilevel::inner_solution(const Matrix&) const {
  not_offered("hypergradient");
}
Matrix Bilevel::hypergradient(const Matrix&) const {
  not_offered("hypergradient");
}
Vector Bilevel::optimum() const { not_offered("optimum"); }
void Bilevel::inner_sample_terms(const RowVector&, const RowVector&,
                                 const RowVector&, const std::vector<Index>&,
                                 Matrix&, Matrix&, Matrix&) const {
  not_offered("sample_terms");
}
void Bilevel::outer_sample_terms(const RowVector&, const RowVector&,
                                 const std::vector<Index>&, Matrix&,
                                 Matrix&) const {
  not_offered("sample_terms");
}
double Bilevel::inner_smoothness() const { not_offered("smoothness"); }
Vector Bilevel::inner_strong_convexity(const Matrix&) const {
  not_offered("error_bounds");
}
Vector Bilevel::inner_smoothness_at(const Matrix& x) const {
  if (!offers(Capability::smoothness)) not_offered("error_bounds");
  return Vector::Constant(x.rows(), inner_smoothness());
}
double Bilevel::outer_smoothness() const { not_offered("error_bounds"); }
Vector Bilevel::error_rate(const Matrix&, const Matrix&, Split) const {
  not_offered("error_rates");
}
Matrix Bilevel::initial_inner_points(Index n, Rng& rng) const {
  return rng.normal_matrix(n, dim_y());
}

}  // namespace vibench
