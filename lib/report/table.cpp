#include "report/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "core/error.hpp"
#include "report/display_labels.hpp"
#include "report/grid_selection.hpp"
#include "report/html_escape.hpp"
#include "report/statistics.hpp"
#include "report/summary.hpp"

namespace vibench {

const TableEntry* TableData::find(const std::string& task,
                                  const std::string& row) const {
  for (const auto& entry : entries)
    if (entry.task == task && entry.row == row) return &entry;
  return nullptr;
}

namespace {

template <class T>
void add_once(std::vector<T>& list, const T& item) {
  if (std::find(list.begin(), list.end(), item) == list.end())
    list.push_back(item);
}

bool better(double a, double b, bool smaller_is_better) {
  return smaller_is_better ? a < b : a > b;
}

}  // namespace

TableData build_table(const ResultSet& results, const TableOptions& options) {
  const ReportMetric& metric =
      require_metric(results, options.metric, "--metric");
  TableData data;
  data.metric = metric.name;
  data.smaller_is_better = metric.smaller_is_better;
  data.at = options.at;
  data.stat = options.stat;
  data.alpha = options.alpha;
  const DisplayLabels shown = display_labels(results);

  const std::vector<ConfigurationCells> configs = configurations_of(results);

  // --select: the best configuration per (task, algorithm name).
  std::vector<bool> keep(configs.size(), true);
  const bool selecting = !options.select_by.empty();
  GridSelection selection;
  if (selecting) {
    selection = select_best_configurations(
        results, configs,
        require_metric(results, options.select_by, "--select"), options.at);
    for (size_t c = 0; c < configs.size(); ++c)
      keep[c] = selection.keeps(configs[c]);
    data.notes = selection.notes;
  }

  // Tasks on which the metric was computed, and the entries on them.
  std::set<std::string> tasks_with_metric;
  std::vector<bool> has(configs.size(), false);
  for (size_t c = 0; c < configs.size(); ++c) {
    if (!keep[c]) continue;
    for (size_t i : configs[c].cells)
      if (has_metric(results.cells[i], metric.name)) has[c] = true;
    if (has[c]) tasks_with_metric.insert(configs[c].task);
  }
  for (size_t c = 0; c < configs.size(); ++c) {
    const ConfigurationCells& config = configs[c];
    if (!keep[c] || !tasks_with_metric.count(config.task)) continue;
    TableEntry entry;
    entry.task = config.task;
    entry.row = selecting ? config.name : config.label;
    entry.configuration = config.label;
    for (size_t i : config.cells) {
      const Json& record = results.cells[i];
      const std::string status = record["status"];
      if (status != "ok") {
        entry.statuses.push_back(status);
        continue;
      }
      if (const auto v = metric_value(record, metric.name, options.at,
                                      metric.smaller_is_better)) {
        entry.values.push_back(*v);
        entry.statuses.push_back("ok");
      } else {
        entry.statuses.push_back("no value");
      }
    }
    // An algorithm the metric does not apply to (ok cells without it) is
    // left out; a configuration whose cells all failed is shown as such.
    const bool any_ok = std::any_of(
        config.cells.begin(), config.cells.end(),
        [&](size_t i) { return results.cells[i]["status"] == "ok"; });
    if (!has[c] && any_ok) continue;
    entry.note = not_ok_note(entry.statuses);
    if (!entry.values.empty()) {
      const MeanSd ms = mean_sd(entry.values);
      entry.mean = ms.mean;
      entry.sd = ms.sd;
      entry.median = median(entry.values);
      entry.q1 = quantile(entry.values, 0.25);
      entry.q3 = quantile(entry.values, 0.75);
      entry.q95 = quantile(entry.values, 0.95);
      entry.q99 = quantile(entry.values, 0.99);
      entry.center =
          options.stat == TableStat::mean_sd ? entry.mean : entry.median;
    }
    add_once(data.tasks, entry.task);
    add_once(data.rows, entry.row);
    data.entries.push_back(std::move(entry));
  }
  for (const auto& task : data.tasks)
    data.task_labels.push_back(shown.task(task));
  // With --select a row is an algorithm, labelled as series labels its line.
  for (const auto& row : data.rows)
    data.row_labels.push_back(selecting ? selection.labels.at(row)
                                        : shown.algorithm(row));

  // Best per task, and the entries significantly worse than it.
  for (const auto& task : data.tasks) {
    std::vector<TableEntry*> column;
    for (auto& entry : data.entries)
      if (entry.task == task && !entry.values.empty()) column.push_back(&entry);
    if (column.size() < 2) continue;
    const TableEntry* best = column.front();
    for (const TableEntry* e : column)
      if (better(e->center, best->center, data.smaller_is_better)) best = e;
    std::vector<TableEntry*> tested;
    std::vector<double> p;
    for (TableEntry* e : column) {
      if (e->center == best->center) {
        e->best = true;
        continue;
      }
      tested.push_back(e);
      p.push_back(mann_whitney_u(best->values, e->values).p);
    }
    const std::vector<double> adjusted = holm_adjust(p);
    for (size_t k = 0; k < tested.size(); ++k) {
      tested[k]->p_adjusted = adjusted[k];
      tested[k]->worse = adjusted[k] <= options.alpha;
    }
  }
  return data;
}

std::string latex_escape(const std::string& text) {
  // The Greek letters and subscripts of default labels (display_labels.cpp)
  // and common hand-written ones, which pdflatex cannot typeset as text.
  static const std::vector<std::pair<std::string, std::string>> kSymbols = {
      {"α", "\\alpha"},
      {"β", "\\beta"},
      {"γ", "\\gamma"},
      {"δ", "\\delta"},
      {"ε", "\\varepsilon"},
      {"η", "\\eta"},
      {"θ", "\\theta"},
      {"κ", "\\kappa"},
      {"λ", "\\lambda"},
      {"μ", "\\mu"},
      {"ρ", "\\rho"},
      {"σ", "\\sigma"},
      {"τ", "\\tau"},
      {"₀", "_0"},
      {"₁", "_1"},
      {"₂", "_2"},
      {"₃", "_3"}};
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const auto symbol =
          std::find_if(kSymbols.begin(), kSymbols.end(), [&](const auto& s) {
            return text.compare(i, s.first.size(), s.first) == 0;
          });
      if (symbol != kSymbols.end()) {
        out += "\\ensuremath{" + symbol->second + "}";
        i += symbol->first.size() - 1;
        continue;
      }
    }
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '&':
      case '%':
      case '$':
      case '#':
      case '_':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '<':
        out += "\\textless{}";
        break;
      case '>':
        out += "\\textgreater{}";
        break;
      case '|':
        out += "\\textbar{}";
        break;
      case '"':
        out += "{''}";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// Labels in LaTeX: JSON's double quotes dropped (they would print as
// closing quotes), then escaped: gd{"step_size":0.1} → gd\{step\_size:0.1\}.
std::string latex_label(std::string label) {
  std::erase(label, '"');
  return latex_escape(label);
}

std::string number(double v) { return fmt::format("{:.3g}", v); }
std::string spread_number(double v) { return fmt::format("{:.2g}", v); }

// A number for LaTeX math mode: 1.2e-05 → 1.2\times10^{-5}.
std::string latex_number(const std::string& text) {
  const auto e = text.find('e');
  if (e == std::string::npos) return text;
  const int exponent = std::stoi(text.substr(e + 1));
  return fmt::format("{}\\times10^{{{}}}", text.substr(0, e), exponent);
}

// Display width in characters (UTF-8 aware enough for ±, †, –).
size_t display_width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++w;
  return w;
}

std::string pad(const std::string& s, size_t w) {
  return s + std::string(w > display_width(s) ? w - display_width(s) : 0, ' ');
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string stat_description(TableStat stat, bool latex) {
  if (stat == TableStat::median_iqr)
    return "median [first quartile, third quartile]";
  if (stat == TableStat::tail_quantiles)
    return "median (95th percentile, 99th percentile)";
  return latex ? "mean $\\pm$ sd" : "mean ± sd";
}

// An entry's numbers as text ("0.12 ± 0.03"), or "–" without values.
std::string entry_numbers(const TableEntry& e, TableStat stat) {
  if (e.values.empty()) return "–";
  if (stat == TableStat::mean_sd)
    return e.values.size() == 1 ? number(e.mean)
                                : number(e.mean) + " ± " + spread_number(e.sd);
  if (stat == TableStat::tail_quantiles)
    return fmt::format("{} ({}, {})", number(e.median), number(e.q95),
                       number(e.q99));
  return fmt::format("{} [{}, {}]", number(e.median), number(e.q1),
                     number(e.q3));
}

std::string markdown_entry(const TableEntry* e, TableStat stat) {
  if (!e) return "";
  std::string text = entry_numbers(*e, stat);
  if (e->best) text = "**" + text + "**";
  if (e->worse) text += "†";
  if (!e->note.empty()) text += " (" + e->note + ")";
  return text;
}

std::string html_entry(const TableEntry* e, TableStat stat) {
  if (!e) return "<td></td>";
  std::string text = html_escape(entry_numbers(*e, stat));
  if (e->best) text = "<strong>" + text + "</strong>";
  if (e->worse) text += "<sup>†</sup>";
  if (!e->note.empty())
    text += " <span class=\"note\">(" + html_escape(e->note) + ")</span>";
  return "<td>" + text + "</td>";
}

std::string latex_entry(const TableEntry* e, TableStat stat,
                        std::map<std::string, std::string>& footnotes,
                        std::vector<std::string>& footnote_order) {
  if (!e) return "";
  std::string text;
  if (e->values.empty()) {
    text = "--";
  } else {
    if (stat == TableStat::mean_sd)
      text = e->values.size() == 1
                 ? fmt::format("${}$", latex_number(number(e->mean)))
                 : fmt::format("${} \\pm {}$", latex_number(number(e->mean)),
                               latex_number(spread_number(e->sd)));
    else if (stat == TableStat::tail_quantiles)
      text = fmt::format("${}$ (${}$, ${}$)", latex_number(number(e->median)),
                         latex_number(number(e->q95)),
                         latex_number(number(e->q99)));
    else
      text =
          fmt::format("${}$ [${}$, ${}$]", latex_number(number(e->median)),
                      latex_number(number(e->q1)), latex_number(number(e->q3)));
    if (e->best) text = "\\textbf{\\boldmath " + text + "}";
    if (e->worse) text += "$^\\dagger$";
  }
  if (!e->note.empty()) {
    auto [it, inserted] = footnotes.emplace(e->note, "");
    if (inserted) {
      const size_t k = footnote_order.size();
      it->second = k < 26 ? std::string(1, static_cast<char>('a' + k))
                          : std::to_string(k + 1);
      footnote_order.push_back(e->note);
    }
    text += "$^{\\mathrm{" + it->second + "}}$";
  }
  return text;
}

// Explains bold and daggers; empty when no task has two entries to rank.
std::string legend(const TableData& data, bool latex) {
  const bool ranked = std::any_of(data.entries.begin(), data.entries.end(),
                                  [](const TableEntry& e) { return e.best; });
  if (!ranked) return "";
  if (latex)
    return fmt::format(
        "Bold: best per task; $^\\dagger$: significantly worse than the best "
        "of its task (two-sided Mann--Whitney U test over seeds, "
        "Holm-corrected within the task, $\\alpha = {}$).",
        data.alpha);
  return fmt::format(
      "Bold: best per task. †: significantly worse than the best of its task "
      "(two-sided Mann–Whitney U test over seeds, Holm-corrected within the "
      "task, α = {}).",
      data.alpha);
}

// The grid: header and rows of (label, entries), transposed or not.
struct Grid {
  std::string corner;
  std::vector<std::string> columns;
  std::vector<std::string> row_labels;
  std::vector<std::vector<const TableEntry*>> cells;
};

Grid grid_of(const TableData& data, bool transpose) {
  Grid grid;
  if (!transpose) {
    grid.corner = "algorithm";
    grid.columns = data.task_labels;
    grid.row_labels = data.row_labels;
    for (const auto& row : data.rows) {
      grid.cells.emplace_back();
      for (const auto& task : data.tasks)
        grid.cells.back().push_back(data.find(task, row));
    }
  } else {
    grid.corner = "task";
    grid.columns = data.row_labels;
    grid.row_labels = data.task_labels;
    for (const auto& task : data.tasks) {
      grid.cells.emplace_back();
      for (const auto& row : data.rows)
        grid.cells.back().push_back(data.find(task, row));
    }
  }
  return grid;
}

std::string render_markdown(const TableData& data, const TableOptions& opt) {
  const Grid grid = grid_of(data, opt.transpose);
  std::vector<std::vector<std::string>> table;
  table.push_back({grid.corner});
  for (const auto& c : grid.columns) table[0].push_back(markdown_escape(c));
  for (size_t r = 0; r < grid.row_labels.size(); ++r) {
    table.push_back({markdown_escape(grid.row_labels[r])});
    for (const TableEntry* e : grid.cells[r])
      table.back().push_back(markdown_entry(e, data.stat));
  }
  std::vector<size_t> widths(table[0].size(), 3);
  for (const auto& line : table)
    for (size_t j = 0; j < line.size(); ++j)
      widths[j] = std::max(widths[j], display_width(line[j]));

  std::string out = fmt::format(
      "{} ({}; {} over seeds of ok cells; {} is better)\n\n", data.metric,
      data.at.describe(), stat_description(data.stat, false),
      data.smaller_is_better ? "smaller" : "bigger");
  for (size_t i = 0; i < table.size(); ++i) {
    std::string line = "|";
    for (size_t j = 0; j < table[i].size(); ++j)
      line.append(" ").append(pad(table[i][j], widths[j])).append(" |");
    out += line + "\n";
    if (i == 0) {
      std::string rule = "|";
      for (size_t w : widths) rule += std::string(w + 2, '-') + "|";
      out += rule + "\n";
    }
  }
  if (const std::string text = legend(data, false); !text.empty())
    out += "\n" + text + "\n";
  for (const auto& note : data.notes)
    out += "\n" + markdown_escape(note) + "\n";
  return out;
}

std::string render_html(const TableData& data, const TableOptions& opt) {
  const Grid grid = grid_of(data, opt.transpose);
  std::string out = fmt::format(
      "<table class=\"results\">\n<caption>{} ({}; {} over seeds of ok "
      "cells; {} is better)</caption>\n<thead><tr><th>{}</th>",
      html_escape(data.metric), html_escape(data.at.describe()),
      stat_description(data.stat, false),
      data.smaller_is_better ? "smaller" : "bigger", grid.corner);
  for (const auto& c : grid.columns) out += "<th>" + html_escape(c) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (size_t r = 0; r < grid.row_labels.size(); ++r) {
    out += "<tr><th scope=\"row\">" + html_escape(grid.row_labels[r]) + "</th>";
    for (const TableEntry* e : grid.cells[r]) out += html_entry(e, data.stat);
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  if (const std::string text = legend(data, false); !text.empty())
    out += "<p class=\"legend\">" + html_escape(text) + "</p>\n";
  for (const auto& note : data.notes)
    out += "<p class=\"selection\">" + html_escape(note) + "</p>\n";
  return out;
}

std::string render_latex(const TableData& data, const TableOptions& opt) {
  const Grid grid = grid_of(data, opt.transpose);
  std::map<std::string, std::string> footnotes;
  std::vector<std::string> footnote_order;
  std::vector<std::vector<std::string>> body;
  for (size_t r = 0; r < grid.row_labels.size(); ++r) {
    body.push_back({latex_label(grid.row_labels[r])});
    for (const TableEntry* e : grid.cells[r])
      body.back().push_back(
          latex_entry(e, data.stat, footnotes, footnote_order));
  }
  std::string at = latex_escape(data.at.describe());
  if (const auto le = at.find("≤"); le != std::string::npos)
    at.replace(le, std::string("≤").size(), "$\\leq$");

  std::string label;
  for (char c : data.metric)
    label += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';

  std::string out;
  if (opt.standalone)
    out +=
        "\\documentclass{article}\n\\usepackage{booktabs}\n"
        "\\begin{document}\n";
  out += "\\begin{table}[htbp]\n  \\centering\n";
  out += fmt::format(
      "  \\caption{{{} ({}; {} over seeds of ok cells; {} is better).{}}}\n",
      latex_escape(data.metric), at, stat_description(data.stat, true),
      data.smaller_is_better ? "smaller" : "bigger",
      data.entries.empty() || legend(data, true).empty()
          ? std::string()
          : " " + legend(data, true));
  out += fmt::format("  \\label{{tab:vibench-{}}}\n", label);
  out += fmt::format("  \\begin{{tabular}}{{l{}}}\n",
                     std::string(grid.columns.size(), 'c'));
  out += "    \\toprule\n";
  std::string header =
      "    " + latex_escape(grid.corner == "algorithm" ? "Algorithm" : "Task");
  for (const auto& c : grid.columns) header += " & " + latex_label(c);
  out += header + " \\\\\n    \\midrule\n";
  for (const auto& line : body) {
    std::string text = "    " + line[0];
    for (size_t j = 1; j < line.size(); ++j) text += " & " + line[j];
    out += text + " \\\\\n";
  }
  out += "    \\bottomrule\n  \\end{tabular}\n";
  if (!footnote_order.empty() || !data.notes.empty()) {
    out += "  \\par\\smallskip\n  {\\footnotesize\n";
    for (const auto& note : footnote_order)
      out += fmt::format("    $^{{\\mathrm{{{}}}}}$\\,{}.\\par\n",
                         footnotes[note], latex_escape(note));
    for (const auto& note : data.notes)
      out += "    " + latex_label(note) + ".\\par\n";
    out += "  }\n";
  }
  out += "\\end{table}\n";
  if (opt.standalone) out += "\\end{document}\n";
  return out;
}

std::string csv_number(double v) {
  return std::isnan(v) ? "" : fmt::format("{}", v);
}

std::string render_csv(const TableData& data) {
  std::string out =
      "task,task_id,algorithm,configuration,metric,at,cells,values,not_ok,"
      "mean,sd,median,q1,q3,best,significantly_worse,p_holm,q95,q99\n";
  for (size_t t = 0; t < data.tasks.size(); ++t)
    for (size_t r = 0; r < data.rows.size(); ++r) {
      const TableEntry* e = data.find(data.tasks[t], data.rows[r]);
      if (!e) continue;
      const std::vector<std::string> fields = {
          data.task_labels[t],
          data.tasks[t],  // the identity label, to join with other files
          data.row_labels[r],
          e->configuration,
          data.metric,
          data.at.describe(),
          std::to_string(e->statuses.size()),
          std::to_string(e->values.size()),
          e->note,
          csv_number(e->mean),
          csv_number(e->sd),
          csv_number(e->median),
          csv_number(e->q1),
          csv_number(e->q3),
          e->best ? "true" : "false",
          e->worse ? "true" : "false",
          csv_number(e->p_adjusted),
          csv_number(e->q95),
          csv_number(e->q99)};
      std::string line;
      for (size_t j = 0; j < fields.size(); ++j)
        line.append(j ? "," : "").append(csv_field(fields[j]));
      out += line + "\n";
    }
  return out;
}

}  // namespace

std::string render_table(const TableData& data, const TableOptions& options) {
  if (data.entries.empty())
    throw ConfigError("--metric",
                      fmt::format("no cell has a value of '{}'", data.metric));
  switch (options.format) {
    case TableFormat::markdown:
      return render_markdown(data, options);
    case TableFormat::latex:
      return render_latex(data, options);
    case TableFormat::csv:
      return render_csv(data);
    case TableFormat::html:
      return render_html(data, options);
  }
  return "";
}

}  // namespace vibench
