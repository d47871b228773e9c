// Convergence series for figures (`vibench series`, drawn by
// scripts/plot.py): one panel per task, one line per algorithm
// configuration (or per algorithm name with best-of-grid selection), each
// line the traces of its seeds, a metric against a cost counter. Display
// labels and colours are decided here, once, so that every figure of one
// set of result files labels and colours an algorithm alike.
#pragma once

#include <string>
#include <vector>

#include "report/grid_selection.hpp"
#include "report/results_set.hpp"

namespace vibench {

// The x axes a trace offers: its cost counters and "seconds".
const std::vector<std::string>& series_axes();
// Throws ConfigError (for --x, with the closest name) unless `x` is one.
void check_series_axis(const std::string& x);

// How the seeds of a line are summed up: the median with the interquartile
// range (quartiles interpolated as numpy's percentile), or the mean with a
// 95 % confidence band, mean ± t(0.975, n − 1) · sd / √n.
enum class SeriesStat { median_iqr, mean_ci };
// Axis scales; auto: x logarithmic when its positive values span at least
// two decades, y logarithmic when every value is positive.
enum class AxisScale { automatic, log, linear };

struct SeriesOptions {
  std::string metric;
  std::string x = "grad_evals";  // one of series_axes()
  std::string select_by;         // a metric: the best configuration per (task,
                                 // algorithm name), by its median at select_at
  TracePoint select_at;
  bool include_unfinished = false;  // also cells not ok (traces stop early)
  SeriesStat stat = SeriesStat::median_iqr;
  // Line keys in colour order, set by a caller that draws a part of a larger
  // set (the report, per task kind) so that colours follow the whole set;
  // empty: every configuration of the results given. Keys not in it are
  // appended.
  std::vector<std::string> palette;
  AxisScale x_scale = AxisScale::automatic;
  AxisScale y_scale = AxisScale::automatic;
};

struct SeriesSeed {
  std::string cell_id, status;
  std::vector<double> x, y;  // y NaN where the metric was not finite
};

// A line's summary over its seeds, point by point.
struct SeriesBand {
  std::vector<double> x, centre, low, high;
};

// Sums up seeds: points whose x or y is not finite (or x ≤ 0 on a log x
// axis) are dropped. When every seed has the same x values, each point's
// values are summed up as they are; otherwise each seed is interpolated
// (linearly, in log x on a log axis; at an x recorded twice, its last value)
// onto the union of their x values within the range all of them cover.
// Empty when no seed has a point left.
SeriesBand aggregate_seeds(const std::vector<SeriesSeed>& seeds, bool log_x,
                           SeriesStat stat);

struct SeriesLine {
  std::string key;            // algorithm label, or its name with selection
  std::string label;          // display label
  size_t color = 0;           // index into SeriesData::line_keys
  std::string configuration;  // algorithm label of the cells drawn
  std::vector<SeriesSeed> seeds;
  std::vector<std::string> left_out;  // statuses of cells left out
  SeriesBand band;                    // the seeds summed up
};

struct SeriesPanel {
  std::string task, label, kind;  // identity and display label, task kind
  std::vector<SeriesLine> lines;
};

struct SeriesData {
  std::string metric, x;
  bool smaller_is_better = true;
  SeriesStat stat = SeriesStat::median_iqr;
  bool log_x = false, log_y = false;  // the scales the figure should use
  // Every line key of the result set in order of first appearance, whatever
  // the metric: a line's colour is its position here, so figures of
  // different metrics of one file colour each algorithm alike.
  std::vector<std::string> line_keys;
  std::vector<SeriesPanel> panels;  // tasks with the metric in a trace
  std::vector<std::string> notes;   // the selection made
};

// The line keys of a result set's configurations (configurations_of) in
// colour order (SeriesData::line_keys without a palette): each algorithm
// label — or, with a selection, each algorithm name — in order of first
// appearance. `profile` colours its
// solvers by the same order, so its figure matches the series figures.
std::vector<std::string> colour_keys(
    const std::vector<ConfigurationCells>& configurations, bool by_name);

// Throws ConfigError for an unknown metric or axis (with the closest
// name), or when no cell has a trace of the metric.
SeriesData build_series(const ResultSet& results, const SeriesOptions& options);

// As JSON (non-finite y as null), for plot.py and other drawing programs.
Json series_json(const SeriesData& data);

}  // namespace vibench
