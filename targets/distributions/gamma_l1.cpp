// `gamma_l1`: a product of Gamma(k, β) densities times an ℓ1 (exponential)
// prior on the positive orthant,
//   π(x) ∝ Π_j x_j^{k−1} e^{−β x_j} · exp(−α‖x‖₁),   x > 0,
// a composite target (Capability::composite) for proximal samplers on a
// constrained domain: f(x) = Σ_j −(k − 1) log x_j + β x_j, smooth on the open
// orthant (not Lipschitz-smooth: ∇f = −(k − 1)/x + β grows as x → 0, so no
// L is declared), and g = α‖x‖₁, which equals α Σ_j x_j on the orthant.
// Since g is linear there, π is again a product of Gamma(k, β + α): exact
// draws, mean k/(β + α), variance k/(β + α)² and
//   log Z = d (log Γ(k) − k log(β + α))
// in closed form (log_prob is unnormalized).
//
// The Euclidean prox of g on ℝ^d is soft thresholding, which can reach 0
// and leave the open orthant; the Bregman prox for the orthant's mirror map
// ψ(x) = Σ x log x − x (Capability::bregman_prox) stays inside: with
// D_ψ(y, x) = Σ y log(y/x) − y + x, the minimizer over y ≥ 0 of
// α Σ y + D_ψ(y, x)/t solves α + log(y/x)/t = 0 coordinate by coordinate:
//   bregman_prox_{tg}(x) = x e^{−tα}.
// Its left Bregman–Moreau envelope is then linear,
//   env_t(x) = α y + D_ψ(y, x)/t = Σ_j x_j (1 − e^{−tα})/t,
// so the smoothed target exp(−f − env_t) is Gamma(k, β + (1 − e^{−tα})/t)
// exactly: the O(t) bias of a Bregman proximal sampler is known in closed
// form here.
#include <cmath>
#include <stdexcept>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

class GammaL1Task final : public Distribution {
 public:
  static constexpr const char* kName = "gamma_l1";
  static constexpr const char* kDescription =
      "product of Gamma(shape, rate) densities times exp(-alpha |x|_1) on the "
      "positive orthant: composite (smooth Gamma part, l1 part with its "
      "soft-thresholding prox and its entropic Bregman prox x e^{-t alpha}) "
      "for Bregman proximal samplers; exact draws, moments and log Z of "
      "Gamma(shape, rate + alpha)";
  static constexpr const char* kDimensionRule = "dim";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 2, "dimension d").at_least(1),
        ParamSpec::real("shape", 4.0,
                        "k > 0, the Gamma shape of every coordinate (k ≥ 1 "
                        "makes f convex; default 4 keeps the mass away "
                        "from the face x = 0)")
            .above(0.0),
        ParamSpec::real("rate", 1.0,
                        "β ≥ 0, the rate of the smooth Gamma part (β + α "
                        "must be positive)")
            .at_least(0.0),
        ParamSpec::real("alpha", 1.0,
                        "α ≥ 0, the weight of the ℓ1 term; the target is "
                        "Gamma(k, β + α) per coordinate")
            .at_least(0.0),
    };
  }

  explicit GammaL1Task(const Params& p)
      : dim_(static_cast<Index>(p.integer("dim"))),
        shape_(p.real("shape")),
        rate_(p.real("rate")),
        alpha_(p.real("alpha")) {
    if (!std::isfinite(shape_) || !std::isfinite(rate_) ||
        !std::isfinite(alpha_) || !(rate_ + alpha_ > 0))
      throw ConfigError("/rate",
                        "gamma_l1: shape, rate and alpha must be finite and "
                        "rate + alpha positive");
  }

  Index dim() const override { return dim_; }
  const Domain& domain() const override { return *orthant_domain(); }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::moments, Capability::log_z,
            Capability::composite, Capability::bregman_prox};
  }

  // log π̃ = Σ (k − 1) log x − (β + α) x, ∇ = (k − 1)/x − (β + α).
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    smooth_log_prob_grad(x, logp, grad);
    if (alpha_ != 0.0) {
      logp -= alpha_ * x.rowwise().sum();
      grad.array() -= alpha_;
    }
  }

  // −f = Σ (k − 1) log x − β x, −∇f = (k − 1)/x − β.
  void smooth_log_prob_grad(const Matrix& x, Vector& logp,
                            Matrix& grad) const override {
    const double k1 = shape_ - 1.0;
    grad = ((k1 / x.array()) - rate_).matrix();
    logp = (k1 * x.array().log() - rate_ * x.array()).rowwise().sum().matrix();
  }

  // α‖x‖₁ (= α Σ x on the orthant).
  Vector nonsmooth_potential(const Matrix& x) const override {
    return alpha_ * x.cwiseAbs().rowwise().sum();
  }

  // Euclidean prox of α‖·‖₁: soft thresholding at tα.
  void prox(Matrix& x, double step) const override {
    const double t = step * alpha_;
    x -= x.cwiseMax(-t).cwiseMin(t);
  }

  // Entropic Bregman prox: x e^{−tα} (see the header); x itself at α = 0.
  void bregman_prox(Matrix& x, double step) const override {
    if (alpha_ != 0.0) x *= std::exp(-step * alpha_);
  }

  // Gamma(k, 1)/(β + α), on the log scale so that tiny variates of a small
  // shape do not underflow to 0 before the division.
  Matrix sample(Index n, Rng& rng) const override {
    Matrix out(n, dim_);
    const double log_rate = std::log(rate_ + alpha_);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < dim_; ++j)
        out(i, j) = std::exp(log_gamma_variate(rng, shape_) - log_rate);
    return out;
  }

  Vector mean() const override {
    return Vector::Constant(dim_, shape_ / (rate_ + alpha_));
  }
  Matrix covariance() const override {
    const double b = rate_ + alpha_;
    return (shape_ / (b * b)) * Matrix::Identity(dim_, dim_);
  }
  double log_z() const override {
    return static_cast<double>(dim_) *
           (std::lgamma(shape_) - shape_ * std::log(rate_ + alpha_));
  }

 private:
  Index dim_;
  double shape_, rate_, alpha_;
};

}  // namespace

VIBENCH_REGISTER_TASK(GammaL1Task);

}  // namespace vibench
