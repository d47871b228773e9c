// Nothing lost, nothing overwritten (issue #19): outputs written through
// links and never over a FIFO, a device or an input; a journal that keeps
// every whole record through torn and garbage lines and a full disk; deep
// JSON refused with a message; a comparison of nothing is not a pass.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "command_helpers.hpp"
#include "core/atomic_write.hpp"
#include "core/error.hpp"
#include "core/json_structure.hpp"
#include "core/rng.hpp"
#include "runner/cell_runner.hpp"
#include "runner/metric_plan.hpp"
#include "runner/results_file.hpp"
#include "runner/suite.hpp"
#include "runner/suite_runner.hpp"
#include "tasks/distribution.hpp"
#include "tasks/oracles.hpp"

using namespace vibench;
using namespace vibench::testing;
namespace fs = std::filesystem;

namespace {

const char* kSmallSuite = R"({
  "name": "reliability",
  "seeds": 4,
  "tasks": [{"name": "quadratic", "params": {"dim": 3}}],
  "algorithms": [{"name": "gd", "params": {"step_size": 0.1}}],
  "metrics": ["suboptimality"],
  "budget": {"max_iterations": 50}
})";

size_t count_files(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("reliability: -o writes through a link and refuses a FIFO") {
  const auto dir = temp_dir("reliability-links");
  write_file(dir / "suite.json", kSmallSuite);
  write_file(dir / "target.json", "old");
  fs::create_symlink(dir / "target.json", dir / "link.json");
  const std::string suite = (dir / "suite.json").string();
  auto r = vibench_run(
      "run " + suite + " -q --force -o " + (dir / "link.json").string(), dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::is_symlink(dir / "link.json"));
  CHECK(read_json(dir / "target.json")["cells"].size() == 4);

  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0644) == 0);
  r = vibench_run("run " + suite + " -q --force -o " + (dir / "fifo").string(),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("is a FIFO") != std::string::npos);
  CHECK(fs::is_fifo(dir / "fifo"));
  r = vibench_run("run " + suite + " -q --force -o " + dir.string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("is a directory") != std::string::npos);

  // /dev/null discards without a journal beside it and without --force;
  // '-' is standard output.
  r = vibench_run("run " + suite + " -q -o /dev/null", dir);
  CHECK(r.exit_code == 0);
  CHECK(fs::is_character_file("/dev/null"));
  CHECK_FALSE(fs::exists("/dev/null.journal.jsonl"));
  r = vibench_run("run " + suite + " -q -o -", dir);
  REQUIRE(r.exit_code == 0);
  CHECK(Json::parse(r.out)["cells"].size() == 4);
  CHECK(r.err.find("results: standard output") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "-"));
  fs::remove_all(dir);
}

TEST_CASE(
    "reliability: a journal with torn and garbage lines keeps every whole "
    "record") {
  const auto dir = temp_dir("reliability-journal");
  const Suite suite = parse_suite(Json::parse(kSmallSuite), "s.json");
  const auto cells = expand_cells(suite);
  REQUIRE(cells.size() == 4);
  const std::string output = (dir / "r.json").string();
  const std::string journal = Journal::path_for(output);
  std::vector<Json> records;
  for (const Cell& cell : cells) {
    Json record = run_cell(suite, cell);
    record["diagnostics"]["from_journal"] = true;
    records.push_back(record);
  }
  // Header, cell 0, a garbage line, cell 1, cell 2 glued to a torn cell 3
  // as the old two-call writes left them, then cell 3 cut in the middle.
  {
    std::ofstream out(journal);
    out << Json({{"vibench_journal", kResultsSchemaVersion},
                 {"suite_hash", suite.hash},
                 {"build", build_identity()}})
               .dump()
        << "\n"
        << records[0].dump() << "\n"
        << "{\"id\": \"garb\n"
        << records[1].dump() << "\n"
        << records[2].dump().substr(0, 40) << records[2].dump() << "\n"
        << records[3].dump().substr(0, 50);
  }
  const Journal::Contents read = Journal::read(journal, suite.hash);
  CHECK(read.records.size() == 2);  // cells 0 and 1
  REQUIRE(read.skipped.size() == 3);
  CHECK(read.skipped[0].find("line 3") != std::string::npos);

  RunOptions options;
  options.jobs = 1;
  options.output = output;
  options.resume = true;
  std::vector<std::string> notes;
  options.on_message = [&](const std::string& m) { notes.push_back(m); };
  const Json results = run_suite(suite, cells, options);
  REQUIRE(results["cells"].size() == 4);
  CHECK(results["cells"][0]["diagnostics"].value("from_journal", false));
  CHECK(results["cells"][1]["diagnostics"].value("from_journal", false));
  CHECK_FALSE(results["cells"][2]["diagnostics"].value("from_journal", false));
  CHECK_FALSE(results["cells"][3]["diagnostics"].value("from_journal", false));
  CHECK(notes.size() == 3);
  CHECK_FALSE(fs::exists(journal));

  // A torn tail is cut before the next record is appended.
  {
    std::ofstream out(journal);
    out << Json({{"vibench_journal", kResultsSchemaVersion},
                 {"suite_hash", suite.hash},
                 {"build", build_identity()}})
               .dump()
        << "\n"
        << records[0].dump().substr(0, 30);
  }
  {
    Journal appending(journal, suite.hash);
    appending.append(records[1]);
  }
  const Journal::Contents after = Journal::read(journal, suite.hash);
  CHECK(after.skipped.empty());
  REQUIRE(after.records.size() == 1);
  CHECK(after.records[0]["id"] == records[1]["id"]);
  fs::remove_all(dir);
}

TEST_CASE(
    "reliability: a full disk stops the run at the first failed write, "
    "names the file and the reason, and keeps the journal whole") {
  const auto dir = temp_dir("reliability-full");
  std::string suite_text = kSmallSuite;
  suite_text.replace(suite_text.find("\"seeds\": 4"), 10, "\"seeds\": 40");
  write_file(dir / "suite.json", suite_text);
  const std::string output = (dir / "r.json").string();
  // A file-size limit of 16 KiB stands in for a full disk (EFBIG, with
  // SIGXFSZ ignored so that the write fails instead of killing).
  auto r = shell_command("trap '' XFSZ; ulimit -f 32; " +
                             std::string(VIBENCH_EXECUTABLE) + " run " +
                             (dir / "suite.json").string() + " -q -o " + output,
                         dir);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("r.json.journal.jsonl") != std::string::npos);
  CHECK(r.err.find("File too large") != std::string::npos);
  CHECK_FALSE(fs::exists(output));
  // Every line of the journal is whole, and nothing temporary is left.
  std::ifstream in(Journal::path_for(output));
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    CHECK_NOTHROW(Json::parse(line));
  }
  CHECK(lines >= 2);
  CHECK(count_files(dir) == 4);  // suite, journal, the command's two logs
  // Without the limit, --resume finishes, reusing the journaled cells.
  r = vibench_run(
      "run " + (dir / "suite.json").string() + " -q --resume -o " + output,
      dir);
  CHECK(r.exit_code == 0);
  CHECK(read_json(output)["cells"].size() == 40);
  fs::remove_all(dir);
}

TEST_CASE("reliability: write_atomically checks every write") {
  // /dev/full fails every write with ENOSPC; as a character device it is
  // written in place, so the error comes from the write itself.
  CHECK_THROWS_WITH_AS(write_atomically("/dev/full", "x"),
                       doctest::Contains("No space left on device"),
                       std::runtime_error);
  const auto dir = temp_dir("reliability-atomic");
  CHECK_THROWS_AS(write_atomically(dir.string(), "x"), ConfigError);
  fs::remove_all(dir);
}

TEST_CASE("reliability: deeply nested JSON is refused with a message") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK_THROWS_WITH_AS(check_json_structure(deep, "f.json"),
                       doctest::Contains("nested more than 256 levels"),
                       ConfigError);
  CHECK_NOTHROW(
      check_json_structure(R"({"a": "[[[[[[[[[[[[[[[[[[[[[[[["})", "f.json"));
  const auto dir = temp_dir("reliability-deep");
  write_file(dir / "deep.json", deep);
  auto r = vibench_run("run " + (dir / "deep.json").string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("nested more than 256 levels deep (line 1, column 257)") !=
        std::string::npos);
  r = vibench_run("compare " + (dir / "deep.json").string() + " " +
                      (dir / "deep.json").string(),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("nested more than") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE(
    "reliability: compare never overwrites without --force nor an input, "
    "and comparing nothing is an error") {
  const auto dir = temp_dir("reliability-compare");
  write_file(dir / "suite.json", kSmallSuite);
  const std::string base = (dir / "base.json").string();
  auto r = vibench_run(
      "run " + (dir / "suite.json").string() + " -q -o " + base, dir);
  REQUIRE(r.exit_code == 0);
  const std::string before = read_text(base);
  r = vibench_run("compare " + base + " " + base + " --report " + base, dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("is an input") != std::string::npos);
  r = vibench_run(
      "compare " + base + " " + base + " --force --json-bigger " + base, dir);
  CHECK(r.exit_code == 2);
  CHECK(read_text(base) == before);
  write_file(dir / "report.md", "keep");
  r = vibench_run("compare " + base + " " + base + " --report " +
                      (dir / "report.md").string(),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(read_text(dir / "report.md") == "keep");
  r = vibench_run("compare " + base + " " + base + " --force --report " +
                      (dir / "report.md").string(),
                  dir);
  CHECK(r.exit_code == 0);
  CHECK(read_text(dir / "report.md") != "keep");

  r = vibench_run("compare " + base + " " + base + " --rtol nan", dir);
  CHECK(r.exit_code == 2);
  // Every value null: nothing was compared.
  Json nulls = read_json(base);
  for (auto& cell : nulls["cells"])
    for (auto& [name, value] : cell["final"]["metrics"].items())
      value = nullptr;
  write_file(dir / "nulls.json", nulls.dump());
  r = vibench_run("compare " + (dir / "nulls.json").string() + " " +
                      (dir / "nulls.json").string(),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("nothing was compared") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE(
    "reliability: duplicate keys, null for a value and inexact integers are "
    "errors") {
  CHECK_THROWS_WITH_AS(
      check_json_structure("{\"a\": 1,\n \"b\": {\"a\": 2},\n \"a\": 3}", "f"),
      doctest::Contains(
          "key \"a\" appears twice in one object (lines 1 and 3)"),
      ConfigError);
  CHECK_NOTHROW(
      check_json_structure(R"([{"a": 1}, {"a": 2}, {"x": "a:"}])", "f"));
  const auto parse = [](const std::string& change) {
    Json s = Json::parse(kSmallSuite);
    s.merge_patch(Json::parse(change));
    return parse_suite(s, "s.json");
  };
  CHECK_THROWS_WITH_AS(
      parse(
          R"({"algorithms": [{"name": "gd", "params": {"step_size": null}}]})"),
      doctest::Contains("'step_size' is null"), ConfigError);
  // Replicate ids are exact: 2^53 and 2^53 + 1 are two ids, int64's maximum
  // is itself, and beyond it is an error.
  const Suite big = parse(R"({"seeds": [9007199254740992, 9007199254740993,
                                        9223372036854775807]})");
  REQUIRE(big.replicates.size() == 3);
  CHECK(big.replicates[1] == 9007199254740993LL);
  CHECK(big.replicates[2] == 9223372036854775807LL);
  CHECK_THROWS_AS(parse(R"({"seeds": [9223372036854775808]})"), ConfigError);
  CHECK_THROWS_AS(parse(R"({"seeds": [1e300]})"), ConfigError);
  CHECK_THROWS_AS(
      parse(R"({"tasks": [{"name": "quadratic", "params": {"dim": 1e20}}]})"),
      ConfigError);

  const auto dir = temp_dir("reliability-strict");
  write_file(dir / "dup.json",
             std::string(kSmallSuite).replace(1, 0, "\"seeds\": 2,\n"));
  const auto r = vibench_run("validate " + (dir / "dup.json").string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("key \"seeds\" appears twice") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE(
    "reliability: one run per result file at a time, and a journal of "
    "another build is not reused without being told") {
  const auto dir = temp_dir("reliability-lock");
  const std::string output = (dir / "r.json").string();
  {
    OutputLock held(output);
    CHECK(fs::exists(output + ".lock"));
    CHECK_THROWS_WITH_AS(OutputLock{output},
                         doctest::Contains("another vibench run is writing"),
                         ConfigError);
    write_file(dir / "suite.json", kSmallSuite);
    const auto r = vibench_run(
        "run " + (dir / "suite.json").string() + " -q -o " + output, dir);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("another vibench run is writing") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(output + ".lock"));

  const Suite suite = parse_suite(Json::parse(kSmallSuite), "s.json");
  const std::string journal = Journal::path_for(output);
  {
    std::ofstream out(journal);
    Json build = build_identity();
    build["git_revision"] = "0000000";
    out << Json({{"vibench_journal", kResultsSchemaVersion},
                 {"suite_hash", suite.hash},
                 {"build", build}})
               .dump()
        << "\n";
  }
  CHECK_THROWS_WITH_AS(Journal::read(journal, suite.hash),
                       doctest::Contains("written by another build"),
                       ConfigError);
  CHECK(Journal::read(journal, suite.hash, true).records.empty());
  fs::remove_all(dir);
}

TEST_CASE("reliability: suites are bounded before anything is expanded") {
  const auto parse = [](const std::string& change) {
    Json s = Json::parse(kSmallSuite);
    s.merge_patch(Json::parse(change));
    return parse_suite(s, "s.json");
  };
  CHECK_THROWS_WITH_AS(parse(R"({"seeds": 2000000})"),
                       doctest::Contains("exceed the 1000000 cells"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse(R"({"seeds": 600000, "algorithms": [{"name": "gd",
                "params": {"step_size": [0.1, 0.2]}}]})"),
                       doctest::Contains("expands to 1200000 cells"),
                       ConfigError);
  Json grid = Json::array();
  for (int i = 0; i < 100001; ++i) grid.push_back(0.001 * (i + 1));
  Json s = Json::parse(kSmallSuite);
  s["algorithms"][0]["params"]["step_size"] = grid;
  CHECK_THROWS_WITH_AS(parse_suite(s, "s.json"),
                       doctest::Contains("expands to 100001 configurations"),
                       ConfigError);
  // A task too large to allocate is an error naming its entry, not a bare
  // std::bad_alloc.
  try {
    parse(R"({"tasks": [{"name": "quadratic", "params": {"dim": 10000000}}]})");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "/tasks/0/params");
    CHECK(std::string(e.what()).find("memory") != std::string::npos);
  }
}

TEST_CASE(
    "reliability: memory and checkpoints grow with what was asked, not with "
    "the run's length") {
  // A max_seconds budget alone: geometric checkpoints, about 24 a decade.
  Json s = Json::parse(kSmallSuite);
  s["budget"] = {{"max_seconds", 1.0}};
  const Suite timed = parse_suite(s, "s.json");
  CHECK(timed.checkpoints.geometric);
  CHECK(timed.canonical["checkpoints"] == Json({{"geometric", true}}));
  const std::vector<long long> at = geometric_iterations();
  CHECK(at[0] == 1);
  CHECK(at[9] == 10);
  CHECK(at[10] == 11);
  const auto upto = [&](long long n) {
    return std::upper_bound(at.begin(), at.end(), n) - at.begin();
  };
  CHECK(upto(1000000) <= 140);
  CHECK(upto(1000000000) <= 220);

  // Chain samplers keep their history only when a chain metric reads it.
  Json chains = Json::parse(R"({
    "name": "history", "seeds": 1,
    "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
    "algorithms": [{"name": "ula", "params": {"n_chains": 4, "step_size": 0.1}}],
    "budget": {"max_iterations": 50}
  })");
  for (const std::string metric : {"mean_error", "rhat"}) {
    chains["metrics"] = {metric};
    const Suite suite = parse_suite(chains, "h.json");
    const MetricPlan plan = plan_metrics(suite, *suite.tasks[0].task, nullptr);
    CHECK(plan.needs_history == (metric == "rhat"));
    const Json record = run_cell(suite, expand_cells(suite)[0]);
    CHECK(record["status"] == "ok");
    if (metric == "rhat") CHECK(record["final"]["metrics"]["rhat"].is_number());
  }
  const Suite suite = parse_suite(chains, "h.json");
  const auto& algorithm = *suite.algorithms[0].algorithm;
  Counters counters;
  const DistributionOracle oracle(
      static_cast<const Distribution&>(*suite.tasks[0].task), counters);
  State initial;
  initial.points = Matrix::Zero(4, 2);
  auto run = algorithm.start(oracle, initial, make_rng(1));
  run->keep_history(false);
  for (int i = 0; i < 10; ++i) run->step();
  CHECK(run->state().history.empty());
  run = algorithm.start(oracle, initial, make_rng(1));
  for (int i = 0; i < 10; ++i) run->step();
  CHECK(run->state().history.size() == 10);
}
