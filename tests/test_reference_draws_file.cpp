// `vibench eval --reference-draws-file`: draws given as CSV or as
// posteriordb's reference_draws.json are matched to the task by name, on the
// coordinates' or the parameters' scale; the draws eval compared with can be
// exported and give the same numbers when read back; bad files are errors
// naming the file and the line or draw; MMD's former name still works.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "command_helpers.hpp"
#include "core/csv.hpp"
#include "core/data_files.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "reference/reference_draws_file.hpp"
#include "report/eval.hpp"
#include "runner/suite.hpp"

using namespace vibench;
using namespace vibench::testing;
namespace fs = std::filesystem;

namespace {

const Distribution& distribution_of(const TaskSpec& spec) {
  return static_cast<const Distribution&>(*spec.task);
}

fs::path bundled_blr_draws() {
  return data_directory() / "posteriordb" / "sblrc-blr" /
         "reference_draws.json";
}

// The ConfigError message of reading `text` as reference draws of `task`.
std::string error_of(const fs::path& dir, const std::string& file,
                     const std::string& text, const TaskSpec& task) {
  write_file(dir / file, text);
  try {
    read_reference_draws_file(dir / file, distribution_of(task), task.name);
  } catch (const ConfigError& e) {
    CHECK(e.where() == (dir / file).string());
    return e.what();
  }
  FAIL("no ConfigError for " << file);
  return "";
}

}  // namespace

TEST_CASE(
    "reference draws file: eval's exported draws, read back with their "
    "columns permuted, give bit-identical metrics") {
  const auto dir = temp_dir("reference-draws-file-export");
  const std::string spec = shell_quote(R"(gmm{"preset":"ring8"})");
  const auto samples = dir / "samples.csv";
  auto r = vibench_run(
      "reference " + spec + " -n 300 --seed 3 -o " + samples.string(), dir);
  REQUIRE(r.exit_code == 0);
  const auto exported = dir / "used.csv", own = dir / "own.json";
  r = vibench_run("eval " + spec + " --samples " + samples.string() +
                      " --metrics energy_distance,mmd2 --seed 5 "
                      "--export-reference-draws " +
                      exported.string() + " -o " + own.string(),
                  dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Matrix used = read_samples_csv_file(exported.string(), 2);
  CHECK(used.rows() == 1000);

  // The same draws with the columns swapped under their names.
  Matrix swapped(used.rows(), 2);
  swapped << used.col(1), used.col(0);
  const auto permuted = dir / "permuted.csv";
  write_file(permuted, samples_csv(swapped, {"x2", "x1"}));
  const auto from_file = dir / "file.json";
  r = vibench_run(
      "eval " + spec + " --samples " + samples.string() +
          " --metrics energy_distance,mmd2 --reference-draws-file " +
          permuted.string() + " -o " + from_file.string(),
      dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Json a = read_json(own), b = read_json(from_file);
  CHECK(a["metrics"] == b["metrics"]);
  CHECK(a["metrics"]["energy_distance"].is_number());
  CHECK(b["reference_draws"] == 1000);
  CHECK(b["reference"]["matched"] == "coordinates");
  CHECK(b["reference"]["format"] == "csv");
  CHECK(b["reference"]["file"] == permuted.string());
  CHECK(b["seed"].is_null());
  // --reference-draws thins the file's draws evenly; more than it holds is
  // an error.
  r = vibench_run("eval " + spec + " --samples " + samples.string() +
                      " --metrics energy_distance --reference-draws 200 "
                      "--reference-draws-file " +
                      permuted.string(),
                  dir);
  REQUIRE(r.exit_code == 0);
  CHECK(Json::parse(r.out)["reference_draws"] == 200);
  r = vibench_run("eval " + spec + " --samples " + samples.string() +
                      " --reference-draws 5000 --reference-draws-file " +
                      permuted.string(),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("holds 1000 draws") != std::string::npos);

  // Never replaced without --force, never one of the inputs.
  const std::string before = read_text(exported);
  r = vibench_run("eval " + spec + " --samples " + samples.string() +
                      " --seed 6 --export-reference-draws " + exported.string(),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("exists") != std::string::npos);
  CHECK(read_text(exported) == before);
  r = vibench_run("eval " + spec + " --samples " + samples.string() +
                      " --force --export-reference-draws " + samples.string(),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("is an input of this command") != std::string::npos);
  // Nothing to export when no metric uses reference draws.
  r = vibench_run("eval " + spec + " --samples " + samples.string() +
                      " --metrics ksd --export-reference-draws " +
                      (dir / "none.csv").string(),
                  dir);
  CHECK(r.exit_code == 2);
  CHECK_FALSE(fs::exists(dir / "none.csv"));
  fs::remove_all(dir);
}

TEST_CASE(
    "reference draws file: posteriordb's draws of sigma become log_sigma "
    "coordinates") {
  const TaskSpec blr = parse_task_spec("blr");
  const Distribution& task = distribution_of(blr);
  const ReferenceDrawsFile file =
      read_reference_draws_file(bundled_blr_draws(), task, "blr");
  CHECK(file.format == "posteriordb");
  CHECK(file.matched == "parameters");
  REQUIRE(file.draws.rows() == 10000);  // 10 chains of 1000, pooled
  REQUIRE(file.draws.cols() == 6);
  // Against the raw file: β unchanged, the last coordinate log σ.
  const NamedChains raw = read_posteriordb_draws(bundled_blr_draws(), "");
  REQUIRE(raw.names.back() == "sigma");
  // (Eigen's vectorized log may differ from std::log in the last bit.)
  Index row = 0;
  double beta_error = 0, log_sigma_error = 0;
  for (const Matrix& chain : raw.chains)
    for (Index i = 0; i < chain.rows(); ++i, ++row) {
      beta_error = std::max(beta_error,
                            (file.draws.row(row).head(5) - chain.row(i).head(5))
                                .cwiseAbs()
                                .maxCoeff());
      log_sigma_error =
          std::max(log_sigma_error,
                   std::abs(file.draws(row, 5) - std::log(chain(i, 5))));
    }
  CHECK(beta_error == 0);
  CHECK(log_sigma_error < 1e-15);

  // The inverse transforms undo to_parameters on every posteriordb target.
  Rng rng = make_rng(11);
  for (const char* name :
       {"blr", "eight_schools_noncentered", "low_dim_gauss_mix"}) {
    INFO(name);
    const TaskSpec spec = parse_task_spec(name);
    const Distribution& target = distribution_of(spec);
    const Matrix x = rng.normal_matrix(20, target.dim());
    const Matrix back = target.from_parameters(target.to_parameters(x));
    CHECK((back - x).cwiseAbs().maxCoeff() < 1e-12);
  }

  // The same draws as a CSV of parameters in another column order.
  const auto dir = temp_dir("reference-draws-file-parameters");
  const Matrix parameters = task.to_parameters(file.draws.topRows(50));
  Matrix reordered(50, 6);
  reordered << parameters.col(5), parameters.leftCols(5);
  write_file(dir / "p.csv",
             samples_csv(reordered, {"sigma", "beta[1]", "beta[2]", "beta[3]",
                                     "beta[4]", "beta[5]"}));
  const ReferenceDrawsFile csv =
      read_reference_draws_file(dir / "p.csv", task, "blr");
  CHECK(csv.matched == "parameters");
  CHECK((csv.draws - file.draws.topRows(50)).cwiseAbs().maxCoeff() < 1e-12);
  fs::remove_all(dir);
}

TEST_CASE(
    "reference draws file: bad files name the file, the line or draw, and "
    "what was expected") {
  const auto dir = temp_dir("reference-draws-file-errors");
  const TaskSpec blr = parse_task_spec("blr");
  const std::string beta = "beta[1],beta[2],beta[3],beta[4],beta[5]";
  std::string m = error_of(dir, "few.csv", "a,b,c\n1,2,3\n", blr);
  CHECK(m.find("the draws have 3 columns") != std::string::npos);
  CHECK(m.find("coordinates of task 'blr'") != std::string::npos);
  CHECK(m.find("'log_sigma'") != std::string::npos);
  CHECK(m.find("'sigma'") != std::string::npos);
  m = error_of(dir, "nan.csv", beta + ",sigma\n1,2,3,4,5,1\n1,2,3,4,nan,1\n",
               blr);
  CHECK(m.find("line 3") != std::string::npos);
  CHECK(m.find("'nan' is not a finite number") != std::string::npos);
  m = error_of(dir, "short.csv", beta + ",sigma\n1,2,3,4,5\n", blr);
  CHECK(m.find("line 2") != std::string::npos);
  m = error_of(dir, "typo.csv",
               "betta[1],beta[2],beta[3],beta[4],beta[5],sigma\n1,2,3,4,5,1\n",
               blr);
  CHECK(m.find("column 'betta[1]'") != std::string::npos);
  CHECK(m.find("did you mean 'beta[1]'") != std::string::npos);
  m = error_of(dir, "support.csv",
               beta + ",sigma\n1,2,3,4,5,1\n1,2,3,4,5,2\n1,2,3,4,5,-1\n", blr);
  CHECK(m.find("line 4: the draw lies outside the support") !=
        std::string::npos);
  m = error_of(dir, "twice.csv",
               "beta[1],beta[1],beta[3],beta[4],beta[5],"
               "sigma\n1,2,3,4,5,1\n",
               blr);
  CHECK(m.find("column 'beta[1]' appears twice") != std::string::npos);
  m = error_of(dir, "mixed.csv",
               "beta[1],beta[2],beta[3],beta[4],log_sigma,sigma\n1,2,3,4,0,1\n",
               blr);
  CHECK(m.find("mix the coordinates and the parameters") != std::string::npos);

  // posteriordb's JSON: the chain, the parameter and the draw.
  const std::string chain =
      R"({"beta[1]": [1, 2], "beta[2]": [1, 2], "beta[3]": [1, 2],
          "beta[4]": [1, 2], "beta[5]": [1, 2], )";
  m = error_of(
      dir, "text.json",
      "[" + chain + R"("sigma": [1, 2]}, )" + chain + R"("sigma": ["x", 2]}])",
      blr);
  CHECK(m.find("chain 2, 'sigma', draw 1: expected a finite number") !=
        std::string::npos);
  m = error_of(
      dir, "zero.json",
      "[" + chain + R"("sigma": [1, 2]}, )" + chain + R"("sigma": [1, 0]}])",
      blr);
  CHECK(m.find("chain 2, draw 2: the draw lies outside the support") !=
        std::string::npos);
  m = error_of(dir, "object.json", R"({"sigma": [1]})", blr);
  CHECK(m.find("a non-empty list of chains") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("mmd2: the former name mmd stays valid, with a note") {
  const TaskSpec spec = parse_task_spec("gaussian");
  std::vector<std::string> notes;
  const auto metrics = parse_eval_metrics("mmd", spec, false, &notes);
  REQUIRE(metrics.size() == 1);
  CHECK(metrics[0].entry->name == "mmd2");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("now called 'mmd2'") != std::string::npos);
  CHECK(find_metric("mmd") == find_metric("mmd2"));
  CHECK(find_metric("mmd3") == nullptr);

  const Json suite_json = {{"name", "renamed"},
                           {"tasks", {{{"name", "gaussian"}}}},
                           {"algorithms", {{{"name", "svgd"}}}},
                           {"metrics", {"mmd", "ksd"}},
                           {"budget", {{"max_iterations", 2}}}};
  const Suite suite = parse_suite(suite_json, "renamed.json");
  REQUIRE(suite.metrics.size() == 2);
  CHECK(suite.metrics[0].name == "mmd2");
  REQUIRE(suite.warnings.size() == 1);
  CHECK(suite.warnings[0].find("/metrics/0: metric 'mmd' is now called "
                               "'mmd2'") != std::string::npos);
  // The same suite written with the new name has the same hash.
  Json renamed = suite_json;
  renamed["metrics"][0] = "mmd2";
  CHECK(parse_suite(renamed, "renamed.json").hash == suite.hash);
}
