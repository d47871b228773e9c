// Served tasks (external_density, external_objective): densities and
// objectives whose oracles another process serves over the line protocol
// (docs/PROTOCOL.md, the serving role), with real child processes. The
// Python Gaussian of python/examples gives native `gaussian`'s values bit
// for bit under native samplers, ground truth comes from files, and each
// fault of a deliberately broken server (tests/external/broken_server.py)
// ends its own cell with its message while the suite goes on.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <thread>

#include "command_helpers.hpp"
#include "core/error.hpp"
#include "reference/reference_draws_file.hpp"
#include "report_helpers.hpp"
#include "runner/suite_runner.hpp"
#include "task_cases.hpp"
#include "tasks/distribution.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

#ifdef VIBENCH_FORK_UNSAFE_ALLOCATOR
constexpr int kJobs = 1;  // (see tests/test_external_algorithm.cpp)
#else
constexpr int kJobs = 2;
#endif

Json served_gaussian(const Json& args, int dim) {
  return {{"name", "external_density"},
          {"params",
           {{"command", python_command("python/examples/gaussian_density.py")},
            {"dim", dim},
            {"args", args}}}};
}

Json run(const Json& suite_json, const std::string& name,
         CellIsolation isolation = CellIsolation::none,
         bool same_seeds_as_first_task = false) {
  const Suite suite = parse_suite(suite_json, name + ".json");
  std::vector<Cell> cells = expand_cells(suite);
  if (same_seeds_as_first_task) {
    // Every task's cells get the seeds of the first task's cell with the
    // same algorithm and replicate: the same initial points and streams.
    for (Cell& cell : cells)
      for (const Cell& first : cells)
        if (first.task_index == 0 &&
            first.algorithm_index == cell.algorithm_index &&
            first.replicate == cell.replicate) {
          cell.init_seed = first.init_seed;
          cell.algorithm_seed = first.algorithm_seed;
        }
  }
  RunOptions options;
  options.jobs = kJobs;
  options.isolation = isolation;
  options.output = (temp_dir(name) / "results.json").string();
  return run_suite(suite, cells, options);
}

const Json& cell(const Json& results, const std::string& task,
                 const std::string& algorithm, int replicate = 0) {
  for (const auto& record : results["cells"])
    if (record["task"]["name"] == task &&
        record["algorithm"]["name"] == algorithm &&
        record["replicate"] == replicate)
      return record;
  FAIL("no cell " << task << " " << algorithm << " " << replicate);
  static const Json none;
  return none;
}

}  // namespace

TEST_CASE(
    "served tasks: the Python Gaussian under native samplers gives native "
    "gaussian's values bit for bit") {
  REQUIRE_MESSAGE(!python_with_numpy().empty(),
                  "python3 with numpy is needed (scripts/setup.sh)");
  const Json mean = {1.0, -1.0, 0.5};
  const Json suite = {
      {"name", "served-gaussian"},
      {"seeds", 2},
      {"tasks",
       {{{"name", "gaussian"}, {"params", {{"dim", 3}, {"mean", mean}}}},
        served_gaussian({{"mean", mean}}, 3)}},
      {"algorithms",
       {{{"name", "mala"}, {"params", {{"n_chains", 4}}}},
        {{"name", "svgd"}, {"params", {{"n_particles", 20}}}}}},
      {"budget", {{"max_iterations", 60}}},
      {"checkpoints", {{"every", 20}}},
      {"metrics", {"ksd", "rhat", "ess_bulk"}}};
  const Json results = run(suite, "served-gaussian", CellIsolation::none, true);
  for (const char* algorithm : {"mala", "svgd"})
    for (int replicate = 0; replicate < 2; ++replicate) {
      INFO(algorithm << " replicate " << replicate);
      const Json& native = cell(results, "gaussian", algorithm, replicate);
      const Json& served =
          cell(results, "external_density", algorithm, replicate);
      INFO(served["message"]);
      REQUIRE(native["status"] == "ok");
      REQUIRE(served["status"] == "ok");
      // Every metric at every checkpoint, and the counts, exactly.
      Json a = native, b = served;
      for (Json* record : {&a, &b}) {
        (*record)["trace"].erase("seconds");
        (*record)["final"].erase("seconds");
      }
      // (As written: an unavailable value is NaN in memory, null in the
      // file, and NaN ≠ NaN.)
      CHECK(a["trace"].dump() == b["trace"].dump());
      CHECK(a["final"].dump() == b["final"].dump());
      CHECK(native["diagnostics"]["algorithm"].dump() ==
            served["diagnostics"]["algorithm"].dump());
    }
  // A cross-check that the comparison can fail: another mean moves KSD.
  Json shifted = suite;
  shifted["tasks"][1] = served_gaussian({{"mean", {1.0, -1.0, 0.5000001}}}, 3);
  shifted["algorithms"] = {{{"name", "mala"}, {"params", {{"n_chains", 4}}}}};
  shifted["seeds"] = 1;
  const Json moved =
      run(shifted, "served-gaussian-shifted", CellIsolation::none, true);
  CHECK(cell(moved, "gaussian", "mala")["trace"]["metrics"]["ksd"] !=
        cell(moved, "external_density", "mala")["trace"]["metrics"]["ksd"]);
}

TEST_CASE(
    "served tasks: a served objective under native optimizers, with x* and "
    "f* from the entry") {
  REQUIRE(!python_with_numpy().empty());
  const Json center = {2.0, 1.0, 0.0, -1.0};
  const Json suite = {
      {"name", "served-quadratic"},
      {"seeds", 1},
      {"tasks",
       {{{"name", "external_objective"},
         {"params",
          {{"command",
            python_command("python/examples/quadratic_objective.py")},
           {"dim", 4},
           {"optimum", center},
           {"optimal_value", 0.0},
           {"args", {{"center", center}}}}}}}},
      {"algorithms", {{{"name", "gd"}, {"params", {{"step_size", 0.1}}}}}},
      {"budget", {{"max_iterations", 400}}},
      {"checkpoints", {{"every", 100}}},
      {"metrics", {"distance_to_optimum", "suboptimality", "grad_norm"}}};
  const Json results = run(suite, "served-quadratic");
  const Json& record = cell(results, "external_objective", "gd");
  INFO(record["message"]);
  REQUIRE(record["status"] == "ok");
  // Curvatures 1..10 and η = 1/L: the slowest coordinate contracts by 0.9 a
  // step, so after 400 steps ‖x − x*‖ ≤ 0.9⁴⁰⁰‖x₀ − x*‖ ≈ 5e-19 ‖x₀ − x*‖.
  const Json& distance = record["trace"]["metrics"]["distance_to_optimum"];
  CHECK(distance.front().get<double>() > 0.5);
  CHECK(distance.back().get<double>() < 1e-12);
  CHECK(record["trace"]["metrics"]["suboptimality"].back().get<double>() <
        1e-20);
  CHECK(record["final"]["grad_evals"] == 400);
}

TEST_CASE("served tasks: reference draws from a file, CSV or posteriordb") {
  REQUIRE(!python_with_numpy().empty());
  const auto dir = temp_dir("served-reference");
  // 400 exact draws of N(m, I), written under named columns: as a CSV, and
  // as posteriordb's JSON (two chains) with the columns in another order.
  const std::vector<double> mean = {1.0, -1.0, 0.5};
  const auto native = make_task({"gaussian", {{"dim", 3}, {"mean", mean}}});
  Rng rng = make_rng(7);
  const Matrix draws =
      static_cast<const Distribution&>(*native).sample(400, rng);
  {
    std::ofstream csv(dir / "draws.csv");
    csv.precision(17);
    csv << "alpha,beta,gamma\n";
    for (Index i = 0; i < draws.rows(); ++i)
      csv << draws(i, 0) << ',' << draws(i, 1) << ',' << draws(i, 2) << '\n';
    Json chains = Json::array();
    for (int chain = 0; chain < 2; ++chain) {
      Json c = {{"gamma", Json::array()},
                {"alpha", Json::array()},
                {"beta", Json::array()}};
      for (Index i = chain * 200; i < (chain + 1) * 200; ++i) {
        c["alpha"].push_back(draws(i, 0));
        c["beta"].push_back(draws(i, 1));
        c["gamma"].push_back(draws(i, 2));
      }
      chains.push_back(c);
    }
    std::ofstream(dir / "reference_draws.json") << chains.dump();
  }
  const auto task = [&](const std::string& file, const Json& args) {
    Json entry = served_gaussian(args, 3);
    entry["params"]["coordinate_names"] = {"alpha", "beta", "gamma"};
    entry["params"]["reference_draws_file"] = (dir / file).string();
    return entry;
  };
  const Json suite = {
      {"name", "served-reference"},
      {"seeds", 1},
      {"reference_draws", 400},
      {"tasks",
       {task("draws.csv", {{"mean", mean}}),
        task("reference_draws.json", {{"mean", mean}}),
        // The same draws against a target they do not come from.
        task("draws.csv", {{"mean", 3.0}})}},
      {"algorithms", {{{"name", "svgd"}, {"params", {{"n_particles", 50}}}}}},
      {"budget", {{"max_iterations", 200}}},
      {"checkpoints", {{"every", 200}}},
      {"metrics", {"energy_distance", "mmd2"}}};
  const Json results =
      run(suite, "served-reference", CellIsolation::none, true);
  REQUIRE(results["cells"].size() == 3);
  std::vector<Json> traces;
  for (const auto& record : results["cells"]) {
    INFO(record["message"]);
    REQUIRE(record["status"] == "ok");
    CHECK(contains(record.value("reference", ""), "file:"));
    traces.push_back(record["trace"]["metrics"]);
  }
  const auto final_energy = [](const Json& metrics) {
    return metrics["energy_distance"].back().get<double>();
  };
  // CSV and posteriordb JSON (columns matched by name) are the same draws.
  const Json& csv_record = results["cells"][0];
  const Json& json_record = results["cells"][1];
  const Json& wrong_record = results["cells"][2];
  REQUIRE(csv_record["task"]["params"]["reference_draws_file"]
              .get<std::string>()
              .ends_with("draws.csv"));
  CHECK(json_record["trace"]["metrics"].dump() ==
        csv_record["trace"]["metrics"].dump());
  // Particles of N(m, I) are close to its draws, and far from draws of a
  // target 2-3.5 away per coordinate.
  CHECK(final_energy(csv_record["trace"]["metrics"]) < 0.1);
  CHECK(final_energy(wrong_record["trace"]["metrics"]) > 1.0);
}

TEST_CASE(
    "served tasks: a posteriordb posterior through the BridgeStan script, "
    "BridgeStan replaced by a Python stand-in") {
  REQUIRE(!python_with_numpy().empty());
  // The script's path with a density written in Python: posteriordb's blr
  // on sblrc (tests/external/blr_stanlike.py, BridgeStan's methods), its
  // reference draws unconstrained by the script.
  const auto dir = temp_dir("served-bridgestan");
  const std::string source = VIBENCH_SOURCE_DIR;
  const std::string posterior = source + "/targets/data/posteriordb/sblrc-blr";
  const std::string csv = (dir / "blr-reference.csv").string();
  const std::string command =
      python_with_numpy() + " " + source + "/scripts/serve_bridgestan.py" +
      " --python-model " + source + "/tests/external/blr_stanlike.py:Blr" +
      " --data " + posterior + "/data.json";
  const CommandOutput made =
      shell_command(command + " --unconstrain-reference " + posterior +
                        "/reference_draws.json " + csv,
                    dir);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  Json entry = Json::parse(made.out);
  CHECK(entry["params"]["dim"] == 6);
  CHECK(entry["params"]["coordinate_names"].back() == "sigma");
  // It never replaces a file.
  CHECK(shell_command(command + " --unconstrain-reference " + posterior +
                          "/reference_draws.json " + csv,
                      dir)
            .exit_code != 0);

  // The unconstrained draws are what the native blr makes of the same file
  // (its own map to (β, log σ)).
  entry["params"]["hessian_vector"] = true;
  const auto served = make_task({"external_density", entry["params"]});
  const auto native = make_task({"blr", Json::object()});
  const auto& served_density = static_cast<const Distribution&>(*served);
  const auto& native_density = static_cast<const Distribution&>(*native);
  const Matrix by_script =
      read_reference_draws_file(csv, served_density, "served").draws;
  const Matrix by_native =
      read_reference_draws_file(posterior + "/reference_draws.json",
                                native_density, "blr")
          .draws;
  REQUIRE(by_script.rows() == 10000);
  REQUIRE(by_native.rows() == by_script.rows());
  CHECK((by_script - by_native).cwiseAbs().maxCoeff() <= 1e-12);

  // The served oracles are the native target's, to rounding.
  Rng rng = make_rng(11);
  Matrix x = by_native.topRows(5) + 0.05 * rng.normal_matrix(5, 6);
  Vector lp_served, lp_native;
  Matrix g_served, g_native;
  served_density.log_prob_grad(x, lp_served, g_served);
  native_density.log_prob_grad(x, lp_native, g_native);
  CHECK((lp_served - lp_native).cwiseAbs().maxCoeff() <=
        1e-9 * lp_native.cwiseAbs().maxCoeff());
  CHECK((g_served - g_native).cwiseAbs().maxCoeff() <=
        1e-9 * g_native.cwiseAbs().maxCoeff());
  const Matrix v = rng.normal_matrix(5, 6);
  const Matrix h_native = native_density.log_prob_hessian_vector(x, v);
  CHECK((served_density.log_prob_hessian_vector(x, v) - h_native)
            .cwiseAbs()
            .maxCoeff() <= 1e-9 * h_native.cwiseAbs().maxCoeff());

  // A native sampler on it, scored against posteriordb's draws. Near the
  // posterior (sd ≈ 4e-4, curvature ≈ 5e6) MALA with η = 1e-7 accepts most
  // proposals; with η = 0.01 its proposals overflow σ = e^s, where Stan's
  // code throws: those points come back null and are rejected, and the
  // cell still ends ok.
  entry["init"] = {{"mean", {1.0, 1.0, 1.0, 1.0, 1.0, 0.0}}, {"std", 0.01}};
  const Json suite = {
      {"name", "served-blr"},
      {"seeds", 1},
      {"reference_draws", 500},
      {"tasks", {entry}},
      {"algorithms",
       {{{"name", "mala"}, {"params", {{"n_chains", 8}, {"step_size", 1e-7}}}},
        {{"name", "mala"},
         {"params", {{"n_chains", 8}, {"step_size", 0.01}}}}}},
      {"budget", {{"max_iterations", 200}}},
      {"checkpoints", {{"every", 100}}},
      {"metrics", {"energy_distance"}}};
  const Json results = run(suite, "served-blr");
  REQUIRE(results["cells"].size() == 2);
  for (const auto& record : results["cells"]) {
    INFO(record["message"]);
    REQUIRE(record["status"] == "ok");
    CHECK(
        contains(record["reference"].get<std::string>(), "blr-reference.csv"));
    CHECK(record["trace"]["metrics"]["energy_distance"].back().get<double>() <
          0.1);
    const double acceptance =
        record["diagnostics"]["algorithm"]["acceptance_rate"];
    if (record["algorithm"]["params"]["step_size"] == 1e-7)
      CHECK(acceptance > 0.5);
    else
      CHECK(acceptance == 0.0);
  }
}

TEST_CASE("served tasks: each fault of a broken server ends its own cell") {
  REQUIRE(!python_with_numpy().empty());
  Json tasks = Json::array();
  const std::vector<std::string> modes = {
      "exits",     "hangs",      "bad_json",   "wrong_size",
      "version",   "wrong_dim",  "no_hessian", "error",
      "not_reply", "hangs_at_3", "hangs_at_4", "bad_frame"};
  for (const std::string& mode : modes)
    tasks.push_back(
        {{"name", "external_density"},
         {"label", mode},
         {"params",
          {{"command", python_command("tests/external/broken_server.py", mode)},
           {"dim", 2},
           {"hessian_vector", mode == "no_hessian"}}}});
  tasks.push_back(
      {{"name", "external_density"},
       {"label", "missing"},
       {"params", {{"command", {"/no/such/program", "--flag"}}, {"dim", 2}}}});
  tasks.push_back(served_gaussian(Json::object(), 2));
  tasks.back()["label"] = "healthy";
  const Json suite = {
      {"name", "served-faults"},
      {"seeds", 1},
      {"timeout_seconds", 3},
      {"tasks", tasks},
      {"algorithms", {{{"name", "mala"}, {"params", {{"n_chains", 3}}}}}},
      {"budget", {{"max_iterations", 5}}},
      {"metrics", {"ksd"}}};
  for (const auto isolation : {CellIsolation::none, CellIsolation::process}) {
#ifdef VIBENCH_FORK_UNSAFE_ALLOCATOR
    if (isolation == CellIsolation::process) continue;
#endif
    INFO("isolation " << (isolation == CellIsolation::none ? "none"
                                                           : "process"));
    const Json results = run(suite, "served-faults", isolation);
    const auto check = [&](const std::string& label, const std::string& status,
                           const std::vector<std::string>& parts) {
      const Json* record = nullptr;
      for (const auto& r : results["cells"])
        if (r["task"].value("display_label", "") == label) record = &r;
      REQUIRE_MESSAGE(record, label);
      const std::string message = (*record)["message"];
      INFO(label << ": " << message);
      CHECK((*record)["status"] == status);
      for (const auto& part : parts) CHECK(contains(message, part));
    };
    check("exits", "failed",
          {"the density program", "exited with status 3",
           "giving up at request 2"});
    check("hangs", "timeout", {"timeout_seconds = 3", "did not answer"});
    // The requests: MALA's start (1), the first checkpoint's ksd (2), the
    // first step (3), the next checkpoint's ksd (4). Out of time in the
    // step (3) or in the metric (4), or the program gone in a metric
    // (exits, at 2): the trace stays whole, the metric that could not be
    // computed is null, and the algorithm's diagnostics are kept.
    check("hangs_at_3", "timeout", {"timeout_seconds = 3"});
    check("hangs_at_4", "timeout", {"timeout_seconds = 3"});
    for (const auto& r : results["cells"]) {
      const std::string label = r["task"].value("display_label", "");
      if (label != "hangs_at_3" && label != "hangs_at_4" && label != "exits")
        continue;
      INFO(label);
      const Json& trace = r["trace"];
      CHECK(trace["iterations"].size() == trace["metrics"]["ksd"].size());
      CHECK(trace["iterations"].size() == (label == "hangs_at_4" ? 2 : 1));
      if (label != "hangs_at_3") {
        const Json& last = trace["metrics"]["ksd"].back();
        CHECK((last.is_null() || std::isnan(last.get<double>())));
      }
      CHECK(r["diagnostics"].contains("algorithm"));
    }
    check("bad_json", "failed", {"not JSON", "{this is not json"});
    check("wrong_size", "failed",
          {"the \"grad\" of its 'log_prob_grad' reply", "rows; expected 3"});
    check("version", "failed",
          {"protocol version mismatch", "version 1", "version 99"});
    check("wrong_dim", "failed", {"serves dimension 3", "dim = 2"});
    check("no_hessian", "failed",
          {"does not offer the oracle 'log_prob_hessian_vector'"});
    check("error", "failed",
          {"\"model_error\"", "the model cannot be evaluated here"});
    check("not_reply", "failed", {"expected a 'reply' message"});
    check("bad_frame", "failed",
          {"a matrix of frame 1; its message has 1 frame"});
    check("missing", "failed",
          {"could not start", "/no/such/program --flag",
           "No such file or directory"});
    check("healthy", "ok", {});  // the suite went on
  }
}

TEST_CASE(
    "served tasks: a suite is read without running the program, and only "
    "served tasks lack defaults") {
  // A program that does not exist is found only when the cell runs.
  const Suite suite = parse_suite(Json::parse(R"({"name": "lazy", "seeds": 1,
        "tasks": [{"name": "external_density",
                   "params": {"command": ["/no/such/program"], "dim": 2}}],
        "algorithms": [{"name": "ula", "params": {"n_chains": 2}}],
        "budget": {"max_iterations": 2}})"),
                                  "lazy.json");
  CHECK(suite.tasks[0].task->dim() == 2);
  // Required: the command and the dimension, named with their JSON path.
  CHECK_THROWS_WITH_AS(parse_suite(Json::parse(R"({"name": "x", "seeds": 1,
        "tasks": [{"name": "external_objective", "params": {"dim": 2}}],
        "algorithms": [{"name": "gd"}], "budget": {"max_iterations": 2}})"),
                                   "x.json"),
                       doctest::Contains("command"), ConfigError);
  std::vector<std::string> without_defaults;
  for (const TaskEntry* entry : TaskRegistry::instance().all())
    if (!has_default_configuration(*entry))
      without_defaults.push_back(entry->name);
  CHECK(without_defaults ==
        std::vector<std::string>{"external_density", "external_objective"});
}

// Not under an allocator unsafe across fork() (the sanitizer build): each
// thread starts a process of its own.
#ifndef VIBENCH_FORK_UNSAFE_ALLOCATOR
TEST_CASE("served tasks: calls from several threads at once agree") {
  REQUIRE(!python_with_numpy().empty());
  const auto task = make_task(served_cases().front());
  const auto& density = static_cast<const Distribution&>(*task);
  Rng rng = make_rng(3);
  const Matrix x = rng.normal_matrix(5, 3);
  Vector logp;
  Matrix grad;
  density.log_prob_grad(x, logp, grad);
  std::vector<Matrix> grads(4);
  std::vector<std::thread> threads;
  for (auto& g : grads)
    threads.emplace_back([&] {
      for (int repeat = 0; repeat < 5; ++repeat) {
        Vector l;
        density.log_prob_grad(x, l, g);
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& g : grads) CHECK(g == grad);
}
#endif
