// COCOB-Backprop (Orabona & Tommasi, "Training Deep Networks without
// Learning Rates Through Coin Betting", NeurIPS 2017), per coordinate, from
// the anchor x₀ (the first point it is given) with θ = G = R = 0, L = L₀:
//   L ← max(L, |d|);  θ ← θ + d;  G ← G + |d|
//   R ← max(R + d(x − x₀), 0)                 the bettor's winnings
//   x ← x₀ + η θ(L + R) / (L·max(G + L, αL))
// (bremen79/parameterfree, with d = −g: PAPERS.md §9.1). η = 1 is the
// paper's rule; other values scale the bet, as Optax's learning_rate does.
//
// Coin Sampling's bettor (Sharrock & Nemeth 2023; coin_svgd, coin_ksdd) is
// the same recursion with α = 0 (no αL floor), L₀ = 1e-10, and a
// non-finite coordinate reset to its anchor.
#pragma once

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class CocobRule {
 public:
  static constexpr const char* kName = "cocob";
  static constexpr const char* kDescription =
      "COCOB-Backprop coin betting (Orabona & Tommasi 2017), per "
      "coordinate, no learning rate (step scales the bet; 1 = the paper)";
  static constexpr double kDefaultStepSize = 1.0;
  static constexpr const char* kStepSizeSource =
      "1: the paper's rule has no step size";
  struct Settings {
    double alpha = 100.0;
    double initial_bound = 1e-8;
    bool reset_nonfinite = false;
    static void declare(ParamFields<Settings>& f) {
      f.real("alpha", &Settings::alpha,
             "α of the αL floor on G + L (Orabona & Tommasi 2017: 100; "
             "Coin Sampling's bettor: 0)")
          .at_least(0);
      f.real("initial_bound", &Settings::initial_bound,
             "L₀, the initial bound on |d| (authors' code: 1e-8; Coin "
             "Sampling's code: 1e-10)")
          .above(0);
      f.boolean("reset_nonfinite", &Settings::reset_nonfinite,
                "reset a non-finite coordinate to its anchor instead of "
                "letting it diverge (Coin Sampling's bettor: true)");
    }
  };
  explicit CocobRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (anchor_.size() == 0) {
      anchor_ = x;
      max_abs_ = Matrix::Constant(x.rows(), x.cols(), s_.initial_bound);
      sum_ = Matrix::Zero(x.rows(), x.cols());
      abs_sum_ = Matrix::Zero(x.rows(), x.cols());
      reward_ = Matrix::Zero(x.rows(), x.cols());
    }
    check_same_shape(anchor_, d, kName);
    const auto da = d.array();
    max_abs_.array() = max_abs_.array().max(da.abs());
    sum_.array() += da;
    abs_sum_.array() += da.abs();
    reward_.array() = (reward_.array() + da * (x - anchor_).array()).max(0.0);
    x.array() = anchor_.array() +
                eta * sum_.array() * (max_abs_.array() + reward_.array()) /
                    (max_abs_.array() * (abs_sum_.array() + max_abs_.array())
                                            .max(s_.alpha * max_abs_.array()));
    // A non-finite outcome (e.g. a score far out on a heavy-tailed target)
    // would otherwise make every later step NaN.
    if (s_.reset_nonfinite) x = x.array().isFinite().select(x, anchor_);
  }

 private:
  Settings s_;
  Matrix anchor_;   // x₀
  Matrix max_abs_;  // L
  Matrix sum_;      // θ = Σ d
  Matrix abs_sum_;  // G = Σ |d|
  Matrix reward_;   // R
};

}  // namespace vibench
