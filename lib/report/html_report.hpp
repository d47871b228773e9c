// `vibench report`: one self-contained HTML page of any result files — per
// task kind and metric, the convergence figures (inline SVG) and the
// final-value tables with significance marks; the cells that did not end
// ok with their messages; the grid selection used; the provenance of every
// file; and, against a baseline, the regression verdict of `compare`. No
// script, style sheet, font or image is loaded from anywhere.
#pragma once

#include <string>

#include "report/compare.hpp"
#include "report/results_set.hpp"

namespace vibench {

struct ReportOptions {
  std::string title = "vibench report";
  // A metric: tables and figures keep, per (task, algorithm name), the best
  // configuration by its median (as table --select); empty: all.
  std::string select_by;
  TracePoint at;  // where tables and the selection read values
  // The figures' cost axis; empty: oracle_calls for bilevel tasks,
  // grad_evals for the others.
  std::string x;
  // Files of different suites (suite_hash) are refused unless this is set.
  bool allow_mixed = false;
};

// The regression verdict shown when a baseline is given.
struct ReportBaseline {
  std::string file;
  Comparison comparison;
  CompareOptions options;
};

// The page. Throws ConfigError naming the files for results of different
// suites without allow_mixed, and for an unknown --select metric or axis.
std::string html_report(const ResultSet& results, const ReportOptions& options,
                        const ReportBaseline* baseline = nullptr);

}  // namespace vibench
