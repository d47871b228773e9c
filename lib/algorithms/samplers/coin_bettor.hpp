// The learning-rate-free coin-betting update of Coin Sampling (Sharrock &
// Nemeth, "Coin Sampling: Gradient-Based Bayesian Inference without Learning
// Rates", ICML 2023), shared by coin_svgd (outcomes c_t = the SVGD direction)
// and coin_ksdd (c_t = −∇_X KSD²).
//
// One bettor per coordinate of each particle. Elementwise, from the permanent
// anchor x_0 (the initial particles), with S_0 = G_0 = R_0 = 0:
//   L_t = max(L_{t−1}, |c_t|)           largest |c| seen: the unknown bound
//                                        on the "coin outcomes" (Orabona &
//                                        Tommasi's COCOB normalisation)
//   S_t = S_{t−1} + c_t,  G_t = G_{t−1} + |c_t|
//   R_t = max(R_{t−1} + c_t (x_t − x_0), 0)   the bettor's winnings
//   x_{t+1} = x_0 + S_t (L_t + R_t) / (L_t (G_t + L_t))
// i.e. the bettor stakes the fraction S_t/(L_t(G_t + L_t)) of its wealth
// L_t + R_t (initial wealth L_t). The paper's basic Krichevsky–Trofimov
// form for |c| ≤ 1, x_t = x_0 + (Σc/t)(1 + Σ c(x − x_0)), is the same bet
// with L = 1 and t in place of G + L; the running max L and the clipped
// reward are the adaptive version (the recursion of COCOB-Backprop without
// its α·L floor, as in the Coin code, louissharrock/Coin-SVGD, read as in
// PAPERS.md §1.6). A non-finite coordinate is reset to its anchor rather
// than poisoning the run.
#pragma once

#include "core/types.hpp"

namespace vibench {

class CoinBettor {
 public:
  // L_0: 1e-10 in the Coin code's SVGD (it only guards 0/0 while every |c|
  // seen is 0).
  static constexpr double kInitialBound = 1e-10;

  explicit CoinBettor(const Matrix& anchor) : anchor_(anchor) {
    const Index n = anchor.rows(), d = anchor.cols();
    max_abs_ = Matrix::Constant(n, d, kInitialBound);
    sum_ = Matrix::Zero(n, d);
    abs_sum_ = Matrix::Zero(n, d);
    reward_ = Matrix::Zero(n, d);
  }

  // Bets on the outcomes c (the shape of x) and moves x to its next bet.
  void advance(Matrix& x, const Matrix& c) {
    const auto ca = c.array();
    max_abs_.array() = max_abs_.array().max(ca.abs());
    sum_.array() += ca;
    abs_sum_.array() += ca.abs();
    reward_.array() = (reward_.array() + ca * (x - anchor_).array()).max(0.0);
    x.array() = anchor_.array() +
                sum_.array() * (max_abs_.array() + reward_.array()) /
                    (max_abs_.array() * (abs_sum_.array() + max_abs_.array()));
    // A non-finite outcome (e.g. a score far out on a heavy-tailed target)
    // would otherwise make every later step NaN.
    x = x.array().isFinite().select(x, anchor_);
  }

  const Matrix& anchor() const { return anchor_; }

 private:
  Matrix anchor_;   // x_0
  Matrix max_abs_;  // L
  Matrix sum_;      // S = Σ c
  Matrix abs_sum_;  // G = Σ |c|
  Matrix reward_;   // R
};

}  // namespace vibench
