#include "report/results_set.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/error.hpp"
#include "core/json_structure.hpp"
#include "core/path_checks.hpp"
#include "core/suggest.hpp"

namespace vibench {

const ReportMetric* ResultSet::metric(const std::string& name) const {
  for (const auto& m : metrics)
    if (m.name == name) return &m;
  return nullptr;
}

std::vector<std::string> ResultSet::metric_names() const {
  std::vector<std::string> names;
  for (const auto& m : metrics) names.push_back(m.name);
  return names;
}

std::string ResultSet::file_list() const {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f;
  return out;
}

Json read_result_document(const std::string& path) {
  if (const std::string why = unreadable_file_reason(path); !why.empty())
    throw ConfigError(path, "the result file " + why);
  std::ifstream in(path);
  if (!in) throw ConfigError(path, "cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  check_json_structure(buffer.str(), path);
  try {
    return Json::parse(buffer.str());
  } catch (const Json::parse_error& e) {
    throw ConfigError(path, fmt::format("not valid JSON: {}", e.what()));
  }
}

namespace {

void require(bool condition, const std::string& where,
             const std::string& what) {
  if (!condition) throw ConfigError(where, what);
}

// Checks the parts of a result document that reports read.
void check_document(const Json& doc, const std::string& name) {
  require(doc.is_object(), name,
          "not a vibench result file (expected a JSON object)");
  require(doc.contains("cells") && doc["cells"].is_array(), name,
          "not a vibench result file (no 'cells' list)");
  if (doc.contains("schema_version"))
    require(doc["schema_version"] == 1, name + ": /schema_version",
            fmt::format("schema version {} is not supported (this vibench "
                        "reads version 1)",
                        doc["schema_version"].dump()));
  require(doc.contains("metrics") && doc["metrics"].is_array(), name,
          "not a vibench result file (no 'metrics' list)");
  for (size_t i = 0; i < doc["metrics"].size(); ++i) {
    const Json& m = doc["metrics"][i];
    const std::string where = fmt::format("{}: /metrics/{}", name, i);
    require(m.is_object() && m.contains("name") && m["name"].is_string(), where,
            "a metric entry needs a 'name'");
    require(m.value("smaller_is_better", Json(true)).is_boolean(), where,
            "'smaller_is_better' must be true or false");
  }
  for (size_t i = 0; i < doc["cells"].size(); ++i) {
    const Json& c = doc["cells"][i];
    const std::string where = fmt::format("{}: /cells/{}", name, i);
    require(c.is_object(), where, "a cell record must be an object");
    require(c.contains("id") && c["id"].is_string(), where,
            "a cell record needs an 'id'");
    require(c.contains("status") && c["status"].is_string(), where,
            "a cell record needs a 'status'");
    for (const char* part : {"task", "algorithm"})
      require(c.contains(part) && c[part].is_object() &&
                  c[part].contains("label") && c[part]["label"].is_string() &&
                  c[part].contains("name") && c[part]["name"].is_string(),
              where,
              fmt::format("a cell record needs '{}' with a 'name' and "
                          "a 'label'",
                          part));
    if (c.contains("trace"))
      require(c["trace"].is_object(), where + "/trace",
              "the trace must be an object");
  }
}

}  // namespace

ResultSet make_result_set(const std::vector<Json>& documents,
                          const std::vector<std::string>& names) {
  ResultSet set;
  std::map<std::string, size_t> file_of_id;
  std::string first_hash;
  for (size_t f = 0; f < documents.size(); ++f) {
    const Json& doc = documents[f];
    const std::string& name = names[f];
    check_document(doc, name);
    set.files.push_back(name);
    Json header = doc;
    header.erase("cells");
    set.headers.push_back(std::move(header));
    const std::string hash = doc.value("suite_hash", std::string());
    if (f == 0) {
      first_hash = hash;
    } else if (hash != first_hash) {
      set.warnings.push_back(fmt::format(
          "{} and {} are results of different suites (suite_hash {} and {}); "
          "joining their cells",
          names[0], name, first_hash.empty() ? "-" : first_hash,
          hash.empty() ? "-" : hash));
    }
    for (const auto& m : doc["metrics"]) {
      const ReportMetric metric{m["name"], m.value("smaller_is_better", true)};
      if (const ReportMetric* known = set.metric(metric.name)) {
        if (known->smaller_is_better != metric.smaller_is_better)
          throw ConfigError(
              name,
              fmt::format("metric '{}' is {} is better "
                          "here but not in an earlier "
                          "file",
                          metric.name,
                          metric.smaller_is_better ? "smaller" : "bigger"));
      } else {
        set.metrics.push_back(metric);
      }
    }
    for (const auto& cell : doc["cells"]) {
      const std::string id = cell["id"];
      const auto [it, inserted] = file_of_id.emplace(id, f);
      if (!inserted)
        throw ConfigError(name,
                          fmt::format("cell '{}' is also in {}; join shards or "
                                      "different cells only",
                                      id, names[it->second]));
      set.cells.push_back(cell);
      set.cell_file.push_back(f);
    }
  }
  return set;
}

ResultSet load_result_set(const std::vector<std::string>& paths) {
  std::vector<Json> documents;
  for (const auto& path : paths)
    documents.push_back(read_result_document(path));
  return make_result_set(documents, paths);
}

const ReportMetric& require_metric(const ResultSet& results,
                                   const std::string& name,
                                   const std::string& option) {
  if (const ReportMetric* m = results.metric(name)) return *m;
  const auto names = results.metric_names();
  throw ConfigError(
      option, fmt::format("metric '{}' is not in {}{}; "
                          "available: {}",
                          name, results.file_list(), did_you_mean(name, names),
                          quoted_list(names)));
}

const std::vector<std::string>& trace_counters() {
  // Bilevel cells add their counts by oracle kind.
  static const std::vector<std::string> counters = {
      "iterations",       "grad_evals",       "value_evals", "hvp_evals",
      "outer_grad_evals", "inner_grad_evals", "cross_evals", "oracle_calls"};
  return counters;
}

TracePoint TracePoint::parse(const std::string& text,
                             const std::string& option) {
  TracePoint point;
  if (text == "final") return point;
  if (text == "best") {
    point.kind = Kind::best;
    return point;
  }
  const std::vector<std::string>& counters = trace_counters();
  static const std::regex form(R"((\w+)=(\d{1,18}))");
  std::smatch match;
  if (std::regex_match(text, match, form)) {
    const std::string counter = match[1];
    if (std::find(counters.begin(), counters.end(), counter) == counters.end())
      throw ConfigError(
          option, fmt::format("'{}' is not a cost counter of the trace; use "
                              "one of {}{}",
                              counter, fmt::join(counters, ", "),
                              did_you_mean(counter, counters)));
    point.kind = Kind::budget;
    point.counter = counter;
    point.limit = std::stoll(match[2]);
    return point;
  }
  throw ConfigError(option,
                    fmt::format("'{}' is not a trace point; use final, best "
                                "or COUNTER=N (e.g. grad_evals=1000, N a "
                                "non-negative integer){}",
                                text, did_you_mean(text, {"final", "best"})));
}

std::string TracePoint::describe() const {
  switch (kind) {
    case Kind::final:
      return "final";
    case Kind::budget:
      return fmt::format("{} ≤ {}", counter, limit);
    case Kind::best:
      return "best over the trace";
  }
  return "";
}

namespace {

std::optional<double> finite(const Json& value) {
  if (!value.is_number()) return std::nullopt;
  const double v = value.get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

const Json* trace_counter(const Json& record, const std::string& counter) {
  if (!record.is_object() || !record.contains("trace")) return nullptr;
  const Json& trace = record["trace"];
  if (!trace.is_object() || !trace.contains(counter)) return nullptr;
  const Json& column = trace[counter];
  return column.is_array() ? &column : nullptr;
}

const Json* trace_column(const Json& record, const std::string& metric) {
  if (!record.is_object() || !record.contains("trace")) return nullptr;
  const Json& trace = record["trace"];
  if (!trace.is_object() || !trace.contains("metrics") ||
      !trace["metrics"].is_object() || !trace["metrics"].contains(metric))
    return nullptr;
  const Json& column = trace["metrics"][metric];
  return column.is_array() ? &column : nullptr;
}

std::string text_field(const Json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key)) return "";
  const Json& value = object[key];
  return value.is_string() ? value.get<std::string>() : value.dump();
}

bool has_metric(const Json& record, const std::string& metric) {
  if (trace_column(record, metric)) return true;
  return record.contains("final") && record["final"].is_object() &&
         record["final"].contains("metrics") &&
         record["final"]["metrics"].contains(metric);
}

std::optional<double> metric_value(const Json& record,
                                   const std::string& metric,
                                   const TracePoint& at,
                                   bool smaller_is_better) {
  switch (at.kind) {
    case TracePoint::Kind::final: {
      if (record.contains("final") && record["final"].is_object() &&
          record["final"].contains("metrics") &&
          record["final"]["metrics"].contains(metric))
        return finite(record["final"]["metrics"][metric]);
      const Json* column = trace_column(record, metric);
      if (!column || column->empty()) return std::nullopt;
      return finite(column->back());
    }
    case TracePoint::Kind::budget: {
      const Json* column = trace_column(record, metric);
      const Json* counter = trace_counter(record, at.counter);
      if (!column || !counter) return std::nullopt;
      const Json& evals = *counter;
      std::optional<size_t> last;
      for (size_t k = 0; k < std::min(evals.size(), column->size()); ++k)
        if (evals[k].is_number() &&
            evals[k].get<double>() <= static_cast<double>(at.limit))
          last = k;
      if (!last) return std::nullopt;
      return finite((*column)[*last]);
    }
    case TracePoint::Kind::best: {
      const Json* column = trace_column(record, metric);
      if (!column) return std::nullopt;
      std::optional<double> best;
      for (const auto& value : *column)
        if (const auto v = finite(value))
          if (!best || (smaller_is_better ? *v < *best : *v > *best)) best = v;
      return best;
    }
  }
  return std::nullopt;
}

std::string not_ok_note(const std::vector<std::string>& statuses) {
  std::map<std::string, int> counts;
  int not_ok = 0;
  for (const auto& s : statuses)
    if (s != "ok") {
      ++counts[s];
      ++not_ok;
    }
  if (not_ok == 0) return "";
  if (counts.size() == 1)
    return fmt::format("{}/{} {}", not_ok, statuses.size(),
                       counts.begin()->first);
  std::string detail;
  for (const auto& [status, n] : counts)
    detail += fmt::format("{}{} {}", detail.empty() ? "" : ", ", n, status);
  return fmt::format("{}/{} not ok ({})", not_ok, statuses.size(), detail);
}

std::string markdown_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|' || c == '*' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace vibench
