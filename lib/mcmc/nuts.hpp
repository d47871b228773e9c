// The No-U-Turn sampler with multinomial sampling and Stan's adaptation of
// the step size and of a diagonal metric: the transition of Stan's
// base_nuts (v2.26 and later; Betancourt 2017, "A Conceptual Introduction to
// Hamiltonian Monte Carlo", appendix A) and the warm-up of its
// adapt_diag_e_nuts. Used for reference posteriors and as the benchmark's
// `nuts` sampler, whose runner owns the loop and calls the pieces below.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/rng.hpp"
#include "core/types.hpp"
#include "mcmc/adaptation.hpp"
#include "tasks/distribution.hpp"

namespace vibench {

// Log density and gradient at one point: returns log π̃(x), writes grad.
// Outside the support return −∞ or NaN (the trajectory then counts as
// divergent).
using LogDensityGradient = std::function<double(const Vector& x, Vector& grad)>;

struct NutsSettings {
  long long warmup = 1000;     // adaptation iterations (Stan default)
  long long draws = 1000;      // kept iterations per chain
  double target_accept = 0.8;  // δ of dual averaging
  int max_depth = 10;          // at most 2^max_depth − 1 leapfrog steps
  bool adapt_metric = true;    // diagonal mass matrix, Stan's windows 75/25/50
  double max_energy_error = 1000;  // divergence threshold, as Stan
  double initial_step_size = 1.0;  // before Stan's heuristic (its stepsize=1)
  void validate() const;  // throws std::invalid_argument with a clear message
};

struct NutsChainResult {
  Matrix draws;  // draws × d
  double step_size = 0.0;
  Vector inverse_metric;
  long long divergences = 0;      // during sampling (after warm-up)
  double mean_accept_stat = 0.0;  // during sampling
  double mean_tree_depth = 0.0;   // during sampling
  // All gradient evaluations: initial point, step-size searches, warm-up and
  // sampling.
  long long grad_evals = 0;
  long long warmup_divergences = 0;
  // Mean accept statistic over the warm-up iterations: what dual averaging
  // drives to target_accept. With the final step size e^{x̄} the sampling
  // phase accepts more (≈ 0.85–0.95 for δ = 0.8 on Gaussians), as Stan's
  // and NumPyro's do (pyro-ppl/numpyro#1786): the iterates e^{x_t} scatter
  // around e^{x̄} and acceptance falls steeply above it.
  double warmup_mean_accept_stat = 0.0;
};

// What one transition did.
struct NutsTransition {
  double accept_stat;    // mean of min(1, e^{H₀ − H}) over the trajectory
  int tree_depth;        // number of doublings kept
  bool divergent;        // some H − H₀ exceeded max_energy_error
  long long grad_evals;  // leapfrog steps, one gradient each
  double energy;         // H at the selected state
};

// One chain's state: position with its log density and gradient, step size
// and diagonal inverse metric M⁻¹, with one NUTS transition at a time.
class NutsChain {
 public:
  // Evaluates f at `initial`; std::invalid_argument unless the log density
  // and gradient are finite there.
  NutsChain(LogDensityGradient f, const Vector& initial);

  // Momentum p ~ N(0, M), then a trajectory doubled in random directions
  // until a U-turn, a divergence or max_depth, and a multinomial draw from
  // it.
  NutsTransition transition(Rng& rng);
  // Stan's init_stepsize: doubles or halves the step size until the
  // acceptance probability of one leapfrog step from the current position
  // with fresh momentum crosses 0.8. std::runtime_error beyond 1e7 (improper
  // target) or at 0.
  void init_step_size(Rng& rng);

  const Vector& position() const { return z_.q; }
  double log_density() const { return z_.logp; }
  const Vector& gradient() const { return z_.grad; }
  Index dim() const { return z_.q.size(); }
  double step_size() const { return step_size_; }
  void set_step_size(double step_size);
  const Vector& inverse_metric() const { return inverse_metric_; }
  void set_inverse_metric(const Vector& inverse_metric);
  int max_depth() const { return max_depth_; }
  void set_max_depth(int max_depth);
  double max_energy_error() const { return max_energy_error_; }
  void set_max_energy_error(double max_energy_error);
  // Gradient evaluations since construction, the initial one included.
  long long grad_evals() const { return grad_evals_; }

 private:
  struct Point {
    Vector q, p, grad;
    double logp = 0.0;
  };
  // Scratch of one tree level, so that no transition allocates.
  struct Level {
    Point propose_final;
    Vector p_sharp_init_end, p_init_end, p_sharp_final_beg, p_final_beg,
        rho_init, rho_final, rho_subtree;
  };
  struct TreeStats {
    long long leapfrogs = 0;
    double sum_metro_prob = 0.0;
    bool divergent = false;
  };

  void leapfrog(Point& z, double epsilon);
  double hamiltonian(const Point& z) const;
  void sample_momentum(Point& z, Rng& rng) const;
  bool build_tree(int depth, double sign, Point& propose, Vector& p_sharp_beg,
                  Vector& p_sharp_end, Vector& rho, Vector& p_beg,
                  Vector& p_end, double h0, double& log_sum_weight,
                  TreeStats& stats, Rng& rng);

  LogDensityGradient f_;
  Point z_;  // the current state, moved by the integrator during a transition
  Vector inverse_metric_;
  double step_size_ = 1.0, max_energy_error_ = 1000.0;
  int max_depth_ = 10;
  long long grad_evals_ = 0;
  // Transition buffers.
  Point fwd_, bck_, sample_, propose_;
  Vector rho_, rho_fwd_, rho_bck_, rho_extended_;
  Vector p_fwd_fwd_, p_fwd_bck_, p_bck_fwd_, p_bck_bck_;
  Vector p_sharp_fwd_fwd_, p_sharp_fwd_bck_, p_sharp_bck_fwd_, p_sharp_bck_bck_;
  std::vector<Level> levels_;
};

// A NutsChain with Stan's warm-up: the first iterate() runs init_step_size
// from settings.initial_step_size; each of the first `warmup` iterations
// updates the step size by dual averaging and feeds the windowed variance
// estimate, and when a window closes sets the new metric, re-initialises the
// step size and restarts dual averaging with μ = log(10ε); after the last
// warm-up iteration the step size is fixed at e^{x̄}. Later iterations are
// plain transitions.
class AdaptiveNutsChain {
 public:
  AdaptiveNutsChain(LogDensityGradient f, const Vector& initial,
                    const NutsSettings& settings);

  NutsTransition iterate(Rng& rng);
  // Whether the next iterate() is a warm-up iteration.
  bool warming_up() const { return iteration_ < settings_.warmup; }
  long long iteration() const { return iteration_; }
  const NutsChain& chain() const { return chain_; }
  const NutsSettings& settings() const { return settings_; }

 private:
  NutsSettings settings_;
  NutsChain chain_;
  DualAveraging step_size_adapter_;
  WindowedVarianceAdapter metric_adapter_;
  Vector metric_buffer_;
  bool started_ = false;
  long long iteration_ = 0;
};

// One chain: warm-up then sampling; `rng` drives momenta and the tree.
NutsChainResult run_nuts_chain(const LogDensityGradient& f,
                               const Vector& initial, const NutsSettings& s,
                               Rng& rng);

// Wraps the batched oracle of `target` for one point (a 1×d matrix);
// `target` must outlive the returned function.
LogDensityGradient log_density_gradient(const Distribution& target);

// Several chains of a Distribution task, chain c from row c of `initial` with
// make_rng(mix_seed(seed, c)). Chains run in parallel with OpenMP on
// `threads` threads (0: OpenMP's default); the result does not depend on the
// thread count.
std::vector<NutsChainResult> run_nuts(const Distribution& target,
                                      const Matrix& initial,
                                      const NutsSettings& s, std::uint64_t seed,
                                      int threads = 0);

}  // namespace vibench
