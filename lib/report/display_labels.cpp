#include "report/display_labels.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "report/results_set.hpp"

namespace vibench {

std::string label_value(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  // nlohmann writes doubles in the shortest form that reads back exactly.
  return value.dump();
}

std::string expand_label_template(const std::string& text, const Json& params,
                                  const std::string& json_path) {
  std::vector<std::string> names;
  if (params.is_object())
    for (const auto& [key, value] : params.items()) names.push_back(key);
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out += c;  // "{{" or "}}"
      ++i;
      continue;
    }
    if (c == '}')
      throw ConfigError(json_path,
                        fmt::format("label '{}': a '}}' without its '{{' "
                                    "(write '}}}}' for a brace)",
                                    text));
    if (c != '{') {
      out += c;
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == std::string::npos)
      throw ConfigError(json_path,
                        fmt::format("label '{}': the '{{' at character {} is "
                                    "never closed (write '{{{{' for a brace)",
                                    text, i + 1));
    const std::string name = text.substr(i + 1, close - i - 1);
    if (!params.is_object() || !params.contains(name))
      throw ConfigError(
          json_path,
          fmt::format(
              "label '{}': no parameter '{}'{}; the entry has: {}", text, name,
              did_you_mean(name, names),
              names.empty() ? std::string("none") : quoted_list(names)));
    out += label_value(params[name]);
    i = close;
  }
  if (out.find_first_not_of(" \t") == std::string::npos)
    throw ConfigError(json_path, "label: must not be empty");
  return out;
}

std::string parameter_abbreviation(const std::string& parameter) {
  static const std::map<std::string, std::string> kAbbreviations = {
      {"step_size", "η"},
      {"learning_rate", "η"},
      {"n_particles", "n"},
      {"eigen_threshold", "thr"},
      {"batch_size", "b"},
      {"momentum", "μ"},
      {"beta1", "β₁"},
      {"beta2", "β₂"},
      {"epsilon", "ε"},
      {"bandwidth", "h"},
      {"inner_steps", "K"},
      {"outer_step_size", "η_out"},
      {"inner_step_size", "η_in"}};
  const auto it = kAbbreviations.find(parameter);
  return it == kAbbreviations.end() ? parameter : it->second;
}

namespace {

// The parameters and settings of one configuration, in its own order.
std::vector<std::pair<std::string, Json>> entries_of(const LabelSource& s) {
  std::vector<std::pair<std::string, Json>> entries;
  if (s.params.is_object())
    for (const auto& [key, value] : s.params.items())
      entries.emplace_back(key, value);
  if (s.settings.is_object())
    for (const auto& [key, value] : s.settings.items())
      entries.emplace_back(key, value);
  return entries;
}

}  // namespace

std::vector<std::string> default_labels(
    const std::vector<LabelSource>& sources) {
  // Per name: the keys whose values differ between its configurations (a
  // key one configuration lacks counts as differing).
  std::map<std::string, std::set<std::string>> varying;
  std::map<std::string, std::vector<size_t>> by_name;
  for (size_t i = 0; i < sources.size(); ++i)
    by_name[sources[i].name].push_back(i);
  for (const auto& [name, members] : by_name) {
    std::map<std::string, std::set<std::string>> values;
    std::map<std::string, size_t> present;
    for (size_t i : members)
      for (const auto& [key, value] : entries_of(sources[i])) {
        values[key].insert(value.dump());
        ++present[key];
      }
    for (const auto& [key, distinct] : values)
      if (distinct.size() > 1 || present[key] != members.size())
        varying[name].insert(key);
  }
  std::vector<std::string> labels;
  labels.reserve(sources.size());
  for (const auto& source : sources) {
    const auto& keys = varying[source.name];
    std::vector<std::pair<std::string, Json>> shown;
    for (auto& entry : entries_of(source))
      if (keys.count(entry.first)) shown.push_back(std::move(entry));
    std::map<std::string, int> uses;
    for (const auto& [key, value] : shown) ++uses[parameter_abbreviation(key)];
    std::string label = source.name;
    for (const auto& [key, value] : shown) {
      const std::string abbreviation = parameter_abbreviation(key);
      label +=
          fmt::format(" {}={}", uses[abbreviation] > 1 ? key : abbreviation,
                      value.is_null() ? "-" : label_value(value));
    }
    labels.push_back(std::move(label));
  }
  return labels;
}

const std::string& DisplayLabels::task(const std::string& identity) const {
  const auto it = tasks.find(identity);
  return it == tasks.end() ? identity : it->second;
}

const std::string& DisplayLabels::algorithm(const std::string& identity) const {
  const auto it = algorithms.find(identity);
  return it == algorithms.end() ? identity : it->second;
}

namespace {

// Display labels of one part ("task" or "algorithm") of the records (any
// range of record JSON: a vector or a JSON array).
template <class Records>
std::map<std::string, std::string> labels_of(const Records& records,
                                             const char* part) {
  std::vector<std::string> identities;
  std::vector<LabelSource> sources;
  std::map<std::string, std::string> given;
  std::set<std::string> seen;
  for (const Json& record : records) {
    if (!record.contains(part) || !record[part].is_object()) continue;
    const Json& component = record[part];
    const std::string identity = text_field(component, "label");
    if (identity.empty() || !seen.insert(identity).second) continue;
    if (component.contains("display_label") &&
        component["display_label"].is_string())
      given[identity] = component["display_label"].get<std::string>();
    LabelSource source;
    source.name =
        component.contains("name") ? text_field(component, "name") : identity;
    source.params = component.value("params", Json::object());
    // What else tells two tasks apart in their identity (runner/suite).
    for (const char* setting : {"noise", "init"})
      if (component.contains(setting))
        source.settings[setting] = component[setting];
    identities.push_back(identity);
    sources.push_back(std::move(source));
  }
  const std::vector<std::string> defaults = default_labels(sources);
  std::map<std::string, std::string> labels;
  std::map<std::string, int> uses;
  for (size_t i = 0; i < identities.size(); ++i) {
    const auto it = given.find(identities[i]);
    labels[identities[i]] = it == given.end() ? defaults[i] : it->second;
    ++uses[labels[identities[i]]];
  }
  // Two configurations must never read alike: files of different suites can
  // name one setting twice (a default given or left out), and their labels
  // can meet. Those fall back to their identity labels.
  for (auto& [identity, label] : labels)
    if (uses[label] > 1) label = identity;
  return labels;
}

}  // namespace

DisplayLabels display_labels(const std::vector<Json>& records) {
  return {labels_of(records, "task"), labels_of(records, "algorithm")};
}

DisplayLabels display_labels_of_cells(const Json& cells) {
  if (!cells.is_array()) return {};
  return {labels_of(cells, "task"), labels_of(cells, "algorithm")};
}

DisplayLabels display_labels_of_documents(
    const std::vector<const Json*>& documents) {
  // References, not copies: the records hold their traces.
  std::vector<std::reference_wrapper<const Json>> records;
  for (const Json* document : documents)
    if (document->is_object() && document->contains("cells") &&
        (*document)["cells"].is_array())
      for (const Json& record : (*document)["cells"])
        records.emplace_back(record);
  return {labels_of(records, "task"), labels_of(records, "algorithm")};
}

DisplayLabels display_labels(const ResultSet& results) {
  return display_labels(results.cells);
}

}  // namespace vibench
