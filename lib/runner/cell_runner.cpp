#include "runner/cell_runner.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "reference/reference_posterior.hpp"

namespace vibench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Minibatches and gradient noise come from the algorithm's seed (streams of
// their own), so replicates differ in them as in the algorithm's randomness.
std::unique_ptr<Oracle> make_oracle(const TaskConfig& config,
                                    Counters& counters,
                                    std::uint64_t algorithm_seed) {
  const Task& task = *config.task;
  const std::uint64_t minibatch_seed =
      mix_seed(algorithm_seed, hash_string("minibatch"));
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
          static_cast<const Objective&>(task), counters, noise, noise_seed);
    case TaskKind::saddle_point:
      return std::make_unique<SaddlePointOracle>(
          static_cast<const SaddlePoint&>(task), counters, noise, noise_seed);
    case TaskKind::bilevel:
      return std::make_unique<BilevelOracle>(static_cast<const Bilevel&>(task),
                                             counters, noise, noise_seed);
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
  Json metrics = Json::object();
  Json to_json() const {
    return {{"iterations", iterations},   {"grad_evals", grad_evals},
            {"value_evals", value_evals}, {"hvp_evals", hvp_evals},
            {"seconds", seconds},         {"metrics", metrics}};
  }
};

}  // namespace

std::string incompatibility(const Task& task, const Algorithm& algorithm) {
  std::vector<std::string> missing;
  for (Capability c : algorithm.requirements())
    if (!task.offers(c)) missing.push_back(to_string(c));
  if (missing.empty()) return "";
  std::string list;
  for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
  return "the algorithm needs what the task does not offer: " + list;
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

Json run_cell(const Suite& suite, const Cell& cell,
              const TaskReference* task_reference) {
  const TaskConfig& task_config = suite.tasks[cell.task_index];
  const AlgorithmConfig& algorithm_config =
      suite.algorithms[cell.algorithm_index];
  const Task& task = *task_config.task;
  const Algorithm& algorithm = *algorithm_config.algorithm;

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
      {"status", kStatusOk},
      {"message", ""},
  };
  if (!task_config.init.is_null()) record["task"]["init"] = task_config.init;
  if (task_config.noise.active())
    record["task"]["noise"] = task_config.noise.to_json();

  if (const std::string reason = incompatibility(task, algorithm);
      !reason.empty()) {
    record["status"] = kStatusSkipped;
    record["message"] = reason;
    return record;
  }

  // Which metrics apply, and which cannot be computed on this task.
  std::vector<const MetricConfig*> metrics;
  Json unavailable = Json::object();
  bool need_reference = false;
  for (const auto& metric : suite.metrics) {
    if (!metric.entry->kinds.count(task.kind())) continue;
    if (metric.entry->reals_only && task.domain().name() != "reals") {
      unavailable[metric.name] =
          fmt::format("defined only on R^d; the task's domain is the {}",
                      task.domain().name());
      continue;
    }
    std::vector<std::string> missing;
    for (Capability c : metric.entry->requirements)
      if (!task.offers(c)) missing.push_back(to_string(c));
    if (metric.entry->needs_reference_draws &&
        !task.offers(Capability::exact_draws)) {
      if (!task.offers(Capability::reference)) {
        missing.push_back("exact_draws or reference");
      } else if (!task_reference || task_reference->draws.rows() == 0) {
        unavailable[metric.name] =
            task_reference && !task_reference->unavailable.empty()
                ? task_reference->unavailable
                : "no reference posterior was computed for this task";
        continue;
      }
    }
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      unavailable[metric.name] = "the task does not offer " + list;
      continue;
    }
    metrics.push_back(&metric);
    need_reference = need_reference || metric.entry->needs_reference_draws;
  }

  Counters counters;
  Trace trace;
  Json final_metrics = Json::object();
  Json diagnostics = Json::object();
  if (!unavailable.empty()) diagnostics["metrics_unavailable"] = unavailable;
  double algorithm_seconds = 0;
  const auto wall_start = Clock::now();
  std::string stopped_by;

  try {
    Rng init_rng = make_rng(cell.init_seed);
    Matrix reference;
    if (need_reference) {
      if (task.offers(Capability::exact_draws)) {
        Rng reference_rng = init_rng.child("reference draws");
        reference = static_cast<const Distribution&>(task).sample(
            suite.reference_draws, reference_rng);
      } else {
        reference = thin_draws(task_reference->draws, suite.reference_draws);
        record["reference"] = task_reference->key;
      }
    }
    const State initial =
        initial_state(task_config, algorithm.num_points(), init_rng);
    const std::unique_ptr<Oracle> oracle =
        make_oracle(task_config, counters, cell.algorithm_seed);

    auto clock_start = Clock::now();
    std::unique_ptr<Run> run =
        algorithm.start(*oracle, initial, make_rng(cell.algorithm_seed));
    algorithm_seconds += seconds_since(clock_start);
    // The runner's average of the iterates, for metrics that ask for it.
    std::optional<IterateAverage> average;
    if (std::any_of(metrics.begin(), metrics.end(),
                    [](const MetricConfig* m) { return m->on_average; }))
      average.emplace(suite.averaging, run->state().points);

    const std::vector<long long> log_iterations =
        suite.checkpoints.log_spaced > 0
            ? log_spaced_iterations(suite.checkpoints.log_spaced,
                                    suite.budget.max_iterations.value_or(1))
            : std::vector<long long>();
    long long last_recorded = -1;

    // Records a checkpoint; returns the name of a metric that is not finite.
    auto record_checkpoint = [&]() -> std::string {
      last_recorded = counters.iterations;
      trace.iterations.push_back(counters.iterations);
      trace.grad_evals.push_back(counters.grad_evals);
      trace.value_evals.push_back(counters.value_evals);
      trace.hvp_evals.push_back(counters.hvp_evals);
      trace.seconds.push_back(algorithm_seconds);
      std::string bad;
      auto record_metric = [&](const MetricConfig& metric,
                               const std::string& name, const State& state) {
        const double value = metric.entry->compute(
            MetricContext{task, state, reference, metric.settings, &counters});
        trace.metrics[name].push_back(value);  // NaN/inf → null
        final_metrics[name] = value;
        const bool undefined =
            metric.entry->nan_when_undefined && std::isnan(value);
        if (!std::isfinite(value) && !undefined && bad.empty()) bad = name;
      };
      for (const MetricConfig* metric : metrics) {
        if (metric->on_last) record_metric(*metric, metric->name, run->state());
        if (metric->on_average) {
          State averaged = run->state();
          averaged.points = average->value();
          record_metric(*metric, metric->name + kAverageSuffix, averaged);
        }
      }
      return bad;
    };

    auto budget_reached = [&]() -> std::string {
      const Budget& b = suite.budget;
      if (b.max_iterations && counters.iterations >= *b.max_iterations)
        return "max_iterations";
      if (b.max_grad_evals && counters.grad_evals >= *b.max_grad_evals)
        return "max_grad_evals";
      if (b.max_seconds && algorithm_seconds >= *b.max_seconds)
        return "max_seconds";
      return "";
    };

    std::string bad_metric = record_checkpoint();
    if (!bad_metric.empty()) {
      record["status"] = kStatusDiverged;
      record["message"] = fmt::format(
          "metric '{}' is not finite at the initial points", bad_metric);
    }
    while (record["status"] == kStatusOk) {
      if (stopped_by = budget_reached(); !stopped_by.empty()) break;
      if (seconds_since(wall_start) > suite.timeout_seconds) {
        record["status"] = kStatusTimeout;
        record["message"] =
            fmt::format("cell exceeded timeout_seconds = {} at iteration {}",
                        suite.timeout_seconds, counters.iterations);
        break;
      }
      clock_start = Clock::now();
      run->step();
      algorithm_seconds += seconds_since(clock_start);
      ++counters.iterations;
      if (average) average->add(run->state().points, counters.iterations);

      const double size = magnitude(run->state());
      if (!(size <= suite.divergence_threshold)) {
        record_checkpoint();
        record["status"] = kStatusDiverged;
        record["message"] =
            fmt::format("state {} at iteration {}",
                        std::isfinite(size)
                            ? fmt::format("exceeded divergence_threshold = {}",
                                          suite.divergence_threshold)
                            : std::string("is not finite"),
                        counters.iterations);
        break;
      }
      // A constrained task's density is undefined outside its domain: a
      // point that leaves it (or reaches its boundary) ends the cell rather
      // than feeding NaN or ±∞ into the metrics. (On ℝ^d contains() is the
      // finiteness the magnitude check above has already ensured.)
      if (!task.domain().contains(run->state().points)) {
        record_checkpoint();
        record["status"] = kStatusDiverged;
        record["message"] = fmt::format(
            "a point left the {} domain (or reached its boundary) at "
            "iteration {}",
            task.domain().name(), counters.iterations);
        break;
      }
      if (is_checkpoint(suite.checkpoints, counters.iterations,
                        log_iterations)) {
        bad_metric = record_checkpoint();
        if (!bad_metric.empty()) {
          record["status"] = kStatusDiverged;
          record["message"] =
              fmt::format("metric '{}' is not finite at iteration {}",
                          bad_metric, counters.iterations);
        }
      }
    }
    if (last_recorded != counters.iterations) record_checkpoint();
    Json algorithm_diagnostics = run->diagnostics();
    if (!algorithm_diagnostics.empty())
      diagnostics["algorithm"] = algorithm_diagnostics;
  } catch (const std::exception& e) {
    record["status"] = kStatusFailed;
    record["message"] = e.what();
  }

  record["stopped_by"] = stopped_by;
  record["trace"] = trace.to_json();
  Json final_counters = counters.to_json();
  final_counters["seconds"] = algorithm_seconds;
  final_counters["metrics"] = final_metrics;
  record["final"] = final_counters;
  diagnostics["wall_seconds"] = seconds_since(wall_start);
  record["diagnostics"] = diagnostics;
  return record;
}

}  // namespace vibench
