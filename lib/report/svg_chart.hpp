// One panel of a convergence figure as inline SVG, for `vibench report`:
// each line's centre (median or mean over seeds) with its band shaded and
// markers at checkpoints, on linear or log axes with labelled ticks. The
// legend is left to the page, so that one legend serves every panel.
#pragma once

#include <string>
#include <vector>

#include "report/series.hpp"

namespace vibench {

// The colour of a line's colour index: matplotlib's tab10 palette, the same
// colours scripts/plot.py draws with, repeated with dashes beyond ten.
std::string line_color(size_t color);
// "" or an SVG stroke-dasharray for indices beyond the palette.
std::string line_dashes(size_t color);

struct ChartSize {
  double width = 340, height = 250;  // CSS pixels
};

// The panel of `data` as an <svg> element with a <title> (the task's
// display label), axis labels (the cost axis and the metric) and ticks.
// Lines without points are left out; a panel without any shows a note.
std::string svg_chart(const SeriesData& data, const SeriesPanel& panel,
                      const ChartSize& size = {});

// Ticks of an axis over [low, high] (in data units; both > 0 on a log axis):
// decades on a log axis (with 2 and 5 when it spans less than two), else
// 1, 2 or 5 × 10^k steps, four to eight of them.
std::vector<double> axis_ticks(double low, double high, bool log);

}  // namespace vibench
