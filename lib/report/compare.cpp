#include "report/compare.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "report/display_labels.hpp"
#include "report/statistics.hpp"

namespace vibench {

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::regression:
      return "regression";
    case Verdict::improvement:
      return "improvement";
    case Verdict::unchanged:
      return "unchanged";
  }
  return "";
}

size_t Comparison::regression_count() const {
  size_t n = status_regressions.size();
  for (const auto& c : comparisons)
    if (c.verdict == Verdict::regression) ++n;
  return n;
}

namespace {

std::string num(double v) { return fmt::format("{:.4g}", v); }

std::string percent(double relative) {
  return fmt::format("{:+.1f}%", 100 * relative);
}

std::string p_text(double p) { return std::isnan(p) ? "-" : num(p); }

}  // namespace

std::vector<std::string> Comparison::regression_lines() const {
  std::vector<std::string> lines;
  for (const auto& c : comparisons)
    if (c.verdict == Verdict::regression)
      // What people read first, then the exact cells it matched on.
      lines.push_back(fmt::format(
          "{} on {}, {}: median {} → {} ({} worse{}) [{}]",
          c.algorithm_label.empty() ? c.algorithm : c.algorithm_label,
          c.task_label.empty() ? c.task : c.task_label, c.metric,
          num(c.baseline_median), num(c.candidate_median),
          percent(c.relative_change),
          std::isnan(c.p) ? ", too few seeds for a test" : ", p = " + num(c.p),
          c.group()));
  for (const auto& s : status_regressions)
    lines.push_back(fmt::format("{}: {} → {}{}", s.cell_id, s.baseline_status,
                                s.candidate_status,
                                s.message.empty() ? "" : ": " + s.message));
  return lines;
}

namespace {

std::string describe(const ResultSet& set) {
  if (set.headers.empty()) return "";
  const Json& document = set.headers.front();
  std::string suite = "?";
  if (document.contains("suite") && document["suite"].is_object())
    suite = document["suite"].value("name", std::string("?"));
  std::string git = "?";
  if (document.contains("context") && document["context"].is_object())
    git = document["context"].value("git_revision", std::string("?"));
  return fmt::format("suite '{}', suite_hash {}, git {}, {} cells", suite,
                     document.value("suite_hash", std::string("?")), git,
                     set.cells.size());
}

// Which metrics to compare, with their direction (the candidate's).
std::vector<ReportMetric> metrics_to_compare(
    const ResultSet& baseline, const ResultSet& candidate,
    const CompareOptions& options, std::vector<std::string>& warnings) {
  std::vector<ReportMetric> out;
  if (!options.metrics.empty()) {
    for (const auto& name : options.metrics) {
      require_metric(baseline, name, "--metrics");
      out.push_back(require_metric(candidate, name, "--metrics"));
    }
    return out;
  }
  for (const auto& m : candidate.metrics) {
    if (baseline.metric(m.name))
      out.push_back(m);
    else
      warnings.push_back(fmt::format(
          "metric '{}' is only in the candidate; not compared", m.name));
  }
  for (const auto& m : baseline.metrics)
    if (!candidate.metric(m.name))
      warnings.push_back(fmt::format(
          "metric '{}' is only in the baseline; not compared", m.name));
  return out;
}

}  // namespace

Comparison compare_results(const ResultSet& baseline,
                           const ResultSet& candidate,
                           const CompareOptions& options) {
  Comparison out;
  out.baseline_file = baseline.file_list();
  out.candidate_file = candidate.file_list();
  out.baseline_description = describe(baseline);
  out.candidate_description = describe(candidate);
  const std::vector<ReportMetric> metrics =
      metrics_to_compare(baseline, candidate, options, out.warnings);
  for (const auto& m : metrics) {
    out.metrics.push_back(m.name);
    const ReportMetric* b = baseline.metric(m.name);
    if (b && b->smaller_is_better != m.smaller_is_better)
      out.warnings.push_back(fmt::format(
          "metric '{}' changed direction; using the candidate's ({} is "
          "better)",
          m.name, m.smaller_is_better ? "smaller" : "bigger"));
  }

  std::map<std::string, size_t> baseline_index;
  for (size_t i = 0; i < baseline.cells.size(); ++i)
    baseline_index[baseline.cells[i]["id"]] = i;
  std::map<std::string, bool> in_candidate;

  // Groups of matched (baseline, candidate) records, in candidate order.
  struct Group {
    std::string task, algorithm;
    std::vector<std::pair<const Json*, const Json*>> pairs;
  };
  std::vector<Group> groups;
  std::map<std::pair<std::string, std::string>, size_t> group_index;
  for (const auto& record : candidate.cells) {
    const std::string id = record["id"];
    in_candidate[id] = true;
    const auto found = baseline_index.find(id);
    if (found == baseline_index.end()) {
      out.only_in_candidate.push_back(id);
      continue;
    }
    const Json& base = baseline.cells[found->second];
    const std::pair key{record["task"]["label"].get<std::string>(),
                        record["algorithm"]["label"].get<std::string>()};
    const auto [it, inserted] = group_index.emplace(key, groups.size());
    if (inserted) groups.push_back({key.first, key.second, {}});
    groups[it->second].pairs.emplace_back(&base, &record);
    ++out.common_cells;

    const std::string bs = base["status"], cs = record["status"];
    const std::string message = record.value("message", std::string());
    if (bs == "ok" && cs != "ok")
      out.status_regressions.push_back({id, bs, cs, message});
    else if (bs != "ok" && bs != "skipped" && cs == "ok")
      out.status_recoveries.push_back({id, bs, cs, ""});
  }
  for (const auto& record : baseline.cells)
    if (!in_candidate.count(record["id"]))
      out.only_in_baseline.push_back(record["id"]);
  if (out.common_cells == 0)
    throw ConfigError(
        out.candidate_file,
        fmt::format("no cell id in common with the baseline {} ({} and {} "
                    "cells): are these results of the same suite?",
                    out.baseline_file, candidate.cells.size(),
                    baseline.cells.size()));
  out.groups = groups.size();

  const TracePoint final_point;
  const DisplayLabels shown = display_labels(candidate);
  for (const auto& group : groups)
    for (const auto& metric : metrics) {
      MetricComparison c;
      c.task = group.task;
      c.algorithm = group.algorithm;
      c.task_label = shown.task(group.task);
      c.algorithm_label = shown.algorithm(group.algorithm);
      c.metric = metric.name;
      c.smaller_is_better = metric.smaller_is_better;
      bool in_baseline = false, in_candidate_cells = false;
      for (const auto& [base, cand] : group.pairs) {
        in_baseline = in_baseline || has_metric(*base, metric.name);
        in_candidate_cells =
            in_candidate_cells || has_metric(*cand, metric.name);
        if ((*base)["status"] != "ok" || (*cand)["status"] != "ok") continue;
        if (const auto v = metric_value(*base, metric.name, final_point,
                                        metric.smaller_is_better))
          c.baseline.push_back(*v);
        if (const auto v = metric_value(*cand, metric.name, final_point,
                                        metric.smaller_is_better))
          c.candidate.push_back(*v);
      }
      if (!in_baseline && !in_candidate_cells) continue;  // not applicable
      if (c.baseline.empty() || c.candidate.empty()) {
        if (in_baseline != in_candidate_cells)
          out.warnings.push_back(fmt::format(
              "{} {}: only the {} has values; not compared", c.group(),
              metric.name, in_baseline ? "baseline" : "candidate"));
        continue;
      }
      c.baseline_median = median(c.baseline);
      c.candidate_median = median(c.candidate);
      const double worse = metric.smaller_is_better
                               ? c.candidate_median - c.baseline_median
                               : c.baseline_median - c.candidate_median;
      const double tolerance =
          std::max(options.rtol * std::abs(c.baseline_median), options.atol);
      c.relative_change =
          worse / std::max(std::abs(c.baseline_median), options.atol);
      bool significant = true;
      if (c.baseline.size() >= options.min_seeds_for_test &&
          c.candidate.size() >= options.min_seeds_for_test) {
        c.p = mann_whitney_u(c.baseline, c.candidate).p;
        significant = c.p <= options.alpha;
      }
      if (significant && worse > tolerance)
        c.verdict = Verdict::regression;
      else if (significant && -worse > tolerance)
        c.verdict = Verdict::improvement;
      out.comparisons.push_back(std::move(c));
    }
  // A comparison of nothing is no evidence of "no regression".
  if (out.metrics.empty())
    throw ConfigError("", fmt::format("nothing to compare: {} and {} have no "
                                      "metric in common",
                                      out.baseline_file, out.candidate_file));
  const bool any_values =
      std::any_of(out.comparisons.begin(), out.comparisons.end(),
                  [](const MetricComparison& c) {
                    return !c.baseline.empty() && !c.candidate.empty();
                  });
  if (!any_values && out.status_regressions.empty() &&
      out.status_recoveries.empty())
    throw ConfigError(
        "", fmt::format("nothing was compared: no metric ({}) has a value in "
                        "both {} and {} for any common cell that ended ok",
                        fmt::join(out.metrics, ", "), out.baseline_file,
                        out.candidate_file));
  return out;
}

namespace {

std::string comparison_table(const std::vector<const MetricComparison*>& rows,
                             bool with_verdict) {
  std::string out =
      "| task | algorithm | metric | baseline median | candidate median | "
      "change | p | seeds |" +
      std::string(with_verdict ? " verdict |" : "") + "\n";
  out += "|---|---|---|---:|---:|---:|---:|---:|" +
         std::string(with_verdict ? "---|" : "") + "\n";
  for (const MetricComparison* c : rows) {
    out += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} | {}/{} |",
        markdown_escape(c->task_label), markdown_escape(c->algorithm_label),
        markdown_escape(c->metric), num(c->baseline_median),
        num(c->candidate_median),
        percent(c->relative_change * (c->smaller_is_better ? 1 : -1)),
        p_text(c->p), c->baseline.size(), c->candidate.size());
    if (with_verdict) out += fmt::format(" {} |", to_string(c->verdict));
    out += "\n";
  }
  return out;
}

std::string id_list(const std::vector<std::string>& ids) {
  std::string out;
  const size_t shown = std::min<size_t>(ids.size(), 10);
  for (size_t i = 0; i < shown; ++i)
    out += fmt::format("{}`{}`", i ? ", " : "", ids[i]);
  if (ids.size() > shown)
    out += fmt::format(", … ({} more)", ids.size() - shown);
  return out;
}

}  // namespace

std::string compare_report(const Comparison& comparison,
                           const CompareOptions& options) {
  std::string out = "# vibench compare\n\n";
  out += fmt::format("- baseline: `{}` ({})\n", comparison.baseline_file,
                     comparison.baseline_description);
  out += fmt::format("- candidate: `{}` ({})\n", comparison.candidate_file,
                     comparison.candidate_description);
  out += fmt::format(
      "- rule: at the final checkpoint, a metric regresses when the "
      "candidate's median over seeds is worse than the baseline's by more "
      "than max(rtol·|baseline median|, atol) (rtol = {}, atol = {}) and, "
      "when both have at least {} seeds, a two-sided Mann–Whitney U test "
      "gives p ≤ {}; a cell ok in the baseline and not ok in the candidate "
      "is a regression\n\n",
      options.rtol, options.atol, options.min_seeds_for_test, options.alpha);

  const size_t regressions = comparison.regression_count();
  size_t improvements = 0;
  for (const auto& c : comparison.comparisons)
    if (c.verdict == Verdict::improvement) ++improvements;
  out += fmt::format(
      "**{}**: {} improvement{}; {} comparisons of {} metric{} over {} "
      "(task, algorithm) groups and {} common cells.\n",
      regressions == 0 ? std::string("No regression")
                       : fmt::format("{} regression{}", regressions,
                                     regressions == 1 ? "" : "s"),
      improvements, improvements == 1 ? "" : "s", comparison.comparisons.size(),
      comparison.metrics.size(), comparison.metrics.size() == 1 ? "" : "s",
      comparison.groups, comparison.common_cells);

  std::vector<const MetricComparison*> regressed, improved, all;
  for (const auto& c : comparison.comparisons) {
    all.push_back(&c);
    if (c.verdict == Verdict::regression) regressed.push_back(&c);
    if (c.verdict == Verdict::improvement) improved.push_back(&c);
  }
  if (regressions > 0) {
    out += "\n## Regressions\n\n";
    if (!regressed.empty()) out += comparison_table(regressed, false);
    if (!comparison.status_regressions.empty()) {
      if (!regressed.empty()) out += "\n";
      for (const auto& s : comparison.status_regressions)
        out += fmt::format("- `{}`: {} → {}{}\n", s.cell_id, s.baseline_status,
                           s.candidate_status,
                           s.message.empty() ? "" : ": " + s.message);
    }
  }
  if (!improved.empty() || !comparison.status_recoveries.empty()) {
    out += "\n## Improvements\n\n";
    if (!improved.empty()) out += comparison_table(improved, false);
    for (const auto& s : comparison.status_recoveries)
      out += fmt::format("- `{}`: {} → {}\n", s.cell_id, s.baseline_status,
                         s.candidate_status);
  }
  if (!all.empty()) {
    out += "\n## All comparisons\n\n";
    out +=
        "Change: candidate median relative to the baseline median; p: "
        "two-sided Mann–Whitney U (- when a side has fewer seeds than "
        "the test needs); seeds: baseline/candidate.\n\n";
    out += comparison_table(all, true);
  }
  std::vector<std::string> warnings = comparison.warnings;
  if (!comparison.only_in_baseline.empty())
    warnings.push_back(
        fmt::format("{} cell(s) only in the baseline, not compared: {}",
                    comparison.only_in_baseline.size(),
                    id_list(comparison.only_in_baseline)));
  if (!comparison.only_in_candidate.empty())
    warnings.push_back(
        fmt::format("{} cell(s) only in the candidate, not compared: {}",
                    comparison.only_in_candidate.size(),
                    id_list(comparison.only_in_candidate)));
  if (!warnings.empty()) {
    out += "\n## Warnings\n\n";
    for (const auto& w : warnings) out += "- " + w + "\n";
  }
  return out;
}

Json benchmark_action_json(const Comparison& comparison,
                           bool smaller_is_better) {
  Json out = Json::array();
  for (const auto& c : comparison.comparisons) {
    if (c.smaller_is_better != smaller_is_better) continue;
    if (!std::isfinite(c.candidate_median)) continue;
    out.push_back(
        {{"name", fmt::format("{} {}", c.group(), c.metric)},
         {"unit", c.metric},
         {"value", c.candidate_median},
         {"extra", fmt::format("median over {} seeds at the final checkpoint; "
                               "baseline {}; {}",
                               c.candidate.size(), num(c.baseline_median),
                               to_string(c.verdict))}});
  }
  return out;
}

}  // namespace vibench
