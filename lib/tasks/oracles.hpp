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

// Shared part of the four oracles: dimension, domain, capabilities, data
// passes, and what makes an oracle stochastic: the minibatches of a
// data-based task whose batch_size() is set, and the additive gradient
// noise of a synthetic task, each drawn from a stream of this oracle seeded
// by the cell (so a cell is reproducible whatever the thread count).
class Oracle {
 public:
  Oracle(const Task& task, Counters& counters, std::uint64_t minibatch_seed,
         const GradientNoise& noise, std::uint64_t noise_seed)
      : task_(task),
        counters_(counters),
        minibatch_rng_(make_rng(minibatch_seed)),
        noise_(noise),
        noise_rng_(make_rng(noise_seed)) {}
  virtual ~Oracle() = default;
  Index dim() const { return task_.dim(); }
  const Domain& domain() const { return task_.domain(); }
  bool offers(Capability c) const { return task_.offers(c); }
  // The counts so far (read-only: only the oracles count), for a run that
  // must hold someone else to the budget within a step (an external
  // algorithm's requests).
  const Counters& counters() const { return counters_; }
  // "Same-sample" stochastic extra-gradient: remember_next_sample() before
  // a call keeps the streams it is about to draw from, and
  // reuse_last_sample() makes the next call draw that same sample
  // (minibatch rows, noise) again; both calls are counted. Only methods
  // that replay pay for the copy of the streams. Only the saddle-point
  // operator honours them so far.
  void remember_next_sample() const { remember_ = true; }
  void reuse_last_sample() const;

 protected:
  // At the start of a call that may draw: restores the remembered streams
  // after reuse_last_sample(), or remembers them after
  // remember_next_sample().
  void start_sample() const;
  bool noise_active() const { return noise_.active(); }
  // Throws std::invalid_argument unless `x` has `cols` columns and ≥ 1 row.
  void check_points(const Matrix& x, Index cols, const char* what) const;
  // Adds the task entry's noise (if any) to a gradient or operator value.
  void add_noise(Matrix& g) const {
    if (noise_.active()) noise_.add(g, noise_rng_);
  }
  // One pass over the data of a data-based task (none for a synthetic one).
  void count_full_data_pass() const;
  // `rows` rows read (a minibatch, or one level of a bilevel problem), as
  // a fraction of a data pass; nothing for 0 rows.
  void count_rows(Index rows) const;
  const Task& task_;
  Counters& counters_;
  mutable Rng minibatch_rng_;

 private:
  GradientNoise noise_;
  mutable Rng noise_rng_;
  mutable bool remember_ = false, replay_ = false, remembered_ = false;
  mutable Rng saved_minibatch_rng_{0}, saved_noise_rng_{0};
};

// When the task's batch_size() is set (a minibatch-capable task),
// log_prob_grad returns the minibatch estimate. log_prob always uses the
// full data.
class DistributionOracle final : public Oracle {
 public:
  DistributionOracle(const Distribution& task, Counters& counters,
                     std::uint64_t minibatch_seed = 0,
                     const GradientNoise& noise = {},
                     std::uint64_t noise_seed = 0)
      : Oracle(task, counters, minibatch_seed, noise, noise_seed),
        task_(task) {}
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
  Distribution::FisherMetric fisher_metric(const Matrix& x,
                                           double damping = 0.0) const;
  // Exact draws from π (Capability::exact_draws: Distribution::sample),
  // for a method whose objective is a sample of the target itself — MMD
  // minimization toward m draws (mean_field_underdamped_langevin). Drawing
  // is not an evaluation of the density, so nothing is counted: the draws
  // stand for the data set of such a problem, which is part of its
  // statement.
  Matrix sample(Index n, Rng& rng) const;

  // A composite target's parts (Capability::composite; Distribution::
  // smooth_log_prob_grad, nonsmooth_potential, prox), on the full data:
  //   smooth_log_prob_grad: −f and −∇f, one gradient and one value
  //     evaluation per point, like log_prob_grad (gradient noise, if the
  //     task entry has any, is added to −∇f);
  //   nonsmooth_potential: g per row, one value evaluation per point;
  //   prox: prox_{step·g} of every row in place, one prox evaluation per
  //     point (Counters::prox_evals). Unlike an objective's prox, counted:
  //     for a proximal sampler it is the per-step cost beside the gradient.
  void smooth_log_prob_grad(const Matrix& x, Vector& logp, Matrix& grad) const;
  Vector nonsmooth_potential(const Matrix& x) const;
  void prox(Matrix& x, double step) const;
  // The left Bregman prox of g for the domain's mirror map
  // (Capability::bregman_prox; Distribution::bregman_prox), every row in
  // place; counted as prox, one prox evaluation per point.
  void bregman_prox(Matrix& x, double step) const;
  // L of ∇f, declared by the task (Capability::smoothness; free).
  double smoothness() const { return task_.smoothness(); }

 private:
  const Distribution& task_;
};

// A finite-sum objective whose batch_size() is set returns minibatch
// gradients (and values) from value_grad; value() uses the full data.
class ObjectiveOracle final : public Oracle {
 public:
  ObjectiveOracle(const Objective& task, Counters& counters,
                  std::uint64_t minibatch_seed = 0,
                  const GradientNoise& noise = {}, std::uint64_t noise_seed = 0)
      : Oracle(task, counters, minibatch_seed, noise, noise_seed),
        task_(task),
        online_(task.offers(Capability::online)) {}
  // On an online task, the loss of the next round (Objective::
  // value_grad_round): every call is one round for all rows.
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const;
  Vector value(const Matrix& x) const;
  // Clamps the rows into the task's feasible box (free: not an oracle call).
  void project_feasible(Matrix& x) const { task_.project_feasible(x); }
  // A composite problem's prox_{step·g}, row-wise in place (free: the
  // nonsmooth part is known in closed form, like a projection).
  void prox(Matrix& x, double step) const { task_.prox(x, step); }
  // L of ∇f, declared by the task (Capability::smoothness).
  double smoothness() const { return task_.smoothness(); }
  // An entropic-OT task's data (free: C, a, b, ε are the problem's
  // statement, not evaluations).
  const TransportProblem& transport() const { return task_.transport(); }
  // The soft-minima of the dual (log-domain Sinkhorn's half steps):
  //   rows: −ε log Σ_j exp((g_j − C_ij)/ε) for each i,
  //   cols: −ε log Σ_i exp((f_i − C_ij)/ε) for each j;
  // each one kernel product, counted as one gradient evaluation (of the
  // dual, whose gradient needs exactly that product).
  Vector transport_softmin_rows(const Vector& g) const;
  Vector transport_softmin_cols(const Vector& f) const;

 private:
  const Objective& task_;
  // Read once: capabilities() builds a set, which would allocate at every
  // call.
  bool online_;
};

class SaddlePointOracle final : public Oracle {
 public:
  // Marks the counters of a finite-sum game's cell (Counters::finite_sum).
  SaddlePointOracle(const SaddlePoint& task, Counters& counters,
                    std::uint64_t minibatch_seed = 0,
                    const GradientNoise& noise = {},
                    std::uint64_t noise_seed = 0);
  Index dim_x() const { return task_.dim_x(); }
  Index dim_y() const { return task_.dim_y(); }
  Matrix operator_value(const Matrix& z) const;
  // The mean of the given components' operators (Capability::sample_terms
  // of a finite-sum game), for variance-reduced methods that choose their
  // own samples: one operator call per point, `rows` component calls.
  Matrix operator_components(const Matrix& z,
                             const std::vector<Index>& rows) const;
  // The game's number of components n (0: not a finite sum).
  Index components() const { return task_.data_size(); }
  Vector value(const Matrix& z) const;
  // L of F, declared by the task (Capability::smoothness; free).
  double lipschitz() const { return task_.lipschitz(); }
  // What the task declares of F (free).
  SaddleProperties properties() const { return task_.properties(); }
  // β and the references of a KL-regularized game (free: the problem's
  // statement).
  KlRegularization kl_regularization() const {
    return task_.kl_regularization();
  }
  // The resolvent (I + γF)⁻¹ at each row, exact for a linear operator
  // F(z) = Mz + q (Capability::linear_operator): the solve
  // (I + γM)z⁺ = z − γq, factorized once per γ. Counted as one operator
  // call per row: methods that use it are compared per iteration, as their
  // papers do, and an inexact resolvent would spend more.
  Matrix resolvent(const Matrix& z, double gamma) const;
  // Clamps the rows into the game's feasible box (free: not an oracle
  // call).
  void project_feasible(Matrix& z) const { task_.project_feasible(z); }

 private:
  void count_components(Index points, Index rows) const;
  const SaddlePoint& task_;
  // The last factorization of I + γM, and M and q (read once).
  mutable double resolvent_gamma_ = 0;
  mutable Eigen::PartialPivLU<Matrix> resolvent_lu_;
  mutable Matrix linear_m_;
  mutable Vector linear_q_;
  mutable Vector resolvent_rhs_, resolvent_solution_;  // workspaces
};

class BilevelOracle final : public Oracle {
 public:
  // Marks the counters as a bilevel cell's (Counters::bilevel).
  BilevelOracle(const Bilevel& task, Counters& counters,
                std::uint64_t minibatch_seed = 0,
                const GradientNoise& noise = {}, std::uint64_t noise_seed = 0);
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
  // Bilevel::inner_sample_terms / outer_sample_terms for one point: counted
  // as one inner gradient, one Hessian-vector and one cross product (or one
  // outer gradient) for the point, and one oracle call per term and row.
  void inner_sample_terms(const RowVector& x, const RowVector& y,
                          const RowVector& v, const std::vector<Index>& rows,
                          Matrix& gy, Matrix& hvp, Matrix& cross) const;
  void outer_sample_terms(const RowVector& x, const RowVector& y,
                          const std::vector<Index>& rows, Matrix& fx,
                          Matrix& fy) const;
  // The rows of each level and the task's minibatch size (0: full data).
  Index inner_data_size() const { return task_.inner_data_size(); }
  Index outer_data_size() const { return task_.outer_data_size(); }
  Index batch_size() const { return task_.batch_size(); }
  // The task's declared constants (Capability::error_bounds; free, as the
  // other declared constants): μ(x) and L(x) of g(x, ·) per row, L_f.
  Vector inner_strong_convexity(const Matrix& x) const {
    return task_.inner_strong_convexity(x);
  }
  Vector inner_smoothness_at(const Matrix& x) const {
    return task_.inner_smoothness_at(x);
  }
  double outer_smoothness() const { return task_.outer_smoothness(); }

 private:
  void check_pair(const Matrix& x, const Matrix& y) const;
  void check_rows(const std::vector<Index>& rows, Index level_rows) const;
  // Data passes and Counters::oracle_calls of one call on `points` points
  // that read `rows` rows of one level (0: a problem without data).
  void count_level_rows(Index points, Index rows) const;
  const Bilevel& task_;
};

}  // namespace vibench
