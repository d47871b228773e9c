// Algorithms are steppers: a configured algorithm starts a Run on a task's
// counting oracle, and the runner owns the loop (budget, checkpoints, clock,
// divergence check, timeout), calling step() until it stops.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/registry.hpp"
#include "core/rng.hpp"
#include "core/state.hpp"
#include "tasks/oracles.hpp"

namespace vibench {

// What the runner holds a cell to, for a run that must tell someone else:
// an external algorithm passes the budget on to its process and stops
// waiting for it at the cell's deadline.
struct RunLimits {
  Json budget = Json::object();  // the suite's budget, as recorded
  std::optional<long long> max_grad_evals, max_oracle_calls;
  std::chrono::steady_clock::time_point deadline;  // the cell's timeout
  double timeout_seconds = 0;
};

class Run {
 public:
  virtual ~Run() = default;
  // Called once after start() and before the first step, timed with the
  // start. Most runs need nothing from it.
  virtual void begin(const RunLimits&) {}
  // Called once after the last step of a cell that ended without an
  // exception (ok, diverged, or at its time limit): a run that owns a
  // process ends it here and collects its last words for diagnostics().
  virtual void end() {}
  virtual void step() = 0;
  virtual const State& state() const = 0;
  // Algorithm-specific diagnostics for the result record (acceptance rate...).
  virtual Json diagnostics() const { return Json::object(); }
  // How much of State::history to keep (chain samplers: the recorded
  // iterations' chains), called before the first step: 0 keeps none, else
  // at most max_draws draws, thinned evenly when full
  // (samplers/chain_history.hpp). The runner passes 0 when no metric of the
  // cell reads it, else the suite's max_history_draws, so that memory grows
  // with what was asked, not with time.
  virtual void limit_history(long long max_draws) { (void)max_draws; }
};

// A configured algorithm (one point of a parameter grid). Immutable; start()
// may be called concurrently from several cells.
class Algorithm {
 public:
  virtual ~Algorithm() = default;
  virtual TaskKind kind() const = 0;
  // Rows of the starting state: particles or chains, 1 for optimizers.
  virtual Index num_points() const { return 1; }
  // Bytes a run allocates beyond its num_points() × `dim` points and their
  // working copies of the same shape (scores, directions, moments: the
  // runner counts those itself), for the memory estimate a suite is
  // checked against before anything runs (runner/cell_memory.hpp): the
  // n×n kernel matrices of the particle methods that couple every pair
  // (pairwise_bytes), a d×d metric per particle. 0 for the others.
  virtual double workspace_bytes(Index dim) const {
    (void)dim;
    return 0;
  }
  // Bytes of State::history a run keeps with at most `max_draws` draws
  // (Run::limit_history) over at most `max_iterations` iterations
  // (negative: the budget does not bound them), for the same estimate: the
  // chain samplers' recorded draws (samplers/chain_history.hpp). 0 for the
  // others.
  virtual double history_bytes(Index dim, long long max_iterations,
                               long long max_draws) const {
    (void)dim;
    (void)max_iterations;
    (void)max_draws;
    return 0;
  }
  virtual Capabilities requirements() const { return {}; }
  // The structure of a task the algorithm takes into account
  // (kStructuralCapabilities: a feasible box it projects onto, a composite
  // objective whose nonsmooth part it handles by its proximal operator). A
  // task with such a structure skips every algorithm that does not handle
  // it, since ignoring it would optimize a different problem.
  virtual Capabilities handles() const { return {}; }
  // A method that evaluates function values only (CBO): its cost is in
  // value_evals, and a max_grad_evals budget alone cannot end its cells.
  virtual bool gradient_free() const { return false; }
  // Why this configuration cannot run correctly on `task` (of its kind),
  // e.g. a Neumann step beyond 2/L of the task's declared L; empty when it
  // can. A suite with such a pair is refused before anything runs.
  virtual std::string check_task(const Task& task) const {
    (void)task;
    return "";
  }
  // `initial` has num_points() rows (and, for bilevel, inner rows); `rng` is
  // the algorithm's own stream, derived from the cell seed.
  virtual std::unique_ptr<Run> start(const Oracle& oracle, const State& initial,
                                     Rng rng) const = 0;
};

// The workspace_bytes() of a method that keeps `matrices` n×n matrices of
// doubles over its n points (a kernel, its derivatives, squared distances).
inline double pairwise_bytes(Index n, double matrices) {
  return matrices * static_cast<double>(n) * static_cast<double>(n) *
         static_cast<double>(sizeof(double));
}

// The typed base that algorithms derive from: the runner checks the kind
// before calling start(), so the cast is safe.
template <class TaskOracle, TaskKind Kind>
class AlgorithmFor : public Algorithm {
 public:
  static constexpr TaskKind kKind = Kind;
  TaskKind kind() const final { return Kind; }
  std::unique_ptr<Run> start(const Oracle& oracle, const State& initial,
                             Rng rng) const final {
    return start_run(static_cast<const TaskOracle&>(oracle), initial,
                     std::move(rng));
  }

 protected:
  virtual std::unique_ptr<Run> start_run(const TaskOracle& oracle,
                                         const State& initial,
                                         Rng rng) const = 0;
};

using Sampler = AlgorithmFor<DistributionOracle, TaskKind::distribution>;
using Optimizer = AlgorithmFor<ObjectiveOracle, TaskKind::objective>;
using SaddleSolver = AlgorithmFor<SaddlePointOracle, TaskKind::saddle_point>;
using BilevelSolver = AlgorithmFor<BilevelOracle, TaskKind::bilevel>;

struct AlgorithmEntry {
  std::string name;
  TaskKind kind;
  std::string description;
  ParamSpecs params;
  std::function<std::shared_ptr<const Algorithm>(const Params&)> make;
  // Its kind is one of its parameters (an external algorithm), and it has
  // required parameters: `kind` above is only where `list` would file it,
  // and it cannot be made from its defaults. A class says so with
  // `static constexpr bool kKindIsParameter = true`.
  bool kind_is_parameter = false;
};
using AlgorithmRegistry = Registry<AlgorithmEntry>;

// One registration line per algorithm class:
//   VIBENCH_REGISTER_ALGORITHM(Svgd);
// The class provides static kName, kDescription, `ParamSpecs params()` and a
// constructor from `const Params&` (which may throw ConfigError for
// inconsistent combinations).
template <class T>
bool register_algorithm() {
  bool kind_is_parameter = false;
  if constexpr (requires { T::kKindIsParameter; })
    kind_is_parameter = T::kKindIsParameter;
  return AlgorithmRegistry::instance().add(
      {T::kName, T::kKind, T::kDescription, T::params(),
       [](const Params& p) { return std::make_shared<const T>(p); },
       kind_is_parameter});
}
#define VIBENCH_REGISTER_ALGORITHM(Class)                                   \
  [[maybe_unused]] static const bool vibench_registered_algorithm_##Class = \
      ::vibench::register_algorithm<Class>()

}  // namespace vibench
