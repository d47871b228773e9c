// The common base of the four task kinds and their declared capabilities.
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/domain.hpp"
#include "core/memory_need.hpp"
#include "core/params.hpp"
#include "core/registry.hpp"
#include "core/rng.hpp"
#include "core/types.hpp"

namespace vibench {

enum class TaskKind { distribution, objective, saddle_point, bilevel };
class Task;
const char* to_string(TaskKind kind);

// What a task offers beyond its core oracle. Algorithms and metrics declare
// the capabilities they need; the runner checks before anything runs.
enum class Capability {
  exact_draws,    // Distribution::sample
  moments,        // Distribution::mean / covariance
  log_z,          // Distribution::log_z
  optimum,        // Objective/Bilevel optimum x*, SaddlePoint solution z*
  optimal_value,  // Objective f*
  hypergradient,  // Bilevel: exact y*(x) and ∇F(x)
  hessian_vector,  // second-order products (Bilevel: ∇²_yy g·v, ∇²_xy g·v;
                   // Distribution: ∇²log π·v)
  reference,       // Distribution without exact draws whose reference
                   // posterior is computed by NUTS, checked and cached
                   // (lib/reference/); stands in for exact draws in metrics
  minibatch,       // Distribution, Objective: gradients can be estimated
                   // on a `batch_size` subsample of the data (a task
                   // parameter), cost counted in data passes
  test_data,       // Distribution: a posterior predictive on held-out rows
                   // (test log-likelihood and accuracy)
  smoothed_score,  // Distribution: the exact score of π convolved with
                   // N(0, σ²I), for annealed Langevin (NCSN)
  fisher_metric,   // Distribution: a Fisher information metric G(x) and the
                   // divergence of G⁻¹, for natural-gradient samplers (SVNG)
  gradient_noise,  // a synthetic task whose first-order oracle may be made
                   // stochastic by additive noise (a suite task entry's
                   // "noise"; tasks/gradient_noise.hpp)
  feasible_set,    // Objective, SaddlePoint: the point is constrained to a
                   // closed box (Objective::feasible_box,
                   // SaddlePoint::feasible_box); only algorithms that
                   // project onto it may run on the task
  online,          // Objective: a sequence of losses f_t, one per oracle
                   // call (Objective::value_grad_round), scored by regret
  composite,       // Objective: f + g with g nonsmooth, given by its value
                   // and proximal operator (Objective::regularizer, prox);
                   // value_grad is the smooth part f. Distribution:
                   // log π̃ = −f − g, the smooth part's log-density and
                   // score and g's value and prox offered apart
                   // (Distribution::smooth_log_prob_grad,
                   // nonsmooth_potential, prox) for proximal samplers;
                   // log_prob_grad stays the whole log π̃
  smoothness,      // Objective: declares L, the Lipschitz constant of ∇f
                   // (Objective::smoothness); SaddlePoint: L of F
                   // (SaddlePoint::lipschitz); Bilevel: L of ∇_y g in y
                   // (Bilevel::inner_smoothness); composite Distribution:
                   // L of ∇f (Distribution::smoothness); for 1/L steps
  duality_gap,     // Objective: a certified duality gap at any point
                   // (Objective::duality_gap), a bound on P(x) − P*;
                   // SaddlePoint: the game's duality gap in closed form
  mirror_domain,   // Objective, SaddlePoint: the point lives in an open
                   // domain with a mirror map (Task::domain(): the simplex,
                   // orthant, a box, or a product of two for a game), for
                   // mirror descent and mirror prox; a Euclidean step would
                   // leave it
  transport,       // Objective: an entropic optimal-transport problem on the
                   // transport polytope (Objective::transport), for Sinkhorn
  restricted_gap,  // SaddlePoint: the gap restricted to balls around z*
                   // (SaddlePoint::restricted_gap), exact
  linear_operator,  // SaddlePoint: F(z) = Mz + q
                    // (SaddlePoint::linear_operator), for exact resolvents
  kl_regularized,   // SaddlePoint: a game on simplices regularized by
                    // β·KL to reference strategies
                    // (SaddlePoint::kl_regularization), for methods that
                    // keep the regularizer exact in their prox
  sample_terms,     // Bilevel: the oracles' terms sample by sample
                    // (Bilevel::inner_sample_terms, outer_sample_terms),
                    // for variance-reduced methods that keep a memory per
                    // sample (SABA); SaddlePoint: the operators of chosen
                    // components of a finite sum
                    // (SaddlePoint::operator_components), for VR methods
  error_rates,      // Bilevel: a classifier fitted at the lower level whose
                    // error rates on the validation and test rows can be
                    // read from (x, y) (Bilevel::error_rate)
  error_bounds,     // Bilevel: the constants of an a-posteriori bound on an
                    // inexact hypergradient: μ(x), L(x) of g(x, ·)
                    // (Bilevel::inner_strong_convexity, inner_smoothness_at)
                    // and L_f of ∇f(x, ·) (Bilevel::outer_smoothness), for
                    // adaptively inexact methods (MAID)
  bregman_prox,     // composite Distribution: the left Bregman proximal map
                    // of g for the mirror map ψ of the task's domain,
                    // argmin_y g(y) + D_ψ(y, x)/λ (Distribution::
                    // bregman_prox), for Bregman proximal samplers (BMUMLA)
};
// Capabilities that are structure rather than services: an algorithm that
// does not handle one (Algorithm::handles) is skipped on a task offering it
// (imposes_structure).
inline constexpr Capability kStructuralCapabilities[] = {
    Capability::feasible_set, Capability::composite, Capability::mirror_domain,
    Capability::transport};
// Whether `task` offers the structural capability `capability` as
// structure: every one it offers, except `composite` on a distribution,
// whose log_prob_grad is the whole density (its split is a service for
// proximal samplers, and a sampler that ignores it samples the same law).
bool imposes_structure(const Task& task, Capability capability);
// "constrained to a box", "composite (smooth + nonsmooth)".
const char* structure_description(Capability capability);
const char* to_string(Capability capability);
using Capabilities = std::set<Capability>;
std::vector<std::string> capability_names(const Capabilities& capabilities);

// A task is immutable after construction, deterministic given its parameters
// and safe to call from several threads.
class Task {
 public:
  virtual ~Task() = default;
  virtual TaskKind kind() const = 0;
  // Dimension of one point: d for distributions and objectives, dim_x + dim_y
  // for saddle points, dim_x for bilevel problems.
  virtual Index dim() const = 0;
  virtual const Domain& domain() const { return *reals_domain(); }
  virtual Capabilities capabilities() const = 0;
  bool offers(Capability c) const { return capabilities().count(c) > 0; }
  // Where algorithms start unless the suite says otherwise: by default
  // ∇ψ*(z), z ~ N(0, I), the domain's image of standard normal dual points
  // (N(0, I) itself on ℝ^d; inside any bounds, not a draw of the target);
  // tasks with a natural scale override it.
  virtual Matrix initial_points(Index n, Rng& rng) const;

  // Data-based tasks. data_size(): training rows (0 for a task that reads
  // no data), so that cost can be counted in data passes. batch_size() > 0
  // (a task parameter of a `minibatch` task): the oracle asks the task for
  // minibatch estimates instead of full-data ones.
  virtual Index data_size() const { return 0; }
  virtual Index batch_size() const { return 0; }
  // The task's validated parameters without those that do not apply to
  // this instance (the synthetic data's size for a bundled table, the
  // other prior's constants), for provenance records that should say only
  // what was used. Keys and seeds keep hashing the full parameters.
  virtual Json params_that_apply(const Json& params) const { return params; }
};

// Registry entry of a task family.
struct TaskEntry {
  std::string name;
  TaskKind kind;
  std::string description;
  std::string dimension_rule;  // e.g. "dim" or "2 (fixed)"
  ParamSpecs params;
  std::function<std::shared_ptr<const Task>(const Params&)> make;
  // What `make` will allocate with these (validated) parameters, declared
  // by tasks whose size grows faster than their dimension (the class's
  // static memory_need, core/memory_need.hpp); empty when not declared.
  std::function<MemoryNeed(const Params&)> memory_need;
};
using TaskRegistry = Registry<TaskEntry>;

// One registration line per task class:
//   VIBENCH_REGISTER_TASK(GaussianTask);
// The class provides static kName, kDescription, kDimensionRule, a static
// `ParamSpecs params()` and a constructor from `const Params&`, and
// optionally a static `MemoryNeed memory_need(const Params&)`.
template <class T>
bool register_task() {
  TaskEntry entry{T::kName,
                  T::kKind,
                  T::kDescription,
                  T::kDimensionRule,
                  T::params(),
                  [](const Params& p) { return std::make_shared<const T>(p); },
                  nullptr};
  if constexpr (requires(const Params& p) {
                  { T::memory_need(p) } -> std::same_as<MemoryNeed>;
                })
    entry.memory_need = [](const Params& p) { return T::memory_need(p); };
  return TaskRegistry::instance().add(std::move(entry));
}
#define VIBENCH_REGISTER_TASK(Class)                                   \
  [[maybe_unused]] static const bool vibench_registered_task_##Class = \
      ::vibench::register_task<Class>()

}  // namespace vibench
