// Hamiltonian Monte Carlo with a fixed path length (Duane, Kennedy, Pendleton
// & Roweth 1987; Neal 2011, "MCMC using Hamiltonian dynamics", §5.2), identity
// mass matrix, n parallel chains. Each iteration draws p ~ N(0, I), runs L
// leapfrog steps of size ε on H(x, p) = −log π(x) + ‖p‖²/2,
//   p ← p + (ε/2) ∇log π(x),  x ← x + ε p,  p ← p + (ε/2) ∇log π(x),
// and accepts the end point with probability min(1, e^{H₀ − H₁}).
// The score at the current point is cached, so an iteration costs exactly
// L batched gradient calls on the n chains (one per leapfrog step, all
// chains as rows of one oracle call); start() evaluates the initial points.
#include <cmath>
#include <memory>

#include "algorithms/samplers/chain_sampler.hpp"

namespace vibench {
namespace {

class HmcRun final : public ChainRun {
 public:
  HmcRun(const DistributionOracle& oracle, const State& initial,
         const ChainSettings& chains, double step_size, int n_leapfrog, Rng rng)
      : ChainRun(initial, chains),
        oracle_(oracle),
        step_size_(step_size),
        n_leapfrog_(n_leapfrog),
        rng_(std::move(rng)) {
    oracle_.log_prob_grad(state_.points, logp_, score_);
    momentum_.resize(state_.points.rows(), state_.points.cols());
  }

  Json run_diagnostics() const override {
    return {
        {"acceptance_rate", proposed_ > 0 ? static_cast<double>(accepted_) /
                                                static_cast<double>(proposed_)
                                          : 0.0},
        {"proposals", proposed_}};
  }

 protected:
  void advance() override {
    const Matrix& x = state_.points;
    const Index n = x.rows();
    rng_.fill_normal(momentum_);
    const Vector h0 = -logp_ + 0.5 * momentum_.rowwise().squaredNorm();
    position_ = x;
    new_score_ = score_;
    for (int l = 0; l < n_leapfrog_; ++l) {
      momentum_ += 0.5 * step_size_ * new_score_;
      position_ += step_size_ * momentum_;
      oracle_.log_prob_grad(position_, new_logp_, new_score_);
      momentum_ += 0.5 * step_size_ * new_score_;
    }
    const Vector h1 = -new_logp_ + 0.5 * momentum_.rowwise().squaredNorm();
    for (Index i = 0; i < n; ++i) {
      // A NaN energy (a trajectory that left the support) is a rejection.
      if (std::log(rng_.uniform()) < h0(i) - h1(i)) {
        state_.points.row(i) = position_.row(i);
        score_.row(i) = new_score_.row(i);
        logp_(i) = new_logp_(i);
        ++accepted_;
      }
    }
    proposed_ += n;
  }

 private:
  const DistributionOracle& oracle_;
  double step_size_;
  int n_leapfrog_;
  Rng rng_;
  Vector logp_, new_logp_;
  Matrix score_, new_score_, momentum_, position_;
  long long accepted_ = 0, proposed_ = 0;
};

class Hmc final : public ChainSampler {
 public:
  static constexpr const char* kName = "hmc";
  static constexpr const char* kDescription =
      "Hamiltonian Monte Carlo (Neal 2011) with fixed step and number of "
      "leapfrog steps, identity mass, n parallel chains batched per leapfrog "
      "step";

  static ParamSpecs params() {
    return chain_params(
        0, "nothing is adapted, so 0 records from the first iteration",
        {ParamSpec::real("step_size", 0.1,
                         "leapfrog step ε (no paper default; Neal 2011 §4.2 "
                         "suggests tuning for acceptance ≈ 0.65)")
             .above(0),
         ParamSpec::integer("n_leapfrog", 10,
                            "leapfrog steps L per iteration, i.e. path "
                            "length ε·L and L gradients per chain")
             .at_least(1)});
  }

  explicit Hmc(const Params& p)
      : ChainSampler(p),
        step_size_(p.real("step_size")),
        n_leapfrog_(static_cast<int>(p.integer("n_leapfrog"))) {}

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<HmcRun>(oracle, initial, chains(), step_size_,
                                    n_leapfrog_, std::move(rng));
  }

 private:
  double step_size_;
  int n_leapfrog_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Hmc);

}  // namespace vibench
