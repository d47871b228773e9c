// `vibench report`: a self-contained HTML page, its escaping, the refusals
// of bad input, and the chart axes it draws.
#include <doctest/doctest.h>

#include <cmath>
#include <regex>

#include "core/error.hpp"
#include "report/html_escape.hpp"
#include "report/html_report.hpp"
#include "report/svg_chart.hpp"
#include "report_helpers.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

// Two tasks, two algorithms whose labels and messages hold markup, one
// failed cell.
Json awkward_results(const std::string& hash = "synthetic", double scale = 1) {
  std::vector<SyntheticCell> cells;
  for (long long r = 0; r < 5; ++r) {
    const double s = scale * (1 + 0.1 * static_cast<double>(r));
    for (const std::string task : {"t<1>", "t&2"}) {
      cells.push_back({task, "gd", r, "ok", {{"suboptimality", 1 * s}}});
      cells.push_back({task,
                       "adam",
                       r,
                       r == 4 ? "failed" : "ok",
                       {{"suboptimality", 3 * s}}});
    }
  }
  Json doc = synthetic_results({{"suboptimality", true}}, cells, hash);
  for (auto& record : doc["cells"]) {
    if (record["algorithm"]["name"] == "adam")
      record["algorithm"]["display_label"] = R"(Adam "β" <b>&'x')";
    if (record["status"] == "failed")
      record["message"] = "<script>alert('x')</script> & more";
  }
  doc["context"]["compiler"] = "GNU <12>";
  return doc;
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + part.size()))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("report: html_escape turns markup into text") {
  CHECK(html_escape(R"(<a href="x">&'y'</a>)") ==
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;y&#39;&lt;/a&gt;");
  CHECK(html_escape("η ≤ 0.1 plain") == "η ≤ 0.1 plain");
}

TEST_CASE("report: the page holds every label, escaped, and loads nothing") {
  const ResultSet results =
      make_result_set({awkward_results()}, {"awk<ward>.json"});
  const std::string page = html_report(results, ReportOptions{});
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  // Every task and algorithm, escaped.
  for (const char* text :
       {"t&lt;1&gt;", "t&amp;2", "gd",
        "Adam &quot;β&quot; &lt;b&gt;&amp;&#39;x&#39;",
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more",
        "awk&lt;ward&gt;.json", "GNU &lt;12&gt;"})
    CHECK_MESSAGE(contains(page, text), text);
  CHECK_FALSE(contains(page, "<script"));
  CHECK_FALSE(contains(page, "<b>"));
  CHECK_FALSE(contains(page, "<link"));
  CHECK_FALSE(contains(page, " src="));
  // The only URL is SVG's namespace name, which is never fetched.
  const std::regex url(R"(https?://)");
  CHECK(std::distance(std::sregex_iterator(page.begin(), page.end(), url),
                      std::sregex_iterator()) ==
        static_cast<long>(count(page, "http://www.w3.org/2000/svg")));
  // One chart per task, the table with its marks, the failed cell,
  // provenance.
  CHECK(count(page, "<svg") == 2);
  CHECK(contains(page, "<strong>"));
  CHECK(contains(page, "Cells that did not end ok"));
  CHECK(contains(page, "<td>failed</td>"));
  CHECK(contains(page, "Provenance"));
  CHECK(contains(page, "<h2 id=\"kind-objective\">Optimization</h2>"));
  CHECK_FALSE(contains(page, "Regression verdict"));
}

TEST_CASE("report: results of different suites need --allow-mixed") {
  Json other = awkward_results("b");
  for (auto& record : other["cells"])
    record["id"] = "b:" + record["id"].get<std::string>();
  const ResultSet mixed =
      make_result_set({awkward_results("a"), other}, {"a.json", "b.json"});
  try {
    html_report(mixed, ReportOptions{});
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(contains(e.where(), "a.json"));
    CHECK(contains(e.what(), "--allow-mixed"));
  }
  ReportOptions options;
  options.allow_mixed = true;
  CHECK(contains(html_report(mixed, options), "a.json, b.json"));
  // A --select metric that is not there.
  options.select_by = "suboptimalty";
  CHECK_THROWS_AS(html_report(mixed, options), ConfigError);
}

TEST_CASE("report: the regression verdict against a baseline") {
  const ResultSet base = make_result_set({awkward_results()}, {"base.json"});
  ReportBaseline same{
      "base.json", compare_results(base, base, CompareOptions{}), {}};
  CHECK(contains(html_report(base, ReportOptions{}, &same), "No regression"));
  const ResultSet worse =
      make_result_set({awkward_results("synthetic", 2)}, {"worse.json"});
  ReportBaseline against{
      "base.json", compare_results(base, worse, CompareOptions{}), {}};
  const std::string page = html_report(worse, ReportOptions{}, &against);
  CHECK(contains(page, "Regressions found"));
  CHECK(contains(page, "suboptimality: median"));
}

TEST_CASE("report: chart ticks") {
  CHECK(axis_ticks(0, 25000, false) ==
        std::vector<double>{0, 5000, 10000, 15000, 20000, 25000});
  const auto decades = axis_ticks(1e-3, 1, true);
  REQUIRE(decades.size() == 4);
  CHECK(decades[0] == doctest::Approx(1e-3));
  CHECK(decades[3] == doctest::Approx(1));
  const auto sparse = axis_ticks(2, 30, true);
  REQUIRE(sparse.size() == 4);
  CHECK(sparse[0] == doctest::Approx(2));
  CHECK(sparse[1] == doctest::Approx(5));
  CHECK(sparse[2] == doctest::Approx(10));
  CHECK(sparse[3] == doctest::Approx(20));
  // Within one decade: linear steps, never none.
  CHECK(axis_ticks(0.21, 0.48, true).size() >= 2);
  // Degenerate ranges end, and give finite ticks.
  CHECK(axis_ticks(1, 1, false) == std::vector<double>{1});
  CHECK(axis_ticks(1, std::nextafter(1.0, 2.0), false).size() <= 21);
  CHECK(axis_ticks(-3, -1, false) ==
        std::vector<double>{-3, -2.5, -2, -1.5, -1});
  CHECK(line_color(0) == "#1f77b4");
  CHECK(line_color(10) == line_color(0));
  CHECK(line_dashes(10) != line_dashes(0));
}

TEST_CASE("report: charts of degenerate ranges are finite and end") {
  SeriesData data;
  data.metric = "m";
  data.x = "grad_evals";
  SeriesPanel panel;
  panel.label = "p";
  SeriesLine line;
  line.label = "l";
  // Values one rounding step apart, on linear and on log axes; values
  // spanning the whole range of doubles on a log axis.
  const std::vector<std::vector<double>> ys = {{1.0, std::nextafter(1.0, 2.0)},
                                               {4.9e-324, 1.7e308}};
  for (const auto& y : ys)
    for (bool log : {false, true}) {
      data.log_x = data.log_y = log;
      line.band = {{1, 2}, y, y, y};
      panel.lines = {line};
      const std::string svg = svg_chart(data, panel);
      CHECK(svg.find("nan") == std::string::npos);
      CHECK(svg.find("inf") == std::string::npos);
      CHECK(svg.find("<polyline") != std::string::npos);
    }
}

TEST_CASE("end-to-end: vibench report writes one file, and only when asked") {
  const auto dir = temp_dir("e2e-report");
  write_json(dir / "results.json", awkward_results());
  const std::string input = quoted(dir / "results.json");
  const auto page = dir / "report.html";
  ProgramResult r = run_vibench("report " + input + " -o " + quoted(page), dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string first = read_text(page);
  CHECK(contains(first, "</html>"));

  // Not replaced without --force; an input is never replaced.
  r = run_vibench("report " + input + " -o " + quoted(page), dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "exists"));
  r = run_vibench("report " + input + " -o " + input + " --force", dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "is an input"));

  // A truncated file: an error naming it, nothing written.
  const std::string text = read_text(dir / "results.json");
  std::ofstream(dir / "truncated.json") << text.substr(0, text.size() / 2);
  r = run_vibench("report " + quoted(dir / "truncated.json") + " -o " +
                      quoted(dir / "none.html"),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "truncated.json"));
  CHECK_FALSE(std::filesystem::exists(dir / "none.html"));

  // A checked-in paper suite stays small.
  r = run_vibench("report " +
                      quoted(std::filesystem::path(VIBENCH_SOURCE_DIR) /
                             "results/papers/mirrored_stein.json") +
                      " -o " + quoted(dir / "paper.html") +
                      " --select best-by=energy_distance",
                  dir);
  REQUIRE(r.exit_code == 0);
  const std::string paper = read_text(dir / "paper.html");
  CHECK(paper.size() < 3'000'000);
  CHECK(contains(paper, "svmd"));
  CHECK(contains(paper, "selected"));
}
