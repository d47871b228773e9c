// `uniform_box`: the uniform distribution on a box lower < x < upper, the
// cube target of Shi, Liu & Mackey (2022) on [−1, 1]^d. Its score is zero
// everywhere inside: a sampler learns about the target only from the
// domain (in dual coordinates of the entropic box map the score is
// ∇_η log det ∇²ψ* = ((b − x) − (x − a))/(b − a), −x on [−1, 1]).
//
// log_prob is the unnormalized 0 inside (−∞ outside the closed box), so
// log Z = Σ log(b_i − a_i).
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

class UniformBoxTask final : public Distribution {
 public:
  static constexpr const char* kName = "uniform_box";
  static constexpr const char* kDescription =
      "Uniform distribution on the box [lower, upper] (entropic box mirror "
      "map); zero score inside; exact draws, moments and log Z";
  static constexpr const char* kDimensionRule = "dim";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 2, "dimension d").at_least(1),
        ParamSpec::of_type(ParamType::vector, "lower", -1.0,
                           "lower bounds: a number or a list of dim numbers"),
        ParamSpec::of_type(ParamType::vector, "upper", 1.0,
                           "upper bounds: a number or a list of dim numbers"),
    };
  }

  explicit UniformBoxTask(const Params& p) {
    const Index d = static_cast<Index>(p.integer("dim"));
    for (const char* name : {"lower", "upper"}) {
      const Json& v = p.json().at(name);
      if (v.is_array() && static_cast<Index>(v.size()) != d)
        throw ConfigError(std::string("/") + name,
                          fmt::format("uniform_box: '{}' has {} entries, "
                                      "expected dim = {}",
                                      name, v.size(), d));
    }
    lower_ = p.vector("lower", d);
    upper_ = p.vector("upper", d);
    for (Index j = 0; j < d; ++j)
      if (!(lower_(j) < upper_(j)) || !std::isfinite(lower_(j)) ||
          !std::isfinite(upper_(j)))
        throw ConfigError("/lower",
                          fmt::format("uniform_box: coordinate {}: need "
                                      "finite lower < upper, got {} and {}",
                                      j, lower_(j), upper_(j)));
    domain_ = box_domain(lower_, upper_);
  }

  Index dim() const override { return lower_.size(); }
  const Domain& domain() const override { return *domain_; }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::moments, Capability::log_z};
  }

  // The score is zero; the log density 0 on the closed box, −∞ outside.
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    grad = Matrix::Zero(x.rows(), x.cols());
    logp = Vector::Zero(x.rows());
    for (Index i = 0; i < x.rows(); ++i)
      for (Index j = 0; j < x.cols(); ++j)
        if (!(x(i, j) >= lower_(j) && x(i, j) <= upper_(j)))
          logp(i) = -std::numeric_limits<double>::infinity();
  }

  // a + (b − a)(1 − U) with U ∈ [0, 1); a draw that rounds onto a bound
  // (possible only within one ulp of it) is moved one ulp inside, since the
  // box is open.
  Matrix sample(Index n, Rng& rng) const override {
    Matrix x(n, dim());
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < dim(); ++j) {
        x(i, j) = lower_(j) + (upper_(j) - lower_(j)) * (1.0 - rng.uniform());
        if (x(i, j) >= upper_(j))
          x(i, j) = std::nextafter(upper_(j), lower_(j));
        if (x(i, j) <= lower_(j))
          x(i, j) = std::nextafter(lower_(j), upper_(j));
      }
    return x;
  }
  Vector mean() const override { return 0.5 * (lower_ + upper_); }
  Matrix covariance() const override {
    return ((upper_ - lower_).array().square() / 12.0).matrix().asDiagonal();
  }
  double log_z() const override {
    return (upper_ - lower_).array().log().sum();
  }

 private:
  Vector lower_, upper_;
  std::shared_ptr<const Domain> domain_;
};

}  // namespace

VIBENCH_REGISTER_TASK(UniformBoxTask);

}  // namespace vibench
