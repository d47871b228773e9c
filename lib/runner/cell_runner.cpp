#include "runner/cell_runner.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <new>
#include <optional>

#include "core/cell_deadline.hpp"
#include "core/error.hpp"
#include "reference/reference_posterior.hpp"
#include "runner/cell_memory.hpp"
#include "runner/metric_plan.hpp"
#include "tasks/objective.hpp"
#include "tasks/saddle_point.hpp"
#include "tasks/warm_up.hpp"

namespace vibench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Minibatches and gradient noise come from the algorithm's seed (streams of
// their own), so replicates differ in them as in the algorithm's randomness.
// An online task's loss sequence is part of the problem instead: it comes
// from the cell's init seed, so every algorithm of a replicate faces the
// same sequence (paired comparisons, like the shared initial points).
std::unique_ptr<Oracle> make_oracle(const TaskConfig& config,
                                    Counters& counters, const Cell& cell) {
  const Task& task = *config.task;
  const std::uint64_t algorithm_seed = cell.algorithm_seed;
  const std::uint64_t minibatch_seed =
      task.offers(Capability::online)
          ? mix_seed(cell.init_seed, hash_string("online losses"))
          : mix_seed(algorithm_seed, hash_string("minibatch"));
  const std::uint64_t noise_seed =
      mix_seed(algorithm_seed, hash_string("gradient noise"));
  const GradientNoise& noise = config.noise;
  switch (task.kind()) {
    case TaskKind::distribution:
      return std::make_unique<DistributionOracle>(
          static_cast<const Distribution&>(task), counters, minibatch_seed,
          noise, noise_seed);
    case TaskKind::objective:
      return std::make_unique<ObjectiveOracle>(
          static_cast<const Objective&>(task), counters, minibatch_seed, noise,
          noise_seed);
    case TaskKind::saddle_point:
      return std::make_unique<SaddlePointOracle>(
          static_cast<const SaddlePoint&>(task), counters, minibatch_seed,
          noise, noise_seed);
    case TaskKind::bilevel:
      return std::make_unique<BilevelOracle>(static_cast<const Bilevel&>(task),
                                             counters, minibatch_seed, noise,
                                             noise_seed);
  }
  throw std::logic_error("unknown task kind");
}

// The starting state of a cell: the suite's init override, else the task's
// default initial distribution, drawn from the cell's init stream.
State initial_state(const TaskConfig& config, Index n, Rng& rng) {
  State state;
  Rng points_rng = rng.child("initial points");
  if (config.init_mean || config.init_std) {
    const Index d = config.task->dim();
    const double std = config.init_std.value_or(1.0);
    const Vector mean = config.init_mean.value_or(Vector::Zero(d));
    state.points =
        (std * points_rng.normal_matrix(n, d)).rowwise() + mean.transpose();
    // The suite's normal start ignores the task's constraints: clamp it
    // into a feasible box, and refuse it outside an open domain, where the
    // first step would end the cell as if it had diverged.
    const Task& task = *config.task;
    if (task.offers(Capability::feasible_set)) {
      if (task.kind() == TaskKind::objective)
        static_cast<const Objective&>(task).project_feasible(state.points);
      if (task.kind() == TaskKind::saddle_point)
        static_cast<const SaddlePoint&>(task).project_feasible(state.points);
    }
    if (!task.domain().contains(state.points))
      throw std::invalid_argument(fmt::format(
          "the suite's init (a normal start) puts points outside the task's "
          "{} domain; drop init for '{}', whose own initial points lie "
          "inside",
          task.domain().name(), config.label));
  } else {
    state.points = config.task->initial_points(n, points_rng);
  }
  if (config.task->kind() == TaskKind::bilevel) {
    Rng inner_rng = rng.child("initial inner points");
    state.inner = static_cast<const Bilevel&>(*config.task)
                      .initial_inner_points(n, inner_rng);
  }
  return state;
}

std::string timeout_message(const Suite& suite, long long iteration) {
  return fmt::format("cell exceeded timeout_seconds = {} at iteration {}",
                     suite.timeout_seconds, iteration);
}

RunLimits run_limits(const Suite& suite, Clock::time_point wall_start) {
  RunLimits limits;
  limits.budget = suite.budget.to_json();
  limits.max_grad_evals = suite.budget.max_grad_evals;
  limits.max_oracle_calls = suite.budget.max_oracle_calls;
  limits.timeout_seconds = suite.timeout_seconds;
  limits.deadline =
      wall_start +
      std::chrono::duration_cast<Clock::duration>(
          // (at most ~30 years, which a time_point holds)
          std::chrono::duration<double>(std::min(suite.timeout_seconds, 1e9)));
  return limits;
}

// Largest absolute coordinate, or +inf when any is not finite.
double magnitude(const State& state) {
  auto of = [](const Matrix& m) {
    if (m.size() == 0) return 0.0;
    if (!m.allFinite()) return std::numeric_limits<double>::infinity();
    return m.cwiseAbs().maxCoeff();
  };
  return std::max(of(state.points), of(state.inner));
}

struct Trace {
  Json iterations = Json::array(), grad_evals = Json::array(),
       value_evals = Json::array(), hvp_evals = Json::array(),
       seconds = Json::array();
  // Bilevel cells only: the counts by oracle kind (Counters::bilevel).
  Json by_kind = Json::object();
  Json metrics = Json::object();
  void record(const Counters& c, double seconds_now) {
    iterations.push_back(c.iterations);
    grad_evals.push_back(c.grad_evals);
    value_evals.push_back(c.value_evals);
    hvp_evals.push_back(c.hvp_evals);
    seconds.push_back(seconds_now);
    if (c.bilevel) {
      by_kind["outer_grad_evals"].push_back(c.outer_grad_evals);
      by_kind["inner_grad_evals"].push_back(c.inner_grad_evals);
      by_kind["cross_evals"].push_back(c.cross_evals);
      by_kind["oracle_calls"].push_back(c.oracle_calls);
    } else if (c.finite_sum) {
      by_kind["oracle_calls"].push_back(c.oracle_calls);
    }
  }
  Json to_json() const {
    Json out = {{"iterations", iterations},   {"grad_evals", grad_evals},
                {"value_evals", value_evals}, {"hvp_evals", hvp_evals},
                {"seconds", seconds},         {"metrics", metrics}};
    for (const auto& [name, values] : by_kind.items()) out[name] = values;
    return out;
  }
};

// What a cell has measured so far: kept by the caller, so that a cell that
// fails midway still records the checkpoints it reached.
struct CellMeasurements {
  Trace trace;
  Json final_metrics = Json::object();
  double algorithm_seconds = 0;  // clock paused while metrics are computed
  // What the cell was doing, for the message of an allocation that fails:
  // its phase, and the metric being computed (null between metrics).
  CellActivity activity = CellActivity::reference_draws;
  const MetricConfig* computing_metric = nullptr;
};

// The stepping loop of one cell: budget, checkpoints, paused clock,
// divergence and domain checks, timeout, and the runner's iterate average.
class CellLoop {
 public:
  CellLoop(const Suite& suite, const Task& task, const MetricPlan& plan,
           const Matrix& reference, Run& run, Counters& counters,
           CellMeasurements& out, Clock::time_point wall_start)
      : suite_(suite),
        task_(task),
        plan_(plan),
        reference_(reference),
        run_(run),
        counters_(counters),
        trace_(out.trace),
        final_metrics_(out.final_metrics),
        algorithm_seconds_(out.algorithm_seconds),
        activity_(out.activity),
        computing_metric_(out.computing_metric),
        wall_start_(wall_start) {
    if (plan.needs_average)
      average_.emplace(suite.averaging, run.state().points);
  }

  // Steps until the budget, a divergence or the timeout ends the cell.
  CellOutcome run() {
    CellOutcome outcome;
    activity_ = CellActivity::stepping;
    const std::vector<long long> log_iterations = checkpoint_iterations(
        suite_.checkpoints, suite_.budget.max_iterations.value_or(1));
    if (const std::string bad = record_checkpoint(); !bad.empty())
      outcome.end(
          CellStatus::diverged,
          fmt::format("metric '{}' is not finite at the initial points", bad));
    end_if_a_metric_failed(outcome);
    while (outcome.status == CellStatus::ok) {
      if (outcome.stopped_by = budget_reached();
          outcome.stopped_by != StopReason::none)
        break;
      if (seconds_since(wall_start_) > suite_.timeout_seconds) {
        outcome.end(CellStatus::timeout,
                    timeout_message(suite_, counters_.iterations));
        break;
      }
      const auto clock_start = Clock::now();
      try {
        run_.step();
      } catch (const TimeLimitReached& e) {
        // The time ran out within a step, waiting on another process (an
        // external algorithm or a served task): the cell ends `timeout`,
        // and its last complete state is still measured below.
        algorithm_seconds_ += seconds_since(clock_start);
        outcome.end(
            CellStatus::timeout,
            timeout_message(suite_, counters_.iterations) + ": " + e.what());
        break;
      }
      algorithm_seconds_ += seconds_since(clock_start);
      ++counters_.iterations;
      if (average_) average_->add(run_.state().points, counters_.iterations);

      if (const std::string why = left_bounds(); !why.empty()) {
        record_checkpoint();
        outcome.end(CellStatus::diverged, why);
        break;
      }
      // A gradient-free method under a gradient budget alone would never
      // stop: end the cell after its first step, saying why.
      if (counters_.iterations == 1 && counters_.grad_evals == 0 &&
          unbounded_without_gradients()) {
        record_checkpoint();
        outcome.end(CellStatus::failed,
                    "the algorithm spends no gradient evaluations, so the "
                    "budget max_grad_evals cannot end the cell; give "
                    "max_iterations or max_seconds");
        break;
      }
      if (is_checkpoint(suite_.checkpoints, counters_.iterations,
                        log_iterations))
        if (const std::string bad = record_checkpoint(); !bad.empty())
          outcome.end(CellStatus::diverged,
                      fmt::format("metric '{}' is not finite at iteration {}",
                                  bad, counters_.iterations));
      end_if_a_metric_failed(outcome);
    }
    if (last_recorded_ != counters_.iterations) record_checkpoint();
    end_if_a_metric_failed(outcome);
    return outcome;
  }

 private:
  // Ends a cell that is still ok as a metric that failed says
  // (metric_stop_). A budget it reached first no longer stopped it.
  void end_if_a_metric_failed(CellOutcome& outcome) const {
    if (!metric_stop_ || outcome.status != CellStatus::ok) return;
    outcome.end(metric_stop_->status, metric_stop_->message);
    outcome.stopped_by = StopReason::none;
  }

  // Records a checkpoint; returns the name of a metric that is not finite.
  std::string record_checkpoint() {
    last_recorded_ = counters_.iterations;
    trace_.record(counters_, algorithm_seconds_);
    std::string bad;
    auto record_metric = [&](const MetricConfig& metric,
                             const std::string& name, const State& state) {
      computing_metric_ = &metric;
      double value = std::numeric_limits<double>::quiet_NaN();
      try {
        value = metric.entry->compute(MetricContext{
            task_, state, reference_, metric.settings, &counters_});
      } catch (const std::bad_alloc&) {
        throw;  // said by run_cell, with what it was allocating for
      } catch (const std::exception& e) {
        // A metric that fails (a served task's process out of time, gone,
        // or answering nonsense): null here, so that the checkpoint stays
        // whole, and the cell ends after it (metric_stop_), `timeout` or
        // `failed` with the error's own words.
        if (!metric_stop_) {
          if (dynamic_cast<const TimeLimitReached*>(&e))
            metric_stop_ =
                MetricStop{CellStatus::timeout,
                           timeout_message(suite_, counters_.iterations) +
                               ": " + e.what()};
          else
            metric_stop_ = MetricStop{CellStatus::failed, e.what()};
        }
        computing_metric_ = nullptr;
        trace_.metrics[name].push_back(value);
        final_metrics_[name] = value;
        return;
      }
      computing_metric_ = nullptr;
      trace_.metrics[name].push_back(value);  // NaN/inf → null
      final_metrics_[name] = value;
      const bool undefined =
          metric.entry->nan_when_undefined && std::isnan(value);
      if (!std::isfinite(value) && !undefined && bad.empty()) bad = name;
    };
    // The state with the averaged iterate in place of the last one, built
    // once per checkpoint for every metric that asks for it.
    std::optional<State> averaged;
    for (const MetricConfig* metric : plan_.metrics) {
      if (metric->on_last) record_metric(*metric, metric->name, run_.state());
      if (metric->on_average) {
        if (!averaged) {
          averaged = run_.state();
          averaged->points = average_->value();
        }
        record_metric(*metric, metric->name + kAverageSuffix, *averaged);
      }
    }
    return bad;
  }

  bool unbounded_without_gradients() const {
    const Budget& b = suite_.budget;
    return b.max_grad_evals && !b.max_iterations && !b.max_seconds &&
           !b.max_oracle_calls;
  }

  StopReason budget_reached() const {
    const Budget& b = suite_.budget;
    if (b.max_iterations && counters_.iterations >= *b.max_iterations)
      return StopReason::max_iterations;
    if (b.max_grad_evals && counters_.grad_evals >= *b.max_grad_evals)
      return StopReason::max_grad_evals;
    if (b.max_oracle_calls && counters_.oracle_calls >= *b.max_oracle_calls)
      return StopReason::max_oracle_calls;
    if (b.max_seconds && algorithm_seconds_ >= *b.max_seconds)
      return StopReason::max_seconds;
    return StopReason::none;
  }

  // Why the state is out of bounds after a step, or "".
  std::string left_bounds() const {
    const double size = magnitude(run_.state());
    if (!(size <= suite_.divergence_threshold))
      return fmt::format("state {} at iteration {}",
                         std::isfinite(size)
                             ? fmt::format("exceeded divergence_threshold = {}",
                                           suite_.divergence_threshold)
                             : std::string("is not finite"),
                         counters_.iterations);
    // A constrained task's density is undefined outside its domain: a
    // point that leaves it (or reaches its boundary) ends the cell rather
    // than feeding NaN or ±∞ into the metrics. (On ℝ^d contains() is the
    // finiteness the magnitude check above has already ensured.)
    if (!task_.domain().contains(run_.state().points))
      return fmt::format(
          "a point left the {} domain (or reached its boundary) at "
          "iteration {}",
          task_.domain().name(), counters_.iterations);
    return "";
  }

  const Suite& suite_;
  const Task& task_;
  const MetricPlan& plan_;
  const Matrix& reference_;
  Run& run_;
  Counters& counters_;
  Trace& trace_;
  Json& final_metrics_;
  double& algorithm_seconds_;
  CellActivity& activity_;
  const MetricConfig*& computing_metric_;
  const Clock::time_point wall_start_;
  long long last_recorded_ = -1;
  // Set by the first metric that failed: how the cell then ends.
  struct MetricStop {
    CellStatus status;
    std::string message;
  };
  std::optional<MetricStop> metric_stop_;
  std::optional<IterateAverage> average_;
};

}  // namespace

std::string incompatibility(const Task& task, const Algorithm& algorithm) {
  std::vector<std::string> missing;
  for (Capability c : algorithm.requirements())
    if (!task.offers(c)) missing.push_back(to_string(c));
  if (missing.empty()) {
    const Capabilities handled = algorithm.handles();
    for (Capability c : kStructuralCapabilities)
      if (imposes_structure(task, c) && !handled.count(c))
        return fmt::format(
            "the task is {} ({}) and the algorithm does not handle it",
            structure_description(c), to_string(c));
  }
  if (missing.empty()) return "";
  std::string list;
  for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
  return "the algorithm needs what the task does not offer: " + list;
}

void set_display_labels(const Suite& suite, const Cell& cell, Json& record) {
  const std::pair<const char*, const ComponentConfig*> parts[] = {
      {"task", &suite.tasks[cell.task_index]},
      {"algorithm", &suite.algorithms[cell.algorithm_index]}};
  for (const auto& [part, config] : parts) {
    if (!record.contains(part) || !record[part].is_object()) continue;
    if (config->display_label.empty())
      record[part].erase("display_label");
    else
      record[part]["display_label"] = config->display_label;
  }
}

bool needs_reference_posterior(const Suite& suite, size_t task_index) {
  const Task& task = *suite.tasks[task_index].task;
  if (task.kind() != TaskKind::distribution ||
      task.offers(Capability::exact_draws) ||
      !task.offers(Capability::reference))
    return false;
  for (const auto& metric : suite.metrics)
    if (metric.entry->needs_reference_draws &&
        metric.entry->kinds.count(task.kind()))
      return true;
  return false;
}

namespace {

// What every record says before the cell runs: which cell it is.
Json record_header(const Suite& suite, const Cell& cell) {
  const TaskConfig& task_config = suite.tasks[cell.task_index];
  const AlgorithmConfig& algorithm_config =
      suite.algorithms[cell.algorithm_index];
  const Task& task = *task_config.task;
  Json record = {
      {"id", cell.id},
      {"kind", to_string(task.kind())},
      {"task",
       {{"name", task_config.name},
        {"label", task_config.label},
        {"params", task_config.params}}},
      {"algorithm",
       {{"name", algorithm_config.name},
        {"label", algorithm_config.label},
        {"params", algorithm_config.params}}},
      {"replicate", cell.replicate},
      {"seeds", {{"init", cell.init_seed}, {"algorithm", cell.algorithm_seed}}},
      {"status", to_string(CellStatus::ok)},
      {"message", ""},
  };
  if (!task_config.init.is_null()) record["task"]["init"] = task_config.init;
  set_display_labels(suite, cell, record);
  if (task.kind() == TaskKind::objective)
    record["task"]["properties"] =
        static_cast<const Objective&>(task).properties().to_json();
  if (task.kind() == TaskKind::saddle_point)
    record["task"]["properties"] =
        static_cast<const SaddlePoint&>(task).properties().to_json();
  if (task_config.noise.active())
    record["task"]["noise"] = task_config.noise.to_json();
  return record;
}

// How the cell ended and what it measured, written into its record.
void finish_record(Json& record, const CellOutcome& outcome,
                   const CellMeasurements& measured, const Counters& counters,
                   Json diagnostics, double wall_seconds) {
  record["status"] = to_string(outcome.status);
  record["message"] = outcome.message;
  record["stopped_by"] = to_string(outcome.stopped_by);
  record["trace"] = measured.trace.to_json();
  Json final_counters = counters.to_json();
  final_counters["seconds"] = measured.algorithm_seconds;
  final_counters["metrics"] = measured.final_metrics;
  record["final"] = final_counters;
  diagnostics["wall_seconds"] = wall_seconds;
  record["diagnostics"] = diagnostics;
}

}  // namespace

Json abnormal_cell_record(const Suite& suite, const Cell& cell,
                          CellStatus status, const std::string& message,
                          double wall_seconds) {
  Json record = record_header(suite, cell);
  CellOutcome outcome;
  outcome.end(status, message);
  finish_record(record, outcome, CellMeasurements{}, Counters{}, Json::object(),
                wall_seconds);
  return record;
}

Json run_cell(const Suite& suite, const Cell& cell,
              const TaskReference* task_reference) {
  const TaskConfig& task_config = suite.tasks[cell.task_index];
  const AlgorithmConfig& algorithm_config =
      suite.algorithms[cell.algorithm_index];
  const Task& task = *task_config.task;
  const Algorithm& algorithm = *algorithm_config.algorithm;
  const auto wall_start = Clock::now();
  // Oracles that wait on another process (a served density) end with the
  // cell's time, metrics included.
  const CellDeadlineScope deadline(run_limits(suite, wall_start).deadline);
  Json record = record_header(suite, cell);

  if (const std::string reason = incompatibility(task, algorithm);
      !reason.empty()) {
    record["status"] = to_string(CellStatus::skipped);
    record["message"] = reason;
    return record;
  }

  const MetricPlan plan = plan_metrics(suite, task, task_reference);
  Counters counters;
  CellOutcome outcome;
  CellMeasurements measured;
  Json diagnostics = Json::object();
  if (!plan.unavailable.empty())
    diagnostics["metrics_unavailable"] = plan.unavailable;

  try {
    Rng init_rng = make_rng(cell.init_seed);
    Matrix reference;
    if (plan.needs_reference) {
      if (task.offers(Capability::exact_draws)) {
        Rng reference_rng = init_rng.child("reference draws");
        reference = static_cast<const Distribution&>(task).sample(
            suite.reference_draws, reference_rng);
      } else {
        reference = thin_draws(task_reference->draws, suite.reference_draws);
        record["reference"] = task_reference->key;
      }
    }
    measured.activity = CellActivity::initial_points;
    const State initial =
        initial_state(task_config, algorithm.num_points(), init_rng);
    const std::unique_ptr<Oracle> oracle =
        make_oracle(task_config, counters, cell);

    if (const auto* served = dynamic_cast<const WarmUp*>(&task))
      served->warm_up();
    measured.activity = CellActivity::starting;
    const auto clock_start = Clock::now();
    std::unique_ptr<Run> run =
        algorithm.start(*oracle, initial, make_rng(cell.algorithm_seed));
    run->limit_history(plan.needs_history ? suite.max_history_draws : 0);
    run->begin(run_limits(suite, wall_start));
    measured.algorithm_seconds += seconds_since(clock_start);
    outcome = CellLoop(suite, task, plan, reference, *run, counters, measured,
                       wall_start)
                  .run();
    run->end();
    Json algorithm_diagnostics = run->diagnostics();
    if (!algorithm_diagnostics.empty())
      diagnostics["algorithm"] = algorithm_diagnostics;
  } catch (const std::bad_alloc&) {
    // Say what it was allocating for: the phase, the suite's entries and
    // the estimate it passed before the run.
    outcome.end(
        CellStatus::failed,
        fmt::format("{}; {}", kCellOutOfMemoryMessage,
                    allocation_failure_details(suite, cell, measured.activity,
                                               measured.computing_metric,
                                               counters.iterations)));
  } catch (const TimeLimitReached& e) {
    // Waiting on something outside the loop (an external algorithm) when
    // the cell's time ran out.
    outcome.end(CellStatus::timeout,
                timeout_message(suite, counters.iterations) + ": " + e.what());
  } catch (const std::exception& e) {
    outcome.end(CellStatus::failed, e.what());
  }

  finish_record(record, outcome, measured, counters, std::move(diagnostics),
                seconds_since(wall_start));
  return record;
}

const char* to_string(CellStatus status) {
  switch (status) {
    case CellStatus::ok:
      return "ok";
    case CellStatus::diverged:
      return "diverged";
    case CellStatus::timeout:
      return "timeout";
    case CellStatus::failed:
      return "failed";
    case CellStatus::skipped:
      return "skipped";
  }
  return "?";
}

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::none:
      return "";
    case StopReason::max_iterations:
      return "max_iterations";
    case StopReason::max_grad_evals:
      return "max_grad_evals";
    case StopReason::max_oracle_calls:
      return "max_oracle_calls";
    case StopReason::max_seconds:
      return "max_seconds";
  }
  return "?";
}

}  // namespace vibench
