// Best-of-grid selection for reports (`table --select`, `series --select`):
// for each (task, algorithm name), the configuration whose median of a
// metric over the seeds of its ok cells is best.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "report/results_set.hpp"

namespace vibench {

// The cells of one (task, algorithm configuration) of a result set, keyed by
// identity labels; in order of first appearance.
struct ConfigurationCells {
  std::string task, name, label;  // task label, algorithm name and label
  std::vector<size_t> cells;      // indices into ResultSet::cells
};
std::vector<ConfigurationCells> configurations_of(const ResultSet& results);

// The values of `metric` at `at` of the configuration's ok cells.
std::vector<double> ok_values(const ResultSet& results,
                              const ConfigurationCells& configuration,
                              const ReportMetric& metric, const TracePoint& at);

struct GridSelection {
  // (task label, algorithm label) of each chosen configuration.
  std::set<std::pair<std::string, std::string>> chosen;
  // Per algorithm name, which configurations were chosen and by what:
  // "gd: selected gd η=0.1 on every task (best of 4 configurations by the
  // median grad_norm (final) over seeds)". Display labels.
  std::vector<std::string> notes;
  // Per algorithm name, the label of its row or line: the chosen
  // configuration's display label when one was chosen on every task, else
  // "NAME (tuned per task, see note)".
  std::map<std::string, std::string> labels;
  bool keeps(const ConfigurationCells& configuration) const {
    return chosen.count({configuration.task, configuration.label}) > 0;
  }
};

// The metric of a --select option's "best-by=METRIC"; ConfigError for
// `option` otherwise.
std::string parse_select_option(const std::string& text,
                                const std::string& option = "--select");

// Chooses per (task, algorithm name) the configuration with the best median
// of `by` at `at` (the first when none has a value). A configuration whose
// cells all failed never wins against one with values.
GridSelection select_best_configurations(
    const ResultSet& results,
    const std::vector<ConfigurationCells>& configurations,
    const ReportMetric& by, const TracePoint& at);

}  // namespace vibench
