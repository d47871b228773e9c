// `vibench table`: tables from a 5-seed step-size grid of gradient descent
// run through the runner, and from synthetic result documents.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "report/table.hpp"
#include "report_helpers.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

// GD on two quadratics (Hessian eigenvalues in [1, κ]) with a step-size grid
// and 5 seeds. The step 0.1 is the best of the grid on both (the fastest
// contraction that is stable for κ = 10 and κ = 4); 0.5 diverges for κ = 10.
const char* kGridSuite = R"({
  "name": "table-grid", "seeds": 5,
  "tasks": [{"name": "quadratic", "params": {"dim": 5}},
            {"name": "quadratic", "params": {"dim": 8, "condition_number": 4}}],
  "algorithms": [{"name": "gd", "params": {"step_size": [0.01, 0.05, 0.1, 0.5]}}],
  "budget": {"max_iterations": 50}, "checkpoints": {"every": 10},
  "divergence_threshold": 1e6,
  "metrics": ["suboptimality", "grad_norm"]})";

const std::string kTask5 = R"(quadratic{"dim":5})";
const std::string kTask8 = R"(quadratic{"condition_number":4,"dim":8})";
// The display labels of those (report/display_labels.hpp): the parameters
// that vary, abbreviated.
const std::string kShown5 = "quadratic condition_number=10.0 dim=5";
std::string shown_gd(const std::string& step) { return "gd η=" + step; }
std::string gd(const std::string& step) {
  return R"(gd{"step_size":)" + step + "}";
}

// The grid's results, run once; the file is grid_file().
const Json& grid_results() {
  static const Json results = run_report_suite(kGridSuite, "table-grid");
  return results;
}
std::filesystem::path grid_file() {
  grid_results();
  return std::filesystem::temp_directory_path() /
         ("vibench-test-table-grid-" + std::to_string(::getpid())) /
         "results.json";
}

ResultSet grid_set() {
  return make_result_set({grid_results()}, {"grid.json"});
}

TableOptions options_for(const std::string& metric) {
  TableOptions options;
  options.metric = metric;
  return options;
}

}  // namespace

TEST_CASE("table: the best step size in bold, the others marked as worse") {
  const TableData data = build_table(grid_set(), options_for("suboptimality"));
  CHECK(data.tasks == std::vector<std::string>{kTask5, kTask8});
  CHECK(data.rows ==
        std::vector<std::string>{gd("0.01"), gd("0.05"), gd("0.1"), gd("0.5")});
  for (const auto& task : {kTask5, kTask8}) {
    INFO(task);
    const TableEntry* best = data.find(task, gd("0.1"));
    REQUIRE(best);
    CHECK(best->best);
    CHECK(best->values.size() == 5);
    CHECK_FALSE(best->worse);
    for (const auto& step : {"0.01", "0.05"}) {
      const TableEntry* e = data.find(task, gd(step));
      REQUIRE(e);
      INFO(step);
      CHECK_FALSE(e->best);
      CHECK(e->worse);
      CHECK(e->p_adjusted <= 0.05);
      CHECK(e->mean > best->mean);
    }
  }
  // The diverged configuration contributes no value but is counted.
  const TableEntry* diverged = data.find(kTask5, gd("0.5"));
  REQUIRE(diverged);
  CHECK(diverged->values.empty());
  CHECK(diverged->note == "5/5 diverged");
  CHECK(std::isnan(diverged->p_adjusted));

  // The mean and sd are those of the final values of the ok cells.
  std::vector<double> finals;
  for (const auto& record : grid_results()["cells"])
    if (record["task"]["label"] == kTask8 &&
        record["algorithm"]["label"] == gd("0.05"))
      finals.push_back(record["final"]["metrics"]["suboptimality"]);
  const TableEntry* e = data.find(kTask8, gd("0.05"));
  CHECK(e->values == finals);
  CHECK(e->mean ==
        doctest::Approx(
            (finals[0] + finals[1] + finals[2] + finals[3] + finals[4]) / 5));
}

TEST_CASE("table: Markdown and LaTeX output") {
  TableOptions options = options_for("suboptimality");
  const std::string markdown = make_table(grid_set(), options);
  INFO(markdown);
  CHECK(contains(markdown, "suboptimality (final; mean ± sd"));
  CHECK(contains(markdown, "| algorithm "));
  CHECK(contains(markdown, "| " + kShown5));
  CHECK(contains(markdown, "| **"));  // a bold best entry
  CHECK(contains(markdown, "†"));
  CHECK(contains(markdown, "– (5/5 diverged)"));
  CHECK(contains(markdown, "Holm-corrected"));
  CHECK(contains(markdown, "α = 0.05"));
  // The 0.1 row holds both bold entries.
  const auto row = markdown.find("| " + shown_gd("0.1") + " ");
  REQUIRE(row != std::string::npos);
  const std::string line = markdown.substr(row, markdown.find('\n', row) - row);
  CHECK(line.find("**") != line.rfind("**"));
  CHECK_FALSE(contains(line, "†"));

  options.format = TableFormat::latex;
  const std::string latex = make_table(grid_set(), options);
  INFO(latex);
  for (const char* part :
       {"\\begin{table}", "\\toprule", "\\midrule", "\\bottomrule",
        "\\end{tabular}", "\\end{table}", "\\textbf{", "$^\\dagger$",
        "gd \\ensuremath{\\eta}=0.1", "quadratic condition\\_number=4 dim=8",
        "5/5 diverged", "\\caption{suboptimality", "Mann--Whitney"})
    CHECK_MESSAGE(contains(latex, part), part);
  CHECK_FALSE(contains(latex, "\\documentclass"));
  CHECK_FALSE(contains(latex, "±"));  // no Unicode in LaTeX
  CHECK_FALSE(contains(latex, "†"));
  CHECK_FALSE(contains(latex, "η"));

  options.standalone = true;
  const std::string document = make_table(grid_set(), options);
  CHECK(document.rfind("\\documentclass{article}\n\\usepackage{booktabs}", 0) ==
        0);
  CHECK(contains(document, "\\end{document}"));

  // Transposed: tasks are rows.
  options = options_for("suboptimality");
  options.transpose = true;
  const std::string transposed = make_table(grid_set(), options);
  CHECK(contains(transposed, "| task "));
  CHECK(contains(transposed, "| quadratic condition_number=4 dim=8 "));

  // Median and quartiles.
  options = options_for("suboptimality");
  options.stat = TableStat::median_iqr;
  const TableData data = build_table(grid_set(), options);
  const TableEntry* e = data.find(kTask5, gd("0.05"));
  CHECK(e->center == e->median);
  CHECK(e->q1 <= e->median);
  CHECK(e->median <= e->q3);
  CHECK(contains(render_table(data, options), "median [first quartile"));

  // Median with the 95th and 99th percentiles, against the linear
  // interpolation between order statistics (NumPy's default) done here.
  options.stat = TableStat::tail_quantiles;
  const TableData tails = build_table(grid_set(), options);
  const TableEntry* t = tails.find(kTask5, gd("0.05"));
  std::vector<double> sorted = t->values;
  std::sort(sorted.begin(), sorted.end());
  auto interpolated = [&](double q) {
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const size_t lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] +
           (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
  };
  REQUIRE(sorted.size() >= 3);
  CHECK(t->q95 == doctest::Approx(interpolated(0.95)).epsilon(1e-14));
  CHECK(t->q99 == doctest::Approx(interpolated(0.99)).epsilon(1e-14));
  CHECK(t->center == t->median);
  CHECK(sorted.back() > sorted.front());
  CHECK(contains(render_table(tails, options),
                 "median (95th percentile, 99th percentile)"));
}

TEST_CASE("table: --select best-by keeps the best step size of the grid") {
  TableOptions options = options_for("suboptimality");
  options.select_by = "grad_norm";
  const TableData data = build_table(grid_set(), options);
  CHECK(data.rows == std::vector<std::string>{"gd"});
  CHECK(data.row_labels == std::vector<std::string>{shown_gd("0.1")});
  for (const auto& task : {kTask5, kTask8}) {
    const TableEntry* e = data.find(task, "gd");
    REQUIRE(e);
    CHECK(e->configuration == gd("0.1"));
  }
  REQUIRE(data.notes.size() == 1);
  CHECK(contains(data.notes[0],
                 "gd: selected " + shown_gd("0.1") + " on every task"));
  CHECK(contains(data.notes[0], "best of 4 configurations"));
  CHECK(contains(data.notes[0], "median grad_norm"));
  const std::string markdown = render_table(data, options);
  CHECK(contains(markdown, "| " + shown_gd("0.1")));
  CHECK(contains(markdown, "gd: selected"));
}

TEST_CASE("table: --select may choose a different configuration per task") {
  std::vector<SyntheticCell> cells;
  for (long long r = 0; r < 3; ++r) {
    cells.push_back({"a", "m{\"s\":1}", r, "ok", {{"loss", 1.0 + r}}});
    cells.push_back({"a", "m{\"s\":2}", r, "ok", {{"loss", 2.0 + r}}});
    cells.push_back({"b", "m{\"s\":1}", r, "ok", {{"loss", 5.0 + r}}});
    cells.push_back({"b", "m{\"s\":2}", r, "ok", {{"loss", 3.0 + r}}});
    cells.push_back({"b", "m{\"s\":3}", r, "diverged", {}});
  }
  const ResultSet set =
      make_result_set({synthetic_results({{"loss", true}}, cells)}, {"s.json"});
  TableOptions options = options_for("loss");
  options.select_by = "loss";
  const TableData data = build_table(set, options);
  CHECK(data.find("a", "m")->configuration == "m{\"s\":1}");
  CHECK(data.find("b", "m")->configuration == "m{\"s\":2}");
  CHECK(data.row_labels ==
        std::vector<std::string>{"m (tuned per task, see note)"});
  REQUIRE(data.notes.size() == 1);
  CHECK(contains(data.notes[0], "m{\"s\":1} on a; m{\"s\":2} on b"));
  CHECK(contains(data.notes[0], "best of 3 configurations"));
}

TEST_CASE("table: --at grad_evals=N and --at best read the trace") {
  TableOptions options = options_for("suboptimality");
  options.at = TracePoint::parse("grad_evals=25", "--at");
  const TableData at25 = build_table(grid_set(), options);
  options.at = TracePoint::parse("best", "--at");
  const TableData best = build_table(grid_set(), options);
  std::vector<double> expected25, expected_best;
  for (const auto& record : grid_results()["cells"]) {
    if (record["task"]["label"] != kTask5 ||
        record["algorithm"]["label"] != gd("0.01"))
      continue;
    const auto& evals = record["trace"]["grad_evals"];
    const auto& trace = record["trace"]["metrics"]["suboptimality"];
    REQUIRE(evals[2] == 20);  // checkpoints every 10 iterations, 1 per step
    expected25.push_back(trace[2]);
    double m = trace[0];
    for (const auto& v : trace) m = std::min(m, v.get<double>());
    expected_best.push_back(m);
  }
  CHECK(at25.find(kTask5, gd("0.01"))->values == expected25);
  CHECK(best.find(kTask5, gd("0.01"))->values == expected_best);
  CHECK(contains(render_table(at25, options_for("suboptimality")),
                 "grad_evals ≤ 25"));
  CHECK(TracePoint::parse("final", "--at").kind == TracePoint::Kind::final);
}

TEST_CASE("table: bigger-is-better metrics, failed cells and ties") {
  std::vector<SyntheticCell> cells;
  for (long long r = 0; r < 5; ++r) {
    cells.push_back({"t", "good", r, "ok", {{"accuracy", 0.90 + 0.01 * r}}});
    cells.push_back({"t", "bad", r, "ok", {{"accuracy", 0.50 + 0.01 * r}}});
    cells.push_back({"t",
                     "close",
                     r,
                     r < 2 ? "timeout" : "ok",
                     {{"accuracy", 0.885 + 0.01 * r}}});
  }
  const ResultSet set = make_result_set(
      {synthetic_results({{"accuracy", false}}, cells)}, {"acc.json"});
  const TableData data = build_table(set, options_for("accuracy"));
  CHECK(data.find("t", "good")->best);
  CHECK(data.find("t", "bad")->worse);
  const TableEntry* close = data.find("t", "close");
  CHECK(close->values.size() == 3);
  CHECK(close->note == "2/5 timeout");
  // 3 against 5, overlapping: not significant.
  CHECK_FALSE(close->worse);
  const std::string markdown = make_table(set, options_for("accuracy"));
  CHECK(contains(markdown, "bigger is better"));
  CHECK(contains(markdown, "(2/5 timeout)"));

  // Mixed statuses are listed.
  CHECK(not_ok_note({"ok", "diverged", "timeout", "diverged"}) ==
        "3/4 not ok (2 diverged, 1 timeout)");
  CHECK(not_ok_note({"ok", "ok"}).empty());
}

TEST_CASE("table: CSV has one row per entry with every statistic") {
  TableOptions options = options_for("suboptimality");
  options.format = TableFormat::csv;
  const std::string csv = make_table(grid_set(), options);
  INFO(csv);
  CHECK(csv.rfind(
            "task,task_id,algorithm,configuration,metric,at,cells,values,"
            "not_ok,mean,sd,median,q1,q3,best,significantly_worse,p_holm,q95,"
            "q99\n",
            0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 8);
  // The task's display label, then its identity label (CSV-quoted).
  CHECK(contains(csv, kShown5 + R"(,"quadratic{""dim"":5}",gd η=0.5,)" +
                          R"("gd{""step_size"":0.5}")"));
  CHECK(contains(csv, ",5/5 diverged,"));
}

TEST_CASE("table: LaTeX special characters are escaped") {
  CHECK(latex_escape(R"(a_b%c&d#e{f}g$h~i^j\k<l>m|n"o)") ==
        R"(a\_b\%c\&d\#e\{f\}g\$h\textasciitilde{}i\textasciicircum{}j)"
        R"(\textbackslash{}k\textless{}l\textgreater{}m\textbar{}n{''}o)");
}

TEST_CASE("table: several result files are joined") {
  const Json& all = grid_results();
  Json first = all, second = all;
  first["cells"] = Json::array();
  second["cells"] = Json::array();
  for (size_t i = 0; i < all["cells"].size(); ++i)
    (i % 2 ? second : first)["cells"].push_back(all["cells"][i]);
  const ResultSet joined =
      make_result_set({first, second}, {"a.json", "b.json"});
  CHECK(joined.warnings.empty());
  CHECK(make_table(joined, options_for("grad_norm")) ==
        make_table(grid_set(), options_for("grad_norm")));

  // The same cell in two files is an error naming both.
  try {
    make_result_set({all, second}, {"a.json", "b.json"});
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "b.json");
    CHECK(contains(e.what(), "also in a.json"));
  }
  // Files of different suites are joined with a warning.
  Json other = second;
  other["suite_hash"] = "0123";
  CHECK(make_result_set({first, other}, {"a.json", "b.json"}).warnings.size() ==
        1);
}

TEST_CASE("table: bad input names the file and the closest valid name") {
  try {
    build_table(grid_set(), options_for("suboptimalty"));
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "--metric");
    CHECK(contains(e.what(), "grid.json"));
    CHECK(contains(e.what(), "did you mean 'suboptimality'?"));
  }
  TableOptions options = options_for("suboptimality");
  options.select_by = "grad_nrom";
  CHECK_THROWS_WITH_AS(build_table(grid_set(), options),
                       doctest::Contains("did you mean 'grad_norm'?"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(TracePoint::parse("fnal", "--at"),
                       doctest::Contains("did you mean 'final'?"), ConfigError);
  CHECK_THROWS_AS(TracePoint::parse("grad_evals=-3", "--at"), ConfigError);
  CHECK_THROWS_WITH_AS(TracePoint::parse("oracle_cals=10", "--at"),
                       doctest::Contains("did you mean 'oracle_calls'?"),
                       ConfigError);
  const TracePoint at_calls = TracePoint::parse("oracle_calls=10", "--at");
  CHECK(at_calls.counter == "oracle_calls");
  CHECK(at_calls.limit == 10);
  CHECK(at_calls.describe() == "oracle_calls ≤ 10");

  Json broken = grid_results();
  broken["cells"][3].erase("status");
  CHECK_THROWS_WITH_AS(make_result_set({broken}, {"broken.json"}),
                       doctest::Contains("status"), ConfigError);
  Json not_results = {{"tasks", Json::array()}};
  CHECK_THROWS_WITH_AS(make_result_set({not_results}, {"suite.json"}),
                       doctest::Contains("not a vibench result file"),
                       ConfigError);
}

TEST_CASE("end-to-end: vibench table") {
  const auto dir = temp_dir("e2e-table");
  const std::string file = quoted(grid_file());
  const ProgramResult md =
      run_vibench("table " + file + " --metric suboptimality", dir);
  INFO(md.err);
  CHECK(md.exit_code == 0);
  CHECK(contains(md.out, "**"));

  const ProgramResult selected = run_vibench(
      "table " + file +
          " -m suboptimality --select best-by=suboptimality --format latex",
      dir);
  CHECK(selected.exit_code == 0);
  CHECK(contains(selected.out, "selected gd \\ensuremath{\\eta}=0.1"));

  const ProgramResult typo =
      run_vibench("table " + file + " --metric suboptimalty", dir);
  CHECK(typo.exit_code == 2);
  CHECK(contains(typo.err, "results.json"));
  CHECK(contains(typo.err, "did you mean 'suboptimality'?"));
  CHECK(
      run_vibench("table " + file + " -m suboptimality --select grad_norm", dir)
          .exit_code == 2);
  CHECK(run_vibench("table " + file +
                        " -m suboptimality --standalone "
                        "--format csv",
                    dir)
            .exit_code == 2);
  const auto missing = dir / "missing.json";
  CHECK(run_vibench("table " + quoted(missing) + " -m suboptimality", dir)
            .exit_code == 2);
}

TEST_CASE("end-to-end: vibench table --standalone compiles with pdflatex") {
  // Skipped (with a message) where pdflatex is not installed; CI installs
  // texlive so that it runs there.
  if (std::system("command -v pdflatex >/dev/null 2>&1") != 0) {
    MESSAGE("pdflatex not installed: the LaTeX compile check is skipped");
    return;
  }
  const auto dir = temp_dir("e2e-table-latex");
  for (const std::string extra : {"", " --stat median-iqr --transpose",
                                  " --select best-by=grad_norm --at best"}) {
    const ProgramResult r =
        run_vibench("table " + quoted(grid_file()) +
                        " -m suboptimality --standalone" + extra,
                    dir);
    REQUIRE(r.exit_code == 0);
    std::ofstream(dir / "table.tex") << r.out;
    const std::string command = "cd " + quoted(dir) +
                                " && pdflatex -interaction=nonstopmode "
                                "-halt-on-error table.tex >pdflatex.log 2>&1";
    INFO(extra, "\n", r.out, "\n", read_text(dir / "pdflatex.log"));
    CHECK(std::system(command.c_str()) == 0);
    CHECK(std::filesystem::exists(dir / "table.pdf"));
    std::filesystem::remove(dir / "table.pdf");
  }
}
