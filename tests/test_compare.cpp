// `vibench compare`: regression verdicts against a baseline, on results of
// the real runner (through the command-line program) and on synthetic
// result documents.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "report/compare.hpp"
#include "report_helpers.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

// Initial points concentrated at one point, so that the seeds differ little
// and a 50% change is clear to the U test with 5 seeds.
const char* kCompareSuite = R"({
  "name": "compare-test", "seeds": 5,
  "tasks": [{"name": "quadratic", "params": {"dim": 5},
             "init": {"mean": 1, "std": 0.01}}],
  "algorithms": [{"name": "gd", "params": {"step_size": [0.05, 0.1]}}],
  "budget": {"max_iterations": 30}, "checkpoints": {"every": 10},
  "metrics": ["suboptimality", "grad_norm"]})";

const std::string kGroup = R"(quadratic{"dim":5}|gd{"step_size":0.05})";

// Multiplies `metric` (trace and final) by `factor` in every cell of the
// group `group` (every group when empty).
Json scaled(Json doc, const std::string& metric, double factor,
            const std::string& group = "") {
  for (auto& record : doc["cells"]) {
    const std::string id = record["id"];
    if (!group.empty() && id.rfind(group + "|", 0) != 0) continue;
    for (auto& v : record["trace"]["metrics"][metric])
      v = v.get<double>() * factor;
    auto& final_value = record["final"]["metrics"][metric];
    final_value = final_value.get<double>() * factor;
  }
  return doc;
}

ResultSet set_of(const Json& doc, const std::string& name) {
  return make_result_set({doc}, {name});
}

// n replicates of "t" × "m" with the given final loss values.
Json loss_results(const std::vector<double>& values, bool smaller = true,
                  const std::vector<std::string>& statuses = {}) {
  std::vector<SyntheticCell> cells;
  for (size_t r = 0; r < values.size(); ++r)
    cells.push_back({"t",
                     "m",
                     static_cast<long long>(r),
                     r < statuses.size() ? statuses[r] : "ok",
                     {{"loss", values[r]}}});
  return synthetic_results({{"loss", smaller}}, cells);
}

const MetricComparison* find(const Comparison& c, const std::string& metric) {
  for (const auto& m : c.comparisons)
    if (m.metric == metric) return &m;
  return nullptr;
}

}  // namespace

TEST_CASE("end-to-end: vibench compare of a result with itself exits 0") {
  const Json results = run_report_suite(kCompareSuite, "compare-self");
  const auto dir = temp_dir("e2e-compare-self");
  write_json(dir / "base.json", results);
  const ProgramResult r = run_vibench(
      "compare " + quoted(dir / "base.json") + " " + quoted(dir / "base.json") +
          " --json " + quoted(dir / "smaller.json") + " --json-bigger " +
          quoted(dir / "bigger.json"),
      dir);
  INFO(r.out, r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "# vibench compare"));
  CHECK(contains(r.out, "**No regression**"));
  CHECK(contains(r.out, "## All comparisons"));
  CHECK_FALSE(contains(r.out, "## Regressions"));

  // github-action-benchmark input: every metric here is smaller-is-better.
  const Json smaller = read_json(dir / "smaller.json");
  REQUIRE(smaller.is_array());
  CHECK(smaller.size() == 4);  // 2 configurations × 2 metrics
  for (const auto& item : smaller) {
    CHECK(item["name"].is_string());
    CHECK(item["unit"].is_string());
    CHECK(item["value"].is_number());
  }
  CHECK(smaller[0]["name"] == kGroup + " suboptimality");
  CHECK(smaller[0]["unit"] == "suboptimality");
  CHECK(read_json(dir / "bigger.json") == Json::array());
}

TEST_CASE(
    "end-to-end: vibench compare with one metric 50% worse on every seed "
    "exits 1") {
  const Json results = run_report_suite(kCompareSuite, "compare-worse");
  const auto dir = temp_dir("e2e-compare-worse");
  write_json(dir / "base.json", results);
  write_json(dir / "worse.json", scaled(results, "suboptimality", 1.5, kGroup));
  const ProgramResult r = run_vibench(
      "compare " + quoted(dir / "base.json") + " " +
          quoted(dir / "worse.json") + " --report " + quoted(dir / "report.md"),
      dir);
  INFO(r.out, r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());  // the report went to the file
  // Display labels first, the identity labels it matched on last.
  CHECK(contains(r.err,
                 "vibench: regression: gd η=0.05 on quadratic, suboptimality: "
                 "median"));
  CHECK(contains(r.err, "[" + kGroup + "]\n"));
  CHECK(contains(r.err, "+50.0% worse"));
  CHECK(contains(r.err, "1 regression"));
  const std::string report = read_text(dir / "report.md");
  CHECK(contains(report, "**1 regression**"));
  CHECK(contains(report, "## Regressions"));
  CHECK(contains(report, "| suboptimality |"));
  CHECK(contains(report, "| gd η=0.05 |"));  // display labels

  // The statistics behind it.
  const Comparison c = compare_results(
      set_of(results, "base.json"),
      set_of(read_json(dir / "worse.json"), "worse.json"), CompareOptions{});
  CHECK(c.regression_count() == 1);
  for (const auto& m : c.comparisons) {
    INFO(m.group(), " ", m.metric);
    const bool worsened = m.group() == kGroup && m.metric == "suboptimality";
    CHECK((m.verdict == Verdict::regression) == worsened);
    if (worsened) {
      CHECK(m.relative_change == doctest::Approx(0.5));
      CHECK(m.p == doctest::Approx(2.0 / 252));  // fully separated, 5 vs 5
    }
  }

  // A looser tolerance accepts the change.
  const ProgramResult loose =
      run_vibench("compare " + quoted(dir / "base.json") + " " +
                      quoted(dir / "worse.json") + " --rtol 0.6",
                  dir);
  CHECK(loose.exit_code == 0);
  // So does leaving the metric out.
  CHECK(run_vibench("compare " + quoted(dir / "base.json") + " " +
                        quoted(dir / "worse.json") + " --metrics grad_norm",
                    dir)
            .exit_code == 0);
}

TEST_CASE("end-to-end: vibench compare usage errors exit 2") {
  const auto dir = temp_dir("e2e-compare-usage");
  write_json(dir / "a.json", loss_results({1, 2, 3}));
  SyntheticCell other{"other", "m", 0, "ok", {{"loss", 1}}};
  write_json(dir / "b.json", synthetic_results({{"loss", true}}, {other}));
  const ProgramResult disjoint = run_vibench(
      "compare " + quoted(dir / "a.json") + " " + quoted(dir / "b.json"), dir);
  CHECK(disjoint.exit_code == 2);
  CHECK(contains(disjoint.err, "b.json"));
  CHECK(contains(disjoint.err, "no cell id in common"));

  const ProgramResult typo =
      run_vibench("compare " + quoted(dir / "a.json") + " " +
                      quoted(dir / "a.json") + " --metrics los",
                  dir);
  CHECK(typo.exit_code == 2);
  CHECK(contains(typo.err, "did you mean 'loss'?"));

  std::ofstream(dir / "bad.json") << "{\"cells\": [";
  const ProgramResult bad = run_vibench(
      "compare " + quoted(dir / "a.json") + " " + quoted(dir / "bad.json"),
      dir);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "bad.json: not valid JSON"));
  CHECK(run_vibench("compare " + quoted(dir / "a.json"), dir).exit_code == 2);
}

TEST_CASE("compare: with fewer than 5 seeds the tolerance alone decides") {
  const ResultSet base = set_of(loss_results({1.0, 1.1, 0.9}), "b.json");
  const Comparison worse = compare_results(
      base, set_of(loss_results({1.2, 1.3, 1.1}), "c.json"), {});
  const MetricComparison* m = find(worse, "loss");
  REQUIRE(m);
  CHECK(m->verdict == Verdict::regression);
  CHECK(std::isnan(m->p));
  CHECK(m->relative_change == doctest::Approx(0.2));

  const Comparison within = compare_results(
      base, set_of(loss_results({1.05, 1.15, 0.95}), "c.json"), {});
  CHECK(find(within, "loss")->verdict == Verdict::unchanged);
  CHECK(within.regression_count() == 0);

  const Comparison better = compare_results(
      base, set_of(loss_results({0.5, 0.6, 0.4}), "c.json"), {});
  CHECK(find(better, "loss")->verdict == Verdict::improvement);
  CHECK(contains(compare_report(better, {}), "## Improvements"));
}

TEST_CASE("compare: with 5 seeds a change must also pass the U test") {
  // Medians 3 → 3.5 (+16.7%) but the samples overlap: U = 10 of 25,
  // p = 0.69 > 0.05, so not a regression.
  const ResultSet base = set_of(loss_results({1, 2, 3, 4, 5}), "b.json");
  const Comparison overlapping = compare_results(
      base, set_of(loss_results({1.5, 2.5, 3.5, 4.5, 5.5}), "c.json"), {});
  const MetricComparison* m = find(overlapping, "loss");
  REQUIRE(m);
  CHECK(m->relative_change == doctest::Approx(0.5 / 3));
  CHECK(m->p > 0.5);
  CHECK(m->verdict == Verdict::unchanged);

  const Comparison separated = compare_results(
      base, set_of(loss_results({6, 7, 8, 9, 10}), "c.json"), {});
  CHECK(find(separated, "loss")->verdict == Verdict::regression);
  CHECK(find(separated, "loss")->p == doctest::Approx(2.0 / 252));
}

TEST_CASE("compare: a cell ok in the baseline and not in the candidate") {
  const ResultSet base = set_of(loss_results({1, 1, 1}), "b.json");
  const Comparison c = compare_results(
      base,
      set_of(loss_results({1, 1, 1}, true, {"ok", "diverged", "ok"}), "c.json"),
      {});
  REQUIRE(c.status_regressions.size() == 1);
  CHECK(c.status_regressions[0].cell_id == "t|m|r1");
  CHECK(c.status_regressions[0].candidate_status == "diverged");
  CHECK(c.regression_count() == 1);
  CHECK(find(c, "loss")->verdict == Verdict::unchanged);  // on r0 and r2
  CHECK(find(c, "loss")->candidate.size() == 2);
  const auto lines = c.regression_lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "t|m|r1: ok → diverged: synthetic diverged");

  // The other way round is a recovery, not a regression.
  const Comparison back = compare_results(
      set_of(loss_results({1, 1, 1}, true, {"ok", "timeout", "ok"}), "b.json"),
      base, {});
  CHECK(back.regression_count() == 0);
  CHECK(back.status_recoveries.size() == 1);
}

TEST_CASE("compare: bigger-is-better metrics and the absolute floor") {
  const ResultSet base = set_of(loss_results({0.9, 0.9, 0.9}, false), "b.json");
  const Comparison lower = compare_results(
      base, set_of(loss_results({0.7, 0.7, 0.7}, false), "c.json"), {});
  CHECK(find(lower, "loss")->verdict == Verdict::regression);
  const Comparison higher = compare_results(
      base, set_of(loss_results({1.0, 1.0, 1.0}, false), "c.json"), {});
  CHECK(find(higher, "loss")->verdict == Verdict::improvement);
  const Json bigger = benchmark_action_json(higher, false);
  REQUIRE(bigger.size() == 1);
  CHECK(bigger[0]["name"] == "t|m loss");
  CHECK(bigger[0]["value"] == doctest::Approx(1.0));
  CHECK(benchmark_action_json(higher, true).empty());

  // A zero baseline: the tolerance is atol.
  const ResultSet zero = set_of(loss_results({0, 0, 0}), "b.json");
  CHECK(
      find(compare_results(
               zero, set_of(loss_results({1e-13, 1e-13, 1e-13}), "c.json"), {}),
           "loss")
          ->verdict == Verdict::unchanged);
  CHECK(find(compare_results(
                 zero, set_of(loss_results({1e-6, 1e-6, 1e-6}), "c.json"), {}),
             "loss")
            ->verdict == Verdict::regression);
}

TEST_CASE("compare: cells in one file only are listed, not compared") {
  const Comparison c =
      compare_results(set_of(loss_results({1, 1, 1, 1}), "b.json"),
                      set_of(loss_results({1, 1}), "c.json"), {});
  CHECK(c.common_cells == 2);
  CHECK(c.only_in_baseline == std::vector<std::string>{"t|m|r2", "t|m|r3"});
  CHECK(c.only_in_candidate.empty());
  CHECK(c.regression_count() == 0);
  const std::string report = compare_report(c, {});
  CHECK(contains(report, "## Warnings"));
  CHECK(contains(report, "2 cell(s) only in the baseline"));
  CHECK(contains(report, "`t|m|r2`"));

  // Different suites are fine as long as cell ids match.
  Json other = loss_results({1, 1});
  other["suite_hash"] = "older";
  CHECK(compare_results(set_of(loss_results({1, 1}), "b.json"),
                        set_of(other, "c.json"), {})
            .common_cells == 2);
}
