// `vibench compare`: regression verdicts of a candidate result file against
// a baseline, for CI.
//
// Cells are matched by id; only cells present in both files are compared
// (the others are listed as warnings), grouped by (task label, algorithm
// label). For each group and metric, at the final checkpoint, over the
// replicates that ended ok in both files:
//   worse = candidate median − baseline median (smaller is better), or
//           baseline median − candidate median (bigger is better);
//   tolerance = max(rtol · |baseline median|, atol);
//   regression  ⇔ worse > tolerance and, when both sides have at least
//                 `min_seeds_for_test` values, the two-sided Mann–Whitney U
//                 test gives p ≤ alpha (with fewer, the tolerance decides);
//   improvement ⇔ the same with better for worse.
// A cell ok in the baseline but not ok in the candidate is a regression too.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "report/results_set.hpp"

namespace vibench {

struct CompareOptions {
  double rtol = 0.1;
  double atol = 1e-12;
  double alpha = 0.05;
  size_t min_seeds_for_test = 5;
  std::vector<std::string> metrics;  // empty: every metric of both files
};

enum class Verdict { regression, improvement, unchanged };
const char* to_string(Verdict verdict);

struct MetricComparison {
  std::string task, algorithm, metric;      // identity labels and the metric
  std::string task_label, algorithm_label;  // shown (display labels)
  bool smaller_is_better = true;
  std::vector<double> baseline, candidate;  // values over seeds
  double baseline_median = 0, candidate_median = 0;
  double relative_change = 0;  // > 0: worse; (worse) / max(|baseline|, atol)
  double p = std::numeric_limits<double>::quiet_NaN();  // NaN: not tested
  Verdict verdict = Verdict::unchanged;
  std::string group() const { return task + "|" + algorithm; }
};

struct StatusChange {
  std::string cell_id, baseline_status, candidate_status, message;
};

struct Comparison {
  std::string baseline_file, candidate_file;
  std::string baseline_description, candidate_description;  // suite, git
  size_t common_cells = 0, groups = 0;
  std::vector<std::string> metrics;  // compared
  std::vector<MetricComparison> comparisons;
  std::vector<StatusChange> status_regressions;  // ok → not ok
  std::vector<StatusChange> status_recoveries;   // not ok → ok
  std::vector<std::string> only_in_baseline, only_in_candidate;  // cell ids
  std::vector<std::string> warnings;

  size_t regression_count() const;
  // One line per regression, naming the cell and the metric.
  std::vector<std::string> regression_lines() const;
};

// Throws ConfigError when no cell id is common to both files or a metric
// of options.metrics is missing from either file (with the closest name).
Comparison compare_results(const ResultSet& baseline,
                           const ResultSet& candidate,
                           const CompareOptions& options);

std::string compare_report(const Comparison& comparison,
                           const CompareOptions& options);

// github-action-benchmark's customSmallerIsBetter (smaller_is_better=true)
// or customBiggerIsBetter input: a list of {"name", "unit", "value",
// "extra"}, one per (task, algorithm, metric) of that direction, where value
// is the candidate's median over seeds at the final checkpoint, name is
// "TASK|ALGORITHM METRIC" and unit the metric name.
Json benchmark_action_json(const Comparison& comparison,
                           bool smaller_is_better);

}  // namespace vibench
