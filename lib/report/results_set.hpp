// Result files read for `vibench table` and `vibench compare`: the cells of
// one or more files joined, the metrics with their direction, and the value
// of a metric at a point of a cell's trace.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/params.hpp"

namespace vibench {

struct ReportMetric {
  std::string name;
  bool smaller_is_better = true;
};

struct ResultSet {
  std::vector<std::string> files;
  std::vector<Json> headers;          // each file's document but its cells
  std::vector<Json> cells;            // every record, in file order
  std::vector<size_t> cell_file;      // index into files, per cell
  std::vector<ReportMetric> metrics;  // union of the files' lists
  std::vector<std::string> warnings;  // e.g. files of different suites

  const ReportMetric* metric(const std::string& name) const;
  std::vector<std::string> metric_names() const;
  // "a.json" or "a.json, b.json": for messages.
  std::string file_list() const;
};

// Reads result files (JSON with schema_version 1, a "cells" list and a
// "metrics" list) and joins their cells. Throws ConfigError naming the file
// (and the JSON path) for an unreadable or malformed file, a cell id present
// in two files, or a metric whose direction differs between files. Files of
// different suites (suite_hash) are joined with a warning.
ResultSet load_result_set(const std::vector<std::string>& paths);
// One result file as JSON; ConfigError naming the file when unreadable.
Json read_result_document(const std::string& path);
// The same from documents already in memory; `names` name them in messages.
ResultSet make_result_set(const std::vector<Json>& documents,
                          const std::vector<std::string>& names);

// The metric called `name`, or a ConfigError naming `option`, the files,
// the closest valid name and the available ones.
const ReportMetric& require_metric(const ResultSet& results,
                                   const std::string& name,
                                   const std::string& option);

// The cost counters a trace records: iterations, grad_evals, value_evals,
// hvp_evals, and the bilevel cells' counts by oracle kind.
const std::vector<std::string>& trace_counters();

// Where on a cell's trace a value is read.
struct TracePoint {
  enum class Kind { final, budget, best } kind = Kind::final;
  // For Kind::budget: a cost counter of the trace (grad_evals,
  // oracle_calls, ...) and its limit N.
  std::string counter;
  long long limit = 0;
  // "final", "COUNTER=N" (COUNTER one of kTraceCounters), "best"; throws
  // ConfigError (for `option`).
  static TracePoint parse(const std::string& text, const std::string& option);
  // "final", "grad_evals ≤ N", "best over the trace": for captions.
  std::string describe() const;
};

// The value of `metric` in a cell record at `at`: the final value; the value
// at the last checkpoint whose counter is ≤ N (no interpolation); or the
// best value of the trace (min or max by `smaller_is_better`). Missing,
// null (non-finite) values give nullopt.
std::optional<double> metric_value(const Json& record,
                                   const std::string& metric,
                                   const TracePoint& at,
                                   bool smaller_is_better);

// The trace column of `metric` (trace.metrics[metric]) and of a cost
// counter (trace[counter]) in a cell record; nullptr when the record has
// none or it is not an array.
const Json* trace_column(const Json& record, const std::string& metric);
const Json* trace_counter(const Json& record, const std::string& counter);

// A field of a record as text: the string, the JSON text of any other
// value, or "" when absent (fields that check_document does not check).
std::string text_field(const Json& object, const std::string& key);

// True when the record has `metric` in its final values or trace.
bool has_metric(const Json& record, const std::string& metric);

// "2/5 not ok (1 diverged, 1 timeout)" style counts of statuses other than
// ok; empty when every cell was ok.
std::string not_ok_note(const std::vector<std::string>& statuses);

// Text for a Markdown table cell: | * and \ escaped.
std::string markdown_escape(const std::string& text);

}  // namespace vibench
