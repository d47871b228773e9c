// vibench list [tasks|algorithms|metrics] [--json]: what the registries hold,
// with every parameter's type, default, allowed range and description.
#include <fmt/format.h>

#include <iostream>

#include "algorithms/algorithm.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "metrics/metric.hpp"
#include "tasks/task.hpp"
#include "vibench/commands.hpp"

namespace vibench::cli {

namespace {

Json params_json(const ParamSpecs& specs) {
  Json out = Json::array();
  for (const auto& spec : specs) out.push_back(spec.to_json());
  return out;
}

Json tasks_json() {
  Json out = Json::array();
  for (const TaskEntry* entry : TaskRegistry::instance().all()) {
    Json item = {{"name", entry->name},
                 {"kind", to_string(entry->kind)},
                 {"description", entry->description},
                 {"dimension", entry->dimension_rule},
                 {"params", params_json(entry->params)}};
    // Capabilities are declared by the constructed task (with defaults).
    // A task without a default configuration (a served one needs the
    // program that serves it) declares them only once configured.
    try {
      const auto task = entry->make(
          Params(validate_params({}, entry->params, "", entry->name)));
      item["capabilities"] = capability_names(task->capabilities());
      item["default_dimension"] = task->dim();
    } catch (const ConfigError&) {
      item["capabilities"] = nullptr;
      item["default_dimension"] = nullptr;
    }
    out.push_back(item);
  }
  return out;
}

Json algorithms_json() {
  Json out = Json::array();
  for (const AlgorithmEntry* entry : AlgorithmRegistry::instance().all()) {
    // One whose kind is a parameter has required parameters: there is no
    // default configuration to ask what it requires.
    if (entry->kind_is_parameter) {
      out.push_back({{"name", entry->name},
                     {"kind", "any (its 'kind' parameter)"},
                     {"description", entry->description},
                     {"requires", Json::array()},
                     {"params", params_json(entry->params)}});
      continue;
    }
    const auto algorithm = entry->make(
        Params(validate_params({}, entry->params, "", entry->name)));
    out.push_back({{"name", entry->name},
                   {"kind", to_string(entry->kind)},
                   {"description", entry->description},
                   {"requires", capability_names(algorithm->requirements())},
                   {"params", params_json(entry->params)}});
  }
  return out;
}

Json metrics_json() {
  Json out = Json::array();
  for (const MetricEntry* entry : MetricRegistry::instance().all()) {
    std::vector<std::string> kinds;
    for (TaskKind k : entry->kinds) kinds.push_back(to_string(k));
    out.push_back({{"name", entry->name},
                   {"kinds", kinds},
                   {"description", entry->description},
                   {"requires", capability_names(entry->requirements)},
                   {"needs_reference_draws", entry->needs_reference_draws},
                   {"smaller_is_better", entry->smaller_is_better},
                   {"settings", params_json(entry->settings)}});
  }
  return out;
}

void print_params(const Json& params) {
  for (const auto& p : params)
    std::cout << fmt::format(
        "    {:<22} {:<28} default {:<10} {}\n", p["name"].get<std::string>(),
        p["allowed"].get<std::string>(),
        p["default"].is_null() ? "(unset)" : p["default"].dump(),
        p["description"].get<std::string>());
}

void print_section(const std::string& what, const Json& items) {
  std::cout << fmt::format("{}:\n", what);
  for (const auto& item : items) {
    std::string kinds =
        item.contains("kind") ? item["kind"].get<std::string>() : "";
    if (item.contains("kinds"))
      for (const auto& k : item["kinds"])
        kinds += (kinds.empty() ? "" : ",") + k.get<std::string>();
    std::cout << fmt::format("  {} [{}] {}\n", item["name"].get<std::string>(),
                             kinds, item["description"].get<std::string>());
    if (item.contains("dimension"))
      std::cout << fmt::format(
          "    dimension: {} ({})\n", item["dimension"].get<std::string>(),
          item["default_dimension"].is_null()
              ? std::string("no default")
              : fmt::format("default {}",
                            item["default_dimension"].get<long long>()));
    if (item.contains("capabilities"))
      std::cout << fmt::format("    offers: {}\n",
                               item["capabilities"].is_null()
                                   ? std::string("depends on its parameters")
                               : item["capabilities"].empty()
                                   ? std::string("-")
                                   : quoted_list(item["capabilities"]));
    if (item.contains("requires") && !item["requires"].empty())
      std::cout << fmt::format("    requires: {}\n",
                               quoted_list(item["requires"]));
    print_params(item.contains("params") ? item["params"] : item["settings"]);
  }
}

}  // namespace

Action add_list_command(CLI::App& app) {
  auto* command = app.add_subcommand(
      "list",
      "List registered tasks, algorithms and metrics with their parameters");
  auto what = std::make_shared<std::string>("all");
  auto as_json = std::make_shared<bool>(false);
  command->add_option("what", *what, "tasks, algorithms, metrics or all")
      ->check(CLI::IsMember({"tasks", "algorithms", "metrics", "all"}));
  command->add_flag("--json", *as_json, "Machine-readable output");
  return [what, as_json] {
    Json out = Json::object();
    if (*what == "tasks" || *what == "all") out["tasks"] = tasks_json();
    if (*what == "algorithms" || *what == "all")
      out["algorithms"] = algorithms_json();
    if (*what == "metrics" || *what == "all") out["metrics"] = metrics_json();
    if (*as_json) {
      std::cout << out.dump(2) << "\n";
    } else {
      for (const auto& section : {"tasks", "algorithms", "metrics"})
        if (out.contains(section)) print_section(section, out[section]);
    }
    return kExitOk;
  };
}

}  // namespace vibench::cli
