// `bilinear`: the saddle point problem min_x max_y L(x, y) = xᵀAy + bᵀx + cᵀy
// with A = U diag(σ) Vᵀ of chosen singular values. Its operator
// F(z) = (Ay + b, −(Aᵀx + c)) is monotone but not strongly monotone, the
// classic case where simultaneous gradient descent-ascent diverges.
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

class BilinearTask final : public SaddlePoint {
 public:
  static constexpr const char* kName = "bilinear";
  static constexpr const char* kDescription =
      "Bilinear saddle point xᵀAy + bᵀx + cᵀy, A = U diag(σ) Vᵀ random with "
      "singular values log-spaced in [sigma_min, sigma_max]; b, c ~ N(0, I)";
  static constexpr const char* kDimensionRule =
      "2·dim (x and y each have dim coordinates)";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 5, "dimension of x and of y").at_least(1),
        ParamSpec::real("sigma_min", 0.5, "smallest singular value of A")
            .above(0.0),
        ParamSpec::real("sigma_max", 2.0,
                        "largest singular value of A (≥ sigma_min)")
            .above(0.0),
        ParamSpec::integer("instance", 0, "seed of U, V, b and c").at_least(0),
    };
  }

  explicit BilinearTask(const Params& p) {
    const Index d = static_cast<Index>(p.integer("dim"));
    const double lo = p.real("sigma_min"), hi = p.real("sigma_max");
    if (lo > hi)
      throw ConfigError("", fmt::format("bilinear: sigma_min = {} exceeds "
                                        "sigma_max = {}",
                                        lo, hi));
    Vector sigma(d);
    for (Index i = 0; i < d; ++i)
      sigma(i) = d == 1
                     ? lo
                     : lo * std::pow(hi / lo, static_cast<double>(i) /
                                                  static_cast<double>(d - 1));
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng matrix_rng = root.child("matrix");
    const Matrix u = matrix_rng.orthogonal(d);
    const Matrix v = matrix_rng.orthogonal(d);
    Rng vector_rng = root.child("vectors");
    b_ = vector_rng.normal_vector(d);
    c_ = vector_rng.normal_vector(d);
    a_ = u * sigma.asDiagonal() * v.transpose();
    // Aᵀx* = −c and Ay* = −b, with A⁻¹ = V diag(1/σ) Uᵀ.
    const Vector inv_sigma = sigma.cwiseInverse();
    solution_.resize(2 * d);
    solution_.head(d) = -u * (inv_sigma.asDiagonal() * (v.transpose() * c_));
    solution_.tail(d) = -v * (inv_sigma.asDiagonal() * (u.transpose() * b_));
  }

  Index dim_x() const override { return b_.size(); }
  Index dim_y() const override { return c_.size(); }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::gradient_noise};
  }

  Matrix operator_value(const Matrix& z) const override {
    const Index d = dim_x();
    Matrix out(z.rows(), 2 * d);
    out.leftCols(d).noalias() = z.rightCols(d) * a_.transpose();
    out.leftCols(d).rowwise() += b_.transpose();
    out.rightCols(d).noalias() = -z.leftCols(d) * a_;
    out.rightCols(d).rowwise() -= c_.transpose();
    return out;
  }

  Vector value(const Matrix& z) const override {
    const Index d = dim_x();
    const auto x = z.leftCols(d);
    const auto y = z.rightCols(d);
    const Matrix xa = x * a_;
    return (xa.array() * y.array()).rowwise().sum().matrix() + x * b_ + y * c_;
  }

  Vector solution() const override { return solution_; }

 private:
  Matrix a_;
  Vector b_, c_, solution_;
};

}  // namespace

VIBENCH_REGISTER_TASK(BilinearTask);

}  // namespace vibench
