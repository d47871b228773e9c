// Task kind 1: an unnormalized density π on a domain.
#pragma once

#include <stdexcept>

#include "tasks/task.hpp"

namespace vibench {

class Distribution : public Task {
 public:
  static constexpr TaskKind kKind = TaskKind::distribution;
  TaskKind kind() const final { return kKind; }

  // The core oracle, batched: logp(i) = log π̃(X_i), grad.row(i) = ∇ log π(X_i).
  // Outputs are resized by the callee.
  virtual void log_prob_grad(const Matrix& x, Vector& logp,
                             Matrix& grad) const = 0;
  // Value only; the default calls log_prob_grad.
  virtual Vector log_prob(const Matrix& x) const;

  // Ground truth, each behind its capability.
  virtual Matrix sample(Index n, Rng& rng) const;  // exact_draws
  virtual Vector mean() const;                     // moments
  virtual Matrix covariance() const;               // moments
  virtual double log_z() const;                    // log_z: log ∫ π̃
};

}  // namespace vibench
