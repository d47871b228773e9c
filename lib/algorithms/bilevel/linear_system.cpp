#include "algorithms/bilevel/linear_system.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace vibench {

const char* to_string(LinearSolverKind kind) {
  switch (kind) {
    case LinearSolverKind::cg:
      return "cg";
    case LinearSolverKind::neumann_shia:
      return "neumann_shia";
    case LinearSolverKind::neumann_hia:
      return "neumann_hia";
    case LinearSolverKind::gd:
      return "gd";
  }
  return "?";
}

LinearSolverKind linear_solver_from(const std::string& name) {
  for (LinearSolverKind kind :
       {LinearSolverKind::cg, LinearSolverKind::neumann_shia,
        LinearSolverKind::neumann_hia, LinearSolverKind::gd})
    if (name == to_string(kind)) return kind;
  throw std::invalid_argument("unknown linear solver '" + name + "'");
}

void LinearSystemSolver::solve(const BilevelOracle& oracle, const Matrix& x,
                               const Matrix& y, const Matrix& b, Matrix& v,
                               Rng& rng, double tolerance) {
  const double eta = config_.step_size;
  const long long k = config_.steps;
  residual_norm_max_ = std::numeric_limits<double>::quiet_NaN();
  switch (config_.kind) {
    case LinearSolverKind::cg:
      conjugate_gradient(oracle, x, y, b, v, tolerance);
      return;
    case LinearSolverKind::neumann_shia: {
      // p_j = (I − ηH)^j b; v = η Σ_{j≤K} p_j.
      p_ = b;
      v = b;
      for (long long j = 0; j < k; ++j) {
        p_ -= eta * oracle.inner_hvp_yy(x, y, p_);
        v += p_;
      }
      v *= eta;
      return;
    }
    case LinearSolverKind::neumann_hia: {
      const long long terms =
          k > 0 ? static_cast<long long>(rng.index(static_cast<Index>(k))) : 0;
      p_ = b;
      for (long long j = 0; j < terms; ++j)
        p_ -= eta * oracle.inner_hvp_yy(x, y, p_);
      v = (static_cast<double>(k) * eta) * p_;
      return;
    }
    case LinearSolverKind::gd: {
      if (!config_.warm_start) v.setZero();
      for (long long j = 0; j < k; ++j)
        v -= eta * (oracle.inner_hvp_yy(x, y, v) - b);
      return;
    }
  }
}

// Per-row conjugate gradient on H_i v_i = b_i; the step sizes α, β are
// per-row vectors. A row whose residual vanishes, or whose curvature pᵀHp
// is not positive (g not convex there), stops moving.
void LinearSystemSolver::conjugate_gradient(const BilevelOracle& oracle,
                                            const Matrix& x, const Matrix& y,
                                            const Matrix& b, Matrix& v,
                                            double tolerance) {
  if (config_.warm_start) {
    r_ = b - oracle.inner_hvp_yy(x, y, v);
  } else {
    v.setZero();
    r_ = b;
  }
  p_ = r_;
  rs_ = r_.rowwise().squaredNorm();
  for (long long j = 0; j < config_.steps; ++j) {
    if (tolerance > 0 && std::sqrt(rs_.maxCoeff()) <= tolerance) break;
    hp_ = oracle.inner_hvp_yy(x, y, p_);
    curvature_ = (p_.array() * hp_.array()).rowwise().sum();
    alpha_ = (curvature_.array() > 0.0)
                 .select(rs_.array() / curvature_.array(), 0.0);
    v.array() += p_.array().colwise() * alpha_.array();
    r_.array() -= hp_.array().colwise() * alpha_.array();
    rs_new_ = r_.rowwise().squaredNorm();
    beta_ = (rs_.array() > 0.0).select(rs_new_.array() / rs_.array(), 0.0);
    p_.array() = r_.array() + p_.array().colwise() * beta_.array();
    rs_ = rs_new_;
  }
  residual_norm_max_ = rs_.size() > 0 ? std::sqrt(rs_.maxCoeff()) : 0.0;
}

}  // namespace vibench
