// vibench export: the tidy long table (one row per cell × checkpoint ×
// metric), its values against the result file, and RFC 4180 quoting.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>

#include "command_helpers.hpp"
#include "core/csv.hpp"
#include "report/export.hpp"
#include "runner/suite_runner.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

const char* kExportSuite = R"({
  "name": "export-test", "seeds": 2,
  "tasks": [{"name": "gmm", "params": {"preset": "ring8"}},
            {"name": "gaussian", "params": {"dim": 2, "mean": [1, -1]}},
            {"name": "quadratic", "params": {"dim": 3}}],
  "algorithms": [{"name": "svgd", "params": {"n_particles": 20, "step_size": [0.1, 0.5]}},
                 {"name": "ula", "params": {"n_chains": 20, "step_size": 0.05}},
                 {"name": "gd", "params": {"step_size": 0.1}}],
  "budget": {"max_iterations": 20}, "checkpoints": {"every": 5},
  "reference_draws": 100,
  "metrics": ["energy_distance", "ksd", "mean_error", "suboptimality", "grad_norm"]
})";

// Runs a suite in-process and returns the result file's path.
std::filesystem::path run_suite_file(const std::string& suite_json,
                                     const std::filesystem::path& dir) {
  const Suite suite = parse_suite(Json::parse(suite_json), "suite.json");
  RunOptions options;
  options.jobs = 2;
  options.output = (dir / "results.json").string();
  run_suite(suite, expand_cells(suite), options);
  return options.output;
}

// Σ over cells of checkpoints × metrics in the trace.
size_t expected_rows(const Json& results) {
  size_t rows = 0;
  for (const auto& record : results["cells"])
    rows += record["trace"]["iterations"].size() *
            record["trace"]["metrics"].size();
  return rows;
}

size_t column_of(const std::vector<std::string>& header,
                 const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE(
    "export: one CSV row per cell x checkpoint x metric, values as in "
    "the result file") {
  const auto dir = temp_dir("export-csv");
  const auto path = run_suite_file(kExportSuite, dir);
  const ResultsInput input = load_results_file(path.string());
  const Json& results = input.document;
  const size_t rows = expected_rows(results);
  REQUIRE(rows > 0);
  CHECK(export_row_count({input}) == rows);

  const auto records = parse_csv(export_results({input}, ExportFormat::csv));
  REQUIRE(records.size() == rows + 1);
  const auto& header = records[0].fields;
  CHECK(header == export_columns({input}));
  for (const char* name : {"file",
                           "cell_id",
                           "kind",
                           "task",
                           "task_label",
                           "task_display",
                           "algorithm",
                           "algorithm_label",
                           "algorithm_display",
                           "replicate",
                           "status",
                           "task.preset",
                           "task.dim",
                           "task.mean",
                           "algorithm.step_size",
                           "algorithm.n_chains",
                           "iterations",
                           "grad_evals",
                           "value_evals",
                           "hvp_evals",
                           "seconds",
                           "metric",
                           "value"})
    CHECK_MESSAGE(std::find(header.begin(), header.end(), name) != header.end(),
                  name);

  const size_t id = column_of(header, "cell_id"),
               iterations = column_of(header, "iterations"),
               grad_evals = column_of(header, "grad_evals"),
               metric = column_of(header, "metric"),
               value = column_of(header, "value"),
               mean = column_of(header, "task.mean"),
               step = column_of(header, "algorithm.step_size"),
               label = column_of(header, "algorithm_label"),
               task_display = column_of(header, "task_display"),
               algorithm_display = column_of(header, "algorithm_display");
  std::map<std::string, size_t> rows_per_cell;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& f = records[r].fields;
    REQUIRE(f.size() == header.size());
    const Json& record = record_of(results, f[id]);
    CHECK(f[label] == record["algorithm"]["label"].get<std::string>());
    const auto& trace = record["trace"];
    // The checkpoint: the position of this iteration in the trace.
    size_t k = 0;
    while (k < trace["iterations"].size() &&
           std::to_string(trace["iterations"][k].get<long long>()) !=
               f[iterations])
      ++k;
    REQUIRE(k < trace["iterations"].size());
    CHECK(f[grad_evals] == trace["grad_evals"][k].dump());
    const Json& expected = trace["metrics"][f[metric]][k];
    if (expected.is_null()) {
      CHECK(f[value].empty());
    } else {
      CHECK(std::strtod(f[value].c_str(), nullptr) == expected.get<double>());
    }
    if (record["task"]["name"] == "gaussian") CHECK(f[mean] == "[1,-1]");
    // Display labels: one configuration per task, so the bare name; the
    // svgd grid varies only its step size, which the label shows as η.
    CHECK(f[task_display] == record["task"]["name"].get<std::string>());
    if (record["algorithm"]["name"] == "svgd") {
      CHECK(std::strtod(f[step].c_str(), nullptr) ==
            record["algorithm"]["params"]["step_size"].get<double>());
      CHECK(f[algorithm_display] ==
            (f[step] == "0.1" ? "svgd η=0.1" : "svgd η=0.5"));
    } else {
      CHECK(f[algorithm_display] ==
            record["algorithm"]["name"].get<std::string>());
      if (record["algorithm"]["name"] == "ula") CHECK(f[step] == "0.05");
    }
    ++rows_per_cell[f[id]];
  }
  for (const auto& record : results["cells"])
    CHECK(rows_per_cell[record["id"]] == record["trace"]["iterations"].size() *
                                             record["trace"]["metrics"].size());

  // JSON lines: the same rows, with JSON types; null for a missing value.
  const std::string jsonl = export_results({input}, ExportFormat::jsonl);
  size_t lines = 0;
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line); ++lines) {
    const Json row = Json::parse(line);
    CHECK(row.size() == header.size());
    const Json& record = record_of(results, row["cell_id"]);
    const auto& trace = record["trace"];
    size_t k = 0;
    while (trace["iterations"][k] != row["iterations"]) ++k;
    CHECK(row["value"] ==
          trace["metrics"][row["metric"].get<std::string>()][k]);
  }
  CHECK(lines == rows);
}

TEST_CASE("export: CSV quoting round trip (commas, quotes, line breaks)") {
  const std::vector<std::string> fields = {
      "plain",      "a,b",
      "say \"hi\"", "my \"fancy\", label",
      "two\nlines", "",
      " padded ",   "svgd{\"n_particles\":20,\"step_size\":0.1}"};
  const std::string row = csv_row(fields);
  CHECK(row.find("\"my \"\"fancy\"\", label\"") != std::string::npos);
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  const auto parsed = parse_csv(row + csv_row({"x", "y"}));
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[0].fields == fields);
  CHECK(parsed[1].line == 3);  // the first record spans two lines
  CHECK(parse_csv("a,b\r\n1,2\r\n\r\n3,4")[2].fields ==
        std::vector<std::string>{"3", "4"});
  CHECK_THROWS_WITH_AS(parse_csv("a,\"b\n"), doctest::Contains("never closed"),
                       std::runtime_error);
  CHECK_THROWS_AS(parse_csv("a,b\"c\n"), std::runtime_error);

  // A result file whose labels hold commas and quotes exports and reads back.
  Json results = {
      {"schema_version", 1},
      {"metrics", Json::array({{{"name", "ksd"}}})},
      {"cells", Json::array({{{"id", "t|my \"fancy\", algo|r0"},
                              {"kind", "distribution"},
                              {"task",
                               {{"name", "t"},
                                {"label", "t"},
                                {"params", {{"note", "a,\"b\""}}}}},
                              {"algorithm",
                               {{"name", "algo"},
                                {"label", "my \"fancy\", algo"},
                                {"params", {{"grid", Json::array({1, 2})}}}}},
                              {"replicate", 0},
                              {"status", "ok"},
                              {"trace",
                               {{"iterations", {0, 10}},
                                {"grad_evals", {0, 100}},
                                {"value_evals", {0, 0}},
                                {"hvp_evals", {0, 0}},
                                {"seconds", {0.0, 0.5}},
                                {"metrics", {{"ksd", {1.5, nullptr}}}}}}}})}};
  const ResultsInput input{"odd, \"name\".json", results};
  const auto records = parse_csv(export_results({input}, ExportFormat::csv));
  REQUIRE(records.size() == 3);
  const auto& header = records[0].fields;
  const auto& row1 = records[1].fields;
  CHECK(row1[column_of(header, "file")] == "odd, \"name\".json");
  CHECK(row1[column_of(header, "cell_id")] == "t|my \"fancy\", algo|r0");
  CHECK(row1[column_of(header, "algorithm_label")] == "my \"fancy\", algo");
  CHECK(row1[column_of(header, "algorithm_display")] == "algo");
  CHECK(row1[column_of(header, "task.note")] == "a,\"b\"");
  CHECK(row1[column_of(header, "algorithm.grid")] == "[1,2]");
  CHECK(row1[column_of(header, "value")] == "1.5");
  CHECK(records[2].fields[column_of(header, "value")].empty());  // null

  // Display labels span every input: the same algorithm with another
  // parameter in a second file shows it in both; a suite's own label wins.
  Json other = results;
  other["cells"][0]["id"] = "t|algo2|r0";
  other["cells"][0]["algorithm"]["label"] = "algo2";
  other["cells"][0]["algorithm"]["params"]["grid"] = Json::array({3});
  const auto both = parse_csv(export_results(
      {input, ResultsInput{"other.json", other}}, ExportFormat::csv));
  REQUIRE(both.size() == 5);
  const size_t shown = column_of(header, "algorithm_display"),
               task_shown = column_of(header, "task_display");
  CHECK(both[1].fields[shown] == "algo grid=[1,2]");
  CHECK(both[3].fields[shown] == "algo grid=[3]");
  CHECK(both[1].fields[task_shown] == "t");
  CHECK(both[3].fields[task_shown] == "t");
  other["cells"][0]["algorithm"]["display_label"] = "Algo <2>";
  const auto given = parse_csv(export_results(
      {input, ResultsInput{"other.json", other}}, ExportFormat::csv));
  CHECK(given[1].fields[shown] == "algo grid=[1,2]");
  CHECK(given[3].fields[shown] == "Algo <2>");
}

TEST_CASE("export: the command line (CSV and JSON lines, never overwrites)") {
  const auto dir = temp_dir("export-cli");
  const auto path = run_suite_file(kExportSuite, dir);
  const size_t rows = expected_rows(read_json(path));
  const auto csv = dir / "table.csv";
  auto r = vibench_run("export " + path.string() + " -o " + csv.string(), dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(parse_csv(read_text(csv)).size() == rows + 1);
  r = vibench_run("export " + path.string() + " -o " + csv.string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--force") != std::string::npos);

  r = vibench_run(
      "export " + path.string() + " " + path.string() + " --format jsonl", dir);
  REQUIRE(r.exit_code == 0);
  CHECK(static_cast<size_t>(std::count(r.out.begin(), r.out.end(), '\n')) ==
        2 * rows);

  write_file(dir / "not-results.json", R"({"hello": 1})");
  r = vibench_run("export " + (dir / "not-results.json").string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("not-results.json") != std::string::npos);
}
