// Coin SVGD (Sharrock & Nemeth, "Coin Sampling: Gradient-Based Bayesian
// Inference without Learning Rates", ICML 2023, Algorithm 1 with the
// adaptive bound L). The recursion below follows the authors' code
// (louissharrock/Coin-SVGD main.py, as read in PAPERS.md §1.6); the paper's
// own statement of the adaptive form was not re-read when this was written,
// so the clipping of R is the code's (and COCOB-Backprop's) choice.
//
// SVGD's step size is replaced by a coin-betting bettor, one per coordinate
// of each particle, that bets on the SVGD direction c_t = φ(x_t) (the same
// batched direction as svgd, stein_kernel.hpp). Elementwise, from the
// permanent anchor x_0 (the initial particles), with L_0 = 1e-10 and
// S_0 = G_0 = R_0 = 0:
//   L_t = max(L_{t−1}, |c_t|)           largest |φ| seen: the unknown bound
//                                        on the "coin outcomes" (Orabona &
//                                        Tommasi's COCOB normalisation)
//   S_t = S_{t−1} + c_t,  G_t = G_{t−1} + |c_t|
//   R_t = max(R_{t−1} + c_t (x_t − x_0), 0)   the bettor's winnings
//   x_{t+1} = x_0 + S_t (L_t + R_t) / (L_t (G_t + L_t))
// i.e. the bettor stakes the fraction S_t/(L_t(G_t + L_t)) of its wealth
// L_t + R_t (initial wealth L_t). The paper's basic Krichevsky–Trofimov
// form for |c| ≤ 1, x_t = x_0 + (Σc/t)(1 + Σ c(x − x_0)), is the same bet
// with L = 1 and t in place of G + L; the running max L and the clipped
// reward are the adaptive version (the same recursion as COCOB-Backprop
// but without COCOB's α·L floor, as in the Coin code). A non-finite coordinate
// is reset to its anchor, as in the Coin code, rather than poisoning the run.
//
// There is no step size. Cost per step: one batched score call on n points,
// plus the kernel's O(n²d).
#include <cmath>
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/stein_kernel.hpp"

namespace vibench {
namespace {

// 1e-10 as in the Coin code: only guards 0/0 while every |c| seen is 0.
constexpr double kInitialL = 1e-10;

class CoinSvgdRun final : public Run {
 public:
  CoinSvgdRun(const DistributionOracle& oracle, const State& initial,
              KernelConfig kernel)
      : oracle_(oracle), stein_(kernel), anchor_(initial.points) {
    state_.points = initial.points;
    const Index n = anchor_.rows(), d = anchor_.cols();
    max_abs_ = Matrix::Constant(n, d, kInitialL);
    sum_ = Matrix::Zero(n, d);
    abs_sum_ = Matrix::Zero(n, d);
    reward_ = Matrix::Zero(n, d);
  }

  void step() override {
    Matrix& x = state_.points;
    oracle_.log_prob_grad(x, logp_, score_);
    bandwidth_ = stein_.compute(x, score_, phi_);
    const auto c = phi_.array();
    max_abs_.array() = max_abs_.array().max(c.abs());
    sum_.array() += c;
    abs_sum_.array() += c.abs();
    reward_.array() = (reward_.array() + c * (x - anchor_).array()).max(0.0);
    x.array() = anchor_.array() +
                sum_.array() * (max_abs_.array() + reward_.array()) /
                    (max_abs_.array() * (abs_sum_.array() + max_abs_.array()));
    // A non-finite score (e.g. far out on a heavy-tailed target) would
    // otherwise make every later step NaN.
    x = x.array().isFinite().select(x, anchor_);
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    return {{"kernel", to_string(stein_.config().type)},
            {"bandwidth_rule", to_string(stein_.config().rule)},
            {"last_bandwidth", bandwidth_}};
  }

 private:
  const DistributionOracle& oracle_;
  State state_;
  SteinDirection stein_;
  Matrix anchor_;   // x_0
  Matrix max_abs_;  // L
  Matrix sum_;      // S = Σ c
  Matrix abs_sum_;  // G = Σ |c|
  Matrix reward_;   // R
  Vector logp_;
  Matrix score_, phi_;
  double bandwidth_ = 0.0;
};

class CoinSvgd final : public Sampler {
 public:
  static constexpr const char* kName = "coin_svgd";
  static constexpr const char* kDescription =
      "Coin SVGD (Sharrock & Nemeth 2023): SVGD with a per-coordinate "
      "coin-betting bettor instead of a step size (learning-rate free)";

  static ParamSpecs params() {
    ParamSpecs specs = {
        ParamSpec::integer("n_particles", 100, "number of particles n")
            .at_least(1),
    };
    // The Coin code's kernel: exp(−r²/(2σ²)), σ² = med²/(2 log(n+1)).
    for (auto& spec : kernel_params(BandwidthRule::median_code))
      specs.push_back(std::move(spec));
    return specs;
  }

  explicit CoinSvgd(const Params& p)
      : n_particles_(static_cast<Index>(p.integer("n_particles"))),
        kernel_(kernel_from(p, "coin_svgd")) {}

  Index num_points() const override { return n_particles_; }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<CoinSvgdRun>(oracle, initial, kernel_);
  }

 private:
  Index n_particles_;
  KernelConfig kernel_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(CoinSvgd);

}  // namespace vibench
