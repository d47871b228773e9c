// External algorithms over the line protocol (docs/PROTOCOL.md), with real
// child processes: the Python SVGD and Adam of python/examples give the
// native algorithms' metric values, and each fault of a deliberately broken
// client (tests/external/broken_client.py) ends its own cell with its
// message while the suite goes on.
#include <doctest/doctest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

#include "command_helpers.hpp"
#include "core/error.hpp"
#include "core/valid_utf8.hpp"
#include "report_helpers.hpp"
#include "runner/suite_runner.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

// Runner threads: two, except where the allocator is not safe across
// fork() (the sanitizer build, suite_runner.hpp): an external process is
// forked from the cell's thread, and another thread allocating at that
// moment could leave the child waiting on its lock before exec().
#ifdef VIBENCH_FORK_UNSAFE_ALLOCATOR
constexpr int kJobs = 1;
#else
constexpr int kJobs = 2;
#endif

Json run_suite_text(const std::string& suite_json, const std::string& name) {
  const Suite suite = parse_suite(Json::parse(suite_json), name + ".json");
  RunOptions options;
  options.jobs = kJobs;
  options.output = (temp_dir(name) / "results.json").string();
  return run_suite(suite, expand_cells(suite), options);
}

// Whether `pid` no longer runs: it does not exist, or is a zombie (killed,
// and not yet reaped by an init that reaps slowly).
bool process_gone(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_text, name, state;
  // The name is in parentheses and has no spaces here (python3, sleep).
  return stat >> pid_text >> name >> state && state == "Z";
}

const Json& cell_of(const Json& results, const std::string& algorithm_name,
                    const std::string& label_part = "") {
  for (const auto& record : results["cells"])
    if (record["algorithm"]["name"] == algorithm_name &&
        record["algorithm"]["label"].get<std::string>().find(label_part) !=
            std::string::npos)
      return record;
  FAIL("no cell of " << algorithm_name << " " << label_part);
  static const Json none;
  return none;
}

// Every metric at every checkpoint agrees within `tolerance` (relative to
// max(1, |native|)), and the cost counters are the same.
void check_same_trace(const Json& native, const Json& external,
                      double tolerance) {
  REQUIRE(native["status"] == "ok");
  REQUIRE(external["status"] == "ok");
  const Json& a = native["trace"];
  const Json& b = external["trace"];
  CHECK(a["iterations"] == b["iterations"]);
  CHECK(a["grad_evals"] == b["grad_evals"]);
  CHECK(a["value_evals"] == b["value_evals"]);
  REQUIRE(a["metrics"].size() == b["metrics"].size());
  for (const auto& item : a["metrics"].items()) {
    const std::string metric = item.key();
    const Json& values = item.value();
    INFO(metric);
    REQUIRE(b["metrics"].contains(metric));
    REQUIRE(values.size() == b["metrics"][metric].size());
    for (size_t k = 0; k < values.size(); ++k) {
      const double x = values[k], y = b["metrics"][metric][k];
      INFO("checkpoint " << k << ": native " << x << ", external " << y);
      CHECK(std::abs(x - y) <= tolerance * std::max(1.0, std::abs(x)));
    }
  }
}

}  // namespace

TEST_CASE("external: Python SVGD gives native svgd's metric values") {
  const std::string python = python_with_numpy();
  REQUIRE_MESSAGE(!python.empty(),
                  "python3 with numpy is needed (scripts/setup.sh)");
  // The same program, told by the client's environment variable to keep
  // matrices as JSON numbers.
  Json json_command = python_command("python/examples/svgd.py");
  json_command.insert(json_command.begin(),
                      {"env", "VIBENCH_PROTOCOL_ENCODING=json"});
  Json base64_command = python_command("python/examples/svgd.py");
  base64_command.insert(base64_command.begin(),
                        {"env", "VIBENCH_PROTOCOL_ENCODING=base64"});
  const std::string suite = R"({
    "name": "external-svgd", "seeds": 1,
    "tasks": [{"name": "gaussian", "params": {"dim": 3, "mean": [1, -1, 0.5]}},
              {"name": "gmm", "params": {"preset": "ring8"}}],
    "algorithms": [
      {"name": "svgd", "params": {"n_particles": 30}},
      {"name": "external", "params": {"kind": "sampler", "n_points": 30,
       "command": )" + python_command("python/examples/svgd.py").dump() +
                            R"(}},
      {"name": "external", "params": {"kind": "sampler", "n_points": 30,
       "command": )" + json_command.dump() +
                            R"(}},
      {"name": "external", "params": {"kind": "sampler", "n_points": 30,
       "command": )" + base64_command.dump() +
                            R"(}}],
    "budget": {"max_iterations": 60}, "checkpoints": {"every": 20},
    "reference_draws": 200,
    "metrics": ["mean_error", "energy_distance", "ksd"]})";
  const Json results = run_suite_text(suite, "external-svgd");
  for (const char* task : {"gaussian", "gmm"}) {
    INFO(task);
    const Json* native = nullptr;
    const Json* external = nullptr;
    const Json* external_json = nullptr;
    const Json* external_base64 = nullptr;
    for (const auto& record : results["cells"]) {
      if (record["task"]["name"] != task) continue;
      const Json& command =
          record["algorithm"]["params"].value("command", Json());
      if (record["algorithm"]["name"] == "svgd")
        native = &record;
      else if (command[0] != "env")
        external = &record;
      else if (command[1] == "VIBENCH_PROTOCOL_ENCODING=json")
        external_json = &record;
      else
        external_base64 = &record;
    }
    REQUIRE(native);
    REQUIRE(external);
    REQUIRE(external_json);
    REQUIRE(external_base64);
    INFO((*external)["message"]);
    check_same_trace(*native, *external, 1e-10);
    // Matrices as frames (the client's default), JSON numbers or base64:
    // all exact, the same values.
    CHECK((*external)["diagnostics"]["algorithm"]["encoding"] == "frames");
    CHECK((*external_json)["diagnostics"]["algorithm"]["encoding"] == "json");
    CHECK((*external_base64)["diagnostics"]["algorithm"]["encoding"] ==
          "base64");
    CHECK((*external)["trace"]["metrics"].dump() ==
          (*external_json)["trace"]["metrics"].dump());
    CHECK((*external)["trace"]["metrics"].dump() ==
          (*external_base64)["trace"]["metrics"].dump());
    // Its own words reach the record.
    CHECK((*external)["diagnostics"]["algorithm"]["name"] == "svgd.py");
    CHECK((*external)["diagnostics"]["algorithm"]["exit"] ==
          "exited with status 0");
    CHECK((*external)["diagnostics"]["algorithm"]["requests"] == 60);
    // The final message's diagnostics: the last bandwidth, a positive h.
    CHECK((*external)["diagnostics"]["algorithm"]["reported"]["last_bandwidth"]
              .get<double>() > 0);
  }
}

TEST_CASE("external: Python Adam gives native adam's metric values") {
  const std::string python = python_with_numpy();
  REQUIRE(!python.empty());
  const std::string suite = R"({
    "name": "external-adam", "seeds": 2,
    "tasks": [{"name": "quadratic", "params": {"dim": 5, "condition_number": 20}}],
    "algorithms": [
      {"name": "adam", "params": {"step_size": 0.05}},
      {"name": "external", "params": {"kind": "optimizer",
       "args": {"step_size": 0.05},
       "command": )" + python_command("python/examples/adam.py").dump() +
                            R"(}}],
    "budget": {"max_grad_evals": 100}, "checkpoints": {"every": 25},
    "metrics": ["suboptimality", "grad_norm", "distance_to_optimum"]})";
  const Json results = run_suite_text(suite, "external-adam");
  for (int replicate = 0; replicate < 2; ++replicate) {
    const std::string r = "|r" + std::to_string(replicate);
    const Json* native = nullptr;
    const Json* external = nullptr;
    for (const auto& record : results["cells"]) {
      const std::string id = record["id"];
      if (id.substr(id.size() - r.size()) != r) continue;
      (record["algorithm"]["name"] == "adam" ? native : external) = &record;
    }
    REQUIRE(native);
    REQUIRE(external);
    INFO((*external)["message"]);
    check_same_trace(*native, *external, 1e-12);
    CHECK((*external)["stopped_by"] == "max_grad_evals");
    // The args are recorded with the cell.
    CHECK((*external)["algorithm"]["params"]["args"]["step_size"] == 0.05);
  }
}

TEST_CASE("external: a Python chain sampler's history gives R-hat and ESS") {
  REQUIRE(!python_with_numpy().empty());
  const std::string suite = R"({
    "name": "external-chains", "seeds": 1,
    "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
    "algorithms": [
      {"name": "external", "params": {"kind": "sampler", "n_points": 4,
       "args": {"step_size": 0.2, "warmup": 100},
       "command": )" + python_command("python/examples/ula_chains.py").dump() +
                            R"(}},
      {"name": "external", "params": {"kind": "sampler", "n_points": 4,
       "command": )" + python_command("python/examples/svgd.py").dump() +
                            R"(}}],
    "budget": {"max_iterations": 1100}, "checkpoints": {"every": 100},
    "metrics": ["rhat", "ess_bulk"]})";
  const Json results = run_suite_text(suite, "external-chains");
  const Json& chains = cell_of(results, "external", "ula_chains");
  INFO(chains["message"]);
  REQUIRE(chains["status"] == "ok");
  CHECK(chains["diagnostics"]["algorithm"]["chains"]["warmup"] == 100);
  const Json& rhat = chains["trace"]["metrics"]["rhat"];
  const Json& ess = chains["trace"]["metrics"]["ess_bulk"];
  // Nothing is kept during the warm-up; then 1000 draws of 4 chains of
  // N(0, I) with h = 0.2 (lag-1 autocorrelation about 0.8): R-hat near 1,
  // a few hundred effective draws.
  // (Unavailable: NaN in memory, null in the file.)
  const auto unavailable = [](const Json& value) {
    return value.is_null() || std::isnan(value.get<double>());
  };
  CHECK(unavailable(rhat[1]));  // iteration 100, the end of the warm-up
  CHECK(rhat.back().get<double>() < 1.05);
  CHECK(ess.back().get<double>() > 100);
  CHECK(ess.back().get<double>() < 4000);
  // An algorithm that declares no chains has no history to measure.
  const Json& particles = cell_of(results, "external", "svgd");
  CHECK(unavailable(particles["trace"]["metrics"]["rhat"].back()));
  CHECK(!chains["diagnostics"]["algorithm"].contains("history_stride"));

  // The suite's max_history_draws bounds its history as a native sampler's:
  // 1000 recorded iterations kept as every 64th (15 draws, at most 16).
  Json bounded = Json::parse(suite);
  bounded["max_history_draws"] = 16;
  const Json thinned = run_suite_text(bounded.dump(), "external-chains-16");
  const Json& thinned_chains = cell_of(thinned, "external", "ula_chains");
  REQUIRE(thinned_chains["status"] == "ok");
  CHECK(thinned_chains["diagnostics"]["algorithm"]["history_stride"] == 64);
  CHECK(thinned_chains["final"]["metrics"]["rhat"] !=
        chains["final"]["metrics"]["rhat"]);
  // Before the run its rows' history is estimated at its bound: a draw per
  // iteration, 4 points of dimension 2.
  const Suite parsed = parse_suite(Json::parse(suite), "chains.json");
  const Algorithm& external = *parsed.algorithms[0].algorithm;
  CHECK(external.history_bytes(2, 1100, 10000) == 1100.0 * 4 * 2 * 8);
  CHECK(external.history_bytes(2, -1, 16) == 16.0 * 4 * 2 * 8);
}

TEST_CASE("external: Python SOBA gives native soba's metric values") {
  REQUIRE(!python_with_numpy().empty());
  const std::string suite = R"({
    "name": "external-soba", "seeds": 2,
    "tasks": [{"name": "quadratic_bilevel"}],
    "algorithms": [
      {"name": "soba", "params": {"step_size": 0.2, "outer_ratio": 2}},
      {"name": "external", "params": {"kind": "bilevel",
       "args": {"step_size": 0.2, "outer_ratio": 2},
       "command": )" + python_command("python/examples/soba.py").dump() +
                            R"(}}],
    "budget": {"max_iterations": 40}, "checkpoints": {"every": 10},
    "metrics": ["outer_objective", "inner_gap", "distance_to_optimum",
                "hypergradient_error"]})";
  const Json results = run_suite_text(suite, "external-soba");
  for (int replicate = 0; replicate < 2; ++replicate) {
    const Json* native = nullptr;
    const Json* external = nullptr;
    for (const auto& record : results["cells"])
      if (record["replicate"] == replicate)
        (record["algorithm"]["name"] == "soba" ? native : external) = &record;
    REQUIRE(native);
    REQUIRE(external);
    INFO((*external)["message"]);
    REQUIRE((*native)["status"] == "ok");
    REQUIRE((*external)["status"] == "ok");
    // The native soba takes its first directions before step 1, the
    // Python one within it: from the first step on, the same values and
    // counts.
    const Json& a = (*native)["trace"];
    const Json& b = (*external)["trace"];
    for (const char* counter : {"grad_evals", "hvp_evals", "iterations"})
      for (size_t k = 1; k < a[counter].size(); ++k)
        CHECK(a[counter][k] == b[counter][k]);
    for (const auto& item : a["metrics"].items()) {
      INFO(item.key());
      const Json& values = item.value();
      REQUIRE(values.size() == b["metrics"][item.key()].size());
      for (size_t k = 1; k < values.size(); ++k) {
        const double x = values[k], y = b["metrics"][item.key()][k];
        INFO("checkpoint " << k << ": native " << x << ", external " << y);
        CHECK(std::abs(x - y) <= 1e-12 * std::max(1.0, std::abs(x)));
      }
    }
    // It converges: the outer iterate approaches x*.
    const Json& distance = b["metrics"]["distance_to_optimum"];
    CHECK(distance.back().get<double>() < distance.front().get<double>());
  }
}

TEST_CASE("external: each fault of a broken client ends its own cell") {
  const std::string python = python_with_numpy();
  REQUIRE(!python.empty());
  const auto dir = temp_dir("external-faults");
  const std::string pid_file = (dir / "hang.pid").string();
  std::string algorithms;
  for (const std::string mode :
       {"bad_json",     "exits",          "hangs",       "wrong_size",
        "non_finite",   "unknown_oracle", "over_budget", "version",
        "error",        "diverges",       "floods",      "non_utf8",
        "long_unicode", "two_per_step",   "bad_base64",  "binary_nan",
        "hangs_at_3",   "short_frames",   "bad_frame",   "bad_frame_bytes"})
    // Six points for two_per_step: 12 evaluations a step, so that its
    // fifth step starts at 48 of the 50 and crosses the budget between its
    // two requests.
    algorithms +=
        R"({"name": "external", "params": {"kind": "sampler", "n_points": )" +
        std::string(mode == "two_per_step" ? "6" : "5") +
        R"(, "args": {"pid_file": )" + Json(pid_file).dump() +
        R"(}, "command": )" +
        python_command("tests/external/broken_client.py", mode).dump() +
        "}},\n";
  algorithms += R"({"name": "external", "params": {"kind": "sampler",
      "n_points": 5, "command": ["/no/such/program", "--flag"]}},
      {"name": "ula", "params": {"n_chains": 5, "step_size": 0.01}})";
  const std::string suite = R"({
    "name": "external-faults", "seeds": 1, "timeout_seconds": 3,
    "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
    "algorithms": [)" + algorithms +
                            R"(],
    "budget": {"max_iterations": 5, "max_grad_evals": 50},
    "checkpoints": {"every": 5},
    "metrics": ["mean_error"]})";

  for (const auto isolation : {CellIsolation::none, CellIsolation::process}) {
    INFO("isolation " << (isolation == CellIsolation::none ? "none"
                                                           : "process"));
#ifdef VIBENCH_FORK_UNSAFE_ALLOCATOR
    if (isolation == CellIsolation::process) continue;
#endif
    std::filesystem::remove(pid_file);
    const Suite parsed = parse_suite(Json::parse(suite), "faults.json");
    RunOptions options;
    options.jobs = kJobs;
    options.isolation = isolation;
    options.output =
        (dir / (isolation == CellIsolation::none ? "in-process.json"
                                                 : "isolated.json"))
            .string();
    const Json results = run_suite(parsed, expand_cells(parsed), options);

    const auto check = [&](const std::string& mode, const std::string& status,
                           std::vector<std::string> parts) {
      // The mode is the command's last word: "...broken_client.py","exits"]
      const Json& record =
          cell_of(results, "external",
                  mode.front() == '/' ? mode : "\"" + mode + "\"]");
      const std::string message = record["message"];
      INFO(mode << ": " << message);
      CHECK(record["status"] == status);
      for (const auto& part : parts) CHECK(contains(message, part));
    };
    check("bad_json", "failed", {"not JSON", "{this is not json"});
    check("exits", "failed",
          {"exited with status 3", "giving up at step 2", "broken_client.py"});
    check("hangs", "timeout", {"timeout_seconds = 3", "did not answer"});
    check("wrong_size", "failed", {"state points has 4 rows; expected 5"});
    check("non_finite", "failed", {"not finite (null)", "log_prob_grad"});
    check("unknown_oracle", "failed",
          {"'value_grad'", "does not offer", "log_prob_grad, log_prob"});
    check("over_budget", "failed",
          {"max_grad_evals = 50 was spent", "'log_prob_grad'"});
    check("version", "failed",
          {"protocol version mismatch", "version 1", "version 99"});
    check("error", "failed", {"\"my_code\"", "the step size is too large"});
    check("diverges", "diverged", {"not finite"});
    // A flood of stderr does not keep the time limit from ending it.
    check("floods", "timeout", {"did not answer", "flood flood"});
    // Bytes that are not UTF-8 reach the message as U+FFFD, and the record
    // (JSON, UTF-8) is still written.
    check("non_utf8", "failed",
          {"exited with status 3",
           "bad bytes \xEF\xBF\xBD\xEF\xBF\xBD and a cut "
           "\xEF\xBF\xBD"});
    // A quoted message cut inside a character is still valid UTF-8.
    check("long_unicode", "failed",
          {"expected a 'request' or a 'state' message", "\"text\":\"ηη"});
    // A timeout within a step still measures the last complete state.
    check("hangs_at_3", "timeout", {"at iteration 2", "did not answer"});
    const Json& late = cell_of(results, "external", "\"hangs_at_3\"]");
    CHECK(late["final"]["iterations"] == 2);
    CHECK(late["diagnostics"].contains("algorithm"));
    CHECK(late["trace"]["iterations"].back() == 2);
    REQUIRE(late["final"]["metrics"].contains("mean_error"));
    CHECK(std::isfinite(late["final"]["metrics"]["mean_error"].get<double>()));
    // Binary points: malformed, or holding a NaN.
    check("bad_base64", "failed", {"\"f64\" must be base64 text"});
    check("binary_nan", "failed",
          {"entry (0, 0) is not finite (nan)", "log_prob_grad"});
    // Frames: fewer bytes than announced, a frame the message does not
    // list, a length that is not a whole number of doubles.
    check("short_frames", "timeout",
          {"did not write the frames its message announced"});
    check("bad_frame", "failed",
          {"a matrix of frame 1; its message has 1 frame"});
    check("bad_frame_bytes", "failed",
          {"\"frame_bytes\": [7]", "multiple of 8"});
    // Crossing the budget within a step: the step finishes, the cell is ok.
    check("two_per_step", "ok", {});
    CHECK(cell_of(results, "external",
                  "\"two_per_step\"]")["final"]["grad_evals"] == 60);
    check("/no/such/program", "failed",
          {"could not start", "/no/such/program --flag",
           "No such file or directory"});
    CHECK(cell_of(results, "ula")["status"] == "ok");  // the suite went on

    // The hanging client and the child it started are both gone.
    std::ifstream pids(pid_file);
    long long client = 0, child = 0;
    const bool read = static_cast<bool>(pids >> client >> child);
    REQUIRE(read);
    for (const long long pid : {client, child}) {
      bool gone = false;
      for (int i = 0; i < 200 && !gone; ++i) {
        gone = process_gone(static_cast<pid_t>(pid));
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      CHECK_MESSAGE(gone, "process " << pid << " still runs");
    }
  }
}

TEST_CASE("external: text from a process is made valid UTF-8") {
  CHECK(valid_utf8("plain ascii, η and 😀") == "plain ascii, η and 😀");
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(valid_utf8("a\xff") == "a" + fffd);      // never valid
  CHECK(valid_utf8("\x80x") == fffd + "x");      // stray continuation
  CHECK(valid_utf8("\xC0\xAF") == fffd + fffd);  // overlong '/'
  CHECK(valid_utf8("\xED\xA0\x80") == fffd + fffd + fffd);  // surrogate
  CHECK(valid_utf8("\xF4\x90\x80\x80") ==
        fffd + fffd + fffd + fffd);                // beyond U+10FFFF
  CHECK(valid_utf8("cut \xCE") == "cut " + fffd);  // η cut short
  CHECK(valid_utf8("\xF0\x9F\x98\x80") == "😀");
}

TEST_CASE("external: its suite entry is checked before anything runs") {
  const auto parse = [](const std::string& params) {
    return parse_suite(Json::parse(R"({"name": "x",
      "tasks": [{"name": "gaussian", "params": {"dim": 2}}],
      "algorithms": [{"name": "external", "params": )" +
                                   params + R"(}],
      "budget": {"max_iterations": 2}, "metrics": ["mean_error"]})"),
                       "x.json");
  };
  CHECK_THROWS_WITH_AS(parse(R"({"kind": "sampler", "n_points": 3})"),
                       doctest::Contains("give the program to run"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse(R"({"command": ["x"], "n_points": 3})"),
                       doctest::Contains("give its \"kind\""), ConfigError);
  CHECK_THROWS_WITH_AS(parse(R"({"command": ["x"], "kind": "sampler"})"),
                       doctest::Contains("needs n_points"), ConfigError);
  CHECK_THROWS_WITH_AS(
      parse(R"({"command": ["x"], "kind": "sampelr", "n_points": 3})"),
      doctest::Contains("sampler"), ConfigError);
  CHECK_THROWS_WITH_AS(parse(R"({"command": "x", "kind": "sampler"})"),
                       doctest::Contains("list of strings"), ConfigError);
  CHECK_THROWS_WITH_AS(
      parse(R"({"command": ["x"], "kind": "sampler", "n_points": 3,
                "args": [1]})"),
      doctest::Contains("JSON object"), ConfigError);
  try {
    parse(R"({"command": ["x"], "kind": "optimizer", "n_points": 3})");
    FAIL("no error");
  } catch (const ConfigError& e) {
    // An optimizer entry has no task of its kind here: the kind is what the
    // suite is checked against, so that error comes first.
    // Its constructor refuses it while the suite is read, before the kinds
    // of tasks and algorithms are matched.
    CHECK(contains(e.what(), "one iterate"));
  }
}
