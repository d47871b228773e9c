#include "report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/html_escape.hpp"

namespace vibench {

std::string line_color(size_t color) {
  static const char* const kTab10[] = {
      "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return kTab10[color % 10];
}

std::string line_dashes(size_t color) {
  static const char* const kDashes[] = {"", "6 3", "2 2", "8 3 2 3"};
  return kDashes[(color / 10) % 4];
}

namespace {

// Steps of 1, 2 or 5 × 10^k across [low, high], four to eight of them,
// counted by an integer so that no step can fail to advance.
std::vector<double> linear_ticks(double low, double high) {
  const double span = high - low;
  if (!(span > 0) || !std::isfinite(span)) return {low};
  const double magnitude = std::pow(10.0, std::floor(std::log10(span)));
  double step = magnitude;
  for (double m : {0.1, 0.2, 0.5, 1.0, 2.0, 5.0}) {
    step = m * magnitude;
    if (span / step <= 8) break;
  }
  const double first = std::ceil(low / step - 1e-9);
  const double last = std::floor(high / step + 1e-9);
  if (!(last - first <= 20)) return {low, high};
  // An integer count: near 2^53 · step, n + 1 may equal n.
  const long count = static_cast<long>(last - first);
  std::vector<double> ticks;
  for (long i = 0; i <= count; ++i) {
    const double n = first + static_cast<double>(i);
    ticks.push_back(n == 0 ? 0.0 : n * step);
  }
  return ticks;
}

}  // namespace

std::vector<double> axis_ticks(double low, double high, bool log) {
  if (!std::isfinite(low) || !std::isfinite(high)) return {};
  if (!(low < high)) return {low};
  if (!log || !(low > 0)) return linear_ticks(low, high);
  const double a = std::log10(low), b = std::log10(high);
  const bool sparse = b - a < 2;
  std::vector<double> ticks;
  for (double k = std::floor(a); k <= std::ceil(b); ++k)
    for (double m :
         sparse ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
      const double t = m * std::pow(10.0, k);
      if (t >= low * (1 - 1e-9) && t <= high * (1 + 1e-9)) ticks.push_back(t);
    }
  // Within one decade there may be no 1, 2 or 5 × 10^k: linear steps then.
  if (ticks.size() < 2) return linear_ticks(low, high);
  // Many decades: every second one, until at most eight.
  while (ticks.size() > 8) {
    std::vector<double> fewer;
    for (size_t i = 0; i < ticks.size(); i += 2) fewer.push_back(ticks[i]);
    ticks = fewer;
  }
  return ticks;
}

namespace {

std::string tick_text(double v, bool log) {
  if (log) {
    const double k = std::log10(v);
    if (std::abs(k - std::round(k)) < 1e-9)
      return fmt::format("10<tspan dy=\"-5\" font-size=\"8\">{}</tspan>",
                         static_cast<int>(std::round(k)));
  }
  return html_escape(fmt::format("{:g}", v));
}

// A linear or log map from data to pixels.
struct Axis {
  double low = 0, high = 1, from = 0, to = 1;
  bool log = false;
  double operator()(double v) const {
    const double t = log ? (std::log10(v) - std::log10(low)) /
                               (std::log10(high) - std::log10(low))
                         : (v - low) / (high - low);
    return from + t * (to - from);
  }
};

// Widens [low, high] by 4 % of its span (in log10 on a log axis), or
// around a single value when the span is within rounding of zero; the
// result stays finite, and positive on a log axis.
void pad(double& low, double& high, bool log) {
  double a = log ? std::log10(low) : low, b = log ? std::log10(high) : high;
  if (b - a <= 1e-12 * std::max({1.0, std::abs(a), std::abs(b)})) {
    const double centre = (a + b) / 2;
    const double d = log           ? std::log10(2.0)
                     : centre == 0 ? 1
                                   : std::abs(centre) * 0.1;
    a = centre - d;
    b = centre + d;
  }
  const double margin = (b - a) * 0.04;
  a -= margin;
  b += margin;
  const double largest = std::numeric_limits<double>::max();
  if (log) {
    low =
        std::max(std::pow(10.0, a), std::numeric_limits<double>::denorm_min());
    high = std::min(std::pow(10.0, b), largest);
  } else {
    low = std::max(a, -largest);
    high = std::min(b, largest);
  }
}

std::string points(const std::vector<double>& x, const std::vector<double>& y,
                   const Axis& ax, const Axis& ay) {
  std::string out;
  for (size_t k = 0; k < x.size(); ++k)
    out += fmt::format("{}{:.1f},{:.1f}", out.empty() ? "" : " ", ax(x[k]),
                       ay(y[k]));
  return out;
}

}  // namespace

std::string svg_chart(const SeriesData& data, const SeriesPanel& panel,
                      const ChartSize& size) {
  const double left = 58, right = 10, top = 24, bottom = 40;
  // The range of what is drawn: the bands (points a log axis cannot show
  // are left out).
  double x_low = std::numeric_limits<double>::infinity(), x_high = -x_low;
  double y_low = x_low, y_high = -x_low;
  auto shown = [](double v, bool log) {
    return std::isfinite(v) && (!log || v > 0);
  };
  for (const auto& line : panel.lines)
    for (size_t k = 0; k < line.band.x.size(); ++k) {
      const double x = line.band.x[k];
      if (!shown(x, data.log_x)) continue;
      for (double y :
           {line.band.low[k], line.band.centre[k], line.band.high[k]})
        if (shown(y, data.log_y)) {
          y_low = std::min(y_low, y);
          y_high = std::max(y_high, y);
        }
      x_low = std::min(x_low, x);
      x_high = std::max(x_high, x);
    }
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
      "width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "font-family=\"sans-serif\" font-size=\"10\">\n<title>{2}</title>\n"
      "<text x=\"{3}\" y=\"14\" text-anchor=\"middle\" font-size=\"11\">{2}"
      "</text>\n",
      size.width, size.height, html_escape(panel.label),
      left + (size.width - left - right) / 2);
  if (!(x_low <= x_high) || !(y_low <= y_high)) {
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">no finite values to "
        "draw</text>\n</svg>\n",
        size.width / 2, size.height / 2);
    return out;
  }
  pad(x_low, x_high, data.log_x);
  pad(y_low, y_high, data.log_y);
  const Axis ax{x_low, x_high, left, size.width - right, data.log_x};
  const Axis ay{y_low, y_high, size.height - bottom, top, data.log_y};

  // Frame, grid and ticks.
  out += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
      "stroke=\"#444\" stroke-width=\"0.6\"/>\n",
      left, top, size.width - left - right, size.height - top - bottom);
  for (double t : axis_ticks(x_low, x_high, data.log_x)) {
    const double px = ax(t);
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" "
        "stroke=\"#ddd\" stroke-width=\"0.5\"/><text x=\"{0:.1f}\" y=\"{3}\" "
        "text-anchor=\"middle\">{4}</text>\n",
        px, top, size.height - bottom, size.height - bottom + 13,
        tick_text(t, data.log_x));
  }
  for (double t : axis_ticks(y_low, y_high, data.log_y)) {
    const double py = ay(t);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" "
        "stroke=\"#ddd\" stroke-width=\"0.5\"/><text x=\"{3}\" y=\"{4:.1f}\" "
        "text-anchor=\"end\">{5}</text>\n",
        left, py, size.width - right, left - 4, py + 3.5,
        tick_text(t, data.log_y));
  }
  out += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n"
      "<text transform=\"translate(12 {}) rotate(-90)\" "
      "text-anchor=\"middle\">{}</text>\n",
      left + (size.width - left - right) / 2, size.height - 6,
      html_escape(data.x), top + (size.height - top - bottom) / 2,
      html_escape(data.metric));

  // Lines: the band, the centre and markers on at most a dozen checkpoints.
  for (const auto& line : panel.lines) {
    std::vector<double> x, centre, low, high;
    for (size_t k = 0; k < line.band.x.size(); ++k) {
      const double bx = line.band.x[k];
      if (!shown(bx, data.log_x) || !shown(line.band.centre[k], data.log_y))
        continue;
      x.push_back(bx);
      centre.push_back(line.band.centre[k]);
      // A band edge a log axis cannot show is clipped to the axis.
      low.push_back(shown(line.band.low[k], data.log_y)
                        ? line.band.low[k]
                        : std::min(y_low, line.band.centre[k]));
      high.push_back(line.band.high[k]);
    }
    if (x.empty()) continue;
    const std::string color = line_color(line.color);
    out += fmt::format("<g class=\"line\" data-label=\"{}\">",
                       html_escape(line.label));
    if (line.seeds.size() > 1) {
      std::vector<double> rx(x.rbegin(), x.rend()),
          rl(low.rbegin(), low.rend());
      out += fmt::format(
          "<polygon points=\"{} {}\" fill=\"{}\" fill-opacity=\"0.18\" "
          "stroke=\"none\"/>",
          points(x, high, ax, ay), points(rx, rl, ax, ay), color);
    }
    const std::string dashes = line_dashes(line.color);
    out += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" "
        "stroke-width=\"1.4\"{}/>",
        points(x, centre, ax, ay), color,
        dashes.empty() ? "" : " stroke-dasharray=\"" + dashes + "\"");
    const size_t every = (x.size() + 11) / 12;  // at most a dozen markers
    for (size_t k = 0; k < x.size(); k += every)
      out += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2\" "
          "fill=\"{}\"/>",
          ax(x[k]), ay(centre[k]), color);
    out += "</g>\n";
  }
  return out + "</svg>\n";
}

}  // namespace vibench
