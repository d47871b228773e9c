// The counting wrappers through which algorithms see a task. They forward
// every call to the task, check the shape of its input and count its cost.
// Algorithms receive only these, never the task itself, so no evaluation
// escapes the count (the idea of pagmo2's problem wrapper).
#pragma once

#include "tasks/bilevel.hpp"
#include "tasks/counters.hpp"
#include "tasks/distribution.hpp"
#include "tasks/gradient_noise.hpp"
#include "tasks/objective.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {

// Shared part of the four oracles: dimension, domain, capabilities, and the
// additive gradient noise of a stochastic synthetic task, drawn from a
// stream of this oracle seeded by the cell (so a cell is reproducible
// whatever the thread count).
class Oracle {
 public:
  Oracle(const Task& task, Counters& counters, const GradientNoise& noise = {},
         std::uint64_t noise_seed = 0)
      : task_(task),
        counters_(counters),
        noise_(noise),
        noise_rng_(make_rng(noise_seed)) {}
  virtual ~Oracle() = default;
  Index dim() const { return task_.dim(); }
  const Domain& domain() const { return task_.domain(); }
  bool offers(Capability c) const { return task_.offers(c); }

 protected:
  // Throws std::invalid_argument unless `x` has `cols` columns and ≥ 1 row.
  void check_points(const Matrix& x, Index cols, const char* what) const;
  // Adds the task entry's noise (if any) to a gradient or operator value.
  void add_noise(Matrix& g) const {
    if (noise_.active()) noise_.add(g, noise_rng_);
  }
  const Task& task_;
  Counters& counters_;

 private:
  GradientNoise noise_;
  mutable Rng noise_rng_;
};

// When the task's batch_size() is set (a minibatch-capable task),
// log_prob_grad returns the minibatch estimate, with rows drawn from a
// stream of this oracle seeded by the cell, so a cell is reproducible
// whatever the thread count. log_prob always uses the full data.
class DistributionOracle final : public Oracle {
 public:
  DistributionOracle(const Distribution& task, Counters& counters,
                     std::uint64_t minibatch_seed = 0,
                     const GradientNoise& noise = {},
                     std::uint64_t noise_seed = 0)
      : Oracle(task, counters, noise, noise_seed),
        task_(task),
        minibatch_rng_(make_rng(minibatch_seed)) {}
  void log_prob_grad(const Matrix& x, Vector& logp, Matrix& grad) const;
  Vector log_prob(const Matrix& x) const;
  // Counted as one gradient evaluation per point, like log_prob_grad.
  Matrix smoothed_score(const Matrix& x, double sigma) const;
  // Row i is ∇²log π(X_i) v_i; one Hessian-vector evaluation per point.
  Matrix log_prob_hessian_vector(const Matrix& x, const Matrix& v) const;
  // The score in the domain's dual coordinates (Distribution::dual_score);
  // one gradient evaluation per point, like log_prob_grad.
  Matrix dual_score(const Matrix& x) const;
  // Counted as one Hessian-vector evaluation per point and one data pass.
  Distribution::FisherMetric fisher_metric(const Matrix& x) const;

 private:
  void count_full_data_pass() const;
  const Distribution& task_;
  mutable Rng minibatch_rng_;
};

class ObjectiveOracle final : public Oracle {
 public:
  ObjectiveOracle(const Objective& task, Counters& counters,
                  const GradientNoise& noise = {}, std::uint64_t noise_seed = 0)
      : Oracle(task, counters, noise, noise_seed), task_(task) {}
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const;
  Vector value(const Matrix& x) const;

 private:
  const Objective& task_;
};

class SaddlePointOracle final : public Oracle {
 public:
  SaddlePointOracle(const SaddlePoint& task, Counters& counters,
                    const GradientNoise& noise = {},
                    std::uint64_t noise_seed = 0)
      : Oracle(task, counters, noise, noise_seed), task_(task) {}
  Index dim_x() const { return task_.dim_x(); }
  Index dim_y() const { return task_.dim_y(); }
  Matrix operator_value(const Matrix& z) const;
  Vector value(const Matrix& z) const;

 private:
  const SaddlePoint& task_;
};

class BilevelOracle final : public Oracle {
 public:
  BilevelOracle(const Bilevel& task, Counters& counters,
                const GradientNoise& noise = {}, std::uint64_t noise_seed = 0)
      : Oracle(task, counters, noise, noise_seed), task_(task) {}
  Index dim_x() const { return task_.dim_x(); }
  Index dim_y() const { return task_.dim_y(); }
  Vector outer_value(const Matrix& x, const Matrix& y) const;
  void outer_grad(const Matrix& x, const Matrix& y, Matrix& fx,
                  Matrix& fy) const;
  Vector inner_value(const Matrix& x, const Matrix& y) const;
  void inner_grad(const Matrix& x, const Matrix& y, Matrix& gx,
                  Matrix& gy) const;
  Matrix inner_hvp_yy(const Matrix& x, const Matrix& y, const Matrix& v) const;
  Matrix inner_cross(const Matrix& x, const Matrix& y, const Matrix& v) const;

 private:
  void check_pair(const Matrix& x, const Matrix& y) const;
  const Bilevel& task_;
};

}  // namespace vibench
