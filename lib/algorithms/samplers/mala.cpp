// Metropolis-adjusted Langevin algorithm (Roberts & Tweedie 1996), n
// parallel chains. Each chain proposes
//   y = x + γ s(x) + √(2γ) ξ,   s = ∇log p,  ξ ~ N(0, I),
// and accepts with probability min(1, p(y) q(x|y) / (p(x) q(y|x))), where
// log q(y|x) = −‖y − x − γ s(x)‖² / (4γ) + const.
// The current log p and score of every chain are cached, so a step costs one
// batched log_prob_grad call at the n proposals (start() evaluates the
// initial points once).
#include <cmath>
#include <memory>

#include "algorithms/algorithm.hpp"

namespace vibench {
namespace {

class MalaRun final : public Run {
 public:
  MalaRun(const DistributionOracle& oracle, const State& initial,
          double step_size, Rng rng)
      : oracle_(oracle),
        step_size_(step_size),
        noise_scale_(std::sqrt(2.0 * step_size)),
        rng_(std::move(rng)) {
    state_.points = initial.points;
    const Index n = state_.points.rows(), d = state_.points.cols();
    oracle_.log_prob_grad(state_.points, logp_, score_);
    proposal_.resize(n, d);
    residual_.resize(n, d);
    log_ratio_.resize(n);
  }

  void step() override {
    Matrix& x = state_.points;
    const Index n = x.rows(), d = x.cols();
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < d; ++j) proposal_(i, j) = rng_.normal();
    // y = x + γ s(x) + √(2γ) ξ; log q(y|x) = −‖√(2γ) ξ‖²/(4γ) = −‖ξ‖²/2.
    log_ratio_ = 0.5 * proposal_.rowwise().squaredNorm();
    proposal_ = x + step_size_ * score_ + noise_scale_ * proposal_;
    oracle_.log_prob_grad(proposal_, proposal_logp_, proposal_score_);
    // log q(x|y) = −‖x − y − γ s(y)‖²/(4γ).
    residual_ = x - proposal_ - step_size_ * proposal_score_;
    log_ratio_ += proposal_logp_ - logp_ -
                  residual_.rowwise().squaredNorm() / (4.0 * step_size_);
    long long accepted = 0;
    for (Index i = 0; i < n; ++i) {
      // A NaN ratio (e.g. a proposal outside the support) is a rejection.
      if (std::log(rng_.uniform()) < log_ratio_(i)) {
        x.row(i) = proposal_.row(i);
        score_.row(i) = proposal_score_.row(i);
        logp_(i) = proposal_logp_(i);
        ++accepted;
      }
    }
    accepted_ += accepted;
    proposed_ += n;
    last_acceptance_ = static_cast<double>(accepted) / static_cast<double>(n);
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    return {
        {"acceptance_rate", proposed_ > 0 ? static_cast<double>(accepted_) /
                                                static_cast<double>(proposed_)
                                          : 0.0},
        {"last_acceptance_rate", last_acceptance_},
        {"proposals", proposed_}};
  }

 private:
  const DistributionOracle& oracle_;
  double step_size_, noise_scale_;
  Rng rng_;
  State state_;
  Vector logp_, proposal_logp_, log_ratio_;
  Matrix score_, proposal_, proposal_score_, residual_;
  long long accepted_ = 0, proposed_ = 0;
  double last_acceptance_ = 0.0;
};

class Mala final : public Sampler {
 public:
  static constexpr const char* kName = "mala";
  static constexpr const char* kDescription =
      "Metropolis-adjusted Langevin algorithm, n parallel chains with a "
      "fixed step";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("n_chains", 100, "number of parallel chains")
            .at_least(1),
        ParamSpec::real("step_size", 0.01,
                        "step γ of the Langevin proposal (no paper default; "
                        "tune for an acceptance rate near 0.574)")
            .above(0),
    };
  }

  explicit Mala(const Params& p)
      : n_chains_(static_cast<Index>(p.integer("n_chains"))),
        step_size_(p.real("step_size")) {}

  Index num_points() const override { return n_chains_; }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<MalaRun>(oracle, initial, step_size_,
                                     std::move(rng));
  }

 private:
  Index n_chains_;
  double step_size_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Mala);

}  // namespace vibench
