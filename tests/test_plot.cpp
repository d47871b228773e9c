// scripts/plot.py on a small result file writes a PNG (skipped, with a
// message, when python3 or matplotlib is missing).
#include <doctest/doctest.h>

#include "command_helpers.hpp"
#include "runner/suite_runner.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

// The first python3 that has matplotlib (command_helpers.hpp).
std::string python_with_matplotlib() {
  return python_with("matplotlib, numpy");
}

}  // namespace

TEST_CASE("plot: scripts/plot.py writes a PNG of a result file") {
  const auto dir = temp_dir("plot");
  const std::string python = python_with_matplotlib();
  if (python.empty()) {
    MESSAGE(
        "skipped: no python3 with matplotlib (apt-get install "
        "python3-matplotlib)");
    return;
  }

  const Suite suite = parse_suite(Json::parse(R"({
    "seeds": 3,
    "tasks": [{"name": "gaussian", "params": {"dim": 2}},
              {"name": "quadratic", "params": {"dim": 3}}],
    "algorithms": [{"name": "ula", "params": {"n_chains": 20, "step_size": [0.05, 0.2]}},
                   {"name": "gd", "params": {"step_size": 0.1}}],
    "budget": {"max_iterations": 100}, "checkpoints": {"log_spaced": 6},
    "reference_draws": 100,
    "metrics": ["energy_distance", "suboptimality"]})"),
                                  "plot-suite.json");
  RunOptions options;
  options.jobs = 2;
  options.output = (dir / "results.json").string();
  run_suite(suite, expand_cells(suite), options);

  const std::string script = std::string(VIBENCH_SOURCE_DIR) +
                             "/scripts/plot.py --vibench " + VIBENCH_EXECUTABLE;
  const auto figure = dir / "figure.png";
  auto r = shell_command(python + " " + script + " " + options.output +
                             " --metric energy_distance -o " + figure.string(),
                         dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string png = read_text(figure);
  CHECK(png.size() > 1000);
  CHECK(png.rfind("\x89PNG\r\n\x1a\n", 0) == 0);

  // Other axes and formats; a metric nobody recorded is an error.
  r = shell_command(python + " " + script + " " + options.output +
                        " --metric suboptimality --x seconds --linear -o " +
                        (dir / "figure.svg").string(),
                    dir);
  CHECK(r.exit_code == 0);
  CHECK(read_text(dir / "figure.svg").find("<svg") != std::string::npos);

  // One line per algorithm with --select; matplotlib's SVG keeps each text
  // as a comment beside its glyphs, so the legend can be read back.
  r = shell_command(python + " " + script + " " + options.output +
                        " --metric energy_distance --select "
                        "best-by=energy_distance --stat mean-ci -o " +
                        (dir / "selected.svg").string(),
                    dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("ula: selected ula") != std::string::npos);
  const std::string selected = read_text(dir / "selected.svg");
  // The line is labelled by the configuration chosen (on its one task).
  const bool small = selected.find("<!-- ula η=0.05 -->") != std::string::npos;
  const bool large = selected.find("<!-- ula η=0.2 -->") != std::string::npos;
  CHECK(small != large);
  CHECK(r.err.find(small ? "selected ula η=0.05" : "selected ula η=0.2") !=
        std::string::npos);
  // Without it, a line per configuration, each label whole on one line.
  r = shell_command(python + " " + script + " " + options.output +
                        " --metric energy_distance -o " +
                        (dir / "all.svg").string(),
                    dir);
  REQUIRE(r.exit_code == 0);
  const std::string all = read_text(dir / "all.svg");
  CHECK(all.find("<!-- ula η=0.05 -->") != std::string::npos);
  CHECK(all.find("<!-- ula η=0.2 -->") != std::string::npos);
  r = shell_command(python + " " + script + " " + options.output +
                        " --metric no_such_metric -o " +
                        (dir / "none.png").string(),
                    dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no_such_metric") != std::string::npos);
}

TEST_CASE("plot: scripts/plot_profiles.py draws vibench profile's CSV") {
  const auto dir = temp_dir("plot-profiles");
  const std::string python = python_with_matplotlib();
  if (python.empty()) {
    MESSAGE("skipped: no python3 with matplotlib");
    return;
  }
  const std::string results =
      std::string(VIBENCH_SOURCE_DIR) + "/results/baselines/ci.json";
  const auto csv = dir / "profile.csv";
  auto r =
      vibench_run("profile " + results +
                      " --metric suboptimality --format csv -o " + csv.string(),
                  dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string script =
      std::string(VIBENCH_SOURCE_DIR) + "/scripts/plot_profiles.py";
  const auto figure = dir / "profiles.png";
  r = shell_command(
      python + " " + script + " " + csv.string() + " -o " + figure.string(),
      dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_text(figure).rfind("\x89PNG\r\n\x1a\n", 0) == 0);
  // Not replaced without --force.
  r = shell_command(
      python + " " + script + " " + csv.string() + " -o " + figure.string(),
      dir);
  CHECK(r.exit_code == 2);

  // The colour is the CSV's colour index (tab10 #3 is #d62728), not the
  // algorithm's place in the file (which would be tab10 #0, #1f77b4).
  const auto by_hand = dir / "by_hand.csv";
  write_file(by_hand,
             "profile,algorithm,color,x,fraction\n"
             "performance,\"A\",3,1,0.5\nperformance,\"A\",3,2,1\n"
             "data,\"A\",3,10,0.5\ndata,\"A\",3,100,1\n"
             "ecdf,\"A\",3,10,0.25\necdf,\"A\",3,100,1\n");
  const auto svg = dir / "by_hand.svg";
  r = shell_command(
      python + " " + script + " " + by_hand.string() + " -o " + svg.string(),
      dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string drawn = read_text(svg);
  CHECK(drawn.find("#d62728") != std::string::npos);
  CHECK(drawn.find("#1f77b4") == std::string::npos);
}
