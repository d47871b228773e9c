#include "report/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "report/display_labels.hpp"

namespace vibench {

MeanSd mean_sd(const std::vector<double>& values) {
  MeanSd out;
  out.count = values.size();
  if (values.empty()) return out;
  for (double v : values) out.mean += v;
  out.mean /= static_cast<double>(values.size());
  if (values.size() > 1) {
    double ss = 0;
    for (double v : values) ss += (v - out.mean) * (v - out.mean);
    out.sd = std::sqrt(ss / static_cast<double>(values.size() - 1));
  }
  return out;
}

std::string format_mean_sd(const MeanSd& value) {
  if (value.count == 0) return "-";
  if (value.count == 1) return fmt::format("{:.3g}", value.mean);
  return fmt::format("{:.3g} ± {:.2g}", value.mean, value.sd);
}

namespace {

// Display width in characters (UTF-8 aware enough for "±").
size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++w;
  return w;
}

std::string pad(const std::string& s, size_t w) {
  return s + std::string(w > width(s) ? w - width(s) : 0, ' ');
}

struct Row {
  std::string task, algorithm;
  std::map<std::string, int> statuses;
  std::map<std::string, std::vector<double>> finals;
};

}  // namespace

std::string summary_table(const Json& results) {
  // kind → ordered rows; rows keep the order of first appearance.
  std::map<std::string, std::vector<Row>> by_kind;
  std::map<std::string, std::vector<std::string>> metrics_by_kind;
  std::map<std::string, std::string> kind_of_task;
  const DisplayLabels shown = display_labels_of_cells(results.at("cells"));
  for (const auto& record : results.at("cells")) {
    const std::string task = record["task"]["label"];
    const std::string algorithm = record["algorithm"]["label"];
    const Json final_metrics =
        record.contains("final")
            ? record["final"].value("metrics", Json::object())
            : Json::object();
    std::string kind = "tasks";
    if (record.contains("kind")) kind = record["kind"];
    auto& rows = by_kind[kind];
    auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) {
      return r.task == task && r.algorithm == algorithm;
    });
    if (it == rows.end()) {
      rows.push_back({task, algorithm, {}, {}});
      it = rows.end() - 1;
    }
    ++it->statuses[record["status"].get<std::string>()];
    auto& names = metrics_by_kind[kind];
    for (const auto& [name, value] : final_metrics.items()) {
      if (std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(name);
      if (value.is_number() && record["status"] == "ok")
        it->finals[name].push_back(value.get<double>());
    }
  }

  std::string out;
  for (const auto& [kind, rows] : by_kind) {
    const auto& names = metrics_by_kind[kind];
    std::vector<std::string> header = {"task", "algorithm", "cells"};
    header.insert(header.end(), names.begin(), names.end());
    std::vector<std::vector<std::string>> table = {header};
    for (const auto& row : rows) {
      std::string cells;
      for (const auto& [status, n] : row.statuses)
        cells += (cells.empty() ? "" : " ") + fmt::format("{} {}", n, status);
      std::vector<std::string> line = {shown.task(row.task),
                                       shown.algorithm(row.algorithm), cells};
      for (const auto& name : names) {
        const auto f = row.finals.find(name);
        line.push_back(
            f == row.finals.end() ? "-" : format_mean_sd(mean_sd(f->second)));
      }
      table.push_back(line);
    }
    std::vector<size_t> widths(header.size(), 0);
    for (const auto& line : table)
      for (size_t j = 0; j < line.size(); ++j)
        widths[j] = std::max(widths[j], width(line[j]));
    out += fmt::format(
        "\n{} (final values, mean ± sd over seeds of ok cells)\n", kind);
    for (size_t i = 0; i < table.size(); ++i) {
      std::string text = "|";
      for (size_t j = 0; j < table[i].size(); ++j)
        text += fmt::format(" {} |", pad(table[i][j], widths[j]));
      out += text + "\n";
      if (i == 0) {
        std::string rule = "|";
        for (size_t w : widths) rule += std::string(w + 2, '-') + "|";
        out += rule + "\n";
      }
    }
  }
  return out;
}

}  // namespace vibench
