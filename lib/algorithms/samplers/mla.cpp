// Mirror-Langevin algorithm (Ahn & Chewi, "Efficient constrained sampling
// via the mirror-Langevin algorithm", NeurIPS 2021; PAPERS.md §2.8(b)): a
// discretization of the mirror-Langevin diffusion
//   d∇ψ(X_t) = ∇log p(X_t) dt + √2 [∇²ψ(X_t)]^{1/2} dB_t
// with the mirror map ψ of the task's domain, as n parallel chains. Each
// iteration is the paper's two steps:
//   gradient (mirror-descent) step:  η = ∇ψ(x) + γ ∇log p(x),
//   diffusion step:  W_0 = η, dW_t = √2 [∇²ψ(∇ψ*(W_t))]^{1/2} dB_t for
//                    t ∈ [0, γ], x ← ∇ψ*(W_γ),
// where the paper simulates the diffusion exactly. Here it is run with
// `diffusion_steps` Euler–Maruyama steps of length γ/K,
//   W ← W + √(2γ/K) B(∇ψ*(W)) ξ,   B Bᵀ = ∇²ψ (Domain::hessian_factor_times),
// so K = 1 is η + √(2γ) B(x_{1/2}) ξ with the noise at the point after the
// gradient step, x_{1/2} = ∇ψ*(η), and K → ∞ approaches the paper's exact
// step. The score is the primal one, ∇_x log p, unlike mirror_langevin
// (Hsieh et al. 2018), which runs ULA on the dual density.
//
// Every finite dual point maps strictly inside the domain. On ℝ^d it is ULA
// bit for bit. Like ULA the chain is biased for γ > 0; the paper shows that
// with the exact diffusion step the bias vanishes as γ → 0. ∇log p enters the
// dual step unscaled, so where −log p is not smooth relative to ψ (a
// Dirichlet's score grows as 1/θ next to a face) one step can throw a chain
// across the simplex: γ must be well below the smallest coordinate scale the
// target puts mass on, and on a Dirichlet with some α_i < 1 (the sparse preset)
// chains fall onto the faces, where the score of a large-α coordinate
// overflows, and the cell diverges; mirror_langevin's bounded dual score has no
// such limit. Cost per step: one batched score call, plus K + 1 mirror maps and
// K factor products, which call no oracle.
#include <cmath>
#include <memory>

#include "algorithms/samplers/chain_sampler.hpp"

namespace vibench {
namespace {

class MlaRun final : public ChainRun {
 public:
  MlaRun(const DistributionOracle& oracle, const State& initial,
         const ChainSettings& chains, double step_size, long long substeps,
         Rng rng)
      : ChainRun(initial, chains),
        oracle_(oracle),
        domain_(oracle.domain()),
        step_size_(step_size),
        substeps_(substeps),
        noise_scale_(
            std::sqrt(2.0 * step_size / static_cast<double>(substeps))),
        rng_(std::move(rng)) {
    noise_.resize(state_.points.rows(), state_.points.cols());
  }

 protected:
  void advance() override {
    oracle_.log_prob_grad(state_.points, logp_, score_);
    // ∇ψ of the chain's point, as the paper writes it, rather than a dual
    // point carried over from the last step: next to a face the drift
    // γ∇log p can be ~1e305 (a score ~1/θ at θ of the smallest double),
    // and a carried dual would add such steps up to ±∞ (then NaN), while
    // ∇ψ of a representable point stays within about ±745.
    dual_ = domain_.to_dual(state_.points);
    // Σ_k B(W_k) ξ_k over the Euler steps of the diffusion; the dual point
    // is updated once at the end, in the same expression as ULA's, so that
    // on ℝ^d (B = I, ∇ψ = id) with one step the iterates are ULA's bit for
    // bit.
    noise_sum_.setZero(state_.points.rows(), state_.points.cols());
    for (long long k = 0; k < substeps_; ++k) {
      rng_.fill_normal(noise_);
      // W_k = ∇ψ(x) + γ∇log p(x) + √(2γ/K) Σ_{j<k} B(W_j) ξ_j, in primal
      // coordinates: the diffusion starts where the gradient step lands,
      // not at x (Zhang et al. 2020's Euler scheme puts the noise at x).
      const Matrix at = domain_.to_primal(
          dual_ + (step_size_ * score_ + noise_scale_ * noise_sum_));
      noise_sum_ += domain_.hessian_factor_times(at, noise_);
    }
    dual_ += step_size_ * score_ + noise_scale_ * noise_sum_;
    state_.points = domain_.to_primal(dual_);
  }

 private:
  const DistributionOracle& oracle_;
  const Domain& domain_;
  double step_size_;
  long long substeps_;
  double noise_scale_;
  Rng rng_;
  Vector logp_;
  Matrix score_, dual_, noise_, noise_sum_;
};

class Mla final : public ChainSampler {
 public:
  static constexpr const char* kName = "mla";
  static constexpr const char* kDescription =
      "mirror-Langevin algorithm (Ahn & Chewi 2021): a mirror-descent step "
      "on the score, then Gaussian noise in the dual coordinates with the "
      "mirror map's Hessian as covariance, n parallel chains inside the "
      "domain";

  static ParamSpecs params() {
    return chain_params(
        0, "nothing is adapted, so 0 records from the first iteration",
        {ParamSpec::real("step_size", 0.01,
                         "step γ (no paper default: its guarantees assume "
                         "−log p smooth relative to ψ and γ small against "
                         "that constant; the stationary bias vanishes as "
                         "γ → 0)")
             .above(0),
         ParamSpec::integer("diffusion_steps", 1,
                            "Euler–Maruyama steps K for the diffusion step, "
                            "which the paper simulates exactly (K → ∞); each "
                            "costs one mirror-map evaluation, no oracle call")
             .at_least(1)});
  }

  explicit Mla(const Params& p)
      : ChainSampler(p),
        step_size_(p.real("step_size")),
        substeps_(p.integer("diffusion_steps")) {}

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<MlaRun>(oracle, initial, chains(), step_size_,
                                    substeps_, std::move(rng));
  }

 private:
  double step_size_;
  long long substeps_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Mla);

}  // namespace vibench
