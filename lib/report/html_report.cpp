#include "report/html_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/error.hpp"
#include "report/display_labels.hpp"
#include "report/grid_selection.hpp"
#include "report/html_escape.hpp"
#include "report/series.hpp"
#include "report/svg_chart.hpp"
#include "report/table.hpp"

namespace vibench {

namespace {

// Readable on screen and on paper; nothing fetched.
constexpr const char* kStyle = R"(
body { font-family: system-ui, sans-serif; max-width: 1180px; margin: 1.5em auto; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; } h3 { margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
thead th { background: #f3f3f3; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
.note, .legend, .selection, .muted { color: #555; font-size: 0.9em; }
.figure { display: flex; flex-wrap: wrap; gap: 0.5em; }
.keys { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3em 1.2em; font-size: 0.9em; }
.keys span.swatch { display: inline-block; width: 1.8em; height: 0; vertical-align: middle; margin-right: 0.4em; }
.verdict-pass { color: #1a7f37; } .verdict-fail { color: #b42318; }
code { font-size: 0.95em; }
@media print { body { max-width: none; } .figure { break-inside: avoid; } h2 { break-before: page; } }
)";

std::string escape(const std::string& text) { return html_escape(text); }

// Human names of the task kinds, in the order the page shows them.
const std::vector<std::pair<std::string, std::string>>& kinds() {
  static const std::vector<std::pair<std::string, std::string>> list = {
      {"distribution", "Sampling"},
      {"objective", "Optimization"},
      {"saddle_point", "Saddle-point problems"},
      {"bilevel", "Bilevel problems"}};
  return list;
}

// The cells of one kind as a result set of their own (same files and
// headers), with the metrics those cells have. Their records carry the
// display labels of the whole set, so that a configuration reads alike in
// every part of the page.
ResultSet subset_of_kind(const ResultSet& results, const std::string& kind,
                         const DisplayLabels& shown) {
  ResultSet subset;
  subset.files = results.files;
  subset.headers = results.headers;
  for (size_t i = 0; i < results.cells.size(); ++i)
    if (text_field(results.cells[i], "kind") == kind) {
      Json record = results.cells[i];
      record["task"]["display_label"] =
          shown.task(record["task"]["label"].get<std::string>());
      record["algorithm"]["display_label"] =
          shown.algorithm(record["algorithm"]["label"].get<std::string>());
      subset.cells.push_back(std::move(record));
      subset.cell_file.push_back(results.cell_file[i]);
    }
  for (const auto& metric : results.metrics)
    if (std::any_of(subset.cells.begin(), subset.cells.end(),
                    [&](const Json& record) {
                      return has_metric(record, metric.name);
                    }))
      subset.metrics.push_back(metric);
  return subset;
}

std::string figure_of(const ResultSet& results, const ReportOptions& options,
                      const std::vector<std::string>& palette,
                      const std::string& metric, const std::string& kind) {
  SeriesOptions series;
  series.palette = palette;
  series.metric = metric;
  series.x = !options.x.empty()  ? options.x
             : kind == "bilevel" ? "oracle_calls"
                                 : "grad_evals";
  series.select_by = options.select_by;
  series.select_at = options.at;
  SeriesData data;
  try {
    data = build_series(results, series);
  } catch (const ConfigError&) {
    return "";  // the metric has no trace here (final values only)
  }
  std::string out = "<div class=\"figure\">\n";
  for (const auto& panel : data.panels) out += svg_chart(data, panel);
  out += "</div>\n<ul class=\"keys\">";
  // One key per line, in colour order; a line no panel could draw (all its
  // cells diverged, say) says why.
  struct Key {
    const SeriesLine* line = nullptr;
    bool drawn = false;
    std::vector<std::string> left_out;
  };
  std::map<size_t, Key> keys;
  for (const auto& panel : data.panels)
    for (const auto& line : panel.lines) {
      Key& key = keys[line.color];
      key.line = &line;
      key.drawn = key.drawn || !line.band.x.empty();
      key.left_out.insert(key.left_out.end(), line.left_out.begin(),
                          line.left_out.end());
    }
  for (const auto& [color, key] : keys) {
    std::string why;
    if (!key.drawn)
      why = fmt::format(
          " <span class=\"note\">(not drawn: {})</span>",
          escape(key.left_out.empty() ? std::string("no finite value")
                                      : not_ok_note(key.left_out)));
    out += fmt::format(
        "<li><span class=\"swatch\" style=\"border-top:3px {} {}\"></span>"
        "{}{}</li>",
        line_dashes(color).empty() ? "solid" : "dashed", line_color(color),
        escape(key.line->label), why);
  }
  out += fmt::format(
      "</ul>\n<p class=\"muted\">{} over seeds, shaded: {}; x: {}; cells "
      "that did not end ok are left out.</p>\n",
      data.stat == SeriesStat::median_iqr ? "Median" : "Mean",
      data.stat == SeriesStat::median_iqr ? "interquartile range"
                                          : "95% confidence band",
      escape(data.x));
  return out;
}

std::string table_of(const ResultSet& results, const ReportOptions& options,
                     const std::string& metric) {
  TableOptions table;
  table.metric = metric;
  table.at = options.at;
  table.select_by = options.select_by;
  table.format = TableFormat::html;
  const TableData data = build_table(results, table);
  if (data.entries.empty()) return "";
  return render_table(data, table);
}

std::string not_ok_section(const ResultSet& results,
                           const DisplayLabels& shown) {
  std::string rows;
  size_t count = 0;
  for (const Json& record : results.cells) {
    const std::string status = record["status"];
    if (status == "ok" || status == "skipped") continue;
    ++count;
    rows += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        escape(shown.task(record["task"]["label"])),
        escape(
            shown.algorithm(record["algorithm"].value("label", std::string()))),
        escape(text_field(record, "replicate")), escape(status),
        escape(text_field(record, "message")));
  }
  std::string out = "<h2 id=\"not-ok\">Cells that did not end ok</h2>\n";
  if (count == 0) return out + "<p>Every cell ended ok (or was skipped).</p>\n";
  return out + fmt::format(
                   "<table><caption>{} cell{}</caption>\n<thead><tr><th>task"
                   "</th><th>algorithm</th><th>seed</th><th>status</th><th>"
                   "message</th></tr></thead>\n<tbody>\n{}</tbody></table>\n",
                   count, count == 1 ? "" : "s", rows);
}

std::string provenance_section(const ResultSet& results) {
  std::string out =
      "<h2 id=\"provenance\">Provenance</h2>\n<table>\n<thead><tr><th>file"
      "</th><th>suite</th><th>suite hash</th><th>vibench</th><th>git "
      "revision</th><th>compiler</th><th>flags</th><th>CPU</th><th>run</th>"
      "<th>cells</th></tr></thead>\n<tbody>\n";
  for (size_t f = 0; f < results.files.size(); ++f) {
    const Json& header = results.headers[f];
    const Json context = header.value("context", Json::object());
    const Json suite = header.value("suite", Json::object());
    auto text = [](const Json& object, const char* key) {
      if (!object.is_object() || !object.contains(key)) return std::string("–");
      const Json& v = object[key];
      return escape(v.is_string() ? v.get<std::string>() : v.dump());
    };
    const size_t cells = static_cast<size_t>(
        std::count(results.cell_file.begin(), results.cell_file.end(), f));
    out += fmt::format(
        "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td>"
        "<td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{} – {}</td><td>{}</td></tr>\n",
        escape(results.files[f]), text(suite, "name"),
        text(header, "suite_hash"), text(context, "vibench_version"),
        text(context, "git_revision"), text(context, "compiler"),
        text(context, "flags"), text(context, "cpu"),
        text(context, "start_time"), text(context, "end_time"), cells);
  }
  return out + "</tbody></table>\n";
}

std::string verdict_section(const ReportBaseline& baseline) {
  const Comparison& c = baseline.comparison;
  const size_t regressions = c.regression_count();
  size_t improvements = 0;
  for (const auto& m : c.comparisons)
    if (m.verdict == Verdict::improvement) ++improvements;
  std::string out = fmt::format(
      "<h2 id=\"verdict\">Regression verdict</h2>\n<p class=\"{}\"><strong>"
      "{}</strong> against the baseline <code>{}</code>: {} regression{}, {} "
      "improvement{} over {} common cells in {} (task, algorithm) groups.</p>"
      "\n<p class=\"muted\">As <code>vibench compare</code>: at the final "
      "checkpoint, a metric regresses when the median over seeds is worse "
      "than the baseline's by more than max(rtol·|baseline median|, atol) "
      "(rtol = {}, atol = {}) and, with at least {} seeds on each side, a "
      "two-sided Mann–Whitney U test gives p ≤ {}; a cell ok in the baseline "
      "and not ok here is a regression.</p>\n",
      regressions ? "verdict-fail" : "verdict-pass",
      regressions ? "Regressions found" : "No regression",
      escape(baseline.file), regressions, regressions == 1 ? "" : "s",
      improvements, improvements == 1 ? "" : "s", c.common_cells, c.groups,
      baseline.options.rtol, baseline.options.atol,
      baseline.options.min_seeds_for_test, baseline.options.alpha);
  if (regressions) {
    out += "<ul>\n";
    for (const auto& line : c.regression_lines())
      out += "<li>" + escape(line) + "</li>\n";
    out += "</ul>\n";
  }
  for (const auto& warning : c.warnings)
    out += "<p class=\"note\">" + escape(warning) + "</p>\n";
  return out;
}

}  // namespace

std::string html_report(const ResultSet& results, const ReportOptions& options,
                        const ReportBaseline* baseline) {
  std::set<std::string> hashes;
  for (const auto& header : results.headers)
    hashes.insert(text_field(header, "suite_hash"));
  if (hashes.size() > 1 && !options.allow_mixed)
    throw ConfigError(
        results.file_list(),
        "these are results of different suites (suite_hash differs); give "
        "--allow-mixed to report them together");
  if (!options.select_by.empty())
    require_metric(results, options.select_by, "--select");
  if (!options.x.empty()) check_series_axis(options.x);

  std::string body;
  std::string contents;
  if (baseline) {
    body += verdict_section(*baseline);
    contents += "<li><a href=\"#verdict\">Regression verdict</a></li>\n";
  }
  const DisplayLabels shown = display_labels(results);
  // Colours in the order of every configuration of the page, as plot.py
  // gives them for the same files.
  std::vector<std::string> palette;
  for (const auto& config : configurations_of(results)) {
    const std::string& key =
        options.select_by.empty() ? config.label : config.name;
    if (std::find(palette.begin(), palette.end(), key) == palette.end())
      palette.push_back(key);
  }
  size_t section = 0;
  size_t shown_cells = 0;
  for (const auto& [kind, title] : kinds()) {
    const ResultSet subset = subset_of_kind(results, kind, shown);
    shown_cells += subset.cells.size();
    if (subset.cells.empty()) continue;
    const std::string id = fmt::format("kind-{}", kind);
    std::set<std::string> tasks;
    for (const Json& record : subset.cells)
      tasks.insert(shown.task(record["task"]["label"]));
    std::set<std::string> algorithms;
    for (const Json& record : subset.cells)
      algorithms.insert(shown.algorithm(record["algorithm"]["label"]));
    body += fmt::format(
        "<h2 id=\"{}\">{}</h2>\n<p class=\"muted\">{} cells; "
        "tasks: {}; algorithms: {}.</p>\n",
        id, escape(title), subset.cells.size(),
        escape(fmt::format("{}", fmt::join(tasks, ", "))),
        escape(fmt::format("{}", fmt::join(algorithms, ", "))));
    contents += fmt::format("<li><a href=\"#{}\">{}</a><ul>", id, title);
    // The grid selection applies where its metric was recorded.
    ReportOptions kind_options = options;
    if (!options.select_by.empty() && !subset.metric(options.select_by)) {
      kind_options.select_by.clear();
      body += fmt::format(
          "<p class=\"note\">No grid selection here: {} was not recorded "
          "for these tasks; every configuration is shown.</p>\n",
          escape(options.select_by));
    }
    for (const auto& metric : subset.metrics) {
      const std::string metric_id = fmt::format("m{}", ++section);
      const std::string figure =
          figure_of(subset, kind_options, palette, metric.name, kind);
      const std::string table = table_of(subset, kind_options, metric.name);
      if (figure.empty() && table.empty()) continue;
      body += fmt::format(
          "<h3 id=\"{}\">{} <span class=\"muted\">({} is "
          "better)</span></h3>\n{}{}",
          metric_id, escape(metric.name),
          metric.smaller_is_better ? "smaller" : "bigger", figure, table);
      contents += fmt::format("<li><a href=\"#{}\">{}</a></li>", metric_id,
                              escape(metric.name));
    }
    contents += "</ul></li>\n";
  }
  if (shown_cells < results.cells.size())
    body += fmt::format(
        "<p class=\"note\">{} cell{} of no known task kind (the record's "
        "\"kind\" is missing or unknown) {} left out of the figures and "
        "tables.</p>\n",
        results.cells.size() - shown_cells,
        results.cells.size() - shown_cells == 1 ? "" : "s",
        results.cells.size() - shown_cells == 1 ? "is" : "are");
  body += not_ok_section(results, shown);
  body += provenance_section(results);
  contents +=
      "<li><a href=\"#not-ok\">Cells that did not end ok</a></li>\n"
      "<li><a href=\"#provenance\">Provenance</a></li>\n";

  std::string selection =
      options.select_by.empty()
          ? "every configuration is shown"
          : fmt::format(
                "per (task, algorithm name), the configuration with "
                "the best median {} ({}) over seeds",
                escape(options.select_by), escape(options.at.describe()));
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
      "\n<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>{0}</title>\n<style>{1}</style>\n</head>\n"
      "<body>\n<h1>{0}</h1>\n<p>{2} result file{3}: {4}; {5} cells. Tables "
      "read the {6} value; grid selection: {7}.</p>\n<nav><ul>\n{8}</ul>"
      "</nav>\n{9}</body>\n</html>\n",
      escape(options.title), kStyle, results.files.size(),
      results.files.size() == 1 ? "" : "s", escape(results.file_list()),
      results.cells.size(), escape(options.at.describe()), selection, contents,
      body);
}

}  // namespace vibench
