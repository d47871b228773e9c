// Cost counters of one cell. Only the counting oracles write them.
#pragma once

#include <nlohmann/json.hpp>

namespace vibench {

// Counts are per point: a batched call on n points adds n.
struct Counters {
  long long grad_evals = 0;   // first-order oracle evaluations: ∇log π,
                              // ∇f, F(z), and ∇f/∇g of bilevel problems
  long long value_evals = 0;  // function values (log π̃, f, L, f/g)
  long long hvp_evals = 0;    // Hessian-vector and cross products
  long long iterations = 0;   // steps taken (written by the runner)
  double data_passes = 0;     // data-based targets: rows read / training
                              // rows, once per oracle call whatever the
                              // number of points (a minibatch call on B of
                              // N rows adds B/N)
  // Online objectives only: rounds played and Σ_t of the mean over the
  // iterates of f_t(x_t), the learner's cumulative loss, for the regret
  // metric (not part of the recorded counters).
  long long online_rounds = 0;
  double online_loss = 0;
  nlohmann::json to_json() const;
};

}  // namespace vibench
