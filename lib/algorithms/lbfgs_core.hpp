// L-BFGS on one vector of unknowns, for an algorithm that minimizes a single
// smooth function of all its coordinates (KSD descent with L-BFGS treats the
// n×d particle matrix as one point of ℝ^{nd}). The `lbfgs` optimizer
// (optimizers/lbfgs.cpp) has its own copy of this iteration, run on each
// row separately, that keeps its memory after a failed line search.
//
// Standard L-BFGS (Nocedal, "Updating quasi-Newton matrices with limited
// storage", Math. Comp. 1980; Nocedal & Wright, Numerical Optimization, 2nd
// ed., 2006):
//   d = −H∇f by the two-loop recursion (N&W Alg. 7.4) over the last m pairs
//   s = x⁺ − x, y = ∇f(x⁺) − ∇f(x), with H₀ = γI, γ = sᵀy/yᵀy of the newest
//   pair (N&W eq. 7.20);
//   x⁺ = x + αd, α satisfying the strong Wolfe conditions
//     f(x + αd) ≤ f(x) + c₁α∇fᵀd,  |∇f(x + αd)ᵀd| ≤ c₂|∇fᵀd|,
//   found by bracketing (N&W Alg. 3.5, doubling α) and zoom (Alg. 3.6,
//   safeguarded cubic interpolation). The first trial is α = 1, except
//   along −∇f (an empty memory), where it is the unit-length step
//   α = 1/‖∇f‖, as in L-BFGS-B's first iteration, so that the first move
//   does not depend on the scale of f.
//
// The safeguards are L-BFGS-B's (Byrd, Lu, Nocedal & Zhu 1995; the
// Fortran code SciPy wraps), so that a run ends as it would there:
//   - a pair with sᵀy ≤ ε_mach·(−∇fᵀs) is not stored. Under the strong Wolfe
//     conditions sᵀy ≥ (1 − c₂)α|∇fᵀd| > 0, so only round-off triggers it,
//     but a stored pair must keep H positive definite;
//   - a line search that finds no strong Wolfe point in max_trials
//     evaluations leaves x where it was. If the direction came from stored
//     pairs, they are dropped and the next iteration searches along −∇f
//     (L-BFGS-B's RESTART_FROM_LNSRCH); if it was −∇f already, no descent
//     is left and the minimizer is stalled for good
//     (ABNORMAL_TERMINATION_IN_LNSRCH), as it is at a zero gradient. With a
//     deterministic f a retry would repeat the same trials;
//   - a trial point where f or ∇f is not finite counts as failing
//     sufficient decrease, so the search shortens the step.
// Every trial point is one evaluation of f and ∇f, which the caller counts
// (through its oracle). Buffers are sized by start(), so an iteration
// allocates nothing beyond what the objective itself allocates.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "core/types.hpp"

namespace vibench {

// The constants of one L-BFGS run; the algorithm's parameter struct holds
// their defaults and sources.
struct LbfgsOptions {
  Index memory = 0;          // m, pairs (s, y) kept
  double c1 = 0;             // sufficient-decrease constant, 0 < c₁ < c₂
  double c2 = 0;             // curvature constant, c₂ < 1
  long long max_trials = 0;  // evaluations per line search at most
};

// The last m pairs (s, y) in a ring of vectors sized once, and the
// two-loop recursion over them.
class LbfgsMemory {
 public:
  // Sizes the ring for `capacity` pairs of vectors of length `dim`, empty.
  void reset(Index capacity, Index dim) {
    const auto slots = static_cast<size_t>(capacity);
    s_.assign(slots, Vector::Zero(dim));
    y_.assign(slots, Vector::Zero(dim));
    rho_.assign(slots, 0.0);
    alpha_.assign(slots, 0.0);
    clear();
  }
  void clear() { oldest_ = stored_ = 0; }
  Index size() const { return static_cast<Index>(stored_); }

  // Stores (s, y), over the oldest pair once full, unless sᵀy is not above
  // `min_curvature` (then returns false and the memory is unchanged). The
  // assignments copy into vectors of the same size: nothing is allocated.
  bool push(const Vector& s, const Vector& y, double min_curvature) {
    const double sy = s.dot(y);
    if (!(sy > min_curvature)) return false;  // also refuses a NaN
    const size_t m = s_.size();
    if (m == 0) return false;
    const size_t k = stored_ < m ? slot(stored_) : oldest_;
    s_[k] = s;
    y_[k] = y;
    rho_[k] = 1.0 / sy;
    if (stored_ < m)
      ++stored_;
    else
      oldest_ = (oldest_ + 1) % m;
    return true;
  }

  // d = −Hg by the two-loop recursion (N&W Alg. 7.4). The recursion is
  // linear in its input, so running it on −g gives −Hg directly. With no
  // pair, d = −g.
  void direction(const Vector& g, Vector& d) {
    d = -g;
    if (stored_ == 0) return;
    for (size_t j = stored_; j-- > 0;) {  // newest to oldest
      const size_t k = slot(j);
      alpha_[j] = rho_[k] * s_[k].dot(d);
      d -= alpha_[j] * y_[k];
    }
    const size_t newest = slot(stored_ - 1);
    d *= 1.0 / (rho_[newest] * y_[newest].squaredNorm());  // γ = sᵀy/yᵀy
    for (size_t j = 0; j < stored_; ++j) {                 // oldest to newest
      const size_t k = slot(j);
      const double beta = rho_[k] * y_[k].dot(d);
      d += (alpha_[j] - beta) * s_[k];
    }
  }

 private:
  // The ring slot of the j-th stored pair, oldest first.
  size_t slot(size_t j) const { return (oldest_ + j) % s_.size(); }

  std::vector<Vector> s_, y_;
  std::vector<double> rho_;    // 1/sᵀy of each slot
  std::vector<double> alpha_;  // the recursion's α_j, by age
  size_t oldest_ = 0, stored_ = 0;
};

// The minimizer of the cubic through (a, fa, da) and (b, fb, db) (N&W eq.
// 3.59), kept in the middle 80 % of the interval so that the zoom always
// shrinks it; the midpoint when fb is not finite or the cubic has no real
// minimizer.
inline double safeguarded_cubic_step(double a, double fa, double da, double b,
                                     double fb, double db) {
  const double left = std::min(a, b), right = std::max(a, b);
  const double margin = 0.1 * (right - left);
  double t = 0.5 * (a + b);
  if (std::isfinite(fb) && b != a) {
    const double d1 = da + db - 3.0 * (fa - fb) / (a - b);
    const double disc = d1 * d1 - da * db;
    if (disc >= 0) {
      const double d2 = std::copysign(std::sqrt(disc), b - a);
      const double candidate =
          b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2);
      if (std::isfinite(candidate)) t = candidate;
    }
  }
  return std::clamp(t, left + margin, right - margin);
}

struct LineSearchResult {
  bool found = false;    // a strong Wolfe point, the last trial evaluated
  double alpha = 0;      // its step
  double value = 0;      // φ(α) there
  long long trials = 0;  // evaluations spent
};

// Strong Wolfe line search on φ(α) = f(x + αd) from φ(0) = value0 and
// φ′(0) = slope0 < 0, first trial α = alpha0: bracketing (N&W Alg. 3.5,
// doubling) and zoom (Alg. 3.6). `trial(alpha, value, slope)` evaluates
// φ(α) and φ′(α) and returns false when either is not finite. A point is
// accepted right after its evaluation, so the caller's buffers of the last
// trial hold the accepted point when `found`.
template <class Trial>
LineSearchResult strong_wolfe_search(Trial&& trial, double value0,
                                     double slope0, double alpha0, double c1,
                                     double c2, long long max_trials) {
  LineSearchResult result;
  double value = 0, slope = 0;
  bool finite = false;
  auto evaluate = [&](double alpha) {
    ++result.trials;
    finite = trial(alpha, value, slope);
    if (!finite) {  // a failed sufficient decrease, with no usable slope
      value = std::numeric_limits<double>::infinity();
      slope = std::numeric_limits<double>::quiet_NaN();
    }
  };
  auto sufficient = [&](double alpha) {
    return finite && value <= value0 + c1 * alpha * slope0;
  };
  auto curvature = [&] { return std::abs(slope) <= -c2 * slope0; };
  auto accept = [&](double alpha) {
    result.found = true;
    result.alpha = alpha;
    result.value = value;
    return result;
  };
  // [lo, hi] comes to hold a strong Wolfe point; lo is the best point with
  // sufficient decrease so far (α = 0 at first).
  double lo = 0, value_lo = value0, slope_lo = slope0;
  double hi = 0, value_hi = 0, slope_hi = 0;
  double alpha = alpha0;
  bool bracketed = false;
  while (!bracketed && result.trials < max_trials) {
    evaluate(alpha);
    if (!sufficient(alpha) || (lo > 0 && value >= value_lo)) {
      hi = alpha, value_hi = value, slope_hi = slope;
      bracketed = true;
    } else if (curvature()) {
      return accept(alpha);
    } else if (slope >= 0) {
      hi = lo, value_hi = value_lo, slope_hi = slope_lo;
      lo = alpha, value_lo = value, slope_lo = slope;
      bracketed = true;
    } else {
      lo = alpha, value_lo = value, slope_lo = slope;
      alpha *= 2.0;
    }
  }
  while (result.trials < max_trials) {
    alpha =
        safeguarded_cubic_step(lo, value_lo, slope_lo, hi, value_hi, slope_hi);
    evaluate(alpha);
    if (!sufficient(alpha) || value >= value_lo) {
      hi = alpha, value_hi = value, slope_hi = slope;
      continue;
    }
    if (curvature()) return accept(alpha);
    if (slope * (hi - lo) >= 0)
      hi = lo, value_hi = value_lo, slope_hi = slope_lo;
    lo = alpha, value_lo = value, slope_lo = slope;
  }
  return result;
}

// What one iteration did.
enum class LbfgsOutcome {
  // It took a strong Wolfe step.
  moved,
  // Its line search failed: x kept, the memory dropped.
  restarted,
  // No descent is left from x (a zero gradient, or the search along −∇f
  // failed): x kept, and every later call returns this at no cost.
  stalled,
};

// The iteration itself, on an objective given at each call as
// `double f(const Vector& x, Vector& gradient)`: f(x), with ∇f(x) written
// into `gradient` (of the size of x on entry).
class LbfgsMinimizer {
 public:
  explicit LbfgsMinimizer(const LbfgsOptions& options) : options_(options) {}

  // Evaluates f at x0 (one evaluation) and sizes the buffers. Returns
  // whether f(x0) and ∇f(x0) are finite; iterate() needs them to be.
  template <class Objective>
  bool start(const Vector& x0, Objective&& f) {
    const Index dim = x0.size();
    x_ = x0;
    gradient_.resize(dim);
    trial_x_.resize(dim);
    trial_gradient_.resize(dim);
    direction_.resize(dim);
    step_.resize(dim);
    change_.resize(dim);
    memory_.reset(options_.memory, dim);
    value_ = f(static_cast<const Vector&>(x_), gradient_);
    const bool finite = std::isfinite(value_) && gradient_.allFinite();
    stalled_ = !finite;
    return finite;
  }

  // One iteration: a direction, its line search, and the memory update.
  template <class Objective>
  LbfgsOutcome iterate(Objective&& f) {
    if (stalled_) return LbfgsOutcome::stalled;
    bool quasi_newton = memory_.size() > 0;
    double slope = 0, alpha0 = 1.0;
    if (quasi_newton) {
      memory_.direction(gradient_, direction_);
      slope = gradient_.dot(direction_);
      // Round-off can leave H without positive curvature along ∇f: start
      // again from −∇f, as L-BFGS-B does when its line search cannot start.
      if (!(slope < 0)) {
        memory_.clear();
        ++restarts_;
        quasi_newton = false;
      }
    }
    if (!quasi_newton) {
      const double norm = gradient_.norm();
      if (!(norm > 0)) {  // a stationary point: nothing to descend
        stalled_ = true;
        return LbfgsOutcome::stalled;
      }
      direction_ = -gradient_;
      slope = -norm * norm;
      alpha0 = 1.0 / norm;
    }
    auto trial = [&](double alpha, double& value, double& trial_slope) {
      trial_x_ = x_ + alpha * direction_;
      value = f(static_cast<const Vector&>(trial_x_), trial_gradient_);
      if (!std::isfinite(value) || !trial_gradient_.allFinite()) return false;
      trial_slope = trial_gradient_.dot(direction_);
      return true;
    };
    const LineSearchResult search =
        strong_wolfe_search(trial, value_, slope, alpha0, options_.c1,
                            options_.c2, options_.max_trials);
    last_trials_ = search.trials;
    if (!search.found) {
      if (!quasi_newton) {
        stalled_ = true;
        return LbfgsOutcome::stalled;
      }
      memory_.clear();
      ++restarts_;
      return LbfgsOutcome::restarted;
    }
    // The accepted point is the last trial, still in the trial buffers.
    step_ = trial_x_ - x_;
    change_ = trial_gradient_ - gradient_;
    const double min_curvature =
        std::numeric_limits<double>::epsilon() * (-search.alpha * slope);
    if (!memory_.push(step_, change_, min_curvature)) ++skipped_;
    x_.swap(trial_x_);
    gradient_.swap(trial_gradient_);
    value_ = search.value;
    return LbfgsOutcome::moved;
  }

  const Vector& x() const { return x_; }
  double value() const { return value_; }
  const Vector& gradient() const { return gradient_; }
  bool stalled() const { return stalled_; }
  Index stored_pairs() const { return memory_.size(); }
  long long skipped_pairs() const { return skipped_; }
  // Memory drops: failed line searches, and directions that were not of
  // descent.
  long long restarts() const { return restarts_; }
  long long last_trials() const { return last_trials_; }

 private:
  LbfgsOptions options_;
  LbfgsMemory memory_;
  Vector x_, gradient_;
  double value_ = 0;
  // Workspaces, sized by start().
  Vector trial_x_, trial_gradient_, direction_, step_, change_;
  bool stalled_ = false;
  long long skipped_ = 0, restarts_ = 0, last_trials_ = 0;
};

}  // namespace vibench
