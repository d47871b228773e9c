#include "runner/suite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/error.hpp"
#include "core/json_structure.hpp"
#include "core/path_checks.hpp"
#include "core/suggest.hpp"
#include "report/display_labels.hpp"
#include "runner/cell_id.hpp"
#include "runner/cell_memory.hpp"
#include "runner/cell_runner.hpp"

namespace vibench {

namespace {

const std::vector<std::string> kSuiteKeys = {"$schema",
                                             "name",
                                             "description",
                                             "seed",
                                             "seeds",
                                             "tasks",
                                             "algorithms",
                                             "metrics",
                                             "budget",
                                             "checkpoints",
                                             "timeout_seconds",
                                             "reference_draws",
                                             "divergence_threshold",
                                             "averaging",
                                             "max_cell_memory_gib",
                                             "max_history_draws"};
const std::vector<std::string> kTaskKeys = {"name", "params", "init", "noise",
                                            "label"};
const std::vector<std::string> kAlgorithmKeys = {"name", "params", "label"};
const std::vector<std::string> kMetricKeys = {"name", "settings"};
const std::vector<std::string> kBudgetKeys = {
    "max_iterations", "max_grad_evals", "max_oracle_calls", "max_seconds"};
const std::vector<std::string> kCheckpointKeys = {"every", "log_spaced",
                                                  "geometric"};
const std::vector<std::string> kInitKeys = {"mean", "std"};

void check_keys(const Json& object, const std::vector<std::string>& allowed,
                const std::string& path, const std::string& what) {
  if (!object.is_object())
    throw ConfigError(path, fmt::format("{} must be a JSON object, got {}",
                                        what, object.dump()));
  for (const auto& [key, value] : object.items())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      throw ConfigError(
          path + "/" + key,
          fmt::format("unknown key '{}' in {}{}; allowed: {}", key, what,
                      did_you_mean(key, allowed), quoted_list(allowed)));
}

// A positive integer (given as an integral JSON number).
long long positive_integer(const Json& value, const std::string& path,
                           const std::string& what, long long minimum = 1) {
  const auto fail = [&](const std::string& why) {
    throw ConfigError(path, fmt::format("{} must be an integer >= {}{}, got {}",
                                        what, minimum, why, value.dump()));
  };
  // Integers are read exactly (2^53 and 2^53 + 1 stay two ids); a decimal
  // number is accepted only where it names one integer.
  long long out = 0;
  if (value.is_number_unsigned()) {
    if (value.get<std::uint64_t>() >
        static_cast<std::uint64_t>(std::numeric_limits<long long>::max()))
      fail(" and at most 9223372036854775807");
    out = static_cast<long long>(value.get<std::uint64_t>());
  } else if (value.is_number_integer()) {
    out = value.get<long long>();
  } else if (value.is_number_float()) {
    const double x = value.get<double>();
    if (!std::isfinite(x) || std::floor(x) != x) fail("");
    if (std::abs(x) > 9007199254740992.0)
      fail(
          " written as an integer (a decimal number beyond 2^53 names no "
          "single integer)");
    out = static_cast<long long>(x);
  } else {
    fail("");
  }
  if (out < minimum) fail("");
  return out;
}

double positive_number(const Json& value, const std::string& path,
                       const std::string& what) {
  if (!value.is_number() || !(value.get<double>() > 0) ||
      !std::isfinite(value.get<double>()))
    throw ConfigError(path, fmt::format("{} must be a positive number, got {}",
                                        what, value.dump()));
  return value.get<double>();
}

// Returns the name of a component entry (a string, or an object with "name").
std::string entry_name(const Json& entry, const std::string& path,
                       const std::vector<std::string>& keys,
                       const std::string& what) {
  check_keys(entry, keys, path, what);
  if (!entry.contains("name") || !entry["name"].is_string())
    throw ConfigError(path + "/name",
                      fmt::format("{} needs a string 'name'", what));
  return entry["name"].get<std::string>();
}

// The entry's optional `label` template; empty when it has none.
std::string label_template(const Json& entry, const std::string& path) {
  if (!entry.contains("label")) return "";
  if (!entry["label"].is_string())
    throw ConfigError(path + "/label",
                      fmt::format("label must be a string such as "
                                  "\"SVMD (η={{step_size}})\", not {}",
                                  entry["label"].dump()));
  return entry["label"].get<std::string>();
}

// Two configurations of one list may not read alike: `labels` maps each
// display label given so far to its entry's JSON path.
void check_display_label_unique(
    const ComponentConfig& config, const std::string& template_text,
    std::unordered_map<std::string, std::string>& labels) {
  if (config.display_label.empty()) return;
  const auto [it, inserted] =
      labels.emplace(config.display_label, config.json_path);
  if (!inserted)
    throw ConfigError(
        config.json_path + "/label",
        fmt::format("label '{}' gives two configurations the same label "
                    "'{}' (also {}); name the parameters that vary in it, "
                    "e.g. {{step_size}}",
                    template_text, config.display_label, it->second));
}

// Expands grids: for a scalar-typed parameter a list is a grid; for any
// parameter {"grid": [...]} is a grid. Returns every combination, in the
// order of the parameter names (JSON objects are sorted by key).
std::vector<Json> expand_grid(const Json& given, const ParamSpecs& specs,
                              const std::string& path) {
  std::vector<Json> combos = {Json::object()};
  if (!given.is_object()) return {given};
  // The number of combinations, before building any: a grid is bounded.
  double count = 1;
  for (const auto& [key, value] : given.items())
    if (value.is_array() && !value.empty())
      count *= static_cast<double>(value.size());
    else if (value.is_object() && value.contains("grid") &&
             value["grid"].is_array() && !value["grid"].empty())
      count *= static_cast<double>(value["grid"].size());
  if (count > static_cast<double>(kMaxConfigurations))
    throw ConfigError(
        path, fmt::format("the grid expands to {:.0f} configurations; a suite "
                          "entry may have at most {}",
                          count, kMaxConfigurations));
  for (const auto& [key, value] : given.items()) {
    // key by an init-capture: clang before 16 cannot capture a structured
    // binding.
    const auto spec = std::find_if(
        specs.begin(), specs.end(),
        [&key = key](const ParamSpec& s) { return s.name == key; });
    const bool scalar_type =
        spec != specs.end() &&
        (spec->type == ParamType::integer || spec->type == ParamType::real ||
         spec->type == ParamType::boolean || spec->type == ParamType::string ||
         spec->type == ParamType::component);
    std::vector<Json> values;
    if (value.is_object() && value.size() == 1 && value.contains("grid") &&
        value["grid"].is_array() && !value["grid"].empty()) {
      values.assign(value["grid"].begin(), value["grid"].end());
    } else if (scalar_type && value.is_array() && !value.empty()) {
      values.assign(value.begin(), value.end());
    } else {
      values = {value};
    }
    std::vector<Json> next;
    for (const auto& combo : combos)
      for (const auto& v : values) {
        Json c = combo;
        c[key] = v;
        next.push_back(std::move(c));
      }
    combos = std::move(next);
  }
  return combos;
}

std::string make_label(const std::string& name, const Json& given) {
  if (!given.is_object() || given.empty()) return name;
  return name + given.dump();
}

std::string hex(std::uint64_t value) { return fmt::format("{:016x}", value); }

template <class Entry>
const Entry& find_entry(const Registry<Entry>& registry,
                        const std::string& name, const std::string& path,
                        const std::string& what) {
  const Entry* entry = registry.find(name);
  if (!entry)
    throw ConfigError(
        path, fmt::format("unknown {} '{}'{}; available: {}", what, name,
                          did_you_mean(name, registry.names()),
                          quoted_list(registry.names())));
  return *entry;
}

// Runs a component constructor, turning its ConfigError into one at `path`.
template <class F>
auto construct_at(const std::string& path, const std::string& label, F&& make) {
  try {
    return make();
  } catch (const ConfigError& e) {
    throw ConfigError(append_json_path(path, e.where()),
                      fmt::format("{}: {}", label, e.what()));
  } catch (const std::bad_alloc&) {
    throw ConfigError(path, fmt::format("{}: not enough memory to build it "
                                        "with these parameters",
                                        label));
  } catch (const std::length_error&) {
    throw ConfigError(path, fmt::format("{}: its parameters ask for more "
                                        "memory than can be addressed",
                                        label));
  }
}

void parse_tasks(const Json& doc, Suite& suite, Json& canonical) {
  if (!doc.contains("tasks") || !doc["tasks"].is_array() ||
      doc["tasks"].empty())
    throw ConfigError("/tasks", "the suite needs a non-empty list 'tasks'");
  canonical["tasks"] = Json::array();
  const auto& registry = TaskRegistry::instance();
  // What the tasks built so far hold: they are all kept for the run.
  double tasks_memory = 0;
  std::unordered_map<std::string, std::string> display_labels;
  for (size_t i = 0; i < doc["tasks"].size(); ++i) {
    const std::string path = fmt::format("/tasks/{}", i);
    const Json& entry = doc["tasks"][i];
    const std::string name = entry_name(entry, path, kTaskKeys, "a task entry");
    const TaskEntry& task_entry =
        find_entry(registry, name, path + "/name", "task");
    const std::string label = label_template(entry, path);
    const Json given = entry.value("params", Json::object());
    Json init = entry.value("init", Json());
    if (!init.is_null()) check_keys(init, kInitKeys, path + "/init", "'init'");
    const Json noise_json = entry.value("noise", Json());
    const GradientNoise noise =
        noise_json.is_null()
            ? GradientNoise()
            : GradientNoise::from_json(noise_json, path + "/noise");
    for (const Json& combo :
         expand_grid(given, task_entry.params, path + "/params")) {
      TaskConfig config;
      config.name = name;
      config.json_path = path;
      config.entry = &task_entry;
      config.params = validate_params(combo, task_entry.params,
                                      path + "/params", "task '" + name + "'");
      config.given = combo;
      config.label = make_label(name, combo);
      if (!label.empty())
        config.display_label =
            expand_label_template(label, config.params, path + "/label");
      // Before the task is built: building it is the allocation to avoid.
      config.memory_bytes = check_memory_before_building(
          task_entry, Params(config.params), path + "/params", config.label,
          tasks_memory, suite.max_cell_memory_bytes);
      tasks_memory += config.memory_bytes;
      config.task = construct_at(path + "/params", "task '" + name + "'", [&] {
        return task_entry.make(Params(config.params));
      });
      if (noise.active()) {
        if (!config.task->offers(Capability::gradient_noise))
          throw ConfigError(
              path + "/noise",
              fmt::format("task '{}' does not offer gradient_noise (additive "
                          "noise is for synthetic tasks; data-based tasks "
                          "are made stochastic by their batch_size)",
                          name));
        config.noise = noise;
        // The noisy and the exact version of a task are different cells,
        // but start from the same points (the seed ignores the noise).
        config.label += "+noise" + noise.to_json().dump();
      }
      config.init = init;
      if (init.is_object()) {
        if (init.contains("std"))
          config.init_std =
              positive_number(init["std"], path + "/init/std", "init std");
        if (init.contains("mean")) {
          const Json mean = init["mean"];
          const Index d = config.task->dim();
          if (mean.is_number()) {
            config.init_mean = Vector::Constant(d, mean.get<double>());
          } else if (mean.is_array() && static_cast<Index>(mean.size()) == d &&
                     std::all_of(mean.begin(), mean.end(),
                                 [](const Json& v) { return v.is_number(); })) {
            Vector m(d);
            for (Index k = 0; k < d; ++k) m(k) = mean[k].get<double>();
            config.init_mean = m;
          } else {
            throw ConfigError(
                path + "/init/mean",
                fmt::format("init mean must be a number or a list "
                            "of {} numbers (the task's dimension)",
                            d));
          }
        }
      }
      for (const auto& other : suite.tasks)
        if (other.label == config.label)
          throw ConfigError(path,
                            fmt::format("task '{}' appears twice (also at {})",
                                        config.label, other.json_path));
      check_display_label_unique(config, label, display_labels);
      Json c = {{"name", name}, {"params", config.params}};
      if (!init.is_null()) c["init"] = init;
      if (noise.active()) c["noise"] = noise.to_json();
      canonical["tasks"].push_back(c);
      suite.tasks.push_back(std::move(config));
    }
  }
}

void parse_algorithms(const Json& doc, Suite& suite, Json& canonical) {
  if (!doc.contains("algorithms") || !doc["algorithms"].is_array() ||
      doc["algorithms"].empty())
    throw ConfigError("/algorithms",
                      "the suite needs a non-empty list 'algorithms'");
  canonical["algorithms"] = Json::array();
  const auto& registry = AlgorithmRegistry::instance();
  std::unordered_map<std::string, std::string> labels;  // label → JSON path
  std::unordered_map<std::string, std::string> display_labels;
  for (size_t i = 0; i < doc["algorithms"].size(); ++i) {
    const std::string path = fmt::format("/algorithms/{}", i);
    const Json& entry = doc["algorithms"][i];
    const std::string name =
        entry_name(entry, path, kAlgorithmKeys, "an algorithm entry");
    const AlgorithmEntry& algorithm_entry =
        find_entry(registry, name, path + "/name", "algorithm");
    const std::string label = label_template(entry, path);
    const Json given = entry.value("params", Json::object());
    for (const Json& combo :
         expand_grid(given, algorithm_entry.params, path + "/params")) {
      AlgorithmConfig config;
      config.name = name;
      config.json_path = path;
      config.entry = &algorithm_entry;
      config.params =
          validate_params(combo, algorithm_entry.params, path + "/params",
                          "algorithm '" + name + "'");
      config.given = combo;
      config.label = make_label(name, combo);
      if (!label.empty())
        config.display_label =
            expand_label_template(label, config.params, path + "/label");
      config.algorithm = construct_at(
          path + "/params", "algorithm '" + name + "'",
          [&] { return algorithm_entry.make(Params(config.params)); });
      // A map, not a scan of the earlier entries: linear in the grid size.
      if (const auto [it, inserted] =
              labels.emplace(config.label, config.json_path);
          !inserted)
        throw ConfigError(path,
                          fmt::format("algorithm '{}' appears twice (also "
                                      "at {})",
                                      config.label, it->second));
      check_display_label_unique(config, label, display_labels);
      canonical["algorithms"].push_back(
          {{"name", name}, {"params", config.params}});
      suite.algorithms.push_back(std::move(config));
    }
  }
}

void parse_metrics(const Json& doc, Suite& suite, Json& canonical) {
  canonical["metrics"] = Json::array();
  if (!doc.contains("metrics")) return;
  if (!doc["metrics"].is_array())
    throw ConfigError("/metrics",
                      "'metrics' must be a list of metric names or "
                      "{\"name\": ..., \"settings\": {...}} objects");
  const auto& registry = MetricRegistry::instance();
  for (size_t i = 0; i < doc["metrics"].size(); ++i) {
    const std::string path = fmt::format("/metrics/{}", i);
    const Json& entry = doc["metrics"][i];
    std::string name;
    Json settings = Json::object();
    if (entry.is_string()) {
      name = entry.get<std::string>();
    } else {
      name = entry_name(entry, path, kMetricKeys, "a metric entry");
      settings = entry.value("settings", Json::object());
    }
    std::string renamed;
    const MetricEntry* former = find_metric(name, &renamed);
    if (!renamed.empty()) {
      suite.warnings.push_back(path + ": " + renamed);
      name = former->name;
    }
    const MetricEntry& metric_entry = find_entry(
        registry, name, entry.is_string() ? path : path + "/name", "metric");
    MetricConfig config;
    config.name = name;
    config.entry = &metric_entry;
    config.settings =
        Params(validate_params(settings, metric_entry.settings,
                               path + "/settings", "metric '" + name + "'"));
    if (takes_iterate_setting(metric_entry)) {
      const std::string iterate = config.settings.string(kIterateSetting);
      config.on_last = iterate != "average";
      config.on_average = iterate != "last";
    }
    for (const auto& other : suite.metrics)
      if (other.name == name)
        throw ConfigError(path,
                          fmt::format("metric '{}' is listed twice", name));
    canonical["metrics"].push_back(
        {{"name", name}, {"settings", config.settings.json()}});
    suite.metrics.push_back(std::move(config));
  }
}

void parse_budget(const Json& doc, Suite& suite) {
  if (!doc.contains("budget"))
    throw ConfigError("/budget",
                      "the suite needs a 'budget' with at least one of "
                      "'max_iterations', 'max_grad_evals', 'max_seconds'");
  const Json& budget = doc["budget"];
  check_keys(budget, kBudgetKeys, "/budget", "'budget'");
  if (budget.contains("max_iterations"))
    suite.budget.max_iterations = positive_integer(
        budget["max_iterations"], "/budget/max_iterations", "max_iterations");
  if (budget.contains("max_grad_evals"))
    suite.budget.max_grad_evals = positive_integer(
        budget["max_grad_evals"], "/budget/max_grad_evals", "max_grad_evals");
  if (budget.contains("max_oracle_calls"))
    suite.budget.max_oracle_calls =
        positive_integer(budget["max_oracle_calls"], "/budget/max_oracle_calls",
                         "max_oracle_calls");
  if (budget.contains("max_seconds"))
    suite.budget.max_seconds = positive_number(
        budget["max_seconds"], "/budget/max_seconds", "max_seconds");
  if (!suite.budget.max_iterations && !suite.budget.max_grad_evals &&
      !suite.budget.max_oracle_calls && !suite.budget.max_seconds)
    throw ConfigError("/budget",
                      "the budget needs at least one of 'max_iterations', "
                      "'max_grad_evals', 'max_oracle_calls', 'max_seconds'");
}

// max_oracle_calls counts the oracles of bilevel problems and finite-sum
// games only (Counters::oracle_calls): alone, it cannot end another cell.
void check_oracle_call_budget(const Suite& suite) {
  const Budget& b = suite.budget;
  if (!b.max_oracle_calls || b.max_iterations || b.max_grad_evals ||
      b.max_seconds)
    return;
  for (size_t i = 0; i < suite.tasks.size(); ++i)
    if (suite.tasks[i].task->kind() != TaskKind::bilevel &&
        !(suite.tasks[i].task->kind() == TaskKind::saddle_point &&
          suite.tasks[i].task->data_size() > 0))
      throw ConfigError(
          "/budget/max_oracle_calls",
          fmt::format("max_oracle_calls counts the oracle calls of bilevel "
                      "problems and finite-sum games, and task '{}' "
                      "(/tasks/{}) is neither; add max_iterations, "
                      "max_grad_evals or max_seconds",
                      suite.tasks[i].label, i));
}

void parse_checkpoints(const Json& doc, Suite& suite) {
  if (!doc.contains("checkpoints")) {
    // Default: about 20 checkpoints over the iteration budget; without one,
    // geometric spacing, whose count grows with the log of the run's length.
    if (suite.budget.max_iterations)
      suite.checkpoints.every =
          std::max<long long>(1, *suite.budget.max_iterations / 20);
    else
      suite.checkpoints.geometric = true;
    return;
  }
  const Json& rule = doc["checkpoints"];
  check_keys(rule, kCheckpointKeys, "/checkpoints", "'checkpoints'");
  if (rule.size() != 1)
    throw ConfigError(
        "/checkpoints",
        "'checkpoints' takes exactly one of 'every', 'log_spaced' or "
        "'geometric'");
  if (rule.contains("geometric")) {
    if (rule["geometric"] != true)
      throw ConfigError("/checkpoints/geometric",
                        "'geometric' takes the value true");
    suite.checkpoints.geometric = true;
  }
  if (rule.contains("every"))
    suite.checkpoints.every = positive_integer(
        rule["every"], "/checkpoints/every", "checkpoints.every");
  if (rule.contains("log_spaced")) {
    suite.checkpoints.log_spaced = static_cast<int>(
        positive_integer(rule["log_spaced"], "/checkpoints/log_spaced",
                         "checkpoints.log_spaced", 2));
    if (!suite.budget.max_iterations)
      throw ConfigError("/checkpoints/log_spaced",
                        "log-spaced checkpoints need budget.max_iterations");
  }
}

void parse_seeds(const Json& doc, Suite& suite) {
  if (doc.contains("seed")) {
    const Json& seed = doc["seed"];
    if (!seed.is_number_integer() || seed.get<long long>() < 0)
      throw ConfigError("/seed",
                        fmt::format("seed must be a non-negative integer, "
                                    "got {}",
                                    seed.dump()));
    suite.seed = seed.get<std::uint64_t>();
  }
  const Json seeds = doc.value("seeds", Json(1));
  if (seeds.is_number()) {
    const long long count =
        positive_integer(seeds, "/seeds", "seeds (a count)");
    if (count > kMaxCells)
      throw ConfigError("/seeds",
                        fmt::format("{} seeds exceed the {} cells a suite may "
                                    "have",
                                    count, kMaxCells));
    for (long long r = 0; r < count; ++r) suite.replicates.push_back(r);
  } else if (seeds.is_array() && !seeds.empty()) {
    for (size_t i = 0; i < seeds.size(); ++i)
      suite.replicates.push_back(positive_integer(
          seeds[i], fmt::format("/seeds/{}", i), "a replicate id", 0));
    std::set<long long> unique(suite.replicates.begin(),
                               suite.replicates.end());
    if (unique.size() != suite.replicates.size())
      throw ConfigError("/seeds", "the list of seeds has duplicates");
  } else {
    throw ConfigError("/seeds",
                      fmt::format("seeds must be a count or a non-empty "
                                  "list of replicate ids, got {}",
                                  seeds.dump()));
  }
}

void add_warnings(Suite& suite) {
  for (const auto& task : suite.tasks) {
    const bool has_algorithm =
        std::any_of(suite.algorithms.begin(), suite.algorithms.end(),
                    [&](const AlgorithmConfig& a) {
                      return a.algorithm->kind() == task.task->kind();
                    });
    if (!has_algorithm)
      suite.warnings.push_back(fmt::format(
          "{}: task '{}' is a {} and no algorithm of that kind is listed",
          task.json_path, task.label, to_string(task.task->kind())));
  }
  for (const auto& algorithm : suite.algorithms) {
    const bool has_task = std::any_of(
        suite.tasks.begin(), suite.tasks.end(), [&](const TaskConfig& t) {
          return t.task->kind() == algorithm.algorithm->kind();
        });
    if (!has_task)
      suite.warnings.push_back(
          fmt::format("{}: algorithm '{}' is for {} tasks and none is listed",
                      algorithm.json_path, algorithm.label,
                      to_string(algorithm.algorithm->kind())));
  }
  for (size_t i = 0; i < suite.metrics.size(); ++i) {
    const auto& metric = suite.metrics[i];
    const bool applies = std::any_of(
        suite.tasks.begin(), suite.tasks.end(), [&](const TaskConfig& t) {
          return metric.entry->kinds.count(t.task->kind()) > 0;
        });
    if (!applies)
      suite.warnings.push_back(fmt::format(
          "/metrics/{}: metric '{}' applies to none of the suite's tasks", i,
          metric.name));
  }
}

// An algorithm configuration that has tasks of its kind but can run on none
// of them (a proximal method without a composite task, mirror descent on
// ℝ^d, an optimizer that ignores the only task's constraint) would only
// produce skipped cells: an error, naming the entry and the first reason.
// Inside a grid or across several tasks, incompatible pairs are skipped.
void check_compatibility(const Suite& suite) {
  for (const auto& algorithm : suite.algorithms)
    for (const auto& task : suite.tasks)
      if (task.task->kind() == algorithm.algorithm->kind())
        if (const std::string why = algorithm.algorithm->check_task(*task.task);
            !why.empty())
          throw ConfigError(
              algorithm.json_path,
              fmt::format("algorithm '{}' cannot run on task '{}': {}",
                          algorithm.label, task.label, why));
  for (const auto& algorithm : suite.algorithms) {
    std::string first_reason, first_task;
    bool any_task = false, any_compatible = false;
    for (const auto& task : suite.tasks) {
      if (task.task->kind() != algorithm.algorithm->kind()) continue;
      any_task = true;
      const std::string why = incompatibility(*task.task, *algorithm.algorithm);
      if (why.empty()) {
        any_compatible = true;
        break;
      }
      if (first_reason.empty()) {
        first_reason = why;
        first_task = task.label;
      }
    }
    if (any_task && !any_compatible)
      throw ConfigError(
          algorithm.json_path,
          fmt::format("algorithm '{}' can run on none of the suite's tasks "
                      "(on '{}': {})",
                      algorithm.label, first_task, first_reason));
  }
}

// A warm-up longer than the iteration budget never reaches the step size
// the user asked for: almost certainly a mistake, so an error.
void check_warmups(const Suite& suite) {
  if (!suite.budget.max_iterations) return;
  for (const auto& algorithm : suite.algorithms)
    for (const auto& spec : algorithm.entry->params) {
      if (spec.type != ParamType::component) continue;
      const Json& value = algorithm.params.at(spec.name);
      if (!value.contains("warmup_steps")) continue;
      const long long warmup = value["warmup_steps"].get<long long>();
      if (warmup > *suite.budget.max_iterations)
        throw ConfigError(
            algorithm.json_path + "/params/" + spec.name + "/warmup_steps",
            fmt::format("algorithm '{}': warmup_steps = {} is longer than "
                        "the budget's max_iterations = {}",
                        algorithm.label, warmup, *suite.budget.max_iterations));
    }
}

}  // namespace

std::vector<std::string> MetricConfig::recorded_names() const {
  std::vector<std::string> out;
  if (on_last) out.push_back(name);
  if (on_average) out.push_back(name + kAverageSuffix);
  return out;
}

Json Budget::to_json() const {
  Json out = Json::object();
  if (max_iterations) out["max_iterations"] = *max_iterations;
  if (max_grad_evals) out["max_grad_evals"] = *max_grad_evals;
  if (max_oracle_calls) out["max_oracle_calls"] = *max_oracle_calls;
  if (max_seconds) out["max_seconds"] = *max_seconds;
  return out;
}

Json CheckpointRule::to_json() const {
  if (geometric) return {{"geometric", true}};
  if (log_spaced > 0) return {{"log_spaced", log_spaced}};
  return {{"every", every}};
}

// Cells = Σ over task kinds of tasks × algorithms of that kind, times the
// replicates: bounded before anything is expanded.
void check_cell_count(const Suite& suite) {
  double cells = 0;
  for (const auto& task : suite.tasks)
    for (const auto& algorithm : suite.algorithms)
      if (task.task->kind() == algorithm.algorithm->kind()) ++cells;
  cells *= static_cast<double>(suite.replicates.size());
  if (cells > static_cast<double>(kMaxCells))
    throw ConfigError(
        "/seeds",
        fmt::format("the suite expands to {:.0f} cells ({} tasks, {} "
                    "algorithm configurations, {} seeds); a suite may have at "
                    "most {}: split it, or run shards of a smaller grid",
                    cells, suite.tasks.size(), suite.algorithms.size(),
                    suite.replicates.size(), kMaxCells));
}

Suite parse_suite(const Json& doc, const std::string& file) {
  check_keys(doc, kSuiteKeys, "", "the suite");
  Suite suite;
  suite.file = file;
  if (doc.contains("name")) {
    if (!doc["name"].is_string())
      throw ConfigError("/name", "the suite's 'name' must be a string");
    suite.name = doc["name"].get<std::string>();
  }
  if (doc.contains("description")) {
    if (!doc["description"].is_string())
      throw ConfigError("/description", "'description' must be a string");
    suite.description = doc["description"].get<std::string>();
  }
  Json canonical = Json::object();
  parse_seeds(doc, suite);
  // Before the tasks, whose memory is checked against it as they are built.
  if (doc.contains("max_cell_memory_gib"))
    suite.max_cell_memory_bytes =
        positive_number(doc["max_cell_memory_gib"], "/max_cell_memory_gib",
                        "max_cell_memory_gib") *
        kBytesPerGib;
  parse_tasks(doc, suite, canonical);
  parse_algorithms(doc, suite, canonical);
  parse_metrics(doc, suite, canonical);
  parse_budget(doc, suite);
  parse_checkpoints(doc, suite);
  if (doc.contains("timeout_seconds"))
    suite.timeout_seconds = positive_number(
        doc["timeout_seconds"], "/timeout_seconds", "timeout_seconds");
  if (doc.contains("reference_draws"))
    suite.reference_draws = positive_integer(
        doc["reference_draws"], "/reference_draws", "reference_draws", 2);
  if (doc.contains("max_history_draws")) {
    suite.max_history_draws = positive_integer(
        doc["max_history_draws"], "/max_history_draws", "max_history_draws", 2);
    canonical["max_history_draws"] = suite.max_history_draws;
  }
  if (doc.contains("divergence_threshold"))
    suite.divergence_threshold =
        positive_number(doc["divergence_threshold"], "/divergence_threshold",
                        "divergence_threshold");

  if (doc.contains("averaging")) {
    suite.averaging = AveragingRule::from_json(doc["averaging"], "/averaging");
    suite.averaging_given = true;
    canonical["averaging"] = suite.averaging.to_json();
  }
  check_warmups(suite);
  check_cell_count(suite);

  canonical["name"] = suite.name;
  canonical["description"] = suite.description;
  canonical["seed"] = suite.seed;
  canonical["seeds"] = suite.replicates;
  canonical["budget"] = suite.budget.to_json();
  canonical["checkpoints"] = suite.checkpoints.to_json();
  canonical["timeout_seconds"] = suite.timeout_seconds;
  canonical["reference_draws"] = suite.reference_draws;
  canonical["divergence_threshold"] = suite.divergence_threshold;
  suite.canonical = canonical;
  suite.hash = hex(hash_string(canonical.dump()));
  add_warnings(suite);
  check_compatibility(suite);
  check_oracle_call_budget(suite);
  check_suite_memory(suite);
  return suite;
}

Suite load_suite(const std::string& path) {
  // Why it cannot be read, in the system's words (a directory, a name too
  // long, no permission), rather than a bare "cannot open".
  if (const std::string why = unreadable_file_reason(path); !why.empty())
    throw ConfigError("", fmt::format("suite file '{}' {}", path, why));
  std::ifstream in(path);
  if (!in)
    throw ConfigError("", fmt::format("cannot open suite file '{}'", path));
  std::stringstream text;
  text << in.rdbuf();
  check_json_structure(text.str(), "");
  Json doc;
  try {
    doc = Json::parse(text.str());
  } catch (const Json::exception& e) {
    // Any error of the parser (a syntax error, a number out of range that
    // check_json_structure missed), with the file from the caller.
    throw ConfigError("", fmt::format("not valid JSON: {}", e.what()));
  }
  return parse_suite(doc, path);
}

std::vector<Cell> expand_cells(const Suite& suite) {
  std::vector<Cell> cells;
  for (size_t t = 0; t < suite.tasks.size(); ++t) {
    const TaskConfig& task = suite.tasks[t];
    Json task_identity = {{"name", task.name}, {"params", task.params}};
    if (!task.init.is_null()) task_identity["init"] = task.init;
    const std::uint64_t task_hash = hash_string(task_identity.dump());
    for (size_t a = 0; a < suite.algorithms.size(); ++a) {
      const AlgorithmConfig& algorithm = suite.algorithms[a];
      if (algorithm.algorithm->kind() != task.task->kind()) continue;
      const std::uint64_t algorithm_hash = hash_string(
          Json({{"name", algorithm.name}, {"params", algorithm.params}})
              .dump());
      for (long long replicate : suite.replicates) {
        Cell cell;
        cell.task_index = t;
        cell.algorithm_index = a;
        cell.replicate = replicate;
        // Initial points depend on (suite seed, task, replicate) only, so
        // every algorithm on the same task and replicate starts from the same
        // points; the algorithm's own stream also depends on its parameters.
        cell.init_seed = mix_seed(mix_seed(suite.seed, task_hash),
                                  static_cast<std::uint64_t>(replicate));
        cell.algorithm_seed = mix_seed(cell.init_seed, algorithm_hash);
        cell.id = cell_id(task.label, algorithm.label, replicate);
        cells.push_back(std::move(cell));
      }
    }
  }
  return cells;
}

std::vector<long long> log_spaced_iterations(int count,
                                             long long max_iterations) {
  std::vector<long long> out;
  const double top = std::log(static_cast<double>(max_iterations));
  for (int k = 0; k < count; ++k) {
    const double t = count == 1 ? top : top * k / (count - 1);
    out.push_back(static_cast<long long>(std::llround(std::exp(t))));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<long long> geometric_iterations() {
  std::vector<long long> out;
  for (long long k = 1; k < (1LL << 62); k += std::max<long long>(1, k / 10))
    out.push_back(k);
  return out;
}

std::vector<long long> checkpoint_iterations(const CheckpointRule& rule,
                                             long long max_iterations) {
  if (rule.geometric) return geometric_iterations();
  if (rule.log_spaced > 0)
    return log_spaced_iterations(rule.log_spaced, max_iterations);
  return {};
}

bool is_checkpoint(const CheckpointRule& rule, long long iteration,
                   const std::vector<long long>& log_iterations) {
  if (iteration == 0) return true;
  if (rule.every > 0) return iteration % rule.every == 0;
  return std::binary_search(log_iterations.begin(), log_iterations.end(),
                            iteration);
}

}  // namespace vibench
