#include "report/profiles.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "report/display_labels.hpp"
#include "report/series.hpp"

namespace vibench {

namespace {

constexpr double kNever = Profiles::kNever;

// One cell's (cost, metric) trace, the metric's nulls dropped.
struct Trace {
  std::vector<double> cost, value;
};

// A cell without the trace columns the profile reads is a malformed
// result file (vibench writes them for every cell it traces): a ConfigError
// naming the cell and the column, not a bare JSON exception.
const Json& required_column(const Json* column, const Json& cell,
                            const std::string& path) {
  if (!column)
    throw ConfigError("",
                      fmt::format("cell '{}': its trace has no array '{}'",
                                  cell.contains("id") && cell["id"].is_string()
                                      ? cell["id"].get<std::string>()
                                      : std::string("?"),
                                  path));
  return *column;
}

Trace read_trace(const Json& cell, const std::string& metric,
                 const std::string& cost) {
  Trace trace;
  const Json& costs =
      required_column(trace_counter(cell, cost), cell, "trace/" + cost);
  const Json& values = required_column(trace_column(cell, metric), cell,
                                       "trace/metrics/" + metric);
  for (size_t i = 0; i < costs.size() && i < values.size(); ++i) {
    if (!values[i].is_number() || !costs[i].is_number()) continue;
    trace.cost.push_back(costs[i].get<double>());
    trace.value.push_back(values[i].get<double>());
  }
  return trace;
}

// The first cost at which `passes(value)` holds; kNever if none.
template <class Test>
double first_time(const Trace& trace, Test passes) {
  for (size_t i = 0; i < trace.cost.size(); ++i)
    if (passes(trace.value[i])) return trace.cost[i];
  return kNever;
}

double fraction(size_t count, size_t total) {
  return total == 0 ? 0.0
                    : static_cast<double>(count) / static_cast<double>(total);
}

// 1-2-5 values per decade covering [low, high].
std::vector<double> budget_grid(double low, double high) {
  std::vector<double> grid;
  if (!(low > 0) || !(high >= low)) return grid;
  for (double decade = std::pow(10.0, std::floor(std::log10(low)));
       decade <= high * 10; decade *= 10)
    for (double m : {1.0, 2.0, 5.0}) {
      const double b = m * decade;
      if (b >= low && b <= high * 5.0 / 2.0 &&
          (grid.empty() || b > grid.back()))
        grid.push_back(b);
      if (b >= high) return grid;
    }
  return grid;
}

std::string number(double x) {
  return std::isinf(x) ? "∞" : fmt::format("{:g}", x);
}

}  // namespace

double Profiles::performance(size_t solver, double ratio) const {
  size_t count = 0;
  for (size_t p = 0; p < problems.size(); ++p) {
    double best = kNever;
    for (double t : time[p]) best = std::min(best, t);
    const double t = time[p][solver];
    if (std::isfinite(t) && t <= ratio * best) ++count;
  }
  return fraction(count, problems.size());
}

double Profiles::data(size_t solver, double budget) const {
  size_t count = 0;
  for (size_t p = 0; p < problems.size(); ++p)
    if (time[p][solver] <= budget) ++count;
  return fraction(count, problems.size());
}

double Profiles::ecdf(size_t solver, double budget) const {
  size_t count = 0, total = 0;
  for (size_t p = 0; p < problems.size(); ++p)
    for (size_t k = 0; k < targets.size(); ++k) {
      ++total;
      if (target_time[p][solver][k] <= budget) ++count;
    }
  return fraction(count, total);
}

Profiles compute_profiles(const ResultSet& results,
                          const ProfileOptions& options) {
  const ReportMetric& metric =
      require_metric(results, options.metric, "--metric");
  if (!(options.tau > 0 && options.tau < 1))
    throw ConfigError("--tau", fmt::format("τ = {} is not in (0, 1) (Moré & "
                                           "Wild use 1e-1 … 1e-7)",
                                           options.tau));
  Profiles out;
  out.metric = options.metric;
  out.cost = options.cost;
  out.smaller_is_better = metric.smaller_is_better;
  out.tau = options.tau;
  out.targets = options.targets;
  if (out.targets.empty())
    for (int k = 2; k >= -8; --k) out.targets.push_back(std::pow(10.0, k));
  out.ratios = options.ratios;
  if (out.ratios.empty())
    for (double r = 1; r <= 1024; r *= 2) out.ratios.push_back(r);

  // Problems and solvers in order of first appearance; ok cells' traces.
  std::map<std::string, size_t> problem_index, solver_index;
  std::map<std::pair<size_t, size_t>, Trace> traces;
  std::set<std::string> counters;
  const DisplayLabels shown = display_labels(results);
  const std::vector<std::string> colour_order =
      colour_keys(configurations_of(results), false);
  for (const Json& cell : results.cells) {
    if (!has_metric(cell, options.metric)) continue;
    const std::string problem = fmt::format(
        "{} #{}", shown.task(cell.at("task").value("label", std::string())),
        cell.value("replicate", 0LL));
    const std::string identity =
        cell.at("algorithm").value("label", std::string());
    const std::string solver = shown.algorithm(identity);
    if (!problem_index.count(problem)) {
      problem_index[problem] = out.problems.size();
      out.problems.push_back(problem);
    }
    if (!solver_index.count(solver)) {
      solver_index[solver] = out.solvers.size();
      out.solvers.push_back(solver);
      const auto place =
          std::find(colour_order.begin(), colour_order.end(), identity);
      out.colors.push_back(static_cast<size_t>(place - colour_order.begin()));
    }
    if (!cell.contains("trace") || !cell["trace"].is_object()) continue;
    for (const auto& [key, value] : cell["trace"].items())
      if (key != "metrics" && value.is_array()) counters.insert(key);
    if (cell.value("status", std::string()) != "ok") continue;
    if (!cell["trace"].contains(options.cost)) {
      const std::vector<std::string> names(counters.begin(), counters.end());
      throw ConfigError(
          "--cost", fmt::format("'{}' is not a counter of the traces{}; "
                                "available: {}",
                                options.cost, did_you_mean(options.cost, names),
                                fmt::join(names, ", ")));
    }
    traces[{problem_index[problem], solver_index[solver]}] =
        read_trace(cell, options.metric, options.cost);
  }
  if (out.problems.empty())
    throw ConfigError("--metric",
                      fmt::format("no cell of {} records '{}'",
                                  results.file_list(), options.metric));

  const double sign = metric.smaller_is_better ? 1.0 : -1.0;
  const size_t np = out.problems.size(), ns = out.solvers.size();
  out.time.assign(np, std::vector<double>(ns, kNever));
  out.target_time.assign(
      np, std::vector<std::vector<double>>(
              ns, std::vector<double>(out.targets.size(), kNever)));
  double low = kNever, high = 0;
  for (size_t p = 0; p < np; ++p) {
    // m₀ and m_L on the minimized scale (sign · m). m₀ is the worst of the
    // solvers' first recorded values: they share the start, but a metric
    // may be undefined there (recorded from a later checkpoint) or a
    // method may report a point of its own at the start (CBO's consensus),
    // and the test must not depend on the order of the cells.
    double start = -kNever;
    double best = kNever;
    bool any = false;
    for (size_t s = 0; s < ns; ++s) {
      const auto it = traces.find({p, s});
      if (it == traces.end() || it->second.value.empty()) continue;
      any = true;
      start = std::max(start, sign * it->second.value.front());
      for (double v : it->second.value) best = std::min(best, sign * v);
    }
    if (!any) continue;  // no ok cell on this problem
    const double threshold = best + out.tau * (start - best);
    for (size_t s = 0; s < ns; ++s) {
      const auto it = traces.find({p, s});
      if (it == traces.end()) continue;
      const Trace& trace = it->second;
      for (double c : trace.cost) {
        if (c > 0) low = std::min(low, c);
        high = std::max(high, c);
      }
      out.time[p][s] =
          first_time(trace, [&](double v) { return sign * v <= threshold; });
      for (size_t k = 0; k < out.targets.size(); ++k)
        out.target_time[p][s][k] = first_time(
            trace, [&](double v) { return sign * v <= sign * out.targets[k]; });
    }
  }
  out.budgets = budget_grid(std::isfinite(low) ? low : 1.0,
                            std::max(high, std::isfinite(low) ? low : 1.0));
  return out;
}

std::string format_profiles(const Profiles& pr, ProfileFormat format) {
  std::string out;
  if (format == ProfileFormat::csv) {
    out += "profile,algorithm,color,x,fraction\n";
    const auto quote = [](const std::string& s) {
      std::string q = "\"";
      for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      return q + "\"";
    };
    // Every step of the step functions: the grids plus each finite time
    // and ratio, so that a plot needs no interpolation.
    std::set<double> ratios(pr.ratios.begin(), pr.ratios.end());
    std::set<double> budgets(pr.budgets.begin(), pr.budgets.end());
    for (size_t p = 0; p < pr.problems.size(); ++p) {
      const double best =
          *std::min_element(pr.time[p].begin(), pr.time[p].end());
      for (size_t s = 0; s < pr.solvers.size(); ++s) {
        if (std::isfinite(pr.time[p][s])) {
          budgets.insert(pr.time[p][s]);
          if (best > 0) ratios.insert(pr.time[p][s] / best);
        }
        for (double t : pr.target_time[p][s])
          if (std::isfinite(t)) budgets.insert(t);
      }
    }
    budgets.erase(0.0);  // log axes; solved at the start shows from the grid
    for (size_t s = 0; s < pr.solvers.size(); ++s) {
      for (double r : ratios)
        out += fmt::format("performance,{},{},{:.17g},{:.17g}\n",
                           quote(pr.solvers[s]), pr.colors[s], r,
                           pr.performance(s, r));
      for (double b : budgets)
        out += fmt::format("data,{},{},{:.17g},{:.17g}\n", quote(pr.solvers[s]),
                           pr.colors[s], b, pr.data(s, b));
      for (double b : budgets)
        out += fmt::format("ecdf,{},{},{:.17g},{:.17g}\n", quote(pr.solvers[s]),
                           pr.colors[s], b, pr.ecdf(s, b));
    }
    return out;
  }
  const auto table = [&](const std::string& title,
                         const std::vector<double>& xs,
                         const std::string& prefix, auto value) {
    out += title + "\n\n| algorithm |";
    for (double x : xs) out += fmt::format(" {}{} |", prefix, number(x));
    out += "\n|---|";
    for (size_t i = 0; i < xs.size(); ++i) out += "---|";
    out += "\n";
    for (size_t s = 0; s < pr.solvers.size(); ++s) {
      out += "| " + markdown_escape(pr.solvers[s]) + " |";
      for (double x : xs) out += fmt::format(" {:.2f} |", value(s, x));
      out += "\n";
    }
    out += "\n";
  };
  const std::string test =
      fmt::format("{} {} m_L + τ(m₀ − m_L), τ = {:g}", pr.metric,
                  pr.smaller_is_better ? "≤" : "≥", pr.tau);
  table(fmt::format("Performance profile (Dolan & Moré): fraction of the {} "
                    "problems (task × replicate) each algorithm solves "
                    "within α times the least {} of any algorithm; solved "
                    "means {} (m₀ at the start, m_L the best value any "
                    "algorithm reached)",
                    pr.problems.size(), pr.cost, test),
        pr.ratios,
        "α=", [&](size_t s, double r) { return pr.performance(s, r); });
  table(fmt::format("Data profile (Moré & Wild): fraction of the problems "
                    "solved (same test) within a budget of {}",
                    pr.cost),
        pr.budgets, "", [&](size_t s, double b) { return pr.data(s, b); });
  std::vector<std::string> targets;
  for (double t : pr.targets) targets.push_back(fmt::format("{:g}", t));
  table(fmt::format("Runtime ECDF (COCO): fraction of (problem, target) pairs "
                    "with {} {} target within a budget of {}; targets {}",
                    pr.metric, pr.smaller_is_better ? "≤" : "≥", pr.cost,
                    fmt::join(targets, ", ")),
        pr.budgets, "", [&](size_t s, double b) { return pr.ecdf(s, b); });
  out +=
      "Costs are read at checkpoints (no interpolation); cells that did "
      "not end ok never solve.\n";
  return out;
}

}  // namespace vibench
