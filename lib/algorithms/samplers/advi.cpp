// Automatic differentiation variational inference (Kucukelbir, Tran,
// Ranganath, Gelman & Blei, JMLR 2017) on unconstrained targets: stochastic
// gradient ascent on the ELBO E_q log π̃(X) + H(q) over Gaussians q, with
// reparameterization gradients X = m + Lz, z ~ N(0, I):
//   ∇_m ELBO = E[s(X)],  ∇_L ELBO = E[s(X) zᵀ] + ∇_L log|det L|,
// s = ∇log π̃, averaged over `n_samples` draws per step (the paper's M,
// default 1).
//   mean_field: L = diag(e^ω), so ∂/∂ω_j = E[s_j z_j] e^{ω_j} + 1 (the
//     paper's log-sd parameterization);
//   full_rank: L lower triangular with diagonal e^{ω_j} and free entries
//     below it; the paper uses an unconstrained L, we use exp on the
//     diagonal so that L stays a valid Cholesky factor and log|det L| = Σω
//     (gradient 1 on each ω_j, 0 below the diagonal).
// Steps follow the paper's adaptive sequence (its eqs. 10–11), elementwise
// on the unconstrained parameters θ = (m, ω, lower entries of L):
//   s_k = α g_k² + (1 − α) s_{k−1} (s_1 = g_1²),  α = 0.1,
//   ρ_k = η k^{−1/2+ε} / (τ + √s_k),  τ = 1, ε = 1e−16.
// The paper picks η from {100, 10, 1, 0.1, 0.01} by a short adaptation run;
// here η is a parameter. Cost per step: one batched gradient call on
// n_samples points.
#include <cmath>
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/gaussian_family.hpp"

namespace vibench {
namespace {

class AdviRun final : public Run {
 public:
  AdviRun(const DistributionOracle& oracle, const State& initial,
          bool full_rank, Index n_samples, double eta, Rng rng)
      : oracle_(oracle),
        full_rank_(full_rank),
        n_samples_(n_samples),
        eta_(eta),
        rng_(rng.child("gradients")) {
    const Index d = oracle.dim();
    Matrix unused;
    initial_gaussian(initial.points, mean_, unused);
    // The paper starts from m = 0, L = I; we keep the shared initial mean so
    // that every method starts at the same place, and L = I as the paper.
    factor_ = Matrix::Identity(d, d);
    Rng draws = rng.child("draws");
    base_draws_ = draws.normal_matrix(initial.points.rows(), d);
    s_mean_ = Vector::Zero(d);
    s_factor_ = Matrix::Zero(d, d);
    update_state();
  }

  void step() override {
    const Index d = oracle_.dim();
    const Matrix z = rng_.normal_matrix(n_samples_, d);
    oracle_.log_prob_grad(gaussian_rows(mean_, factor_, z), logp_, score_);
    const double n = static_cast<double>(n_samples_);
    const Vector g_mean = score_.colwise().mean().transpose();
    // g_factor(i, j): gradient for L_ij below the diagonal and for ω_i on
    // it; only the lower triangle (mean_field: the diagonal) is used.
    Matrix g_factor = score_.transpose() * z / n;  // E[s zᵀ]
    for (Index j = 0; j < d; ++j)
      g_factor(j, j) = g_factor(j, j) * factor_(j, j) + 1.0;

    ++k_;
    const double alpha = k_ == 1 ? 1.0 : 0.1;
    const double decay = eta_ * std::pow(static_cast<double>(k_), -0.5 + 1e-16);
    constexpr double tau = 1.0;
    for (Index i = 0; i < d; ++i) {
      s_mean_(i) = alpha * g_mean(i) * g_mean(i) + (1 - alpha) * s_mean_(i);
      mean_(i) += decay / (tau + std::sqrt(s_mean_(i))) * g_mean(i);
      const Index first = full_rank_ ? 0 : i;
      for (Index j = first; j <= i; ++j) {
        const double g = g_factor(i, j);
        s_factor_(i, j) = alpha * g * g + (1 - alpha) * s_factor_(i, j);
        const double rho = decay / (tau + std::sqrt(s_factor_(i, j)));
        if (i == j)
          factor_(i, i) *= std::exp(rho * g);  // ω_i += ρ g
        else
          factor_(i, j) += rho * g;
      }
    }
    update_state();
  }

  const State& state() const override { return state_; }

 private:
  void update_state() {
    state_.gaussian_mean = mean_;
    state_.gaussian_covariance = factor_ * factor_.transpose();
    state_.points = gaussian_rows(mean_, factor_, base_draws_);
  }

  const DistributionOracle& oracle_;
  bool full_rank_;
  Index n_samples_;
  double eta_;
  Rng rng_;
  long long k_ = 0;
  Vector mean_, s_mean_, logp_;
  Matrix factor_, s_factor_, base_draws_, score_;
  State state_;
};

class Advi final : public Sampler {
 public:
  static constexpr const char* kName = "advi";
  static constexpr const char* kDescription =
      "ADVI (Kucukelbir et al., JMLR 2017): reparameterization-gradient "
      "ascent on the ELBO over mean-field or full-rank Gaussians with the "
      "paper's adaptive step sequence; state N(m, LLᵀ)";

  static ParamSpecs params() {
    return {
        ParamSpec::string("family", "mean_field", {"mean_field", "full_rank"},
                          "mean_field: diagonal L = diag(e^ω); full_rank: "
                          "lower-triangular L with diagonal e^ω"),
        ParamSpec::integer("n_samples", 1,
                           "Monte Carlo draws per gradient (the paper's M, "
                           "default 1)")
            .at_least(1),
        ParamSpec::real("eta", 0.1,
                        "scale η of the adaptive step sequence (the paper "
                        "searches {100, 10, 1, 0.1, 0.01})")
            .above(0),
        ParamSpec::integer("n_draws", 100,
                           "draws from q shown as `points` to sample "
                           "metrics (not counted: no oracle call)")
            .at_least(1),
    };
  }

  explicit Advi(const Params& p)
      : full_rank_(p.string("family") == "full_rank"),
        n_samples_(static_cast<Index>(p.integer("n_samples"))),
        eta_(p.real("eta")),
        n_draws_(static_cast<Index>(p.integer("n_draws"))) {}

  Index num_points() const override { return n_draws_; }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<AdviRun>(oracle, initial, full_rank_, n_samples_,
                                     eta_, std::move(rng));
  }

 private:
  bool full_rank_;
  Index n_samples_;
  double eta_;
  Index n_draws_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Advi);

}  // namespace vibench
