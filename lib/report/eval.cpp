#include "report/eval.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/data_files.hpp"
#include "core/error.hpp"
#include "core/json_structure.hpp"
#include "core/suggest.hpp"
#include "reference/reference_draws_file.hpp"
#include "reference/reference_posterior.hpp"
#include "tasks/distribution.hpp"

namespace vibench {

namespace {

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// Splits "name{...}" into the name and its JSON object (null when absent).
std::pair<std::string, Json> name_and_json(const std::string& text,
                                           const std::string& where,
                                           const std::string& what) {
  const auto brace = text.find('{');
  if (brace == std::string::npos) return {trimmed(text), Json()};
  const std::string name = trimmed(text.substr(0, brace));
  Json value;
  check_json_structure(text.substr(brace), where);
  try {
    value = Json::parse(text.substr(brace));
  } catch (const Json::parse_error& e) {
    throw ConfigError(
        where, fmt::format("the {} after '{}' are not valid JSON: {}", what,
                           name, e.what()));
  }
  return {name, value};
}

// Re-throws a ConfigError with `source` in front of its JSON path.
template <class F>
auto located(const std::string& source, F&& f) {
  try {
    return f();
  } catch (const ConfigError& e) {
    throw ConfigError(e.where().empty() ? source : source + ": " + e.where(),
                      e.what());
  }
}

}  // namespace

TaskSpec parse_task_spec(const std::string& text) {
  std::string source = "TASK-SPEC";
  std::string name;
  Json params;
  const std::string spec = trimmed(text);
  if (spec.empty())
    throw ConfigError(source,
                      "empty task spec; give a task name, e.g. gaussian or "
                      "'gmm{\"preset\":\"ring8\"}'");
  if (spec.find('{') == std::string::npos &&
      std::filesystem::is_regular_file(spec)) {
    source = spec;
    const std::string text = read_text_file(spec, source);
    check_json_structure(text, source);
    Json doc;
    try {
      doc = Json::parse(text);
    } catch (const Json::parse_error& e) {
      throw ConfigError(source, fmt::format("not valid JSON: {}", e.what()));
    }
    if (!doc.is_object() || !doc.contains("name") || !doc["name"].is_string())
      throw ConfigError(source,
                        "a task spec file holds a JSON object "
                        "{\"name\": ..., \"params\": {...}}");
    const std::vector<std::string> keys = {"name", "params"};
    for (const auto& [key, value] : doc.items())
      if (key != "name" && key != "params")
        throw ConfigError(
            source + ": /" + key,
            fmt::format("unknown key '{}'{}; allowed: {}", key,
                        did_you_mean(key, keys), quoted_list(keys)));
    name = doc["name"];
    params = doc.value("params", Json());
  } else {
    if (spec.find('{') == std::string::npos &&
        (spec.find('/') != std::string::npos || spec.ends_with(".json")))
      throw ConfigError(source,
                        fmt::format("'{}' is neither a task name nor an "
                                    "existing task spec file",
                                    spec));
    std::tie(name, params) = name_and_json(spec, source, "task parameters");
  }

  const auto& registry = TaskRegistry::instance();
  const TaskEntry* entry = registry.find(name);
  if (!entry)
    throw ConfigError(source,
                      fmt::format("unknown task '{}'{}; available: {}", name,
                                  did_you_mean(name, registry.names()),
                                  quoted_list(registry.names())));
  TaskSpec out;
  out.name = name;
  const std::string owner = "task '" + name + "'";
  out.params = located(source, [&] {
    return validate_params(params, entry->params, "/params", owner);
  });
  try {
    out.task = entry->make(Params(out.params));
  } catch (const ConfigError& e) {
    throw ConfigError(source + ": " + append_json_path("/params", e.where()),
                      owner + ": " + e.what());
  }
  return out;
}

void require_distribution(const TaskSpec& spec, const std::string& command) {
  if (spec.task->kind() != TaskKind::distribution)
    throw ConfigError(
        "TASK-SPEC",
        fmt::format(
            "task '{}' is not a distribution (its kind is {}); '{}' works on "
            "distributions",
            spec.name, to_string(spec.task->kind()), command));
}

std::vector<EvalMetric> parse_eval_metrics(const std::string& list,
                                           const TaskSpec& spec,
                                           bool reference_file,
                                           std::vector<std::string>* notes) {
  const auto& registry = MetricRegistry::instance();
  const Task& task = *spec.task;
  auto missing_capabilities = [&](const MetricEntry& entry) {
    std::vector<std::string> missing;
    for (Capability c : entry.requirements)
      if (!task.offers(c)) missing.push_back(to_string(c));
    if (entry.needs_reference_draws && !reference_file &&
        !task.offers(Capability::exact_draws) &&
        !task.offers(Capability::reference))
      missing.push_back("exact_draws or reference");
    if (entry.reals_only && task.domain().name() != "reals")
      missing.push_back("an unconstrained domain (it is the " +
                        task.domain().name() + ")");
    return missing;
  };

  std::vector<EvalMetric> out;
  if (trimmed(list).empty()) {
    for (const MetricEntry* entry : registry.all())
      if (entry->kinds.count(TaskKind::distribution) && !entry->named_only &&
          missing_capabilities(*entry).empty())
        out.push_back({entry, Params(validate_params({}, entry->settings, "",
                                                     entry->name))});
    return out;
  }

  // Split at commas outside braces and brackets.
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  for (char c : list) {
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      items.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  items.push_back(current);

  std::vector<std::string> distribution_metrics;
  for (const MetricEntry* entry : registry.all())
    if (entry->kinds.count(TaskKind::distribution))
      distribution_metrics.push_back(entry->name);
  for (const std::string& item : items) {
    if (trimmed(item).empty()) continue;
    auto [name, settings] = name_and_json(item, "--metrics", "settings");
    std::string renamed;
    const MetricEntry* entry = find_metric(name, &renamed);
    if (!renamed.empty() && notes) notes->push_back(renamed);
    if (!entry)
      throw ConfigError(
          "--metrics",
          fmt::format("unknown metric '{}'{}; distribution metrics: {}", name,
                      did_you_mean(name, registry.names()),
                      quoted_list(distribution_metrics)));
    if (!entry->kinds.count(TaskKind::distribution))
      throw ConfigError(
          "--metrics",
          fmt::format("metric '{}' does not apply to distributions; "
                      "distribution metrics: {}",
                      name, quoted_list(distribution_metrics)));
    if (const auto missing = missing_capabilities(*entry); !missing.empty())
      throw ConfigError("--metrics",
                        fmt::format("metric '{}' needs {} and task '{}' does "
                                    "not offer it",
                                    name, quoted_list(missing), spec.name));
    for (const auto& other : out)
      if (other.entry == entry)
        throw ConfigError("--metrics",
                          fmt::format("metric '{}' is listed twice", name));
    // The structured bindings by init-captures: clang before 16 cannot
    // capture them.
    out.push_back({entry, Params(located("--metrics", [&, &name = name,
                                                       &settings = settings] {
                     return validate_params(settings, entry->settings, name,
                                            "metric '" + name + "'");
                   }))});
  }
  if (out.empty()) throw ConfigError("--metrics", "no metric given");
  return out;
}

Json evaluate_samples(const TaskSpec& spec, const Matrix& samples,
                      const std::vector<EvalMetric>& metrics,
                      const EvalOptions& options, Matrix* reference_used) {
  require_distribution(spec, "eval");
  const auto& distribution = static_cast<const Distribution&>(*spec.task);
  if (samples.cols() != distribution.dim())
    throw ConfigError(
        "--samples",
        fmt::format("the samples have {} coordinates; task '{}' "
                    "has dimension {}",
                    samples.cols(), spec.name, distribution.dim()));
  bool need_reference = false;
  for (const auto& metric : metrics)
    need_reference = need_reference || metric.entry->needs_reference_draws;
  Matrix reference;
  Json reference_key;
  if (need_reference && !options.reference_draws_file.empty()) {
    const ReferenceDrawsFile file = read_reference_draws_file(
        options.reference_draws_file, distribution, spec.name);
    if (options.thin_reference_file &&
        options.reference_draws > file.draws.rows())
      throw ConfigError(
          "--reference-draws",
          fmt::format("{} holds {} draws; ask for at most that many",
                      options.reference_draws_file.string(),
                      file.draws.rows()));
    reference = options.thin_reference_file
                    ? thin_draws(file.draws, options.reference_draws)
                    : file.draws;
    reference_key = {{"file", options.reference_draws_file.string()},
                     {"format", file.format},
                     {"matched", file.matched},
                     {"content_hash", file.content_hash},
                     {"draws_in_file", file.draws.rows()}};
  } else if (need_reference && distribution.offers(Capability::exact_draws)) {
    // A child stream, so that `vibench reference --seed S` and `vibench eval
    // --seed S` give independent draws.
    Rng rng = make_rng(options.seed).child("eval reference draws");
    reference = distribution.sample(options.reference_draws, rng);
  } else if (need_reference) {
    const ReferencePosterior posterior = reference_posterior(
        spec.name, spec.params, distribution, options.reference_cache,
        ReferenceSettings{}, options.on_message);
    reference = thin_draws(posterior.draws, options.reference_draws);
    reference_key = posterior.provenance.value("key", "");
  }
  if (reference_used) *reference_used = reference;
  State state;
  state.points = samples;
  Json values = Json::object(), settings = Json::object();
  for (const auto& metric : metrics) {
    double value = 0;
    try {
      value = metric.entry->compute(
          MetricContext{distribution, state, reference, metric.settings});
    } catch (const std::exception& e) {
      throw ConfigError("--samples", fmt::format("metric '{}': {}",
                                                 metric.entry->name, e.what()));
    }
    values[metric.entry->name] =
        std::isfinite(value) ? Json(value) : Json(nullptr);
    settings[metric.entry->name] = metric.settings.json();
  }
  return {
      {"task", spec.name},
      {"params", spec.params},
      {"dim", distribution.dim()},
      {"n_samples", samples.rows()},
      {"metrics", values},
      {"settings", settings},
      {"reference_draws", need_reference ? Json(reference.rows()) : Json()},
      {"seed",
       need_reference && reference_key.is_null() ? Json(options.seed) : Json()},
      {"reference", reference_key},
      {"vibench_version", VIBENCH_VERSION}};
}

Matrix reference_draws(const TaskSpec& spec, long long n, std::uint64_t seed,
                       const EvalOptions& options) {
  require_distribution(spec, "reference");
  const auto& distribution = static_cast<const Distribution&>(*spec.task);
  if (distribution.offers(Capability::exact_draws)) {
    Rng rng = make_rng(seed);
    return distribution.sample(n > 0 ? n : 1000, rng);
  }
  if (!distribution.offers(Capability::reference))
    throw ConfigError("TASK-SPEC",
                      fmt::format("task '{}' offers neither exact draws nor a "
                                  "reference posterior",
                                  spec.name));
  const ReferencePosterior posterior = reference_posterior(
      spec.name, spec.params, distribution, options.reference_cache,
      ReferenceSettings{}, options.on_message);
  if (n > posterior.draws.rows())
    throw ConfigError("--draws",
                      fmt::format("the reference posterior of '{}' has {} "
                                  "draws; ask for at most that many",
                                  spec.name, posterior.draws.rows()));
  if (options.on_message)
    options.on_message(fmt::format(
        "reference posterior of {} ({}): {} with its provenance beside it",
        spec.name, posterior.from_cache ? "from the cache" : "computed",
        posterior.file.string()));
  return n > 0 ? thin_draws(posterior.draws, static_cast<Index>(n))
               : posterior.draws;
}

}  // namespace vibench
