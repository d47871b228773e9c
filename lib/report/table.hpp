// `vibench table`: one metric as a table for papers, algorithm
// configurations × tasks, each entry aggregated over seeds, the best entry of
// each task in bold and the entries significantly worse than it marked.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "report/results_set.hpp"

namespace vibench {

// html: a <table> fragment (caption, header, rows; best in <strong>, † as
// <sup>) with its legend and selection notes, for `vibench report`.
enum class TableFormat { markdown, latex, csv, html };
// mean_sd: mean ± sd; median_iqr: median [q1, q3]; tail_quantiles: median
// with the 95th and 99th percentiles over seeds (high-probability claims,
// e.g. of clipped methods under heavy-tailed noise).
enum class TableStat { mean_sd, median_iqr, tail_quantiles };

// Significance level of the "significantly worse than the best" mark.
inline constexpr double kTableAlpha = 0.05;

struct TableOptions {
  std::string metric;
  TracePoint at;
  TableFormat format = TableFormat::markdown;
  TableStat stat = TableStat::mean_sd;
  bool transpose = false;   // rows = tasks, columns = algorithms
  std::string select_by;    // a metric: keep the best configuration per
                            // (task, algorithm name); empty: keep all
  bool standalone = false;  // LaTeX: a complete document
  double alpha = kTableAlpha;
};

// One (task, algorithm configuration) entry, over its seeds.
struct TableEntry {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::string task;            // task label (column)
  std::string row;             // row key: algorithm label, or name with select
  std::string configuration;   // identity label of the cells' algorithm
  std::vector<double> values;  // the ok cells' finite values
  std::vector<std::string> statuses;  // per cell: its status, or "no value"
  double mean = kNaN, sd = kNaN, median = kNaN, q1 = kNaN, q3 = kNaN;
  double q95 = kNaN, q99 = kNaN;  // 95th and 99th percentiles
  double center = kNaN;           // mean or median, by TableOptions::stat
  bool best = false;         // best center of its task (with ≥ 2 entries)
  bool worse = false;        // significantly worse than the best
  double p_adjusted = kNaN;  // Holm-adjusted p against the best; NaN: none
  std::string note;          // "2/5 diverged"; empty when all ok
};

struct TableData {
  std::string metric;
  bool smaller_is_better = true;
  TracePoint at;
  TableStat stat = TableStat::mean_sd;
  double alpha = kTableAlpha;
  std::vector<std::string> tasks;  // identity labels, in order of appearance
  std::vector<std::string> task_labels;  // shown, per task (display labels)
  std::vector<std::string> rows;         // row keys, in order
  std::vector<std::string> row_labels;   // shown, per row (display labels)
  std::vector<TableEntry> entries;
  std::vector<std::string> notes;  // which configurations --select chose
  const TableEntry* find(const std::string& task, const std::string& row) const;
};

// Throws ConfigError for an unknown metric (with the closest name).
TableData build_table(const ResultSet& results, const TableOptions& options);
std::string render_table(const TableData& data, const TableOptions& options);
inline std::string make_table(const ResultSet& results,
                              const TableOptions& options) {
  return render_table(build_table(results, options), options);
}

// Text with LaTeX's special characters escaped (\ & % $ # _ { } ~ ^ < > |).
std::string latex_escape(const std::string& text);

}  // namespace vibench
