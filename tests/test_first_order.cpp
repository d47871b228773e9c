// The first-order house: every update rule against a three-step sequence
// computed by hand (independently, from the papers' formulas) on the 2-D
// quadratic f(x) = ½(x₁² + 4x₂²) from x₀ = (1, 1); every schedule against
// its formula; every averaging against its recursion; bad rule and schedule
// input rejected before anything runs.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "algorithms/first_order/first_order_step.hpp"
#include "core/error.hpp"
#include "runner/cell_runner.hpp"
#include "runner/iterate_average.hpp"
#include "runner/suite.hpp"

using namespace vibench;

namespace {

struct RuleCase {
  const char* rule;
  const char* settings;  // JSON
  double step;
  std::vector<std::pair<double, double>> iterates;  // after steps 1, 2, 3
};

// Generated once with a separate Python implementation of each rule written
// from its paper or its authors' code (AMSGrad's three conventions, ADOPT
// clipped and unclipped, COCOB with the paper's and Coin Sampling's
// constants, heavy ball in Polyak's two-point form).
const std::vector<RuleCase> kRuleCases = {
    {"sgd",
     R"({})",
     0.1,
     {{0.9, 0.6}, {0.81, 0.36}, {0.7290000000000001, 0.216}}},
    {"heavy_ball",
     R"({})",
     0.1,
     {{0.9, 0.6},
      {0.7200000000000001, -5.551115123125783e-17},
      {0.4860000000000002, -0.5400000000000001}}},
    {"nesterov",
     R"({"momentum": 0.5})",
     0.1,
     {{0.85, 0.3999999999999999},
      {0.6975, 0.05999999999999994},
      {0.559125, -0.06600000000000003}}},
    {"adagrad",
     R"({})",
     0.1,
     {{0.90000000001, 0.9000000000025},
      {0.8331035268523168, 0.8331035268413955},
      {0.7804561813655163, 0.7804561813524568}}},
    {"adagrad",
     R"({"initial_accumulator": 0.1, "epsilon": 1e-07})",
     0.1,
     {{0.904653750166349, 0.9003110452286266},
      {0.8393387467554052, 0.8335169891378789},
      {0.7875127841660505, 0.7809222115335265}}},
    {"adagrad_momentum",
     R"({})",
     0.1,
     {{0.9000000999998999, 0.9000000249999938},
      {0.8091328025579072, 0.8091326656977791},
      {0.7260462865081904, 0.7260460982106313}}},
    {"rmsprop",
     R"({})",
     0.1,
     {{0.6837722439831617, 0.683772236483162},
      {0.4988706201172374, 0.4988706102019621},
      {0.36918056742779404, 0.3691805567234424}}},
    {"adam",
     R"({})",
     0.1,
     {{0.900000001, 0.9000000002499999},
      {0.8004122297123382, 0.8004122281815201},
      {0.701586274504415, 0.7015862721668379}}},
    {"optimistic_adam",
     R"({})",
     0.1,
     {{0.800000002, 0.8000000005},
      {0.7023748423183337, 0.7023748399611233},
      {0.6057935291251382, 0.6057935258962273}}},
    {"adamw",
     R"({})",
     0.1,
     {{0.899000001, 0.89900000025},
      {0.7985190281887788, 0.7985190266583931},
      {0.6989111847156934, 0.6989111823795018}}},
    {"amsgrad",
     R"({"variant": "paper"})",
     0.1,
     {{0.6837723339831306, 0.6837722589831603},
      {0.2702061690866708, 0.27020601821436946},
      {-0.16214120740030846, -0.16214141113232194}}},
    {"amsgrad",
     R"({"variant": "pytorch"})",
     0.1,
     {{0.900000001, 0.9000000002499999},
      {0.8004122297123382, 0.8004122281815201},
      {0.701586274504415, 0.7015862721668379}}},
    {"amsgrad",
     R"({"variant": "optax"})",
     0.1,
     {{0.900000001, 0.9000000002499999},
      {0.8052631597894737, 0.805263158368421},
      {0.7157700551239076, 0.7157700531090017}}},
    {"adopt",
     R"({})",
     25.0,
     {{1.0, 1.0},
      {-1.4999999999999996, -1.4999999999999996},
      {-0.7769822124931973, -0.7769822124931973}}},
    {"adopt",
     R"({"clip": false})",
     25.0,
     {{1.0, 1.0},
      {-1.4999999999999996, -1.4999999999999996},
      {-1.3322676295501878e-15, -1.3322676295501878e-15}}},
    {"cocob",
     R"({})",
     1.0,
     {{0.99, 0.99},
      {0.97990299, 0.97990299},
      {0.9694220831386708, 0.9694220831386708}}},
    {"cocob",
     R"({"alpha": 0, "initial_bound": 1e-10})",
     1.0,
     {{0.5, 0.5}, {0.25, 0.25}, {0.08522727272727271, 0.08522727272727271}}},
    {"dog",
     R"({})",
     1.0,
     {{0.9999994144672049, 0.9999976578688194},
      {0.9999990004327737, 0.9999960017340039},
      {0.9999984233321727, 0.9999936933385224}}},
    {"normalized",
     R"({})",
     0.1,
     {{0.9757464374963667, 0.9029857499854668},
      {0.9496668528606779, 0.8064463525084267},
      {0.921425411680432, 0.7105171025370925}}},
    {"normalized",
     R"({"power": 0.5})",
     0.1,
     {{0.9507520939494548, 0.803008375797819},
      {0.8988053248655921, 0.6275107211076381},
      {0.8437592645308228, 0.473786696297389}}},
    {"clipped",
     R"({"threshold": 2.0})",
     0.1,
     {{0.9514928749927334, 0.8059714999709336},
      {0.8948794060119845, 0.6141514928549767},
      {0.8264248573042194, 0.4262313641800095}}},
};

Matrix quadratic_direction(const Matrix& x) {
  Matrix d = x;
  d.col(0) *= -1.0;
  d.col(1) *= -4.0;
  return d;
}

bool close(double a, double b) {
  return std::abs(a - b) <= 1e-12 + 1e-10 * std::abs(b);
}

}  // namespace

TEST_CASE("update rules: three steps on a 2-D quadratic, as computed by hand") {
  std::vector<std::string> covered;
  for (const RuleCase& c : kRuleCases) {
    INFO("rule " << std::string(c.rule) << " " << std::string(c.settings));
    const RuleInfo& info = find_rule(c.rule);
    const Json settings =
        validate_params(Json::parse(c.settings), info.settings, "", c.rule);
    const auto state = info.make(Params(settings))->start();
    // Two identical points: rules act per point, so both rows must follow
    // the same sequence.
    Matrix x = Matrix::Ones(2, 2);
    for (const auto& [e1, e2] : c.iterates) {
      state->apply(x, quadratic_direction(x), c.step);
      for (Index row = 0; row < 2; ++row) {
        INFO("got (" << x(row, 0) << ", " << x(row, 1) << "), expected (" << e1
                     << ", " << e2 << ")");
        CHECK(close(x(row, 0), e1));
        CHECK(close(x(row, 1), e2));
      }
    }
    covered.push_back(c.rule);
  }
  for (const RuleInfo& rule : all_rules()) {
    INFO("rule " << rule.name);
    CHECK(std::find(covered.begin(), covered.end(), rule.name) !=
          covered.end());
  }
}

TEST_CASE("update rules: the step of the schedule is the η the rule sees") {
  // sgd with a polynomial schedule: x_t = x_{t-1}(1 − η/(t+1)) on f = ½x².
  const Json params = validate_params(
      {{"step_size", 0.5}, {"schedule", {{"name", "polynomial"}}}},
      FirstOrderConfig::params_for_rule(find_rule("sgd")), "", "gd");
  FirstOrderStep step(
      FirstOrderConfig::from_rule(find_rule("sgd"), Params(params)));
  Matrix x = Matrix::Constant(1, 1, 1.0);
  double expected = 1.0;
  for (int t = 0; t < 4; ++t) {
    step.apply(x, -x);
    expected *= 1.0 - 0.5 / (t + 1);
    CHECK(x(0, 0) == doctest::Approx(expected).epsilon(1e-15));
  }
  CHECK(step.steps() == 4);
}

TEST_CASE("schedules: each factor against its formula") {
  auto factor = [](const Json& given, long long t) {
    const ParamSpecs specs = {schedule_param()};
    const Params p(validate_params({{"schedule", given}}, specs, "", "test"));
    return Schedule(p.component_name("schedule"),
                    p.component_settings("schedule"))
        .factor(t);
  };
  const double pi = 3.14159265358979323846;
  CHECK(factor("constant", 0) == 1.0);
  CHECK(factor("constant", 1000) == 1.0);
  CHECK(factor("inverse_sqrt", 3) == doctest::Approx(0.5));
  CHECK(factor({{"name", "polynomial"}, {"power", 2}}, 3) ==
        doctest::Approx(1.0 / 16));
  CHECK(factor({{"name", "exponential"}, {"rate", 0.5}}, 3) ==
        doctest::Approx(0.125));
  const Json cosine = {
      {"name", "cosine"}, {"decay_steps", 10}, {"final_fraction", 0.1}};
  CHECK(factor(cosine, 0) == doctest::Approx(1.0));
  CHECK(factor(cosine, 5) == doctest::Approx(0.55));
  CHECK(factor(cosine, 3) ==
        doctest::Approx(0.1 + 0.9 * (1 + std::cos(pi * 0.3)) / 2));
  CHECK(factor(cosine, 10) == doctest::Approx(0.1));
  CHECK(factor(cosine, 50) == doctest::Approx(0.1));
  const Json linear = {{"name", "linear"}, {"decay_steps", 4}};
  CHECK(factor(linear, 1) == doctest::Approx(0.75));
  CHECK(factor(linear, 4) == doctest::Approx(0.0));
  CHECK(factor(linear, 9) == doctest::Approx(0.0));
  const Json step = {{"name", "step"}, {"every", 3}, {"factor", 0.5}};
  CHECK(factor(step, 2) == 1.0);
  CHECK(factor(step, 3) == 0.5);
  CHECK(factor(step, 6) == 0.25);
  // Warm-up (t+1)/w, then the schedule from t − w.
  const Json warm = {{"name", "inverse_sqrt"}, {"warmup_steps", 4}};
  CHECK(factor(warm, 0) == doctest::Approx(0.25));
  CHECK(factor(warm, 3) == doctest::Approx(1.0));
  CHECK(factor(warm, 4) == doctest::Approx(1.0));
  CHECK(factor(warm, 7) == doctest::Approx(0.5));
  // Halpern's anchor weights 1/(k+2).
  CHECK(halpern_anchor_weight(0) == 0.5);
  CHECK(halpern_anchor_weight(1) == doctest::Approx(1.0 / 3));
  CHECK(halpern_anchor_weight(98) == doctest::Approx(0.01));
}

TEST_CASE("averaging: each rule against its recursion or closed form") {
  // Iterates x_k = k² (1×1) for k = 1..6 after x₀ = 7.
  auto averaged = [](const AveragingRule& rule, int steps) {
    IterateAverage average(rule, Matrix::Constant(1, 1, 7.0));
    for (int k = 1; k <= steps; ++k)
      average.add(Matrix::Constant(1, 1, double(k) * k), k);
    return average.value()(0, 0);
  };
  AveragingRule uniform;
  // The ergodic mean of x_1..x_k: (1 + 4 + 9 + 16 + 25 + 36)/6.
  CHECK(averaged(uniform, 6) == doctest::Approx(91.0 / 6));
  CHECK(averaged(uniform, 1) == 1.0);
  AveragingRule polynomial;
  polynomial.kind = AveragingRule::Kind::polynomial;
  double expected = 7.0;  // DoG's averager, written as a convex combination
  for (int t = 1; t <= 6; ++t) {
    const double w = (1 + 8.0) / (t + 8.0);
    expected = (1 - w) * expected + w * t * t;
  }
  CHECK(averaged(polynomial, 6) == doctest::Approx(expected));
  polynomial.gamma = 0;  // γ = 0 is the uniform mean
  CHECK(averaged(polynomial, 6) == doctest::Approx(91.0 / 6));
  AveragingRule ema;
  ema.kind = AveragingRule::Kind::ema;
  ema.decay = 0.5;
  // β^k x₀ + (1 − β) Σ_j β^(k−j) x_j
  double closed = std::pow(0.5, 6) * 7.0;
  for (int j = 1; j <= 6; ++j) closed += 0.5 * std::pow(0.5, 6 - j) * j * j;
  CHECK(averaged(ema, 6) == doctest::Approx(closed));
}

namespace {

Json optimizer_suite(const Json& algorithm) {
  return {{"tasks", {{{"name", "quadratic"}, {"params", {{"dim", 2}}}}}},
          {"algorithms", {algorithm}},
          {"budget", {{"max_iterations", 20}}},
          {"metrics", {"distance_to_optimum"}}};
}

std::string error_path(const Json& suite) {
  try {
    parse_suite(suite, "test.json");
  } catch (const ConfigError& e) {
    return e.where() + ": " + e.what();
  }
  FAIL("the suite was accepted");
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("first-order parameters: bad input names the path and the fix") {
  // An unknown schedule, with the closest name.
  std::string e = error_path(
      optimizer_suite({{"name", "adam"}, {"params", {{"schedule", "cosin"}}}}));
  CHECK(contains(e, "/algorithms/0/params/schedule"));
  CHECK(contains(e, "did you mean 'cosine'"));
  // A schedule setting the chosen schedule does not have.
  e = error_path(optimizer_suite(
      {{"name", "gd"},
       {"params", {{"schedule", {{"name", "constant"}, {"power", 2}}}}}}));
  CHECK(contains(e, "/algorithms/0/params/schedule/power"));
  // A rule setting on an optimizer whose rule does not have it.
  e = error_path(
      optimizer_suite({{"name", "gd"}, {"params", {{"variant", "paper"}}}}));
  CHECK(contains(e, "/algorithms/0/params/variant"));
  // A β outside [0, 1).
  for (double beta : {-0.1, 1.0}) {
    e = error_path(
        optimizer_suite({{"name", "adam"}, {"params", {{"beta1", beta}}}}));
    CHECK(contains(e, "/algorithms/0/params/beta1"));
  }
  // A required schedule setting that is missing.
  e = error_path(
      optimizer_suite({{"name", "gd"}, {"params", {{"schedule", "cosine"}}}}));
  CHECK(contains(e, "decay_steps"));
  // A warm-up longer than the budget.
  e = error_path(optimizer_suite(
      {{"name", "adam"},
       {"params",
        {{"schedule", {{"name", "constant"}, {"warmup_steps", 50}}}}}}));
  CHECK(contains(e, "/algorithms/0/params/schedule/warmup_steps"));
  CHECK(contains(e, "max_iterations = 20"));
  // An unknown averaging.
  Json suite = optimizer_suite({{"name", "gd"}});
  suite["averaging"] = {{"kind", "polynomal"}};
  CHECK(contains(error_path(suite), "did you mean 'polynomial'"));
  // The `rule` parameter of a rule-agnostic algorithm: unknown rule, and a
  // setting the chosen rule does not have.
  const ParamSpecs specs =
      FirstOrderConfig::params_with_rule(0.1, "test", "sgd");
  try {
    validate_params({{"rule", "adamm"}}, specs, "/p", "test");
    FAIL("accepted");
  } catch (const ConfigError& error) {
    CHECK(error.where() == "/p/rule");
    CHECK(contains(error.what(), "did you mean 'adam'"));
  }
  try {
    validate_params({{"rule", {{"name", "sgd"}, {"variant", "paper"}}}}, specs,
                    "/p", "test");
    FAIL("accepted");
  } catch (const ConfigError& error) {
    CHECK(error.where() == "/p/rule/variant");
  }
}

TEST_CASE("averaging: the runner records the last and the averaged iterate") {
  Json suite_json =
      optimizer_suite({{"name", "gd"}, {"params", {{"step_size", 0.1}}}});
  suite_json["metrics"] = {
      {{"name", "distance_to_optimum"}, {"settings", {{"iterate", "both"}}}}};
  suite_json["checkpoints"] = {{"every", 1}};
  const Suite suite = parse_suite(suite_json, "test.json");
  const Json record = run_cell(suite, expand_cells(suite).at(0));
  REQUIRE(record["status"] == "ok");
  const Json& last = record["trace"]["metrics"]["distance_to_optimum"];
  const Json& average =
      record["trace"]["metrics"]["distance_to_optimum@average"];
  REQUIRE(last.size() == 21);
  REQUIRE(average.size() == 21);
  // Before any step and after the first, the average is the iterate.
  CHECK(average[0] == last[0]);
  CHECK(average[1] == last[1]);
  // GD on a quadratic moves monotonically towards x*: the uniform average
  // of the iterates lags behind the last one.
  CHECK(average[20].get<double>() > last[20].get<double>());
}
