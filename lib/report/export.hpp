// `vibench export`: result files as one tidy long table, one row per
// cell × checkpoint × metric, for R, pandas, spreadsheets and databases.
#pragma once

#include <string>
#include <vector>

#include "core/params.hpp"

namespace vibench {

// A result file read for a report; `path` names it in messages.
struct ResultsInput {
  std::string path;
  Json document;
};

// Reads and checks a result file (JSON, schema_version, a list of cells).
// Throws ConfigError naming the file.
ResultsInput load_results_file(const std::string& path);

enum class ExportFormat { csv, jsonl };

// The columns, in order:
//   file, cell_id, kind, task, task_label, task_display, algorithm,
//   algorithm_label, algorithm_display, replicate, status, task.<param>...,
//   algorithm.<param>..., iterations, grad_evals, value_evals, hvp_evals,
//   seconds, metric, value
// The task.* and algorithm.* columns are the union over every cell of every
// input, in order of first appearance; a cell without that parameter leaves
// it empty. The *_label columns hold the identity labels that key cells;
// the *_display columns the labels tables and figures show (display_labels
// over every input together).
std::vector<std::string> export_columns(
    const std::vector<ResultsInput>& inputs);

// One row per cell × checkpoint × metric (metrics in the order of the result
// file's "metrics" list, then any others in the trace). Cells without a
// trace (skipped) give no rows. Values: strings as they are, numbers in the
// shortest form that reads back exactly, booleans true/false, lists and
// matrices as compact JSON; null (a non-finite metric, an unset parameter)
// is an empty CSV field or a JSON null. Lines end with "\n".
std::string export_results(const std::vector<ResultsInput>& inputs,
                           ExportFormat format);

// Number of rows export_results writes (without the CSV header).
size_t export_row_count(const std::vector<ResultsInput>& inputs);

}  // namespace vibench
