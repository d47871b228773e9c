// `vibench series`: the lines of a figure, labelled, coloured and selected
// as the tables are, checked on synthetic result files whose values are
// known.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "report/series.hpp"
#include "report/table.hpp"
#include "report_helpers.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

const std::string kGd1 = R"(gd{"step_size":0.1})";
const std::string kGd5 = R"(gd{"step_size":0.5})";

// Two tasks; gd at two step sizes (0.1 better on t1, 0.5 on t2) with
// suboptimality and grad_norm; adam with grad_norm only; three seeds; one
// gd 0.5 cell on t1 diverged.
ResultSet synthetic_set() {
  std::vector<SyntheticCell> cells;
  for (long long r = 0; r < 3; ++r) {
    const double s = 1 + 0.1 * static_cast<double>(r);
    cells.push_back({"t1",
                     kGd1,
                     r,
                     "ok",
                     {{"suboptimality", 1 * s}, {"grad_norm", 2 * s}}});
    cells.push_back({"t1",
                     kGd5,
                     r,
                     r == 2 ? "diverged" : "ok",
                     {{"suboptimality", 3 * s}, {"grad_norm", 4 * s}}});
    cells.push_back({"t1", "adam", r, "ok", {{"grad_norm", 5 * s}}});
    cells.push_back({"t2",
                     kGd1,
                     r,
                     "ok",
                     {{"suboptimality", 6 * s}, {"grad_norm", 7 * s}}});
    cells.push_back({"t2",
                     kGd5,
                     r,
                     "ok",
                     {{"suboptimality", 2 * s}, {"grad_norm", 8 * s}}});
    cells.push_back({"t2", "adam", r, "ok", {{"grad_norm", 9 * s}}});
  }
  Json doc =
      synthetic_results({{"suboptimality", true}, {"grad_norm", true}}, cells);
  for (auto& record : doc["cells"]) {
    const std::string label = record["algorithm"]["label"];
    if (label == kGd1) record["algorithm"]["params"] = {{"step_size", 0.1}};
    if (label == kGd5) record["algorithm"]["params"] = {{"step_size", 0.5}};
  }
  // A non-finite value is null in a trace.
  doc["cells"][0]["trace"]["metrics"]["grad_norm"][0] = nullptr;
  return make_result_set({doc}, {"synthetic.json"});
}

SeriesOptions options_for(const std::string& metric) {
  SeriesOptions options;
  options.metric = metric;
  return options;
}

const SeriesLine* line_of(const SeriesPanel& panel, const std::string& key) {
  for (const auto& line : panel.lines)
    if (line.key == key) return &line;
  return nullptr;
}

}  // namespace

TEST_CASE("series: one panel per task, one line per configuration") {
  const SeriesData data =
      build_series(synthetic_set(), options_for("suboptimality"));
  REQUIRE(data.panels.size() == 2);
  CHECK(data.panels[0].label == "t1");
  CHECK(data.panels[0].kind == "objective");
  // adam has no suboptimality: no line, but a colour of its own.
  CHECK(data.line_keys == std::vector<std::string>{kGd1, kGd5, "adam"});
  const SeriesPanel& t1 = data.panels[0];
  REQUIRE(t1.lines.size() == 2);
  const SeriesLine* gd1 = line_of(t1, kGd1);
  REQUIRE(gd1);
  CHECK(gd1->label == "gd η=0.1");
  CHECK(gd1->color == 0);
  REQUIRE(gd1->seeds.size() == 3);
  CHECK(gd1->seeds[1].x == std::vector<double>{0, 100});
  CHECK(gd1->seeds[1].y == std::vector<double>{11, 1.1});
  // The diverged cell is left out, and said to be.
  const SeriesLine* gd5 = line_of(t1, kGd5);
  REQUIRE(gd5);
  CHECK(gd5->color == 1);
  CHECK(gd5->seeds.size() == 2);
  CHECK(gd5->left_out == std::vector<std::string>{"diverged"});

  SeriesOptions all = options_for("suboptimality");
  all.include_unfinished = true;
  CHECK(line_of(build_series(synthetic_set(), all).panels[0], kGd5)
            ->seeds.size() == 3);
}

TEST_CASE("series: an algorithm keeps its colour across metrics") {
  const SeriesData grad =
      build_series(synthetic_set(), options_for("grad_norm"));
  const SeriesData sub =
      build_series(synthetic_set(), options_for("suboptimality"));
  CHECK(grad.line_keys == sub.line_keys);
  CHECK(line_of(grad.panels[1], "adam")->color == 2);
  CHECK(line_of(grad.panels[1], kGd5)->color ==
        line_of(sub.panels[1], kGd5)->color);
  // Non-finite values are NaN, and null in the JSON.
  const SeriesLine* first = line_of(grad.panels[0], kGd1);
  CHECK(std::isnan(first->seeds[0].y[0]));
  const Json json = series_json(grad);
  CHECK(json["panels"][0]["lines"][0]["seeds"][0]["y"][0].is_null());
  CHECK(json["panels"][0]["lines"][0]["seeds"][0]["y"][1] == 2.0);
  CHECK(json["metric"] == "grad_norm");
  CHECK(json["x"] == "grad_evals");
}

TEST_CASE("series: --select keeps one line per algorithm, as table does") {
  SeriesOptions options = options_for("grad_norm");
  options.select_by = "suboptimality";
  const SeriesData data = build_series(synthetic_set(), options);
  CHECK(data.line_keys == std::vector<std::string>{"gd", "adam"});
  // gd's choice differs per task: labelled as table --select labels its row.
  for (const auto& panel : data.panels) {
    CHECK(panel.lines.size() == 2);
    CHECK(line_of(panel, "gd")->label == "gd (tuned per task, see note)");
    CHECK(line_of(panel, "adam")->label == "adam");
  }
  TableOptions table;
  table.metric = "grad_norm";
  table.select_by = "suboptimality";
  const TableData rows = build_table(synthetic_set(), table);
  CHECK(rows.row_labels ==
        std::vector<std::string>{"gd (tuned per task, see note)", "adam"});
  // The median suboptimality picks 0.1 on t1 and 0.5 on t2.
  CHECK(line_of(data.panels[0], "gd")->configuration == kGd1);
  CHECK(line_of(data.panels[1], "gd")->configuration == kGd5);
  REQUIRE(data.notes.size() == 2);
  CHECK(data.notes[0].find("gd: selected gd η=0.1 on t1; gd η=0.5 on t2") !=
        std::string::npos);
}

TEST_CASE("series: a bad axis or metric is an error with the closest name") {
  SeriesOptions options = options_for("grad_norm");
  options.x = "grad_eval";
  try {
    build_series(synthetic_set(), options);
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "--x");
    CHECK(std::string(e.what()).find("did you mean 'grad_evals'?") !=
          std::string::npos);
  }
  CHECK_THROWS_AS(build_series(synthetic_set(), options_for("grad_nrm")),
                  ConfigError);
  options = options_for("grad_norm");
  options.x = "seconds";  // a valid axis these synthetic traces lack
  const SeriesData data = build_series(synthetic_set(), options);
  CHECK(line_of(data.panels[0], kGd1)->seeds.empty());
  CHECK(line_of(data.panels[0], kGd1)->left_out.size() == 3);
}

namespace {

SeriesSeed seed_of(std::vector<double> x, std::vector<double> y) {
  SeriesSeed seed;
  seed.x = std::move(x);
  seed.y = std::move(y);
  return seed;
}

}  // namespace

TEST_CASE(
    "series: seeds at the same checkpoints are summed up point by point") {
  std::vector<SeriesSeed> seeds;
  for (double v : {3.0, 1.0, 10.0, 2.0, 0.0})
    seeds.push_back(seed_of({0, 10}, {v, 2 * v}));
  SeriesBand band = aggregate_seeds(seeds, false, SeriesStat::median_iqr);
  CHECK(band.x == std::vector<double>{0, 10});
  // numpy.percentile([0, 1, 2, 3, 10], [25, 50, 75]) = 1, 2, 3.
  CHECK(band.low == std::vector<double>{1, 2});
  CHECK(band.centre == std::vector<double>{2, 4});
  CHECK(band.high == std::vector<double>{3, 6});

  seeds.clear();
  for (double v : {1.0, 2.0, 3.0, 4.0, 5.0}) seeds.push_back(seed_of({0}, {v}));
  band = aggregate_seeds(seeds, false, SeriesStat::mean_ci);
  // scipy.stats.t.ppf(0.975, 4) · sd / √5 with sd = √2.5.
  const double half = 1.9632431614775607;
  CHECK(band.centre[0] == doctest::Approx(3).epsilon(1e-15));
  CHECK(band.low[0] == doctest::Approx(3 - half).epsilon(1e-13));
  CHECK(band.high[0] == doctest::Approx(3 + half).epsilon(1e-13));
}

TEST_CASE("series: seeds at different x are interpolated on the common range") {
  // Linear x: the union of x within [0, 15] is 0, 10, 15.
  SeriesBand band = aggregate_seeds(
      {seed_of({0, 10, 20}, {0, 10, 20}), seed_of({0, 15}, {0, 30})}, false,
      SeriesStat::median_iqr);
  CHECK(band.x == std::vector<double>{0, 10, 15});
  CHECK(band.centre == std::vector<double>{0, 15, 22.5});

  // Log x: 0 at x = 1 and 2 at x = 100 give 1 at x = 10 (linear: 2·9/99).
  band = aggregate_seeds(
      {seed_of({1, 100}, {0, 2}), seed_of({1, 10, 100}, {5, 5, 5})}, true,
      SeriesStat::median_iqr);
  CHECK(band.x == std::vector<double>{1, 10, 100});
  CHECK(band.centre[1] == doctest::Approx(3).epsilon(1e-15));

  // An x recorded twice counts with its last value; non-finite points and,
  // on a log axis, x ≤ 0 are dropped.
  band = aggregate_seeds(
      {seed_of({0, 10, 10, 20}, {1, 2, 3, 4}), seed_of({0, 20}, {1, 4})}, false,
      SeriesStat::median_iqr);
  CHECK(band.x == std::vector<double>{0, 10, 20});
  CHECK(band.centre[1] == 2.75);
  const double nan = std::nan("");
  band = aggregate_seeds({seed_of({0, 1, 2, nan}, {9, 1, nan, 3})}, true,
                         SeriesStat::median_iqr);
  CHECK(band.x == std::vector<double>{1});
  CHECK(band.centre == std::vector<double>{1});
  CHECK(aggregate_seeds({seed_of({0}, {nan})}, false, SeriesStat::median_iqr)
            .x.empty());
}
