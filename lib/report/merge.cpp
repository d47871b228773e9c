#include "report/merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "core/error.hpp"
#include "runner/cell_filter.hpp"
#include "runner/cell_id.hpp"
#include "runner/results_file.hpp"
#include "runner/suite.hpp"
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

// How one run chose its cells from the suite (run --filter, --shard).
struct Selection {
  std::string filter;   // empty: every cell
  size_t k = 0, n = 0;  // shard k of n; n = 0: not sharded
};

// The selections of the runs a merged document was made of (the contexts
// in its merged_from, or its own context for a plain result file).
std::vector<Selection> run_selections(const Json& document) {
  const Json none = Json::object();
  const Json& context =
      document.contains("context") && document["context"].is_object()
          ? document["context"]
          : none;
  std::vector<Json> contexts;
  if (context.contains("merged_from") && context["merged_from"].is_array()) {
    for (const auto& item : context["merged_from"])
      if (item.is_object() && item.contains("context") &&
          item["context"].is_object())
        contexts.push_back(item["context"]);
      else
        contexts.push_back(none);
  } else {
    contexts.push_back(context);
  }
  std::vector<Selection> out;
  for (const auto& c : contexts) {
    Selection selection;
    if (c.contains("filter") && c["filter"].is_string())
      selection.filter = c["filter"].get<std::string>();
    if (c.contains("shard") && c["shard"].is_string()) {
      // "K/N" as run --shard records it (1 <= K <= N), else not a shard.
      const std::string shard = c["shard"].get<std::string>();
      const size_t slash = shard.find('/');
      auto number = [](const std::string& digits) -> size_t {
        if (digits.empty() || digits.size() > 18) return 0;
        size_t value = 0;
        for (char d : digits) {
          if (d < '0' || d > '9') return 0;
          value = value * 10 + static_cast<size_t>(d - '0');
        }
        return value;
      };
      if (slash != std::string::npos) {
        selection.k = number(shard.substr(0, slash));
        selection.n = number(shard.substr(slash + 1));
        if (selection.k < 1 || selection.k > selection.n) selection.n = 0;
      }
    }
    out.push_back(selection);
  }
  return out;
}

std::string list_ids(const std::vector<std::string>& ids, size_t max_ids) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < max_ids; ++i)
    out += (i ? ", " : "") + ids[i];
  if (ids.size() > max_ids)
    out += fmt::format(" and {} more", ids.size() - max_ids);
  return out;
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
  document.erase("missing_cells");
  document["context"] = {{"merge",
                          {{"vibench_version", VIBENCH_VERSION},
                           {"git_revision", VIBENCH_GIT_REVISION},
                           {"command", command_line},
                           {"time", utc_now()}}},
                         {"merged_from", merged_from}};
  document["cells"] = std::move(cells);
  return document;
}

MergeCoverage merge_coverage(const Json& merged) {
  MergeCoverage out;
  Suite suite;
  try {
    const std::string file =
        merged.contains("suite_file") && merged["suite_file"].is_string()
            ? merged["suite_file"].get<std::string>()
            : std::string();
    suite = parse_suite(merged.value("suite", Json()), file);
  } catch (const std::exception& e) {
    out.unchecked_reason = fmt::format(
        "the suite embedded in the results cannot be read: {}", e.what());
    return out;
  }
  if (merged.contains("suite_hash") && merged["suite_hash"] != suite.hash) {
    out.unchecked_reason = fmt::format(
        "the suite embedded in the results no longer gives their suite_hash "
        "({} here, {} in the file): written by another vibench version?",
        suite.hash, merged["suite_hash"].dump());
    return out;
  }
  std::vector<Cell> all = expand_cells(suite);
  // The embedded suite is the canonical one (every default filled in), so
  // its labels, and the ids made of them, are not those the run wrote from
  // the suite file (which --filter matched): take the labels from the
  // records, by position in the suite, for every task and algorithm any
  // record holds.
  std::map<size_t, std::string> task_labels, algorithm_labels;
  if (merged.contains("cells") && merged["cells"].is_array())
    for (const auto& record : merged["cells"]) {
      const auto [t, a, r] = suite_position(merged["suite"], record);
      if (t == kUnmatched) continue;
      const Json task = record.value("task", Json::object());
      const Json algorithm = record.value("algorithm", Json::object());
      if (task.contains("label") && task["label"].is_string())
        task_labels[t] = task["label"].get<std::string>();
      if (algorithm.contains("label") && algorithm["label"].is_string())
        algorithm_labels[a] = algorithm["label"].get<std::string>();
    }
  for (Cell& cell : all) {
    const auto t = task_labels.find(cell.task_index);
    const auto a = algorithm_labels.find(cell.algorithm_index);
    const std::string task_label =
        t != task_labels.end() ? t->second : suite.tasks[cell.task_index].label;
    const std::string algorithm_label =
        a != algorithm_labels.end()
            ? a->second
            : suite.algorithms[cell.algorithm_index].label;
    cell.id = cell_id(task_label, algorithm_label, cell.replicate);
  }
  const std::vector<Selection> selections = run_selections(merged);

  // The cells each filter keeps, in suite order (positions in `all`), and
  // each cell's position among them (for its shard). The filters come from
  // the files: they are matched as run --filter matches, with its bounds.
  std::map<std::string, std::vector<size_t>> kept;
  std::map<std::string, std::map<size_t, size_t>> rank;
  for (const auto& selection : selections) {
    if (kept.count(selection.filter)) continue;
    std::vector<Cell> matching = all;
    try {
      if (!selection.filter.empty())
        keep_matching_cells(matching, selection.filter);
    } catch (const std::exception& e) {
      out.unchecked_reason = fmt::format(
          "an input was run with --filter '{}', which this build refuses: {}",
          selection.filter, e.what());
      return out;
    }
    std::set<std::string> ids;
    for (const Cell& cell : matching) ids.insert(cell.id);
    std::vector<size_t>& list = kept[selection.filter];
    for (size_t i = 0; i < all.size(); ++i)
      if (ids.count(all[i].id)) {
        rank[selection.filter][i] = list.size();
        list.push_back(i);
      }
  }
  std::vector<bool> expected(all.size(), selections.empty());
  for (const auto& [filter, list] : kept)
    for (size_t i : list) expected[i] = true;

  // Shard groups (filter, N), in order of first appearance.
  std::vector<std::pair<std::string, size_t>> groups;
  for (const auto& selection : selections)
    if (selection.n > 0 &&
        std::find(groups.begin(), groups.end(),
                  std::pair{selection.filter, selection.n}) == groups.end())
      groups.emplace_back(selection.filter, selection.n);

  std::set<std::string> present;
  if (merged.contains("cells") && merged["cells"].is_array())
    for (const auto& record : merged["cells"])
      if (record.is_object() && record.contains("id") &&
          record["id"].is_string())
        present.insert(record["id"].get<std::string>());

  std::map<std::pair<size_t, size_t>, MergeCoverage::Shard> shards;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!expected[i]) continue;
    ++out.expected;
    if (present.count(all[i].id)) continue;
    out.missing.push_back(all[i].id);
    bool named = false;
    for (size_t g = 0; g < groups.size() && !named; ++g) {
      const auto& [filter, n] = groups[g];
      const auto it = rank[filter].find(i);
      if (it == rank[filter].end()) continue;
      const size_t k = it->second % n + 1;
      MergeCoverage::Shard& shard = shards[{g, k}];
      if (shard.name.empty()) {
        shard.name = filter.empty()
                         ? fmt::format("{}/{}", k, n)
                         : fmt::format("{}/{} of --filter '{}'", k, n, filter);
        const size_t size = kept[filter].size();
        shard.cells = size >= k ? (size - k) / n + 1 : 0;
        for (const auto& selection : selections)
          shard.has_input =
              shard.has_input || (selection.filter == filter &&
                                  selection.n == n && selection.k == k);
      }
      shard.missing.push_back(all[i].id);
      named = true;
    }
    if (!named) out.unsharded.push_back(all[i].id);
  }
  for (auto& [key, shard] : shards) out.shards.push_back(std::move(shard));
  out.checked = true;
  return out;
}

std::string describe_missing(const MergeCoverage& coverage, size_t max_ids) {
  std::vector<std::string> clauses;
  for (const auto& shard : coverage.shards) {
    const size_t count = shard.missing.size();
    if (!shard.has_input && count == shard.cells)
      clauses.push_back(fmt::format("shard {} missing ({} cell{}: {})",
                                    shard.name, count, count == 1 ? "" : "s",
                                    list_ids(shard.missing, max_ids)));
    else
      clauses.push_back(fmt::format(
          "shard {} incomplete ({} of its {} cells missing: {})", shard.name,
          count, shard.cells, list_ids(shard.missing, max_ids)));
  }
  if (!coverage.unsharded.empty())
    clauses.push_back(fmt::format("{} cell{} missing: {}",
                                  coverage.unsharded.size(),
                                  coverage.unsharded.size() == 1 ? "" : "s",
                                  list_ids(coverage.unsharded, max_ids)));
  std::string out;
  for (size_t i = 0; i < clauses.size(); ++i)
    out += (i ? "; " : "") + clauses[i];
  return out;
}

std::map<std::string, size_t> not_ok_counts(const Json& document) {
  std::map<std::string, size_t> out;
  if (!document.contains("cells") || !document["cells"].is_array()) return out;
  for (const auto& record : document["cells"]) {
    const std::string status = record.is_object() &&
                                       record.contains("status") &&
                                       record["status"].is_string()
                                   ? record["status"].get<std::string>()
                                   : std::string("(no status)");
    if (status != "ok" && status != "skipped") ++out[status];
  }
  return out;
}

}  // namespace vibench
