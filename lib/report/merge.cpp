#include "report/merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

#include "core/error.hpp"
#include "runner/results_file.hpp"
#include "vibench_revision.hpp"

namespace vibench {

namespace {

constexpr size_t kUnmatched = std::numeric_limits<size_t>::max();

// Position of the entry of `list` with the same name, params (and init),
// or kUnmatched.
size_t position_in(const Json& list, const Json& component, bool with_init) {
  if (!list.is_array() || !component.is_object()) return kUnmatched;
  const Json name = component.value("name", Json());
  const Json params = component.value("params", Json());
  const Json init = component.value("init", Json());
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& entry = list[i];
    if (entry.value("name", Json()) != name ||
        entry.value("params", Json()) != params)
      continue;
    if (with_init && entry.value("init", Json()) != init) continue;
    return i;
  }
  return kUnmatched;
}

// The position expand_cells gives a cell: (task, algorithm, replicate).
std::tuple<size_t, size_t, size_t> suite_position(const Json& suite,
                                                  const Json& record) {
  const size_t task = position_in(suite.value("tasks", Json()),
                                  record.value("task", Json()), true);
  const size_t algorithm =
      position_in(suite.value("algorithms", Json()),
                  record.value("algorithm", Json()), false);
  size_t replicate = kUnmatched;
  const Json seeds = suite.value("seeds", Json::array());
  if (seeds.is_array())
    for (size_t i = 0; i < seeds.size(); ++i)
      if (seeds[i] == record.value("replicate", Json())) replicate = i;
  if (task == kUnmatched || algorithm == kUnmatched || replicate == kUnmatched)
    return {kUnmatched, kUnmatched, kUnmatched};
  return {task, algorithm, replicate};
}

}  // namespace

Json merge_results(const std::vector<ResultsInput>& inputs,
                   const std::string& command_line) {
  if (inputs.empty()) throw ConfigError("", "nothing to merge");
  const ResultsInput& first = inputs.front();
  const Json hash = first.document.value("suite_hash", Json());
  for (const auto& input : inputs) {
    const Json other = input.document.value("suite_hash", Json());
    if (other != hash)
      throw ConfigError(
          "",
          fmt::format("'{}' and '{}' are results of different suites "
                      "(suite_hash {} and {}); merge joins result files of "
                      "one suite, such as the shards of 'vibench run --shard'",
                      first.path, input.path, hash.dump(), other.dump()));
  }

  struct Entry {
    std::tuple<size_t, size_t, size_t> position;
    const Json* record;
  };
  std::vector<Entry> entries;
  std::map<std::string, std::string> file_of_id;
  Json merged_from = Json::array();
  const Json suite = first.document.value("suite", Json::object());
  for (const auto& input : inputs) {
    const Json& cells = input.document["cells"];
    for (const auto& record : cells) {
      const std::string id = record.value("id", std::string());
      const auto [it, fresh] = file_of_id.emplace(id, input.path);
      if (!fresh)
        throw ConfigError(
            "", fmt::format("cell '{}' is in both '{}' and '{}'; merge "
                            "refuses duplicate cells (merge disjoint shards, "
                            "or leave one of the files out)",
                            id, it->second, input.path));
      entries.push_back({suite_position(suite, record), &record});
    }
    const Json context = input.document.value("context", Json::object());
    if (context.is_object() && context.contains("merged_from") &&
        context["merged_from"].is_array()) {
      for (const auto& item : context["merged_from"])
        merged_from.push_back(item);
    } else {
      merged_from.push_back({{"file", input.path},
                             {"cells", cells.size()},
                             {"context", context}});
    }
  }
  std::stable_sort(
      entries.begin(), entries.end(),
      [](const Entry& a, const Entry& b) { return a.position < b.position; });
  Json cells = Json::array();
  for (const auto& entry : entries) cells.push_back(*entry.record);

  Json document = first.document;
  document["context"] = {{"merge",
                          {{"vibench_version", VIBENCH_VERSION},
                           {"git_revision", VIBENCH_GIT_REVISION},
                           {"command", command_line},
                           {"time", utc_now()}}},
                         {"merged_from", merged_from}};
  document["cells"] = std::move(cells);
  return document;
}

}  // namespace vibench
