#include "report/export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/json_structure.hpp"
#include "core/path_checks.hpp"
#include "report/display_labels.hpp"
#include "report/results_set.hpp"
#include "runner/results_file.hpp"

namespace vibench {

ResultsInput load_results_file(const std::string& path) {
  if (const std::string why = unreadable_file_reason(path); !why.empty())
    throw ConfigError(path, "the result file " + why);
  std::ifstream in(path);
  if (!in) throw ConfigError(path, "cannot open the result file");
  ResultsInput input{path, Json()};
  std::stringstream text;
  text << in.rdbuf();
  check_json_structure(text.str(), path);
  try {
    input.document = Json::parse(text.str());
  } catch (const Json::parse_error& e) {
    throw ConfigError(path, fmt::format("not valid JSON: {}", e.what()));
  }
  const Json& doc = input.document;
  if (!doc.is_object() || !doc.contains("cells") || !doc["cells"].is_array())
    throw ConfigError(path,
                      "not a vibench result file (no list of 'cells'); "
                      "result files are written by 'vibench run'");
  if (doc.value("schema_version", 0) != kResultsSchemaVersion)
    throw ConfigError(
        path, fmt::format("result file schema_version {} is not supported "
                          "(this vibench reads version {})",
                          doc.value("schema_version", Json()).dump(),
                          kResultsSchemaVersion));
  return input;
}

namespace {

const std::vector<std::string> kLeadingColumns = {
    "file",      "cell_id",         "kind",
    "task",      "task_label",      "task_display",
    "algorithm", "algorithm_label", "algorithm_display",
    "replicate", "status"};
const std::vector<std::string> kCounterColumns = {
    "iterations", "grad_evals", "value_evals", "hvp_evals", "seconds"};

// Names of the parameters of `component` ("task" or "algorithm") over every
// cell, in order of first appearance.
std::vector<std::string> parameter_names(
    const std::vector<ResultsInput>& inputs, const std::string& component) {
  std::vector<std::string> names;
  for (const auto& input : inputs)
    for (const auto& record : input.document["cells"]) {
      if (!record.contains(component) || !record[component].is_object())
        continue;
      const Json params = record[component].value("params", Json::object());
      if (!params.is_object()) continue;
      for (const auto& [name, value] : params.items())
        if (std::find(names.begin(), names.end(), name) == names.end())
          names.push_back(name);
    }
  return names;
}

// Lists and objects become compact JSON strings; scalars stay as they are.
Json flat(const Json& value) {
  if (value.is_array() || value.is_object()) return value.dump();
  return value;
}

Json at_or_null(const Json& object, const std::string& key) {
  return object.is_object() && object.contains(key) ? object[key] : Json();
}

Json element_or_null(const Json& array, size_t k) {
  return array.is_array() && k < array.size() ? array[k] : Json();
}

// Metric names of a cell's trace: the file's metric order, then the rest.
std::vector<std::string> trace_metrics(const Json& document,
                                       const Json& trace_metrics) {
  std::vector<std::string> names;
  if (!trace_metrics.is_object()) return names;
  for (const auto& metric : document.value("metrics", Json::array()))
    if (metric.is_object() && metric.contains("name") &&
        trace_metrics.contains(metric["name"].get<std::string>()))
      names.push_back(metric["name"]);
  for (const auto& [name, values] : trace_metrics.items())
    if (std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(name);
  return names;
}

// Calls `row` with every row's values, in column order.
void for_each_row(const std::vector<ResultsInput>& inputs,
                  const std::vector<std::string>& task_params,
                  const std::vector<std::string>& algorithm_params,
                  const std::function<void(const std::vector<Json>&)>& row) {
  // Display labels over every input together, as `report` shows them.
  std::vector<const Json*> documents;
  for (const auto& input : inputs) documents.push_back(&input.document);
  const DisplayLabels shown = display_labels_of_documents(documents);
  const auto display = [](const std::string& label, const std::string& shown) {
    return label.empty() ? Json() : Json(shown);
  };
  std::vector<Json> values;
  for (const auto& input : inputs)
    for (const auto& record : input.document["cells"]) {
      const Json trace = at_or_null(record, "trace");
      if (!trace.is_object()) continue;
      const Json iterations = at_or_null(trace, "iterations");
      const size_t checkpoints = iterations.is_array() ? iterations.size() : 0;
      const Json metrics = at_or_null(trace, "metrics");
      const auto metric_names = trace_metrics(input.document, metrics);
      if (checkpoints == 0 || metric_names.empty()) continue;

      const Json task = at_or_null(record, "task");
      const Json algorithm = at_or_null(record, "algorithm");
      const std::string task_label = text_field(task, "label");
      const std::string algorithm_label = text_field(algorithm, "label");
      std::vector<Json> cell = {
          input.path,
          at_or_null(record, "id"),
          at_or_null(record, "kind"),
          at_or_null(task, "name"),
          at_or_null(task, "label"),
          display(task_label, shown.task(task_label)),
          at_or_null(algorithm, "name"),
          at_or_null(algorithm, "label"),
          display(algorithm_label, shown.algorithm(algorithm_label)),
          at_or_null(record, "replicate"),
          at_or_null(record, "status")};
      const Json task_values = at_or_null(task, "params");
      for (const auto& name : task_params)
        cell.push_back(flat(at_or_null(task_values, name)));
      const Json algorithm_values = at_or_null(algorithm, "params");
      for (const auto& name : algorithm_params)
        cell.push_back(flat(at_or_null(algorithm_values, name)));

      for (size_t k = 0; k < checkpoints; ++k) {
        values = cell;
        for (const auto& counter : kCounterColumns)
          values.push_back(element_or_null(at_or_null(trace, counter), k));
        for (const auto& metric : metric_names) {
          values.push_back(metric);
          values.push_back(element_or_null(metrics[metric], k));
          row(values);
          values.resize(values.size() - 2);
        }
      }
    }
}

std::string csv_value(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();  // numbers: shortest round-trip form; booleans
}

}  // namespace

std::vector<std::string> export_columns(
    const std::vector<ResultsInput>& inputs) {
  std::vector<std::string> columns = kLeadingColumns;
  for (const auto& name : parameter_names(inputs, "task"))
    columns.push_back("task." + name);
  for (const auto& name : parameter_names(inputs, "algorithm"))
    columns.push_back("algorithm." + name);
  columns.insert(columns.end(), kCounterColumns.begin(), kCounterColumns.end());
  columns.push_back("metric");
  columns.push_back("value");
  return columns;
}

std::string export_results(const std::vector<ResultsInput>& inputs,
                           ExportFormat format) {
  const auto task_params = parameter_names(inputs, "task");
  const auto algorithm_params = parameter_names(inputs, "algorithm");
  const auto columns = export_columns(inputs);
  std::string out;
  if (format == ExportFormat::csv) {
    out += csv_row(columns);
    std::vector<std::string> fields(columns.size());
    for_each_row(inputs, task_params, algorithm_params,
                 [&](const std::vector<Json>& values) {
                   for (size_t i = 0; i < values.size(); ++i)
                     fields[i] = csv_value(values[i]);
                   out += csv_row(fields);
                 });
  } else {
    for_each_row(inputs, task_params, algorithm_params,
                 [&](const std::vector<Json>& values) {
                   // Written by hand to keep the column order.
                   out += '{';
                   for (size_t i = 0; i < values.size(); ++i) {
                     if (i) out += ',';
                     out += Json(columns[i]).dump();
                     out += ':';
                     out += values[i].dump();
                   }
                   out += "}\n";
                 });
  }
  return out;
}

size_t export_row_count(const std::vector<ResultsInput>& inputs) {
  size_t count = 0;
  for_each_row(inputs, {}, {}, [&](const std::vector<Json>&) { ++count; });
  return count;
}

}  // namespace vibench
