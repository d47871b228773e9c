#include "report/grid_selection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "report/display_labels.hpp"
#include "report/statistics.hpp"

namespace vibench {

std::vector<ConfigurationCells> configurations_of(const ResultSet& results) {
  std::vector<ConfigurationCells> configurations;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t i = 0; i < results.cells.size(); ++i) {
    const Json& record = results.cells[i];
    const std::string task = record["task"]["label"];
    const std::string label = record["algorithm"]["label"];
    const auto [it, inserted] =
        index.emplace(std::pair{task, label}, configurations.size());
    if (inserted)
      configurations.push_back({task, record["algorithm"]["name"], label, {}});
    configurations[it->second].cells.push_back(i);
  }
  return configurations;
}

std::vector<double> ok_values(const ResultSet& results,
                              const ConfigurationCells& configuration,
                              const ReportMetric& metric,
                              const TracePoint& at) {
  std::vector<double> values;
  for (size_t i : configuration.cells) {
    const Json& record = results.cells[i];
    if (record["status"] != "ok") continue;
    if (const auto v =
            metric_value(record, metric.name, at, metric.smaller_is_better))
      values.push_back(*v);
  }
  return values;
}

namespace {

// "gd η=0.1 on every task" or "… on T1; … on T2" for the note; `labels`
// are the distinct labels of `chosen`.
std::string selection_note(
    const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& chosen,
    const std::vector<std::string>& labels, size_t candidates,
    const std::string& criterion) {
  std::string where;
  if (labels.size() == 1) {
    where =
        fmt::format("{} on {}", labels.front(),
                    chosen.size() == 1 ? chosen.front().first : "every task");
  } else {
    for (const auto& [task, label] : chosen)
      where +=
          fmt::format("{}{} on {}", where.empty() ? "" : "; ", label, task);
  }
  return fmt::format("{}: selected {} (best of {} configuration{} by {})", name,
                     where, candidates, candidates == 1 ? "" : "s", criterion);
}

}  // namespace

std::string parse_select_option(const std::string& text,
                                const std::string& option) {
  static const std::string prefix = "best-by=";
  if (!text.starts_with(prefix) || text.size() == prefix.size())
    throw ConfigError(option, fmt::format("'{}' is not best-by=METRIC (e.g. "
                                          "{} best-by=suboptimality)",
                                          text, option));
  return text.substr(prefix.size());
}

GridSelection select_best_configurations(
    const ResultSet& results,
    const std::vector<ConfigurationCells>& configurations,
    const ReportMetric& by, const TracePoint& at) {
  const DisplayLabels shown = display_labels(results);
  const std::string criterion =
      fmt::format("the median {} ({}) over seeds", by.name, at.describe());
  // Groups of (task, algorithm name), in order of first appearance.
  std::vector<std::pair<std::string, std::string>> group_order;
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> groups;
  for (size_t c = 0; c < configurations.size(); ++c) {
    const std::pair key{configurations[c].task, configurations[c].name};
    if (!groups.count(key)) group_order.push_back(key);
    groups[key].push_back(c);
  }
  GridSelection selection;
  std::vector<std::string> names;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>>
      chosen_by_name;
  std::map<std::string, size_t> candidates_by_name;
  for (const auto& key : group_order) {
    const auto& members = groups[key];
    size_t chosen = members.front();
    double chosen_median = std::nan("");
    for (size_t c : members) {
      const double m = median(ok_values(results, configurations[c], by, at));
      if (std::isnan(m)) continue;
      if (std::isnan(chosen_median) ||
          (by.smaller_is_better ? m < chosen_median : m > chosen_median)) {
        chosen = c;
        chosen_median = m;
      }
    }
    selection.chosen.emplace(configurations[chosen].task,
                             configurations[chosen].label);
    if (std::find(names.begin(), names.end(), key.second) == names.end())
      names.push_back(key.second);
    chosen_by_name[key.second].emplace_back(
        shown.task(key.first), shown.algorithm(configurations[chosen].label));
    candidates_by_name[key.second] =
        std::max(candidates_by_name[key.second], members.size());
  }
  for (const auto& name : names) {
    std::vector<std::string> labels;  // distinct, in order
    for (const auto& [task, label] : chosen_by_name[name])
      if (std::find(labels.begin(), labels.end(), label) == labels.end())
        labels.push_back(label);
    selection.labels[name] = labels.size() == 1
                                 ? labels.front()
                                 : name + " (tuned per task, see note)";
    selection.notes.push_back(selection_note(name, chosen_by_name[name], labels,
                                             candidates_by_name[name],
                                             criterion));
  }
  return selection;
}

}  // namespace vibench
