// vibench merge and run --shard: shards joined by merge give the single
// run's cells, in suite order, with the same metric values; merge refuses
// results of different suites and duplicate cells, and a merge that misses
// cells of its suite (a shard that failed or was not run) unless
// --allow-partial.
#include <doctest/doctest.h>

#include "command_helpers.hpp"
#include "core/error.hpp"
#include "report/merge.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

const char* kMergeSuite = R"({
  "name": "merge-test", "seeds": 2,
  "tasks": [{"name": "gmm", "params": {"preset": "ring8"}},
            {"name": "gaussian", "params": {"dim": 3}},
            {"name": "quadratic", "params": {"dim": 4}}],
  "algorithms": [{"name": "svgd", "params": {"n_particles": 20, "step_size": [0.1, 0.5]}},
                 {"name": "mala", "params": {"n_chains": 20, "step_size": 0.05}},
                 {"name": "gd", "params": {"step_size": 0.1}}],
  "budget": {"max_iterations": 30}, "checkpoints": {"every": 10},
  "reference_draws": 100,
  "metrics": ["energy_distance", "mmd2", "ksd", "mean_error", "suboptimality"]
})";

// Everything of a cell that must not depend on how the suite was split.
Json cell_values(const Json& record) {
  return {record["id"],
          record["status"],
          record["seeds"],
          record["trace"]["metrics"],
          record["trace"]["grad_evals"],
          record["final"]["metrics"]};
}

}  // namespace

TEST_CASE(
    "merge: sharded runs merged equal one run (same cells, order, "
    "metric values)") {
  const auto dir = temp_dir("merge-shards");
  const auto suite = dir / "suite.json";
  write_file(suite, kMergeSuite);
  const auto whole = dir / "whole.json";
  auto r = vibench_run(
      "run " + suite.string() + " -q --jobs 2 -o " + whole.string(), dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Json single = read_json(whole);
  const size_t total = single["cells"].size();

  std::vector<std::string> shards;
  size_t shard_cells = 0;
  for (int k = 1; k <= 3; ++k) {
    const auto shard = dir / ("shard" + std::to_string(k) + ".json");
    r = vibench_run("run " + suite.string() + " -q --jobs 1 --shard " +
                        std::to_string(k) + "/3 -o " + shard.string(),
                    dir);
    REQUIRE(r.exit_code == 0);
    const Json part = read_json(shard);
    shard_cells += part["cells"].size();
    // Shard k holds the cells whose index is k-1 modulo 3.
    for (size_t i = 0; i < part["cells"].size(); ++i)
      CHECK(part["cells"][i]["id"] == single["cells"][3 * i + k - 1]["id"]);
    shards.push_back(shard.string());
  }
  CHECK(shard_cells == total);

  // Merged in another order than the shards' numbers.
  const auto merged_path = dir / "merged.json";
  r = vibench_run("merge " + shards[2] + " " + shards[0] + " " + shards[1] +
                      " -o " + merged_path.string(),
                  dir);
  REQUIRE(r.exit_code == 0);
  const Json merged = read_json(merged_path);
  REQUIRE(merged["cells"].size() == total);
  for (size_t i = 0; i < total; ++i)
    CHECK(cell_values(merged["cells"][i]) == cell_values(single["cells"][i]));
  CHECK(merged["suite_hash"] == single["suite_hash"]);
  CHECK(merged["suite"] == single["suite"]);
  CHECK(merged["metrics"] == single["metrics"]);
  REQUIRE(merged["context"]["merged_from"].size() == 3);
  CHECK(merged["context"]["merged_from"][0]["file"] == shards[2]);
  CHECK(merged["context"]["merged_from"][0]["context"]["command"]
            .get<std::string>()
            .find("--shard 3/3") != std::string::npos);

  // Never overwritten without --force; with it, merging a merged file with
  // nothing else keeps the original provenance.
  r = vibench_run("merge " + shards[0] + " -o " + merged_path.string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--force") != std::string::npos);
  const auto again = dir / "again.json";
  r = vibench_run("merge " + merged_path.string() + " -o " + again.string(),
                  dir);
  REQUIRE(r.exit_code == 0);
  CHECK(read_json(again)["context"]["merged_from"].size() == 3);

  // --shard with --dry-run lists the slice; a bad shard is a usage error.
  r = vibench_run("run " + suite.string() + " --dry-run --shard 2/3", dir);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(single["cells"][1]["id"].get<std::string>()) !=
        std::string::npos);
  CHECK(r.out.find(single["cells"][0]["id"].get<std::string>() + "\n") ==
        std::string::npos);
  for (const char* bad : {"0/3", "4/3", "x", "1/0"}) {
    r = vibench_run("run " + suite.string() + " --dry-run --shard " + bad, dir);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--shard") != std::string::npos);
  }
}

TEST_CASE("merge: refuses results of different suites and duplicate cells") {
  const auto dir = temp_dir("merge-refuse");
  const auto suite = dir / "suite.json", other = dir / "other.json";
  write_file(suite, kMergeSuite);
  Json changed = Json::parse(kMergeSuite);
  changed["seeds"] = 1;
  write_file(other, changed.dump());
  const auto a = dir / "a.json", b = dir / "b.json", c = dir / "c.json";
  REQUIRE(vibench_run("run " + suite.string() +
                          " -q --filter 'gaussian' --shard 1/2 -o " +
                          a.string(),
                      dir)
              .exit_code == 0);
  REQUIRE(vibench_run("run " + suite.string() + " -q --filter 'gaussian' -o " +
                          b.string(),
                      dir)
              .exit_code == 0);
  REQUIRE(vibench_run("run " + other.string() + " -q --filter 'gaussian' -o " +
                          c.string(),
                      dir)
              .exit_code == 0);

  const auto out = dir / "out.json";
  auto r = vibench_run(
      "merge " + a.string() + " " + c.string() + " -o " + out.string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("different suites") != std::string::npos);
  CHECK(r.err.find(a.string()) != std::string::npos);
  CHECK(r.err.find(c.string()) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));

  r = vibench_run(
      "merge " + a.string() + " " + b.string() + " -o " + out.string(), dir);
  CHECK(r.exit_code == 2);
  const std::string first_id = read_json(a)["cells"][0]["id"];
  CHECK(r.err.find("'" + first_id + "'") != std::string::npos);
  CHECK(r.err.find(a.string()) != std::string::npos);
  CHECK(r.err.find(b.string()) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE(
    "merge: cells that do not match the suite follow in order of "
    "first appearance") {
  const Json suite = {
      {"tasks", Json::array({{{"name", "t"}, {"params", {{"a", 1}}}}})},
      {"algorithms",
       Json::array({{{"name", "x"}, {"params", Json::object()}},
                    {{"name", "y"}, {"params", Json::object()}}})},
      {"seeds", {0, 1}}};
  auto cell = [](const std::string& id, const std::string& algorithm,
                 int replicate) {
    return Json{
        {"id", id},
        {"task", {{"name", "t"}, {"params", {{"a", 1}}}}},
        {"algorithm", {{"name", algorithm}, {"params", Json::object()}}},
        {"replicate", replicate}};
  };
  const Json first = {{"suite", suite},
                      {"suite_hash", "h"},
                      {"cells", {cell("odd", "z", 0), cell("y1", "y", 1)}}};
  const Json second = {
      {"suite", suite},
      {"suite_hash", "h"},
      {"cells", {cell("y0", "y", 0), cell("x1", "x", 1), cell("x0", "x", 0)}}};
  const Json merged = merge_results({{"A", first}, {"B", second}}, "test");
  std::vector<std::string> ids;
  for (const auto& record : merged["cells"]) ids.push_back(record["id"]);
  CHECK(ids == std::vector<std::string>{"x0", "x1", "y0", "y1", "odd"});

  CHECK_THROWS_WITH_AS(merge_results({{"A", first}, {"B", first}}, "test"),
                       doctest::Contains("cell 'odd' is in both 'A' and 'B'"),
                       ConfigError);
  Json third = second;
  third["suite_hash"] = "other";
  CHECK_THROWS_WITH_AS(merge_results({{"A", first}, {"C", third}}, "test"),
                       doctest::Contains("'A' and 'C'"), ConfigError);
}

TEST_CASE(
    "merge: a missing shard is refused and named; --allow-partial records "
    "it; rerunning that shard completes the result, bit for bit") {
  const auto dir = temp_dir("merge-missing-shard");
  const auto suite = dir / "suite.json";
  write_file(suite, kMergeSuite);
  const auto whole = dir / "whole.json";
  auto r = vibench_run(
      "run " + suite.string() + " -q --jobs 2 -o " + whole.string(), dir);
  REQUIRE(r.exit_code == 0);
  const Json single = read_json(whole);
  const size_t total = single["cells"].size();
  REQUIRE(total > 8);

  auto shard_file = [&](int k) {
    return (dir / ("shard-" + std::to_string(k) + "-of-4.json")).string();
  };
  for (int k : {1, 2, 4}) {
    r = vibench_run("run " + suite.string() + " -q --jobs 1 --shard " +
                        std::to_string(k) + "/4 -o " + shard_file(k),
                    dir);
    REQUIRE(r.exit_code == 0);
  }
  // The shard is recorded in the context, normalised.
  CHECK(read_json(shard_file(2))["context"]["shard"] == "2/4");
  CHECK_FALSE(read_json(shard_file(2))["context"].contains("filter"));
  CHECK_FALSE(single["context"].contains("shard"));

  // Shard 3 holds the cells whose index is 2 modulo 4.
  std::vector<std::string> third;
  for (size_t i = 2; i < total; i += 4)
    third.push_back(single["cells"][i]["id"]);

  const std::string present =
      shard_file(4) + " " + shard_file(1) + " " + shard_file(2);
  const auto refused = dir / "refused.json";
  r = vibench_run("merge " + present + " -o " + refused.string(), dir);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("shard 3/4 missing (" + std::to_string(third.size()) +
                   " cells: " + third[0] + ", " + third[1]) !=
        std::string::npos);
  CHECK(r.err.find(std::to_string(total - third.size()) + " of the " +
                   std::to_string(total) + " cells") != std::string::npos);
  CHECK(r.err.find("--allow-partial") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(refused));

  // --allow-partial writes what there is and records what is missing.
  const auto partial = dir / "partial.json";
  r = vibench_run(
      "merge " + present + " --allow-partial -o " + partial.string(), dir);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("warning: partial result") != std::string::npos);
  CHECK(r.err.find("shard 3/4 missing") != std::string::npos);
  CHECK(r.out.find(std::to_string(third.size()) + " missing") !=
        std::string::npos);
  const Json part = read_json(partial);
  CHECK(part["cells"].size() == total - third.size());
  CHECK(part["missing_cells"] == Json(third));
  CHECK(part["context"]["merge"]["missing_shards"] == Json::array({"3/4"}));

  // Running only the missing shard and merging it with the partial result
  // gives the single run, bit for bit, with nothing recorded as missing.
  r = vibench_run(
      "run " + suite.string() + " -q --jobs 1 --shard 3/4 -o " + shard_file(3),
      dir);
  REQUIRE(r.exit_code == 0);
  const auto completed = dir / "completed.json";
  r = vibench_run("merge " + partial.string() + " " + shard_file(3) + " -o " +
                      completed.string(),
                  dir);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("warning") == std::string::npos);
  const Json complete = read_json(completed);
  CHECK_FALSE(complete.contains("missing_cells"));
  CHECK_FALSE(complete["context"]["merge"].contains("missing_shards"));
  REQUIRE(complete["cells"].size() == total);
  for (size_t i = 0; i < total; ++i)
    CHECK(cell_values(complete["cells"][i]) == cell_values(single["cells"][i]));
  CHECK(complete["context"]["merged_from"].size() == 4);
  r = vibench_run(
      "compare " + whole.string() + " " + completed.string() + " --exact", dir);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("0 values moved") != std::string::npos);
}

TEST_CASE(
    "merge: filtered shards are checked against their filter; cells that "
    "are not ok are merged and counted") {
  const auto dir = temp_dir("merge-filtered");
  const auto suite = dir / "suite.json";
  // gd with a step of 5 leaves the quadratic (L = 100) at once: diverged.
  write_file(suite, R"({
    "name": "merge-diverge", "seeds": 2,
    "tasks": [{"name": "quadratic", "params": {"dim": 4, "condition_number": 100}},
              {"name": "gaussian", "params": {"dim": 2}}],
    "algorithms": [{"name": "gd", "params": {"step_size": [0.001, 5.0]}},
                   {"name": "ula", "params": {"n_chains": 10, "step_size": 0.05}}],
    "budget": {"max_iterations": 30}, "checkpoints": {"every": 10},
    "reference_draws": 100, "divergence_threshold": 1e10,
    "metrics": ["suboptimality", "mean_error"]
  })");
  const auto a = dir / "a.json", b = dir / "b.json";
  auto r =
      vibench_run("run " + suite.string() +
                      " -q --filter quadratic --shard 1/2 -o " + a.string(),
                  dir);
  REQUIRE(r.exit_code == 1);  // one of its cells diverged
  CHECK(read_json(a)["context"]["filter"] == "quadratic");

  // Only the filter's cells are expected: its second shard is missing.
  const auto out = dir / "out.json";
  r = vibench_run("merge " + a.string() + " -o " + out.string(), dir);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("2 of the 4 cells") != std::string::npos);
  CHECK(r.err.find("shard 2/2 of --filter 'quadratic' missing (2 cells") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));

  r = vibench_run("run " + suite.string() +
                      " -q --filter quadratic --shard 2/2 -o " + b.string(),
                  dir);
  REQUIRE(r.exit_code == 1);
  r = vibench_run(
      "merge " + a.string() + " " + b.string() + " -o " + out.string(), dir);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("(4 cells, 2 not ok: 2 diverged)") != std::string::npos);
  CHECK_FALSE(read_json(out).contains("missing_cells"));
}

TEST_CASE("merge: coverage of a merged document, without shard information") {
  const auto dir = temp_dir("merge-coverage");
  const auto suite = dir / "suite.json";
  write_file(suite, kMergeSuite);
  const auto whole = dir / "whole.json";
  REQUIRE(
      vibench_run("run " + suite.string() + " -q --jobs 2 -o " + whole.string(),
                  dir)
          .exit_code == 0);
  Json document = read_json(whole);
  const size_t total = document["cells"].size();
  const std::string gone = document["cells"][1]["id"];
  document["cells"].erase(1);
  const Json merged = merge_results({{"w", document}}, "test");
  const MergeCoverage coverage = merge_coverage(merged);
  REQUIRE(coverage.checked);
  CHECK(coverage.expected == total);
  CHECK(coverage.missing == std::vector<std::string>{gone});
  CHECK(coverage.shards.empty());
  CHECK(describe_missing(coverage) == "1 cell missing: " + gone);

  // A suite this build cannot read leaves the coverage unchecked.
  Json odd = merged;
  odd["suite"]["tasks"][0]["name"] = "no_such_task";
  const MergeCoverage unknown = merge_coverage(odd);
  CHECK_FALSE(unknown.checked);
  CHECK(unknown.missing.empty());
  CHECK(not_ok_counts(merged).empty());
}
