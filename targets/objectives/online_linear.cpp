// Reddi, Kale & Kumar's online counterexample to Adam ("On the Convergence
// of Adam and Beyond", ICLR 2018; PAPERS.md §5.2, §9.1): linear losses on
// the feasible set [−1, 1],
//
//   periodic    f_t(x) = C·x when t mod P = 1, else −s·x
//               (the experiment form: C = 1010, s = 10, P = 101; the
//               theorem form of Theorem 1: C > 2, s = 1, P = 3);
//   stochastic  f_t(x) = C·x with probability p, else −s·x, independently
//               per round (the stochastic experiment: p = 0.01).
//
// The average (or expected) loss is F(x) = c·x with c = (C − (P−1)s)/P, or
// c = pC − (1−p)s; with the defaults c > 0, so x* = −1 and f* = −c, while
// the rare large gradient is forgotten by Adam's short memory and the
// frequent small ones push it towards +1.
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

class OnlineLinearTask final : public Objective {
 public:
  static constexpr const char* kName = "online_linear";
  static constexpr const char* kDescription =
      "Reddi et al.'s online counterexample on [-1, 1]: f_t(x) = large*x once "
      "every period rounds (or with probability p), else -small*x; x* = -1";
  static constexpr const char* kDimensionRule = "1 (fixed)";
  static ParamSpecs params() {
    return {
        ParamSpec::string("form", "periodic", {"periodic", "stochastic"},
                          "periodic: the large loss at rounds t with t mod "
                          "period = 1; stochastic: with probability p"),
        ParamSpec::real("large", 1010.0, "C, the slope of the rare loss")
            .above(0.0),
        ParamSpec::real("small", 10.0, "s, the slope −s of the frequent loss")
            .above(0.0),
        ParamSpec::integer("period", 101, "P (periodic form)").at_least(2),
        ParamSpec::real("probability", 0.01,
                        "p, the chance of the rare loss (stochastic form)")
            .above(0.0)
            .below(1.0),
        ParamSpec::real("start", 0.0, "the initial point x₀ in [−1, 1]")
            .at_least(-1.0)
            .at_most(1.0),
    };
  }
  explicit OnlineLinearTask(const Params& p)
      : stochastic_(p.string("form") == "stochastic"),
        large_(p.real("large")),
        small_(p.real("small")),
        period_(p.integer("period")),
        probability_(p.real("probability")),
        start_(p.real("start")) {
    const double frac =
        stochastic_ ? probability_ : 1.0 / static_cast<double>(period_);
    slope_ = frac * large_ - (1.0 - frac) * small_;
    if (slope_ == 0.0)
      throw ConfigError("large",
                        "online_linear: the average loss is 0·x, so every "
                        "point is optimal; change large, small or the "
                        "frequency of the large loss");
  }
  Index dim() const override { return 1; }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::feasible_set, Capability::online};
  }
  Matrix initial_points(Index n, Rng&) const override {
    return Matrix::Constant(n, 1, start_);
  }
  ObjectiveProperties properties() const override { return {true, 0.0, 0.0}; }
  Matrix feasible_box() const override {
    Matrix box(2, 1);
    box << -1.0, 1.0;
    return box;
  }
  // F(x) = c·x, the average (or expected) loss.
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    f = slope_ * x.col(0);
    grad = Matrix::Constant(x.rows(), 1, slope_);
  }
  void value_grad_round(const Matrix& x, long long round, Rng& rng, Vector& f,
                        Matrix& grad) const override {
    const bool rare = stochastic_ ? rng.uniform() < probability_
                                  : round % period_ == 1 % period_;
    const double slope = rare ? large_ : -small_;
    f = slope * x.col(0);
    grad = Matrix::Constant(x.rows(), 1, slope);
  }
  double optimal_value() const override { return -std::abs(slope_); }
  Vector optimum() const override {
    return Vector::Constant(1, slope_ > 0 ? -1.0 : 1.0);
  }

 private:
  bool stochastic_;
  double large_, small_;
  long long period_;
  double probability_, start_;
  double slope_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(OnlineLinearTask);

}  // namespace vibench
