#include "report/series.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "report/display_labels.hpp"
#include "report/grid_selection.hpp"
#include "report/statistics.hpp"

namespace vibench {

const std::vector<std::string>& series_axes() {
  static const std::vector<std::string> axes = [] {
    std::vector<std::string> list = trace_counters();
    list.push_back("seconds");
    return list;
  }();
  return axes;
}

void check_series_axis(const std::string& x) {
  const auto& axes = series_axes();
  if (std::find(axes.begin(), axes.end(), x) == axes.end())
    throw ConfigError("--x",
                      fmt::format("'{}' is not a cost axis of the "
                                  "trace{}; use one of {}",
                                  x, did_you_mean(x, axes), quoted_list(axes)));
}

namespace {

double number_or_nan(const Json& value) {
  return value.is_number() ? value.get<double>()
                           : std::numeric_limits<double>::quiet_NaN();
}

template <class T>
size_t index_in(std::vector<T>& list, const T& item) {
  const auto it = std::find(list.begin(), list.end(), item);
  if (it != list.end()) return static_cast<size_t>(it - list.begin());
  list.push_back(item);
  return list.size() - 1;
}

// One seed's finite points, sorted by x (stable: repeated x keep their
// order).
struct CleanSeed {
  std::vector<double> x, y;
};

CleanSeed clean(const SeriesSeed& seed, bool log_x) {
  std::vector<size_t> order;
  for (size_t k = 0; k < seed.x.size() && k < seed.y.size(); ++k)
    if (std::isfinite(seed.x[k]) && std::isfinite(seed.y[k]) &&
        (!log_x || seed.x[k] > 0))
      order.push_back(k);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return seed.x[a] < seed.x[b]; });
  CleanSeed out;
  for (size_t k : order) {
    out.x.push_back(seed.x[k]);
    out.y.push_back(seed.y[k]);
  }
  return out;
}

// The seed's value at g within its range: linear between the last point at
// or before g and the next one (in log x when asked).
double interpolate(const CleanSeed& seed, double g, bool log_x) {
  const auto after = std::upper_bound(seed.x.begin(), seed.x.end(), g);
  const size_t hi = static_cast<size_t>(after - seed.x.begin());
  if (hi == 0) return seed.y.front();
  const size_t lo = hi - 1;
  if (hi == seed.x.size() || seed.x[lo] == g) return seed.y[lo];
  auto t = [&](double v) { return log_x ? std::log(v) : v; };
  const double w = (t(g) - t(seed.x[lo])) / (t(seed.x[hi]) - t(seed.x[lo]));
  return seed.y[lo] + w * (seed.y[hi] - seed.y[lo]);
}

void summarize(const std::vector<double>& values, SeriesStat stat,
               SeriesBand& band) {
  if (stat == SeriesStat::median_iqr) {
    band.centre.push_back(quantile(values, 0.5));
    band.low.push_back(quantile(values, 0.25));
    band.high.push_back(quantile(values, 0.75));
    return;
  }
  const double n = static_cast<double>(values.size());
  double mean = 0;
  for (double v : values) mean += v;
  mean /= n;
  double half = 0;
  if (values.size() > 1) {
    double ss = 0;
    for (double v : values) ss += (v - mean) * (v - mean);
    const boost::math::students_t t(n - 1);
    half = boost::math::quantile(t, 0.975) * std::sqrt(ss / (n - 1)) /
           std::sqrt(n);
  }
  band.centre.push_back(mean);
  band.low.push_back(mean - half);
  band.high.push_back(mean + half);
}

}  // namespace

SeriesBand aggregate_seeds(const std::vector<SeriesSeed>& seeds, bool log_x,
                           SeriesStat stat) {
  std::vector<CleanSeed> cleaned;
  for (const auto& seed : seeds) {
    CleanSeed c = clean(seed, log_x);
    if (!c.x.empty()) cleaned.push_back(std::move(c));
  }
  SeriesBand band;
  if (cleaned.empty()) return band;
  const bool same_x =
      std::all_of(cleaned.begin(), cleaned.end(),
                  [&](const CleanSeed& c) { return c.x == cleaned.front().x; });
  std::vector<double> values(cleaned.size());
  if (same_x) {
    band.x = cleaned.front().x;
    for (size_t k = 0; k < band.x.size(); ++k) {
      for (size_t s = 0; s < cleaned.size(); ++s) values[s] = cleaned[s].y[k];
      summarize(values, stat, band);
    }
    return band;
  }
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  std::vector<double> grid;
  for (const auto& c : cleaned) {
    low = std::max(low, c.x.front());
    high = std::min(high, c.x.back());
    grid.insert(grid.end(), c.x.begin(), c.x.end());
  }
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  for (double g : grid) {
    if (g < low || g > high) continue;
    for (size_t s = 0; s < cleaned.size(); ++s)
      values[s] = interpolate(cleaned[s], g, log_x);
    band.x.push_back(g);
    summarize(values, stat, band);
  }
  return band;
}

std::vector<std::string> colour_keys(
    const std::vector<ConfigurationCells>& configurations, bool by_name) {
  std::vector<std::string> keys;
  for (const auto& config : configurations)
    index_in(keys, by_name ? config.name : config.label);
  return keys;
}

SeriesData build_series(const ResultSet& results,
                        const SeriesOptions& options) {
  const ReportMetric& metric =
      require_metric(results, options.metric, "--metric");
  check_series_axis(options.x);
  SeriesData data;
  data.metric = metric.name;
  data.x = options.x;
  data.smaller_is_better = metric.smaller_is_better;

  const DisplayLabels shown = display_labels(results);
  const std::vector<ConfigurationCells> configs = configurations_of(results);
  const bool selecting = !options.select_by.empty();
  std::vector<bool> keep(configs.size(), true);
  GridSelection selection;
  if (selecting) {
    selection = select_best_configurations(
        results, configs,
        require_metric(results, options.select_by, "--select"),
        options.select_at);
    for (size_t c = 0; c < configs.size(); ++c)
      keep[c] = selection.keeps(configs[c]);
    data.notes = selection.notes;
  }
  data.line_keys = options.palette;
  for (const auto& key : colour_keys(configs, selecting))
    index_in(data.line_keys, key);

  std::vector<std::string> task_order;
  std::map<std::string, SeriesPanel> panels;
  for (size_t c = 0; c < configs.size(); ++c) {
    if (!keep[c]) continue;
    const ConfigurationCells& config = configs[c];
    SeriesLine line;
    line.key = selecting ? config.name : config.label;
    line.label = selecting ? selection.labels.at(config.name)
                           : shown.algorithm(config.label);
    line.color = index_in(data.line_keys, line.key);
    line.configuration = config.label;
    for (size_t i : config.cells) {
      const Json& record = results.cells[i];
      const Json* ys = trace_column(record, metric.name);
      const Json* xs = trace_counter(record, options.x);
      if (!ys) continue;  // the metric does not apply to this cell
      const std::string status = record["status"];
      if ((status != "ok" && !options.include_unfinished) || !xs ||
          xs->size() != ys->size()) {
        line.left_out.push_back(status == "ok" ? "no " + options.x : status);
        continue;
      }
      SeriesSeed seed;
      seed.cell_id = record["id"];
      seed.status = status;
      for (size_t k = 0; k < ys->size(); ++k) {
        seed.x.push_back(number_or_nan((*xs)[k]));
        seed.y.push_back(number_or_nan((*ys)[k]));
      }
      line.seeds.push_back(std::move(seed));
    }
    if (line.seeds.empty() && line.left_out.empty()) continue;
    if (!panels.count(config.task)) {
      task_order.push_back(config.task);
      const Json& first = results.cells[config.cells.front()];
      panels[config.task] = {
          config.task, shown.task(config.task), text_field(first, "kind"), {}};
    }
    panels[config.task].lines.push_back(std::move(line));
  }
  for (const auto& task : task_order)
    data.panels.push_back(std::move(panels[task]));
  if (data.panels.empty())
    throw ConfigError("--metric",
                      fmt::format("no cell of {} has a trace of '{}'",
                                  results.file_list(), metric.name));

  // The scales, from every value of the figure; then each line's band.
  double min_positive_x = std::numeric_limits<double>::infinity(),
         max_positive_x = 0;
  bool any_y = false, all_y_positive = true;
  for (const auto& panel : data.panels)
    for (const auto& line : panel.lines)
      for (const auto& seed : line.seeds) {
        for (double x : seed.x)
          if (std::isfinite(x) && x > 0) {
            min_positive_x = std::min(min_positive_x, x);
            max_positive_x = std::max(max_positive_x, x);
          }
        for (double y : seed.y)
          if (std::isfinite(y)) {
            any_y = true;
            all_y_positive = all_y_positive && y > 0;
          }
      }
  data.stat = options.stat;
  data.log_x = options.x_scale == AxisScale::automatic
                   ? max_positive_x >= 100 * min_positive_x
                   : options.x_scale == AxisScale::log;
  data.log_y = options.y_scale == AxisScale::automatic
                   ? any_y && all_y_positive
                   : options.y_scale == AxisScale::log;
  for (auto& panel : data.panels)
    for (auto& line : panel.lines)
      line.band = aggregate_seeds(line.seeds, data.log_x, data.stat);
  return data;
}

Json series_json(const SeriesData& data) {
  auto numbers = [](const std::vector<double>& values) {
    Json list = Json::array();
    for (double v : values)
      list.push_back(std::isfinite(v) ? Json(v) : Json(nullptr));
    return list;
  };
  Json panels = Json::array();
  for (const auto& panel : data.panels) {
    Json lines = Json::array();
    for (const auto& line : panel.lines) {
      Json seeds = Json::array();
      for (const auto& seed : line.seeds)
        seeds.push_back({{"cell_id", seed.cell_id},
                         {"status", seed.status},
                         {"x", numbers(seed.x)},
                         {"y", numbers(seed.y)}});
      lines.push_back({{"key", line.key},
                       {"label", line.label},
                       {"color", line.color},
                       {"configuration", line.configuration},
                       {"seeds", seeds},
                       {"left_out", line.left_out},
                       {"band",
                        {{"x", numbers(line.band.x)},
                         {"centre", numbers(line.band.centre)},
                         {"low", numbers(line.band.low)},
                         {"high", numbers(line.band.high)}}}});
    }
    panels.push_back({{"task", panel.task},
                      {"label", panel.label},
                      {"kind", panel.kind},
                      {"lines", lines}});
  }
  return {
      {"metric", data.metric},
      {"x", data.x},
      {"smaller_is_better", data.smaller_is_better},
      {"stat", data.stat == SeriesStat::median_iqr ? "median-iqr" : "mean-ci"},
      {"log_x", data.log_x},
      {"log_y", data.log_y},
      {"line_keys", data.line_keys},
      {"notes", data.notes},
      {"panels", panels}};
}

}  // namespace vibench
