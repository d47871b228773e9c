// Cost counters of one cell. Only the counting oracles write them.
#pragma once

#include <nlohmann/json.hpp>

namespace vibench {

// Counts are per point: a batched call on n points adds n.
struct Counters {
  long long grad_evals = 0;   // first-order oracle evaluations: ∇log π,
                              // ∇f, F(z), and ∇f/∇g of bilevel problems
  long long value_evals = 0;  // function values (log π̃, f, L, f/g)
  long long hvp_evals = 0;  // Hessian-vector products (∇²log π·v, ∇²_yy g·v)
  // Proximal maps of a composite distribution's nonsmooth part, prox_{λg}
  // (DistributionOracle::prox): a proximal sampler's cost next to its
  // gradients. Recorded only when nonzero, so that the records of methods
  // that call none are unchanged. (An objective's prox is free, like a
  // projection: see ObjectiveOracle::prox.)
  long long prox_evals = 0;
  long long iterations = 0;  // steps taken (written by the runner)
  double data_passes = 0;    // data-based targets: rows read / training
                             // rows, once per oracle call whatever the
                             // number of points (a minibatch call on B of
                             // N rows adds B/N)
  // Bilevel tasks only, recorded when `bilevel` is set (by the bilevel
  // oracle), so that a solver's cost can be read by oracle kind:
  // grad_evals = outer_grad_evals + inner_grad_evals, and cross_evals the
  // ∇²_xy g·v products. oracle_calls is the common x-axis of bilevel
  // benchmarks (benchopt's benchmark_bilevel): every sample-level
  // evaluation — one row's gradient of f or g, one row's Hessian-vector or
  // cross product — counts one, so a full-batch gradient over N rows costs
  // N and a minibatch of B rows costs B; on a problem without data each
  // oracle call counts one. All per point, like the counts above.
  bool bilevel = false;
  // Finite-sum games (a saddle task with data_size() n > 0) record
  // oracle_calls too, as component-operator evaluations: a full operator
  // call or an exact resolvent costs n per point, a sample of B components
  // B (the x-axis of variance-reduced methods, in epochs times n).
  bool finite_sum = false;
  long long outer_grad_evals = 0;
  long long inner_grad_evals = 0;
  long long cross_evals = 0;
  long long oracle_calls = 0;
  // Online objectives only: rounds played and Σ_t of the mean over the
  // iterates of f_t(x_t), the learner's cumulative loss, for the regret
  // metric (not part of the recorded counters).
  long long online_rounds = 0;
  double online_loss = 0;
  nlohmann::json to_json() const;
};

}  // namespace vibench
