#include "report/exact_diff.hpp"

#include <fmt/format.h>

#include <map>

namespace vibench {

namespace {

std::map<std::string, const Json*> cells_by_id(const Json& doc) {
  std::map<std::string, const Json*> out;
  for (const auto& cell : doc.at("cells"))
    out[cell.at("id").get<std::string>()] = &cell;
  return out;
}

// The value of a trace column at `i`, or null where there is none.
Json at_or_null(const Json& column, size_t i) {
  return column.is_array() && i < column.size() ? column[i] : Json();
}

}  // namespace

ExactDifferences exact_differences(const Json& baseline, const Json& candidate,
                                   size_t limit) {
  ExactDifferences out;
  auto moved = [&](std::string line) {
    ++out.count;
    if (out.lines.size() < limit) out.lines.push_back(std::move(line));
  };
  const auto base = cells_by_id(baseline);
  const auto cand = cells_by_id(candidate);
  for (const auto& [id, cell] : base)
    if (!cand.count(id)) moved(fmt::format("{}: only in the baseline", id));
  for (const auto& [id, cell] : cand) {
    const auto it = base.find(id);
    if (it == base.end()) {
      moved(fmt::format("{}: only in the candidate", id));
      continue;
    }
    const Json& b = *it->second;
    const Json& c = *cell;
    if (b.value("status", "") != c.value("status", ""))
      moved(fmt::format("{}: status {} -> {}", id, b.value("status", ""),
                        c.value("status", "")));
    const Json empty = Json::object();
    const Json& bt = b.contains("trace") ? b["trace"] : empty;
    const Json& ct = c.contains("trace") ? c["trace"] : empty;
    std::vector<std::string> columns = {"iterations", "grad_evals",
                                        "value_evals", "hvp_evals"};
    std::map<std::string, bool> metric_names;
    for (const Json* t : {&bt, &ct})
      if (t->contains("metrics"))
        for (const auto& [name, values] : (*t)["metrics"].items())
          metric_names[name] = true;
    auto column = [](const Json& trace, const std::string& name,
                     bool metric) -> Json {
      const Json& where =
          metric ? trace.value("metrics", Json::object()) : trace;
      return where.contains(name) ? where[name] : Json();
    };
    // id by an init-capture: clang before 16 cannot capture a structured
    // binding.
    auto check = [&, &id = id](const std::string& name, bool metric) {
      const Json bc = column(bt, name, metric), cc = column(ct, name, metric);
      const size_t n = std::max(bc.is_array() ? bc.size() : 0,
                                cc.is_array() ? cc.size() : 0);
      for (size_t i = 0; i < n; ++i) {
        const Json bv = at_or_null(bc, i), cv = at_or_null(cc, i);
        if (bv != cv)
          moved(fmt::format("{}: {} at checkpoint {}: {} -> {}", id, name, i,
                            bv.dump(), cv.dump()));
      }
    };
    for (const auto& name : columns) check(name, false);
    for (const auto& [name, unused] : metric_names) check(name, true);
  }
  return out;
}

}  // namespace vibench
