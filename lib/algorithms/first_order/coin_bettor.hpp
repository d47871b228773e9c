// The learning-rate-free bettor of Coin Sampling (Sharrock & Nemeth, "Coin
// Sampling: Gradient-Based Bayesian Inference without Learning Rates", ICML
// 2023), shared by coin_svgd (outcomes c_t = the SVGD direction) and
// coin_ksdd (c_t = −∇_X KSD²): the cocob rule (rules/cocob.hpp) with the
// Coin code's constants (louissharrock/Coin-SVGD, read as in PAPERS.md
// §1.6): no αL floor (α = 0), L₀ = 1e-10 (it only guards 0/0 while every
// |c| seen is 0), and a non-finite coordinate reset to its anchor, the
// initial particles. The paper's basic Krichevsky–Trofimov form for
// |c| ≤ 1 is the same bet with L = 1 and t in place of G + L.
#pragma once

#include "algorithms/first_order/rules/cocob.hpp"

namespace vibench {

class CoinBettor {
 public:
  CoinBettor() : rule_(settings()) {}
  // Bets on the outcomes c (the shape of x) and moves x to its next bet;
  // the first x it is given is the anchor x₀.
  void advance(Matrix& x, const Matrix& c) { rule_.apply(x, c, 1.0); }

  static CocobRule::Settings settings() {
    CocobRule::Settings s;
    s.alpha = 0.0;
    s.initial_bound = 1e-10;
    s.reset_nonfinite = true;
    return s;
  }

 private:
  CocobRule rule_;
};

}  // namespace vibench
