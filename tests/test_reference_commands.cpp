// Reference posteriors through the command line: `vibench run` computes the
// reference a suite needs once and caches it (a second run loads it and
// gives bit-identical metrics), `vibench reference` exports it and `vibench
// eval` scores samples against it.
#include <doctest/doctest.h>

#include "command_helpers.hpp"
#include "core/params.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

const char* kSuite = R"({
  "name": "reference-e2e",
  "tasks": [{"name": "eight_schools_noncentered"}, {"name": "gaussian"}],
  "algorithms": [{"name": "mala", "params": {"n_chains": 50, "step_size": 0.05}}],
  "metrics": ["energy_distance", "ksd"],
  "budget": {"max_iterations": 200},
  "checkpoints": {"every": 100},
  "seeds": 2,
  "reference_draws": 500
})";

}  // namespace

TEST_CASE("reference commands: run computes, caches and reuses a reference") {
  const auto dir = temp_dir("reference-commands-run");
  const auto cache = dir / "cache";
  write_file(dir / "suite.json", kSuite);
  const std::string common = (dir / "suite.json").string() +
                             " --jobs 2 -q --reference-cache " + cache.string();
  const CommandOutput first =
      vibench_run("run " + common + " -o " + (dir / "a.json").string(), dir);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  // Computed once for the task without exact draws, not for the gaussian.
  CHECK(first.err.find("computing the NUTS reference posterior of "
                       "eight_schools_noncentered") != std::string::npos);
  CHECK(first.err.find("of gaussian") == std::string::npos);
  size_t cached_files = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(cache))
    ++cached_files;
  CHECK(cached_files == 2);  // draws and provenance

  const CommandOutput second =
      vibench_run("run " + common + " -o " + (dir / "b.json").string(), dir);
  REQUIRE(second.exit_code == 0);
  CHECK(second.err.find("computing") == std::string::npos);

  const Json a = read_json(dir / "a.json"), b = read_json(dir / "b.json");
  REQUIRE(a["cells"].size() == 4);
  for (size_t i = 0; i < a["cells"].size(); ++i) {
    const Json& cell = a["cells"][i];
    INFO(cell["id"]);
    CHECK(cell["status"] == "ok");
    CHECK(cell["final"]["metrics"]["energy_distance"].is_number());
    CHECK(cell["final"]["metrics"] == b["cells"][i]["final"]["metrics"]);
    const bool posterior = cell["task"]["name"] == "eight_schools_noncentered";
    CHECK(cell.contains("reference") == posterior);
    if (posterior)
      CHECK(cell["reference"].get<std::string>().rfind(
                "eight_schools_noncentered-", 0) == 0);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("reference commands: reference exports the draws, eval uses them") {
  const auto dir = temp_dir("reference-commands-export");
  const std::string cache = " --reference-cache " + (dir / "cache").string();
  const auto draws = dir / "draws.csv";
  const CommandOutput exported = vibench_run(
      "reference eight_schools_noncentered -o " + draws.string() + cache, dir);
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.err.find("with its provenance beside it") !=
        std::string::npos);
  const std::string text = read_text(draws);
  CHECK(text.rfind("x1,x2,x3,x4,x5,x6,x7,x8,x9,x10\n", 0) == 0);
  CHECK(std::count(text.begin(), text.end(), '\n') == 10001);  // 4 × 2500

  const auto some = dir / "some.csv";
  CHECK(vibench_run("reference eight_schools_noncentered -n 300 -o " +
                        some.string() + cache,
                    dir)
            .exit_code == 0);
  const std::string few = read_text(some);
  CHECK(std::count(few.begin(), few.end(), '\n') == 301);
  const CommandOutput too_many =
      vibench_run("reference eight_schools_noncentered -n 20000" + cache, dir);
  CHECK(too_many.exit_code == 2);
  CHECK(too_many.err.find("has 10000 draws") != std::string::npos);

  // The reference's own draws score near zero against it; draws shifted by
  // one posterior sd in every coordinate do not.
  const CommandOutput scored =
      vibench_run("eval eight_schools_noncentered --samples " + some.string() +
                      " --metrics energy_distance" + cache,
                  dir);
  REQUIRE(scored.exit_code == 0);
  const Json result = Json::parse(scored.out);
  CHECK(result["reference"].get<std::string>().rfind(
            "eight_schools_noncentered-", 0) == 0);
  const double near = result["metrics"]["energy_distance"];
  CHECK(near < 0.05);
  std::string shifted = "x1,x2,x3,x4,x5,x6,x7,x8,x9,x10\n";
  for (int i = 0; i < 300; ++i) {
    for (int j = 0; j < 10; ++j) shifted += (j ? ",1" : "1");
    shifted += "\n";
  }
  write_file(dir / "shifted.csv", shifted);
  const CommandOutput far = vibench_run(
      "eval eight_schools_noncentered --samples " +
          (dir / "shifted.csv").string() + " --metrics energy_distance" + cache,
      dir);
  REQUIRE(far.exit_code == 0);
  CHECK(Json::parse(far.out)["metrics"]["energy_distance"].get<double>() >
        10 * near);
  std::filesystem::remove_all(dir);
}
