// L-BFGS (Nocedal, "Updating quasi-Newton matrices with limited storage",
// Math. Comp. 1980; Nocedal & Wright, Numerical Optimization, Alg. 7.4/7.5)
// with a line search for the strong Wolfe conditions (Nocedal & Wright
// Alg. 3.5/3.6, zoom by safeguarded cubic interpolation):
//   d = −H∇f by the two-loop recursion over the last m pairs (s, y),
//   H₀ = (sᵀy/yᵀy) I; the first direction is −∇f/‖∇f‖ (a unit first trial);
//   x ← x + αd with f(x + αd) ≤ f + c₁α∇fᵀd and |∇f(x + αd)ᵀd| ≤ c₂|∇fᵀd|.
// Each iterate (row) keeps its own memory and line search; every trial
// point is one counted gradient. A pair with sᵀy ≤ 0 is not stored; a
// direction that is not one of descent resets the memory; a row whose
// gradient is exactly 0 (it re-checks it: one counted gradient), or whose
// line search finds no acceptable step in max_linesearch trials (all of
// them counted), stays where it is for that step.
#include <algorithm>
#include <cmath>
#include <memory>

#include "algorithms/algorithm.hpp"
#include "core/error.hpp"
#include "core/param_struct.hpp"

namespace vibench {
namespace {

struct LbfgsSettings {
  long long memory = 10;
  double c1 = 1e-4;
  double c2 = 0.9;
  long long max_linesearch = 20;
  static void declare(ParamFields<LbfgsSettings>& f) {
    f.integer("memory", &LbfgsSettings::memory,
              "m, the pairs (s, y) kept (SciPy's L-BFGS-B: 10; Nocedal & "
              "Wright suggest 3 to 20)")
        .at_least(1);
    f.real("c1", &LbfgsSettings::c1,
           "sufficient-decrease constant (Nocedal & Wright: 1e-4)")
        .above(0)
        .below(1);
    f.real("c2", &LbfgsSettings::c2,
           "curvature constant of the strong Wolfe conditions (Nocedal & "
           "Wright for quasi-Newton: 0.9); must exceed c1")
        .above(0)
        .below(1);
    f.integer("max_linesearch", &LbfgsSettings::max_linesearch,
              "trial points per line search at most (LBFGS++: 20)")
        .at_least(1);
  }
};

// One iterate's memory and last accepted point. The m pairs (s, y) live in
// a ring of vectors sized once, so a step allocates nothing.
struct LbfgsRow {
  std::vector<Vector> s, y;  // ring slots, `stored` of them in use
  size_t oldest = 0, stored = 0;
  Vector x, g;
  double f = 0;
  // The j-th stored pair, oldest first.
  size_t slot(size_t j) const { return (oldest + j) % s.size(); }
};

class LbfgsRun final : public Run {
 public:
  LbfgsRun(const ObjectiveOracle& oracle, const State& initial,
           const LbfgsSettings& settings)
      : oracle_(oracle), settings_(settings) {
    state_.points = initial.points;
  }

  void step() override {
    Matrix& x = state_.points;
    if (rows_.empty()) {
      Vector f;
      Matrix g;
      oracle_.value_grad(x, f, g);
      rows_.resize(static_cast<size_t>(x.rows()));
      const size_t m = static_cast<size_t>(settings_.memory);
      for (Index i = 0; i < x.rows(); ++i) {
        LbfgsRow& row = rows_[static_cast<size_t>(i)];
        row.s.assign(m, Vector::Zero(x.cols()));
        row.y.assign(m, Vector::Zero(x.cols()));
        row.x = x.row(i).transpose();
        row.g = g.row(i).transpose();
        row.f = f(i);
      }
      direction_.resize(x.cols());
      trial_g_.resize(x.cols());
      accepted_g_.resize(x.cols());
      step_s_.resize(x.cols());
      step_y_.resize(x.cols());
      alpha_.resize(m);
    }
    for (Index i = 0; i < x.rows(); ++i) {
      step_row(rows_[static_cast<size_t>(i)]);
      x.row(i) = rows_[static_cast<size_t>(i)].x.transpose();
    }
  }
  const State& state() const override { return state_; }

 private:
  // The two-loop recursion (Nocedal & Wright Alg. 7.4) into direction_.
  void compute_direction(const LbfgsRow& row) {
    Vector& q = direction_;
    q = -row.g;
    const size_t k = row.stored;
    if (k == 0) {
      q /= q.norm();
      return;
    }
    for (size_t j = k; j-- > 0;) {
      const Vector& s = row.s[row.slot(j)];
      const Vector& y = row.y[row.slot(j)];
      alpha_[j] = s.dot(q) / y.dot(s);
      q -= alpha_[j] * y;
    }
    const Vector& s_new = row.s[row.slot(k - 1)];
    const Vector& y_new = row.y[row.slot(k - 1)];
    q *= s_new.dot(y_new) / y_new.squaredNorm();
    for (size_t j = 0; j < k; ++j) {
      const Vector& s = row.s[row.slot(j)];
      const Vector& y = row.y[row.slot(j)];
      const double beta = y.dot(q) / y.dot(s);
      q += (alpha_[j] - beta) * s;
    }
  }

  // f and ∇f at x + αd: one counted gradient.
  void evaluate(const LbfgsRow& row, const Vector& d, double alpha, double& f,
                Vector& g) {
    point_ = (row.x + alpha * d).transpose();
    oracle_.value_grad(point_, value_, grad_);
    f = value_(0);
    g = grad_.row(0).transpose();
  }

  void step_row(LbfgsRow& row) {
    if (row.g.squaredNorm() == 0) {
      // At an exact stationary point: a step still checks the gradient (one
      // counted evaluation), so that a gradient budget ends the cell.
      double f = 0;
      evaluate(row, row.g, 0.0, f, row.g);
      return;
    }
    compute_direction(row);
    Vector& d = direction_;
    double slope = row.g.dot(d);
    if (!(slope < 0)) {  // not a descent direction: restart from −∇f
      row.stored = 0;
      d = -row.g / row.g.norm();
      slope = row.g.dot(d);
    }
    double alpha = 0, f_new = 0;
    if (!line_search(row, d, slope, alpha, f_new, accepted_g_)) return;
    step_s_ = alpha * d;
    step_y_ = accepted_g_ - row.g;
    row.x += step_s_;
    row.f = f_new;
    row.g = accepted_g_;
    if (step_s_.dot(step_y_) > 0) {
      // The pair takes a free slot, or the oldest one once the memory is
      // full; swapping exchanges buffers of equal size, so nothing is
      // allocated.
      const size_t m = row.s.size();
      const size_t next = row.stored < m ? row.slot(row.stored) : row.oldest;
      row.s[next].swap(step_s_);
      row.y[next].swap(step_y_);
      if (row.stored < m)
        ++row.stored;
      else
        row.oldest = (row.oldest + 1) % m;
    }
  }

  // Strong Wolfe line search from α = 1: bracketing by doubling (Nocedal &
  // Wright Alg. 3.5), then zoom (Alg. 3.6). Returns false when no
  // acceptable step was found in max_linesearch trial points.
  bool line_search(const LbfgsRow& row, const Vector& d, double slope,
                   double& alpha_out, double& f_out, Vector& g_out) {
    const double c1 = settings_.c1, c2 = settings_.c2;
    long long trials = 0;
    double f = 0;
    Vector& g = trial_g_;
    auto try_step = [&](double alpha) {
      ++trials;
      evaluate(row, d, alpha, f, g);
      return g.dot(d);
    };
    auto sufficient = [&](double alpha) {
      return std::isfinite(f) && f <= row.f + c1 * alpha * slope;
    };
    auto accept = [&](double alpha) {
      alpha_out = alpha, f_out = f, g_out = g;
      return true;
    };
    // Bracketing: [lo, hi] will hold a point satisfying both conditions.
    double lo = 0, f_lo = row.f, slope_lo = slope;
    double hi = 0, f_hi = 0, slope_hi = 0;
    double alpha = 1.0;
    bool bracketed = false;
    while (!bracketed && trials < settings_.max_linesearch) {
      const double slope_alpha = try_step(alpha);
      if (!sufficient(alpha) || (lo > 0 && f >= f_lo)) {
        hi = alpha, f_hi = f, slope_hi = slope_alpha;
        bracketed = true;
      } else if (std::abs(slope_alpha) <= -c2 * slope) {
        return accept(alpha);
      } else if (slope_alpha >= 0) {
        hi = lo, f_hi = f_lo, slope_hi = slope_lo;
        lo = alpha, f_lo = f, slope_lo = slope_alpha;
        bracketed = true;
      } else {
        lo = alpha, f_lo = f, slope_lo = slope_alpha;
        alpha *= 2.0;
      }
    }
    // Zoom: shrink [lo, hi] (lo always the best sufficient-decrease point).
    while (trials < settings_.max_linesearch) {
      alpha = interpolate(lo, f_lo, slope_lo, hi, f_hi, slope_hi);
      const double slope_alpha = try_step(alpha);
      if (!sufficient(alpha) || f >= f_lo) {
        hi = alpha, f_hi = f, slope_hi = slope_alpha;
        continue;
      }
      if (std::abs(slope_alpha) <= -c2 * slope) return accept(alpha);
      if (slope_alpha * (hi - lo) >= 0)
        hi = lo, f_hi = f_lo, slope_hi = slope_lo;
      lo = alpha, f_lo = f, slope_lo = slope_alpha;
    }
    return false;
  }

  // The minimizer of the cubic through (a, fa, da) and (b, fb, db),
  // safeguarded into the middle 80 % of [a, b]; bisection when the cubic
  // has no real minimizer (Nocedal & Wright eq. 3.59).
  static double interpolate(double a, double fa, double da, double b, double fb,
                            double db) {
    const double left = std::min(a, b), right = std::max(a, b);
    const double margin = 0.1 * (right - left);
    double t = 0.5 * (a + b);
    if (std::isfinite(fb) && b != a) {
      const double d1 = da + db - 3 * (fa - fb) / (a - b);
      const double disc = d1 * d1 - da * db;
      if (disc >= 0) {
        const double d2 = std::copysign(std::sqrt(disc), b - a);
        const double candidate =
            b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
        if (std::isfinite(candidate)) t = candidate;
      }
    }
    return std::clamp(t, left + margin, right - margin);
  }

  const ObjectiveOracle& oracle_;
  LbfgsSettings settings_;
  State state_;
  std::vector<LbfgsRow> rows_;
  // Workspaces, sized at the first step.
  Matrix point_, grad_;
  Vector value_, direction_, trial_g_, accepted_g_, step_s_, step_y_;
  std::vector<double> alpha_;
};

class Lbfgs final : public Optimizer {
 public:
  static constexpr const char* kName = "lbfgs";
  static constexpr const char* kDescription =
      "L-BFGS (Nocedal 1980) with a strong Wolfe line search (Nocedal & "
      "Wright Alg. 3.5/3.6); one gradient per trial point";
  static ParamSpecs params() { return specs_of<LbfgsSettings>(); }
  explicit Lbfgs(const Params& p) : settings_(read_struct<LbfgsSettings>(p)) {
    if (!(settings_.c1 < settings_.c2))
      throw ConfigError("", "lbfgs: the Wolfe constants need c1 < c2");
  }

 protected:
  std::unique_ptr<Run> start_run(const ObjectiveOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<LbfgsRun>(oracle, initial, settings_);
  }

 private:
  LbfgsSettings settings_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Lbfgs);

}  // namespace vibench
