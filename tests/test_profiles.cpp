// `vibench profile`: performance and data profiles and the runtime ECDF on
// hand-made traces whose answers are worked out in the comments.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "core/error.hpp"
#include "report/profiles.hpp"
#include "report/series.hpp"

using namespace vibench;

namespace {

Json cell(const std::string& algorithm, long long replicate,
          const std::vector<double>& loss, const std::string& status = "ok",
          double sign = 1.0) {
  Json values = Json::array();
  for (double v : loss) values.push_back(sign * v);
  return {{"id", fmt::format("t|{}|r{}", algorithm, replicate)},
          {"kind", "objective"},
          {"task", {{"name", "t"}, {"label", "t"}}},
          {"algorithm", {{"name", algorithm}, {"label", algorithm}}},
          {"replicate", replicate},
          {"status", status},
          {"trace",
           {{"grad_evals", {0, 10, 100, 1000}},
            {"iterations", {0, 1, 2, 3}},
            {"metrics", {{"loss", values}}}}},
          {"final", {{"metrics", {{"loss", values.back()}}}}}};
}

// Two problems (replicates), three solvers. With τ = 1e-3:
//  problem 0: m₀ = 1, m_L = 1e-6, threshold ≈ 1.001e-3 — A solves at 100,
//             B at 10, C never;
//  problem 1: m_L = 1e-7 — A at 10, B diverged (never), C at 1000.
ResultSet example(bool larger_is_better = false) {
  const double sign = larger_is_better ? -1.0 : 1.0;
  Json doc = {{"schema_version", 1},
              {"suite", {{"name", "p"}}},
              {"suite_hash", "p"},
              {"metrics",
               {{{"name", "loss"}, {"smaller_is_better", !larger_is_better}}}},
              {"cells",
               {cell("A", 0, {1, 0.5, 1e-4, 1e-6}, "ok", sign),
                cell("B", 0, {1, 1e-4, 1e-5, 1e-6}, "ok", sign),
                cell("C", 0, {1, 1, 1, 1}, "ok", sign),
                cell("A", 1, {1, 1e-5, 1e-6, 1e-7}, "ok", sign),
                cell("B", 1, {1, 1e-9, 1e-9, 1e-9}, "diverged", sign),
                cell("C", 1, {1, 0.1, 0.01, 0.001}, "ok", sign)}}};
  return make_result_set({doc}, {"p.json"});
}

}  // namespace

TEST_CASE("profiles: performance, data and ECDF on known traces") {
  for (const bool larger : {false, true}) {
    INFO("larger_is_better " << larger);
    ProfileOptions options;
    options.metric = "loss";
    options.targets = larger ? std::vector<double>{-1e-2, -1e-5}
                             : std::vector<double>{1e-2, 1e-5};
    const Profiles pr = compute_profiles(example(larger), options);
    REQUIRE(pr.problems.size() == 2);
    REQUIRE(pr.solvers == std::vector<std::string>{"A", "B", "C"});
    CHECK(pr.time[0] == std::vector<double>{100, 10, Profiles::kNever});
    CHECK(pr.time[1] == std::vector<double>{10, Profiles::kNever, 1000});
    // Ratios to the best: p0 A 10, B 1; p1 A 1, C 100.
    CHECK(pr.performance(0, 1) == 0.5);
    CHECK(pr.performance(0, 10) == 1.0);
    CHECK(pr.performance(1, 1) == 0.5);
    CHECK(pr.performance(1, 1e9) == 0.5);
    CHECK(pr.performance(2, 64) == 0.0);
    CHECK(pr.performance(2, 128) == 0.5);
    CHECK(pr.data(0, 9) == 0.0);
    CHECK(pr.data(0, 10) == 0.5);
    CHECK(pr.data(0, 100) == 1.0);
    CHECK(pr.data(2, 999) == 0.0);
    CHECK(pr.data(2, 1000) == 0.5);
    // A reaches 1e-2 at 100 and 1e-5 at 1000 on p0, both at 10 on p1.
    CHECK(pr.ecdf(0, 10) == 0.5);
    CHECK(pr.ecdf(0, 100) == 0.75);
    CHECK(pr.ecdf(0, 1000) == 1.0);
    // C reaches 1e-2 at 100 on p1 only; never 1e-5.
    CHECK(pr.ecdf(2, 1000) == 0.25);
  }
  // Another cost axis reads another counter.
  ProfileOptions by_iterations;
  by_iterations.metric = "loss";
  by_iterations.cost = "iterations";
  CHECK(compute_profiles(example(), by_iterations).time[0][0] == 2);

  const std::string text = format_profiles(
      compute_profiles(example(), by_iterations), ProfileFormat::markdown);
  CHECK(text.find("Performance profile") != std::string::npos);
  CHECK(text.find("| A |") != std::string::npos);
  const std::string csv = format_profiles(
      compute_profiles(example(), by_iterations), ProfileFormat::csv);
  CHECK(csv.rfind("profile,algorithm,color,x,fraction\n", 0) == 0);
  CHECK(csv.find("performance,\"A\",0,1,0.5") != std::string::npos);
}

TEST_CASE("profiles: solvers take the colours series gives their lines") {
  // An algorithm without the metric comes first: it keeps colour 0 in every
  // figure of the file, so A, B and C are 1, 2 and 3 here as in `series`.
  Json z = cell("Z", 0, {1, 1, 1, 1});
  z["trace"]["metrics"] = {{"other", {1, 1, 1, 1}}};
  z["final"]["metrics"] = {{"other", 1}};
  ResultSet set = example();
  set.cells.insert(set.cells.begin(), z);
  set.cell_file.insert(set.cell_file.begin(), 0);
  ProfileOptions options;
  options.metric = "loss";
  const Profiles profiles = compute_profiles(set, options);
  CHECK(profiles.solvers == std::vector<std::string>{"A", "B", "C"});
  CHECK(profiles.colors == std::vector<size_t>{1, 2, 3});
  SeriesOptions series_options;
  series_options.metric = "loss";
  series_options.x = "grad_evals";
  const SeriesData series = build_series(set, series_options);
  REQUIRE(series.panels.size() == 1);
  for (const auto& line : series.panels[0].lines)
    CHECK(line.color == profiles.colors[line.label[0] - 'A']);
  CHECK(format_profiles(profiles, ProfileFormat::csv).find("\ndata,\"C\",3,") !=
        std::string::npos);
}

TEST_CASE("profiles: bad options are errors naming the option") {
  ProfileOptions options;
  options.metric = "los";
  CHECK_THROWS_WITH_AS(compute_profiles(example(), options),
                       doctest::Contains("loss"), ConfigError);
  options.metric = "loss";
  options.cost = "grad_eval";
  try {
    compute_profiles(example(), options);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "--cost");
    CHECK(std::string(e.what()).find("grad_evals") != std::string::npos);
  }
  options.cost = "grad_evals";
  options.tau = 1.5;
  CHECK_THROWS_AS(compute_profiles(example(), options), ConfigError);
}
