// Metropolis-adjusted Langevin algorithm (Roberts & Tweedie 1996), n
// parallel chains. Each chain proposes
//   y = x + γ s(x) + √(2γ) ξ,   s = ∇log p,  ξ ~ N(0, I),
// and accepts with probability min(1, p(y) q(x|y) / (p(x) q(y|x))), where
// log q(y|x) = −‖y − x − γ s(x)‖² / (4γ) + const.
// The current log p and score of every chain are cached, so a step costs one
// batched log_prob_grad call at the n proposals (start() evaluates the
// initial points once).
//
// Step-size adaptation, during the warm-up only: a Robbins–Monro recursion
// on log γ (Andrieu & Thoms 2008, §4-5),
//   log γ ← log γ + t^(−0.6) (ᾱ_t − 0.574),
// where ᾱ_t is the mean acceptance probability of the n chains at warm-up
// iteration t and 0.574 the optimal MALA acceptance rate (Roberts &
// Rosenthal 1998). The exponent 0.6 ∈ (1/2, 1] makes the gains sum to ∞
// and their squares converge. After the warm-up γ is frozen, so that the
// recorded chains are a time-homogeneous Markov chain with the exact
// invariant law; with warmup = 0 the step is the fixed `step_size`.
#include <algorithm>
#include <cmath>
#include <memory>

#include "algorithms/samplers/chain_sampler.hpp"

namespace vibench {
namespace {

constexpr double kTargetAccept = 0.574;

class MalaRun final : public ChainRun {
 public:
  MalaRun(const DistributionOracle& oracle, const State& initial,
          const ChainSettings& chains, double step_size, Rng rng)
      : ChainRun(initial, chains),
        oracle_(oracle),
        step_size_(step_size),
        rng_(std::move(rng)) {
    const Index n = state_.points.rows(), d = state_.points.cols();
    oracle_.log_prob_grad(state_.points, logp_, score_);
    proposal_.resize(n, d);
    residual_.resize(n, d);
    log_ratio_.resize(n);
  }

  Json run_diagnostics() const override {
    return {
        {"acceptance_rate", proposed_ > 0 ? static_cast<double>(accepted_) /
                                                static_cast<double>(proposed_)
                                          : 0.0},
        {"last_acceptance_rate", last_acceptance_},
        {"proposals", proposed_},
        {"step_size", step_size_}};
  }

 protected:
  void advance() override {
    Matrix& x = state_.points;
    const Index n = x.rows();
    rng_.fill_normal(proposal_);
    // y = x + γ s(x) + √(2γ) ξ; log q(y|x) = −‖√(2γ) ξ‖²/(4γ) = −‖ξ‖²/2.
    log_ratio_ = 0.5 * proposal_.rowwise().squaredNorm();
    proposal_ =
        x + step_size_ * score_ + std::sqrt(2.0 * step_size_) * proposal_;
    oracle_.log_prob_grad(proposal_, proposal_logp_, proposal_score_);
    // log q(x|y) = −‖x − y − γ s(y)‖²/(4γ).
    residual_ = x - proposal_ - step_size_ * proposal_score_;
    log_ratio_ += proposal_logp_ - logp_ -
                  residual_.rowwise().squaredNorm() / (4.0 * step_size_);
    long long accepted = 0;
    double accept_prob = 0.0;
    for (Index i = 0; i < n; ++i) {
      // A NaN ratio (e.g. a proposal outside the support) is a rejection.
      if (log_ratio_(i) == log_ratio_(i))
        accept_prob += std::exp(std::min(0.0, log_ratio_(i)));
      if (std::log(rng_.uniform()) < log_ratio_(i)) {
        x.row(i) = proposal_.row(i);
        score_.row(i) = proposal_score_.row(i);
        logp_(i) = proposal_logp_(i);
        ++accepted;
      }
    }
    if (warming_up()) {
      // The mean acceptance probability is a lower-variance signal than the
      // accept indicators.
      const double gain = std::pow(static_cast<double>(iteration() + 1), -0.6);
      step_size_ *= std::exp(
          gain * (accept_prob / static_cast<double>(n) - kTargetAccept));
    }
    accepted_ += accepted;
    proposed_ += n;
    last_acceptance_ = static_cast<double>(accepted) / static_cast<double>(n);
  }

 private:
  const DistributionOracle& oracle_;
  double step_size_;
  Rng rng_;
  Vector logp_, proposal_logp_, log_ratio_;
  Matrix score_, proposal_, proposal_score_, residual_;
  long long accepted_ = 0, proposed_ = 0;
  double last_acceptance_ = 0.0;
};

class Mala final : public ChainSampler {
 public:
  static constexpr const char* kName = "mala";
  static constexpr const char* kDescription =
      "Metropolis-adjusted Langevin algorithm, n parallel chains; step "
      "adapted toward acceptance 0.574 during the warm-up, fixed after";

  static ParamSpecs params() {
    return chain_params(
        0,
        "during them log step_size follows a Robbins–Monro recursion toward "
        "mean acceptance 0.574 (Roberts & Rosenthal 1998), then is frozen; "
        "0 (default) keeps step_size fixed throughout",
        {ParamSpec::real("step_size", 0.01,
                         "step γ of the Langevin proposal (initial value "
                         "when warmup > 0; no paper default)")
             .above(0)});
  }

  explicit Mala(const Params& p)
      : ChainSampler(p), step_size_(p.real("step_size")) {}

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<MalaRun>(oracle, initial, chains(), step_size_,
                                     std::move(rng));
  }

 private:
  double step_size_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Mala);

}  // namespace vibench
