// Display labels: a suite entry's `label` template, the default labels built
// from the parameters that vary, and their use by the report commands.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "report/display_labels.hpp"
#include "report/results_set.hpp"
#include "report/table.hpp"
#include "runner/cell_runner.hpp"
#include "runner/results_file.hpp"
#include "runner/suite.hpp"
#include "runner/suite_runner.hpp"
#include "test_helpers.hpp"

using namespace vibench;
using vibench::testing::temp_dir;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ConfigError template_error(const std::string& text, const Json& params) {
  try {
    expand_label_template(text, params, "/algorithms/0/label");
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("the label template was accepted: " << text);
  return ConfigError("", "");
}

LabelSource source(const std::string& name, const Json& params) {
  return {name, params, Json()};
}

// Two svgd step sizes and one svmd, with labels given or not.
Json labelled_suite(bool with_labels) {
  Json suite = Json::parse(R"({
    "name": "labels", "seeds": 2,
    "tasks": [{"name": "gaussian", "params": {"dim": [2, 3]}}],
    "algorithms": [
      {"name": "svgd", "params": {"n_particles": 10, "step_size": [0.1, 0.5]}},
      {"name": "ula", "params": {"step_size": 0.05}}],
    "budget": {"max_iterations": 3},
    "metrics": ["mean_error"]
  })");
  if (with_labels) {
    suite["tasks"][0]["label"] = "N(0, I_{dim})";
    suite["algorithms"][0]["label"] = "SVGD (η={step_size}) & <co>";
  }
  return suite;
}

}  // namespace

TEST_CASE("labels: a template names parameters in braces") {
  const Json params = {{"step_size", 0.1}, {"kernel", "rbf"}, {"n", 50}};
  CHECK(expand_label_template("SVMD (η={step_size})", params, "") ==
        "SVMD (η=0.1)");
  CHECK(expand_label_template("{kernel}/{n}", params, "") == "rbf/50");
  CHECK(expand_label_template("a {{b}} c", params, "") == "a {b} c");
  CHECK(expand_label_template("plain", params, "") == "plain");
  // Numbers as they read back exactly, not rounded.
  CHECK(expand_label_template("{x}", {{"x", 1e-5}}, "") == "1e-05");
  CHECK(expand_label_template("{x}", {{"x", 0.30000000000000004}}, "") ==
        "0.30000000000000004");
}

TEST_CASE("labels: a bad template is an error at its JSON path") {
  const Json params = {{"step_size", 0.1}, {"eigen_threshold", 0.998}};
  ConfigError e = template_error("SVMD (η={stepsize})", params);
  CHECK(e.where() == "/algorithms/0/label");
  CHECK(contains(e.what(), "no parameter 'stepsize'"));
  CHECK(contains(e.what(), "did you mean 'step_size'?"));
  CHECK(contains(e.what(), "'eigen_threshold'"));
  e = template_error("η={step_size", params);
  CHECK(contains(e.what(), "never closed"));
  e = template_error("η=step_size}", params);
  CHECK(contains(e.what(), "without its '{'"));
  e = template_error("  ", params);
  CHECK(contains(e.what(), "must not be empty"));
}

TEST_CASE("labels: defaults show only the parameters that vary per name") {
  const std::vector<LabelSource> sources = {
      source(
          "svmd",
          {{"step_size", 0.1}, {"eigen_threshold", 0.998}, {"kernel", "imq"}}),
      source(
          "svmd",
          {{"step_size", 0.5}, {"eigen_threshold", 0.998}, {"kernel", "imq"}}),
      source("svmd",
             {{"step_size", 0.5}, {"eigen_threshold", 0.9}, {"kernel", "imq"}}),
      source("svgd", {{"step_size", 0.1}, {"kernel", "rbf"}}),
  };
  // nlohmann keeps object keys sorted: eigen_threshold before step_size.
  CHECK(default_labels(sources) ==
        std::vector<std::string>{"svmd thr=0.998 η=0.1", "svmd thr=0.998 η=0.5",
                                 "svmd thr=0.9 η=0.5", "svgd"});
  // Two varying parameters with one abbreviation keep their full names.
  CHECK(
      default_labels({source("a", {{"step_size", 1}, {"learning_rate", 2}}),
                      source("a", {{"step_size", 3}, {"learning_rate", 4}})}) ==
      std::vector<std::string>{"a learning_rate=2 step_size=1",
                               "a learning_rate=4 step_size=3"});
  // A setting (a task's noise) tells configurations apart like a parameter.
  LabelSource noisy = source("quadratic", {{"dim", 5}});
  noisy.settings = {{"noise", {{"std", 0.1}}}};
  CHECK(
      default_labels({source("quadratic", {{"dim", 5}}), noisy}) ==
      std::vector<std::string>{"quadratic", R"(quadratic noise={"std":0.1})"});
}

TEST_CASE("labels: a suite's templates are recorded, outside the suite hash") {
  const Suite plain = parse_suite(labelled_suite(false), "labels.json");
  const Suite labelled = parse_suite(labelled_suite(true), "labels.json");
  CHECK(plain.hash == labelled.hash);
  REQUIRE(labelled.algorithms.size() == 3);
  CHECK(labelled.algorithms[0].display_label == "SVGD (η=0.1) & <co>");
  CHECK(labelled.algorithms[1].display_label == "SVGD (η=0.5) & <co>");
  CHECK(labelled.algorithms[2].display_label.empty());

  // A template that gives two configurations one label is refused.
  Json twice = labelled_suite(true);
  twice["algorithms"][0]["label"] = "SVGD";
  try {
    parse_suite(twice, "labels.json");
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "/algorithms/0/label");
    CHECK(contains(e.what(), "same label 'SVGD'"));
  }
  // So is a template naming a parameter the algorithm does not have.
  Json unknown = labelled_suite(true);
  unknown["algorithms"][1]["label"] = "ULA ({stepsize})";
  try {
    parse_suite(unknown, "labels.json");
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "/algorithms/1/label");
    CHECK(contains(e.what(), "did you mean 'step_size'?"));
  }
  Json not_text = labelled_suite(true);
  not_text["tasks"][0]["label"] = 3;
  try {
    parse_suite(not_text, "labels.json");
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "/tasks/0/label");
  }

  // Run: the records carry the labels and the table shows them.
  const auto dir = temp_dir("labels-run");
  RunOptions options;
  options.output = (dir / "labelled.json").string();
  options.isolation = CellIsolation::none;
  const Json results = run_suite(labelled, expand_cells(labelled), options);
  const DisplayLabels shown = display_labels_of_cells(results["cells"]);
  CHECK(shown.algorithm(R"(svgd{"n_particles":10,"step_size":0.5})") ==
        "SVGD (η=0.5) & <co>");
  // No template: the default label, where nothing of ula varies.
  CHECK(shown.algorithm(R"(ula{"step_size":0.05})") == "ula");
  CHECK(shown.task(R"(gaussian{"dim":3})") == "N(0, I_3)");
  TableOptions table;
  table.metric = "mean_error";
  const std::string markdown =
      make_table(make_result_set({results}, {"labelled.json"}), table);
  INFO(markdown);
  CHECK(contains(markdown, "SVGD (η=0.1) & <co>"));
  CHECK(contains(markdown, "| ula "));
}

TEST_CASE("labels: configurations that would read alike keep their ids") {
  // Two files: one left step_size at its default, one gave it; the
  // effective parameters, and so the default labels, are equal.
  const std::vector<Json> records = {
      {{"task", {{"label", "t"}, {"name", "t"}, {"params", Json::object()}}},
       {"algorithm",
        {{"label", "gd"}, {"name", "gd"}, {"params", {{"step_size", 0.1}}}}}},
      {{"task", {{"label", "t"}, {"name", "t"}, {"params", Json::object()}}},
       {"algorithm",
        {{"label", R"(gd{"step_size":0.1})"},
         {"name", "gd"},
         {"params", {{"step_size", 0.1}}}}}},
  };
  const DisplayLabels shown = display_labels(records);
  CHECK(shown.algorithm("gd") == "gd");
  CHECK(shown.algorithm(R"(gd{"step_size":0.1})") == R"(gd{"step_size":0.1})");
  CHECK(shown.task("t") == "t");
  CHECK(shown.task("unknown") == "unknown");
}

TEST_CASE("labels: a resumed run takes the suite's labels as they are now") {
  const auto dir = temp_dir("labels-resume");
  const std::string output = (dir / "r.json").string();
  Json old_suite = labelled_suite(true);
  const Suite before = parse_suite(old_suite, "labels.json");
  const auto cells = expand_cells(before);
  // Interrupted after one cell, run with the old label.
  {
    Journal journal(Journal::path_for(output), before.hash);
    journal.append(run_cell(before, cells[0]));
  }
  Json new_suite = labelled_suite(true);
  new_suite["algorithms"][0]["label"] = "SVGD, step {step_size}";
  new_suite["tasks"][0].erase("label");
  const Suite after = parse_suite(new_suite, "labels.json");
  REQUIRE(after.hash == before.hash);
  RunOptions options;
  options.output = output;
  options.resume = true;
  options.isolation = CellIsolation::none;
  const Json results = run_suite(after, expand_cells(after), options);
  const Json& resumed = results["cells"][0];
  CHECK(resumed["algorithm"]["display_label"] == "SVGD, step 0.1");
  CHECK_FALSE(resumed["task"].contains("display_label"));
}
