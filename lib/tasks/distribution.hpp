// Task kind 1: an unnormalized density π on a domain.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

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

  // Names of the coordinates that algorithms sample (default x1..xd). A
  // posterior with constrained parameters samples them on Stan's
  // unconstrained scale, e.g. "log_sigma".
  virtual std::vector<std::string> coordinate_names() const;
  // The model's parameters on their own (constrained) scale, as a posterior
  // database reports them, e.g. σ = exp(log_sigma); one row per point.
  // Default: the coordinates themselves.
  virtual std::vector<std::string> parameter_names() const;
  virtual Matrix to_parameters(const Matrix& x) const;
  // The inverse of to_parameters, for reference draws given on the
  // parameters' scale (`vibench eval --reference-draws-file`): a row outside
  // the parameters' support (σ ≤ 0, an unordered pair) maps to a row with a
  // non-finite entry, which the caller reports.
  virtual Matrix from_parameters(const Matrix& parameters) const;

  // minibatch: the task can estimate log π̃ and ∇log π without bias from a
  // batch of rows drawn by `rng` (the same rows for every point of the
  // call); returns the number of rows read. The oracle does so, instead of
  // using every row, when batch_size() > 0 (Task).
  virtual Index log_prob_grad_minibatch(const Matrix& x, Rng& rng, Vector& logp,
                                        Matrix& grad) const;
  // test_data: the posterior predictive of the particles (one per row,
  // equally weighted) on held-out rows: the mean over test rows of
  // log((1/n) Σ_i p(y | x, θ_i)), and the fraction of test rows whose
  // predictive probability of the true label exceeds 1/2.
  virtual double test_log_likelihood(const Matrix& particles) const;
  virtual double test_accuracy(const Matrix& particles) const;
  // smoothed_score: ∇log(π * N(0, σ²I)) at each row of x, the noise-smoothed
  // score that annealed Langevin dynamics (Song & Ermon 2019) follows.
  virtual Matrix smoothed_score(const Matrix& x, double sigma) const;
  // hessian_vector: row i is ∇²log π(X_i) v_i, for KSD descent and natural
  // gradients. Exact (never a finite difference); uses the full data.
  virtual Matrix log_prob_hessian_vector(const Matrix& x,
                                         const Matrix& v) const;

  // The score of the density of η = ∇ψ(x), the dual coordinates of the
  // task's domain, at each row x, for mirrored samplers (Shi, Liu & Mackey
  // 2022): ∇_η log p_H = (∇²ψ)⁻¹∇log π + ∇_η log det ∇²ψ*. The default
  // computes it from log_prob_grad and the domain; a target whose score is
  // singular at the boundary (a Dirichlet with α < 1) overrides it with a
  // closed form that avoids the cancellation of those two large terms.
  virtual Matrix dual_score(const Matrix& x) const;

  // fisher_metric: a Riemannian metric G(x) (symmetric positive definite,
  // one d×d matrix per row of x: the Fisher information of the posterior,
  // e.g. Σ_n σ(1−σ) x_n x_nᵀ + prior precision for logistic regression)
  // and, row i, the divergence of its inverse, Σ_c ∂_c (G⁻¹)_{·c}(x_i),
  // for natural-gradient samplers (SVNG). Uses the full data. `damping`
  // (≥ 0) is added to every G's diagonal before the divergence of the
  // inverse is taken, so that metric and divergence stay consistent.
  struct FisherMetric {
    std::vector<Matrix> metric;
    Matrix inverse_divergence;
  };
  virtual FisherMetric fisher_metric(const Matrix& x, double damping) const;

  // composite: log π̃(x) = −f(x) − g(x), f differentiable and g convex,
  // lower semicontinuous and possibly nonsmooth (an ℓ1 norm), given by its
  // value and its proximal operator, for proximal samplers (MYULA).
  // log_prob_grad stays the whole log π̃ with an a.e. gradient
  // (−∇f − ∇g where g is differentiable), so that every other sampler and
  // metric sees the same target; these split it.
  //   smooth_log_prob_grad: logp(i) = −f(X_i), grad.row(i) = −∇f(X_i);
  //   nonsmooth_potential:  g(X_i) per row;
  //   prox: each row x replaced by prox_{step·g}(x) =
  //         argmin_y g(y) + ‖y − x‖²/(2·step), in place (step > 0).
  // Outputs are resized by the callee, as for log_prob_grad.
  virtual void smooth_log_prob_grad(const Matrix& x, Vector& logp,
                                    Matrix& grad) const;
  virtual Vector nonsmooth_potential(const Matrix& x) const;
  virtual void prox(Matrix& x, double step) const;
  // bregman_prox (with composite): each row x replaced, in place, by the
  // left Bregman proximal point of g for the mirror map ψ of domain(),
  //   argmin_y g(y) + D_ψ(y, x)/step,  D_ψ(y, x) = ψ(y) − ψ(x) − ⟨∇ψ(x), y − x⟩
  // (step > 0), which lies in the open domain for the Legendre maps of
  // core/domain.hpp. On ℝ^d (ψ = ½‖x‖²) it is prox. For Bregman proximal
  // samplers (BMUMLA, Lau & Liu 2022), whose drift is the gradient of the
  // left Bregman–Moreau envelope, ∇²ψ(x)(x − bregman_prox(x))/step.
  virtual void bregman_prox(Matrix& x, double step) const;
  // smoothness (with composite): L, the Lipschitz constant of ∇f, for the
  // default steps of proximal samplers.
  virtual double smoothness() const;
};

}  // namespace vibench
