// Nothing lost, nothing overwritten (issue #19): outputs written through
// links and never over a FIFO, a device or an input; a journal that keeps
// every whole record through torn and garbage lines and a full disk; deep
// JSON refused with a message; a comparison of nothing is not a pass.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "command_helpers.hpp"
#include "core/atomic_write.hpp"
#include "core/data_files.hpp"
#include "core/error.hpp"
#include "core/json_structure.hpp"
#include "core/path_checks.hpp"
#include "core/rng.hpp"
#include "report/export.hpp"
#include "report/results_set.hpp"
#include "runner/cell_filter.hpp"
#include "runner/cell_memory.hpp"
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
    CHECK(e.where() == "/tasks/0/params/dim");
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
  run->limit_history(0);
  for (int i = 0; i < 10; ++i) run->step();
  CHECK(run->state().history.empty());
  run = algorithm.start(oracle, initial, make_rng(1));
  for (int i = 0; i < 10; ++i) run->step();
  CHECK(run->state().history.size() == 10);
}

namespace {

// The ConfigError that parsing kSmallSuite with `change` merged in throws.
ConfigError suite_error(const std::string& change) {
  Json s = Json::parse(kSmallSuite);
  s.merge_patch(Json::parse(change));
  try {
    parse_suite(s, "s.json");
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("no error for " << change);
  return ConfigError("", "");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A target whose allocations fail: its initial points, or its score at
// the first step.
class UnallocatableTarget final : public Distribution {
 public:
  explicit UnallocatableTarget(bool initial_points_fail)
      : initial_points_fail_(initial_points_fail) {}
  Index dim() const override { return 2; }
  Capabilities capabilities() const override { return {}; }
  Matrix initial_points(Index n, Rng& rng) const override {
    if (initial_points_fail_) throw std::bad_alloc();
    return Distribution::initial_points(n, rng);
  }
  void log_prob_grad(const Matrix&, Vector&, Matrix&) const override {
    throw std::bad_alloc();
  }

 private:
  bool initial_points_fail_;
};

}  // namespace

TEST_CASE(
    "reliability: memory is estimated before anything is allocated, and "
    "refused at the JSON path with the estimate and the limit") {
  // A dense d×d task: refused before it is built, at its parameter.
  ConfigError e = suite_error(
      R"({"tasks": [{"name": "gaussian", "params": {"dim": 10000000}}]})");
  CHECK(e.where() == "/tasks/0/params/dim");
  CHECK(contains(e.what(), "would allocate about"));
  CHECK(contains(e.what(), "dim = 10000000"));
  CHECK(contains(e.what(), "the limit is 8 GiB (the suite's"));
  CHECK(contains(e.what(), "\"max_cell_memory_gib\""));
  // Every task is kept for the run: their needs add up.
  e = suite_error(R"({"max_cell_memory_gib": 0.001,
      "tasks": [{"name": "gaussian", "params": {"dim": [100, 110, 120]}}]})");
  CHECK(e.where() == "/tasks/0/params/dim");
  CHECK(contains(e.what(), "the suite's tasks before it hold about"));
  // Synthetic data: rows × columns, before they are drawn.
  e = suite_error(R"({"max_cell_memory_gib": 0.01,
      "tasks": [{"name": "logistic_loss", "params": {"n_data": 100000}}]})");
  CHECK(e.where() == "/tasks/0/params/n_data");
  // A pairwise-kernel algorithm: n² per cell (SVGD held whole; in tiles, it
  // needs O(n) beyond its points).
  const std::string svgd = R"({
      "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
      "algorithms": [{"name": "svgd", "params": {"n_particles": 1000000,
                                                 "kernel_tile_rows": 1000000}}],
      "metrics": ["mean_error"]})";
  e = suite_error(svgd);
  CHECK(e.where() == "/algorithms/0/params");
  CHECK(contains(e.what(), "per cell"));
  CHECK(contains(e.what(), "1000000 points of dimension 2"));
  CHECK(contains(e.what(), "TiB of the algorithm's own workspace"));
  Json tiled = Json::parse(svgd);
  tiled["algorithms"][0]["params"].erase("kernel_tile_rows");
  Json tiled_suite = Json::parse(kSmallSuite);
  tiled_suite.merge_patch(tiled);
  CHECK_NOTHROW(parse_suite(tiled_suite, "s.json"));
  // Points alone: n·d.
  e = suite_error(R"({
      "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
      "algorithms": [{"name": "ula", "params": {"n_chains": 1000000000}}],
      "metrics": ["mean_error"]})");
  CHECK(e.where() == "/algorithms/0/params");
  // Raising the limit lets it through, and keeps the suite's hash.
  Json raised = Json::parse(kSmallSuite);
  raised.merge_patch(Json::parse(svgd));
  raised["max_cell_memory_gib"] = 100000;
  const Suite big = parse_suite(raised, "s.json");
  CHECK(big.max_cell_memory_bytes == 100000 * kBytesPerGib);
  Json plain = raised;
  plain.erase("max_cell_memory_gib");
  plain["algorithms"][0]["params"]["n_particles"] = 100;
  raised["algorithms"][0]["params"]["n_particles"] = 100;
  CHECK(parse_suite(raised, "s.json").hash ==
        parse_suite(plain, "s.json").hash);
  e = suite_error(R"({"max_cell_memory_gib": 0})");
  CHECK(e.where() == "/max_cell_memory_gib");

  // From the command line: the file, the path, exit code 2.
  const auto dir = temp_dir("reliability-memory");
  Json huge = Json::parse(kSmallSuite);
  huge["tasks"] = Json::parse(
      R"([{"name": "quadratic", "params": {"dim": 3}},
          {"name": "quadratic", "params": {"dim": 10000000}}])");
  write_file(dir / "huge.json", huge.dump(1));
  const auto r = vibench_run("validate " + (dir / "huge.json").string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err,
                 "huge.json: /tasks/1/params/dim: task "
                 "'quadratic{\"dim\":10000000}' would allocate"));
  fs::remove_all(dir);
}

TEST_CASE(
    "reliability: every task's declared memory need names one of its "
    "parameters") {
  for (const TaskEntry* entry : TaskRegistry::instance().all()) {
    if (!entry->memory_need) continue;
    INFO(entry->name);
    // Defaults that need more (a data file) are left to the other tests.
    const Params defaults(
        validate_params(Json::object(), entry->params, "/params", entry->name));
    const MemoryNeed need = entry->memory_need(defaults);
    CHECK(need.bytes > 0);
    CHECK(need.bytes < kDefaultMaxCellMemoryGib * kBytesPerGib);
    CHECK(defaults.json().contains(need.parameter));
    CHECK_FALSE(need.what.empty());
  }
  CHECK(TaskRegistry::instance().find("gaussian")->memory_need);
}

TEST_CASE("reliability: a cell that runs out of memory says what for") {
  Suite suite = parse_suite(Json::parse(R"({
    "name": "oom", "seeds": 1,
    "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
    "algorithms": [{"name": "ula", "params": {"n_chains": 4}}],
    "budget": {"max_iterations": 5}
  })"),
                            "oom.json");
  const Cell cell = expand_cells(suite)[0];
  suite.tasks[0].task = std::make_shared<const UnallocatableTarget>(true);
  Json record = run_cell(suite, cell);
  CHECK(record["status"] == "failed");
  std::string message = record["message"];
  CHECK(contains(message, "out of memory"));
  CHECK(contains(message, "drawing the 4 initial points of dimension 2"));
  CHECK(
      contains(message, "(oom.json: task /tasks/0, algorithm /algorithms/0)"));
  CHECK(contains(message, "max_cell_memory_gib"));

  suite.tasks[0].task = std::make_shared<const UnallocatableTarget>(false);
  record = run_cell(suite, cell);
  CHECK(record["status"] == "failed");
  message = record["message"];
  CHECK((contains(message, "in the algorithm's step at iteration 0") ||
         contains(message, "starting the algorithm")));
  CHECK(contains(message, "oom.json"));
}

TEST_CASE(
    "reliability: a number beyond a double's range names the file, its line "
    "and its JSON path") {
  try {
    check_json_structure("{\"a\": [1,\n 2, -1e999]}", "f.json");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "f.json: /a/2");
    CHECK(contains(e.what(), "-1e999 (line 2, column 5)"));
  }
  CHECK_NOTHROW(check_json_structure(
      R"({"x": [1e308, -1.7e308, 1e-999, 123456789012345678901234567890]})",
      "f.json"));
  CHECK_NOTHROW(check_json_structure(R"({"s": "1e999"})", "f.json"));

  const auto dir = temp_dir("reliability-overflow");
  std::string text = kSmallSuite;
  text.replace(text.find("\"dim\": 3"), 8, "\"dim\": 1e999");
  write_file(dir / "suite.json", text);
  auto r = vibench_run("validate " + (dir / "suite.json").string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "suite.json: /tasks/0/params/dim: the number 1e999"));

  write_file(dir / "ok.json", kSmallSuite);
  const std::string base = (dir / "base.json").string();
  r = vibench_run("run " + (dir / "ok.json").string() + " -q -o " + base, dir);
  REQUIRE(r.exit_code == 0);
  std::string results = read_text(base);
  const size_t at = results.find("\"max_iterations\": 50");
  REQUIRE(at != std::string::npos);
  results.replace(at, 20, "\"max_iterations\": 5e999");
  write_file(dir / "bad.json", results);
  const std::string bad = (dir / "bad.json").string();
  for (const std::string command :
       {"compare " + base + " " + bad, "table " + bad + " --metric x",
        "merge " + bad + " -o " + (dir / "m.json").string(), "export " + bad}) {
    INFO(command);
    r = vibench_run(command, dir);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err,
                   "bad.json: /suite/budget/max_iterations: the number "
                   "5e999"));
  }
  fs::remove_all(dir);
}

TEST_CASE(
    "reliability: names too long, directories and unreadable files are "
    "refused naming the file and the reason") {
  CHECK(unreadable_file_reason("/") == "is a directory, not a file");
  CHECK(unreadable_file_reason("/no/such/file") == "does not exist");
  CHECK(contains(unreadable_file_reason(std::string(300, 'a')),
                 "has a name of 300 bytes"));
  CHECK(contains(output_name_reason(std::string(242, 'a')), "at most 241"));
  CHECK(output_name_reason(std::string(241, 'a')).empty());

  const auto dir = temp_dir("reliability-paths");
  write_file(dir / "suite.json", kSmallSuite);
  const std::string suite = (dir / "suite.json").string();
  const std::string long_name =
      (dir / (std::string(300, 's') + ".json")).string();
  auto r = vibench_run("validate " + long_name, dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "has a name of 305 bytes"));
  // An output whose journal's name would be too long: refused before
  // anything is written, naming the output.
  const std::string long_output =
      (dir / (std::string(237, 'o') + ".json")).string();
  r = vibench_run("run " + suite + " -q -o " + long_output, dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--output: '" + long_output + "'"));
  CHECK(contains(r.err, "at most 241"));
  CHECK(count_files(dir) == 3);  // suite.json and the command's two logs

  // A result file that is a directory or has a name too long.
  CHECK_THROWS_WITH_AS(load_results_file(dir.string()),
                       doctest::Contains("is a directory"), ConfigError);
  CHECK_THROWS_WITH_AS(read_result_document(dir.string()),
                       doctest::Contains("is a directory"), ConfigError);
  r = vibench_run("compare " + long_name + " " + long_name, dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "has a name of 305 bytes"));

  // A data file parameter naming a directory, or a name too long.
  CHECK_THROWS_WITH_AS(read_text_file(dir, "/data"),
                       doctest::Contains("is a directory"), ConfigError);
  for (const std::string& data : {dir.string() + "/", long_name}) {
    Json s = Json::parse(kSmallSuite);
    s["tasks"] = Json::array(
        {Json{{"name", "logistic_loss"}, {"params", Json{{"data", data}}}}});
    write_file(dir / "data.json", s.dump());
    r = vibench_run("validate " + (dir / "data.json").string(), dir);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "data.json: /tasks/0/params/data: "));
    CHECK((contains(r.err, "is a directory") ||
           contains(r.err, "has a name of 305 bytes")));
  }
  fs::remove_all(dir);
}

TEST_CASE(
    "reliability: --filter is bounded: no exponential time, no stack "
    "overflow, and a refusal that says why") {
  // Matching is a search anywhere in the id, as before.
  const std::vector<std::string> ids = {
      R"(quadratic{"dim":3}|gd{"step_size":0.1}|r0)",
      R"(quadratic{"dim":3}|gd{"step_size":0.1}|r1)",
      R"(gaussian{"dim":2}|svgd|r0)"};
  const auto kept = [&](const std::string& pattern) {
    std::vector<Cell> cells(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) cells[i].id = ids[i];
    keep_matching_cells(cells, pattern);
    return cells.size();
  };
  CHECK(kept("r0$") == 2);
  CHECK(kept("^quadratic") == 2);
  CHECK(kept("svgd|step_size\":0\\.1\\}\\|r1") == 2);
  CHECK(kept("^(?!.*svgd).*r1") == 1);
  CHECK(kept("gd") == 3);
  CHECK(kept("GD") == 0);

  // Nested quantifiers over ids of 10⁵ characters: linear, and no deep
  // recursion (a backtracking matcher takes exponential time on the first
  // and overflows the stack on the second).
  std::vector<Cell> cells(3);
  cells[0].id = std::string(100000, 'a');
  cells[1].id = std::string(100000, 'a') + "b";
  cells[2].id = "r0";
  keep_matching_cells(cells, "(a*)*b");
  REQUIRE(cells.size() == 1);
  CHECK(cells[0].id.back() == 'b');
  cells.assign(1, Cell{});
  cells[0].id = std::string(100000, 'x');
  keep_matching_cells(cells, "(.|\\s)*z");
  CHECK(cells.empty());

  // Refused, each saying why.
  const auto refusal = [&](const std::string& pattern) -> std::string {
    try {
      kept(pattern);
    } catch (const ConfigError& e) {
      CHECK(e.where() == "--filter");
      return e.what();
    }
    FAIL("no error for " << pattern);
    return "";
  };
  CHECK(contains(refusal("(a)\\1"), "back-references"));
  CHECK(contains(refusal(std::string(1001, 'a')), "at most 1000"));
  CHECK(contains(refusal("(a{1000}){1000}"), "states"));
  CHECK(contains(refusal("(?=a(?!b))"), "lookahead inside a lookahead"));
  CHECK(contains(refusal("(a|b"), "not a valid regular expression '(a|b'"));

  // End to end: a pattern that backtracks exponentially, and an id of
  // 200 000 characters (a custom mixture's means) that would overflow the
  // stack; `timeout` turns a hang of the old matcher into a failure.
  const auto dir = temp_dir("reliability-filter");
  write_file(dir / "suite.json", kSmallSuite);
  auto r = shell_command("timeout 20 " + std::string(VIBENCH_EXECUTABLE) +
                             " run " + (dir / "suite.json").string() +
                             " --dry-run --filter '(.+.+)+X'",
                         dir);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "0 cells (dry run"));
  Json means = Json::array();
  for (int i = 0; i < 20000; ++i) means.push_back({0.5 * i, -0.25 * i});
  Json mixture = Json::parse(R"({
    "name": "long ids", "seeds": 1,
    "algorithms": [{"name": "ula", "params": {"n_chains": 4}}],
    "budget": {"max_iterations": 5}
  })");
  mixture["tasks"] = Json::array({Json{
      {"name", "gmm"}, {"params", {{"preset", "custom"}, {"means", means}}}}});
  write_file(dir / "long.json", mixture.dump());
  r = shell_command("timeout 20 " + std::string(VIBENCH_EXECUTABLE) + " run " +
                        (dir / "long.json").string() +
                        " --dry-run --filter '[\\s\\S]*Z'",
                    dir);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "0 cells (dry run"));
  r = vibench_run(
      "run " + (dir / "suite.json").string() + " --dry-run --filter '(a)\\1'",
      dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--filter: '(a)\\1' is refused: back-references"));
  fs::remove_all(dir);
}
