// `test_function`: the classical optimization test functions, each with its
// start, its global minimizer x* and f* (the answers ensmallen's test
// problems carry; PAPERS.md §9.2), and `rosenbrock` in d dimensions.
// Minimizers are exact where a closed form exists and otherwise solved at
// construction to machine precision from their defining equation (the
// decimals quoted in the literature, e.g. McCormick's (−0.54719, −1.54719),
// are not stationary to 1e-9); every stored optimum is checked against the
// function by tests/test_objectives.cpp.
//
//   name             d     f(x)                                   x*, f*
//   sphere           any   Σx²                                    0, 0
//   rastrigin        any   10d + Σ(x² − 10cos 2πx)                 0, 0
//   ackley           any   −20e^{−0.2√(Σx²/d)} − e^{Σcos 2πx/d}     0, 0
//                          + 20 + e
//   styblinski_tang  any   ½Σ(x⁴ − 16x² + 5x)                      −2.9035…·1,
//                                                                 −39.166…·d
//   schwefel         any   418.9829d − Σ x sin√|x|                 420.9687…·1,
//   ≈0 beale            2     (1.5−x+xy)² + (2.25−x+xy²)²             (3, 0.5),
//   0
//                          + (2.625−x+xy³)²
//   booth            2     (x+2y−7)² + (2x+y−5)²                   (1, 3), 0
//   himmelblau       2     (x²+y−11)² + (x+y²−7)²                  (3, 2), 0
//   matyas           2     0.26(x²+y²) − 0.48xy                    0, 0
//   mccormick        2     sin(x+y) + (x−y)² − 1.5x + 2.5y + 1     x+y = −2π/3,
//                                                                 x−y = 1
//   goldstein_price  2     [1 + (x+y+1)²(19−14x+3x²−14y+6xy+3y²)]  (0, −1), 3
//                          ·[30 + (2x−3y)²(18−32x+12x²+48y−36xy+27y²)]
//   levy13           2     sin²3πx + (x−1)²(1+sin²3πy)             (1, 1), 0
//                          + (y−1)²(1+sin²2πy)
//   three_hump_camel 2     2x² − 1.05x⁴ + x⁶/6 + xy + y²            0, 0
//
// Each carries its usual search box (minimum_region), where x* is the
// global minimizer: McCormick's, for one, is unbounded below outside it.
// Ackley's gradient is not defined at 0; the subgradient 0 is returned there.
// Schwefel's f* is 418.9829d − d·x*sin√x*, computed, not the rounded 0.
#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

using std::numbers::pi;

// A scalar Newton iteration to machine precision, for the minimizers that
// are roots of a 1-D equation.
double newton_root(const std::function<double(double)>& g,
                   const std::function<double(double)>& dg, double x) {
  for (int k = 0; k < 100; ++k) {
    const double step = g(x) / dg(x);
    x -= step;
    if (std::abs(step) <= 1e-15 * (1 + std::abs(x))) break;
  }
  return x;
}

struct TestFunction {
  std::string name;
  Index fixed_dim;  // 0: any dimension
  // The usual search box, where x* is the global minimizer: per coordinate
  // (lower, upper) of x and of y (the any-d functions use the first pair).
  double x_lo, x_hi, y_lo, y_hi;
  std::function<double(const Vector&, Vector&)> value_grad;
  std::function<Vector(Index)> start;
  std::function<Vector(Index)> minimizer;
};

double sq(double v) { return v * v; }

std::vector<TestFunction> test_functions() {
  std::vector<TestFunction> all;
  auto constant = [](double v) {
    return [v](Index d) { return Vector::Constant(d, v); };
  };
  auto point = [](double a, double b) {
    return [a, b](Index) { return (Vector(2) << a, b).finished(); };
  };
  all.push_back({"sphere", 0, -5.12, 5.12, -5.12, 5.12,
                 [](const Vector& x, Vector& g) {
                   g = 2 * x;
                   return x.squaredNorm();
                 },
                 constant(1.0), constant(0.0)});
  all.push_back({"rastrigin", 0, -5.12, 5.12, -5.12, 5.12,
                 [](const Vector& x, Vector& g) {
                   const auto a = x.array();
                   g = (2 * a + 20 * pi * (2 * pi * a).sin()).matrix();
                   return 10.0 * x.size() +
                          (a.square() - 10 * (2 * pi * a).cos()).sum();
                 },
                 constant(2.5), constant(0.0)});
  all.push_back(
      {"ackley", 0, -32.768, 32.768, -32.768, 32.768,
       [](const Vector& x, Vector& g) {
         const double d = static_cast<double>(x.size());
         const double r = std::sqrt(x.squaredNorm() / d);
         const double e1 = std::exp(-0.2 * r);
         const double e2 = std::exp((2 * pi * x.array()).cos().sum() / d);
         g = ((2 * pi / d) * e2 * (2 * pi * x.array()).sin()).matrix();
         if (r > 0) g += (4.0 * e1 / (d * r)) * x;
         return -20 * e1 - e2 + 20 + std::numbers::e;
       },
       constant(2.0), constant(0.0)});
  // x* solves 4x³ − 32x + 5 = 0 (the root near −2.9035).
  const double st =
      newton_root([](double x) { return 4 * x * x * x - 32 * x + 5; },
                  [](double x) { return 12 * x * x - 32; }, -2.9);
  all.push_back({"styblinski_tang", 0, -5, 5, -5, 5,
                 [](const Vector& x, Vector& g) {
                   const auto a = x.array();
                   g = (2 * a.cube() - 16 * a + 2.5).matrix();
                   return 0.5 *
                          (a.square().square() - 16 * a.square() + 5 * a).sum();
                 },
                 constant(0.0), constant(st)});
  // x* solves d/dx [x sin√x] = sin√x + (√x/2) cos√x = 0 near 420.97.
  const double sw = newton_root(
      [](double x) {
        const double s = std::sqrt(x);
        return std::sin(s) + 0.5 * s * std::cos(s);
      },
      [](double x) {
        const double s = std::sqrt(x);
        return (0.75 * std::cos(s) - 0.25 * s * std::sin(s)) / s;
      },
      420.9);
  all.push_back({"schwefel", 0, -500, 500, -500, 500,
                 [](const Vector& x, Vector& g) {
                   const auto a = x.array();
                   const auto s = a.abs().sqrt();
                   // d/dx [x sin√|x|] = sin√|x| + (√|x|/2) cos√|x|.
                   g = -(s.sin() + 0.5 * s * s.cos()).matrix();
                   return 418.9829 * x.size() - (a * s.sin()).sum();
                 },
                 constant(300.0), constant(sw)});
  all.push_back({"beale", 2, -4.5, 4.5, -4.5, 4.5,
                 [](const Vector& v, Vector& g) {
                   const double x = v(0), y = v(1);
                   const double a = 1.5 - x + x * y, b = 2.25 - x + x * y * y,
                                c = 2.625 - x + x * y * y * y;
                   g.resize(2);
                   g(0) = 2 * a * (y - 1) + 2 * b * (y * y - 1) +
                          2 * c * (y * y * y - 1);
                   g(1) = 2 * a * x + 4 * b * x * y + 6 * c * x * y * y;
                   return a * a + b * b + c * c;
                 },
                 point(1.0, 1.0), point(3.0, 0.5)});
  all.push_back({"booth", 2, -10, 10, -10, 10,
                 [](const Vector& v, Vector& g) {
                   const double a = v(0) + 2 * v(1) - 7,
                                b = 2 * v(0) + v(1) - 5;
                   g.resize(2);
                   g(0) = 2 * a + 4 * b;
                   g(1) = 4 * a + 2 * b;
                   return a * a + b * b;
                 },
                 point(0.0, 0.0), point(1.0, 3.0)});
  all.push_back({"himmelblau", 2, -5, 5, -5, 5,
                 [](const Vector& v, Vector& g) {
                   const double x = v(0), y = v(1);
                   const double a = x * x + y - 11, b = x + y * y - 7;
                   g.resize(2);
                   g(0) = 4 * a * x + 2 * b;
                   g(1) = 2 * a + 4 * b * y;
                   return a * a + b * b;
                 },
                 point(2.0, 1.0), point(3.0, 2.0)});
  all.push_back({"matyas", 2, -10, 10, -10, 10,
                 [](const Vector& v, Vector& g) {
                   const double x = v(0), y = v(1);
                   g.resize(2);
                   g(0) = 0.52 * x - 0.48 * y;
                   g(1) = 0.52 * y - 0.48 * x;
                   return 0.26 * (x * x + y * y) - 0.48 * x * y;
                 },
                 point(1.0, 3.0), point(0.0, 0.0)});
  const double mc = (1.0 - 2.0 * pi / 3.0) / 2.0;
  all.push_back({"mccormick", 2, -1.5, 4, -3, 4,
                 [](const Vector& v, Vector& g) {
                   const double x = v(0), y = v(1);
                   g.resize(2);
                   g(0) = std::cos(x + y) + 2 * (x - y) - 1.5;
                   g(1) = std::cos(x + y) - 2 * (x - y) + 2.5;
                   return std::sin(x + y) + sq(x - y) - 1.5 * x + 2.5 * y + 1;
                 },
                 point(0.0, 0.0), point(mc, mc - 1.0)});
  all.push_back(
      {"goldstein_price", 2, -2, 2, -2, 2,
       [](const Vector& v, Vector& g) {
         const double x = v(0), y = v(1);
         const double s = x + y + 1, t = 2 * x - 3 * y;
         const double p =
             19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y;
         const double q =
             18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y;
         const double a = 1 + s * s * p, b = 30 + t * t * q;
         const double dpx = -14 + 6 * x + 6 * y, dpy = -14 + 6 * x + 6 * y;
         const double dqx = -32 + 24 * x - 36 * y, dqy = 48 - 36 * x + 54 * y;
         const double dax = 2 * s * p + s * s * dpx,
                      day = 2 * s * p + s * s * dpy;
         const double dbx = 4 * t * q + t * t * dqx,
                      dby = -6 * t * q + t * t * dqy;
         g.resize(2);
         g(0) = dax * b + a * dbx;
         g(1) = day * b + a * dby;
         return a * b;
       },
       point(0.5, 0.5), point(0.0, -1.0)});
  all.push_back({"levy13", 2, -10, 10, -10, 10,
                 [](const Vector& v, Vector& g) {
                   const double x = v(0), y = v(1);
                   const double s3x = std::sin(3 * pi * x),
                                s3y = std::sin(3 * pi * y),
                                s2y = std::sin(2 * pi * y);
                   g.resize(2);
                   g(0) = 6 * pi * s3x * std::cos(3 * pi * x) +
                          2 * (x - 1) * (1 + s3y * s3y);
                   g(1) = sq(x - 1) * 6 * pi * s3y * std::cos(3 * pi * y) +
                          2 * (y - 1) * (1 + s2y * s2y) +
                          sq(y - 1) * 4 * pi * s2y * std::cos(2 * pi * y);
                   return s3x * s3x + sq(x - 1) * (1 + s3y * s3y) +
                          sq(y - 1) * (1 + s2y * s2y);
                 },
                 point(-2.0, 3.0), point(1.0, 1.0)});
  all.push_back({"three_hump_camel", 2, -5, 5, -5, 5,
                 [](const Vector& v, Vector& g) {
                   const double x = v(0), y = v(1);
                   g.resize(2);
                   g(0) = 4 * x - 4.2 * x * x * x + std::pow(x, 5) + y;
                   g(1) = x + 2 * y;
                   return 2 * x * x - 1.05 * std::pow(x, 4) +
                          std::pow(x, 6) / 6 + x * y + y * y;
                 },
                 point(1.0, 1.0), point(0.0, 0.0)});
  return all;
}

const std::vector<TestFunction>& registry_of_functions() {
  static const std::vector<TestFunction> all = test_functions();
  return all;
}

std::vector<std::string> function_names() {
  std::vector<std::string> names;
  for (const auto& f : registry_of_functions()) names.push_back(f.name);
  return names;
}

// Shared by test_function and rosenbrock: a function given per point, its
// start (plus optional N(0, start_std²) noise per row), x* and f*.
class PointwiseObjective : public Objective {
 public:
  Index dim() const override { return optimum_.size(); }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::gradient_noise};
  }
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    f.resize(x.rows());
    grad.resize(x.rows(), x.cols());
    Vector g;
    for (Index i = 0; i < x.rows(); ++i) {
      f(i) = value_grad_at(x.row(i).transpose(), g);
      grad.row(i) = g.transpose();
    }
  }
  double optimal_value() const override { return optimal_value_; }
  Vector optimum() const override { return optimum_; }
  Matrix minimum_region() const override { return region_; }
  Matrix initial_points(Index n, Rng& rng) const override {
    Matrix x = start_.transpose().replicate(n, 1);
    if (start_std_ > 0) x += start_std_ * rng.normal_matrix(n, dim());
    return x;
  }

 protected:
  virtual double value_grad_at(const Vector& x, Vector& g) const = 0;
  // Called by the derived constructor once the function is usable.
  void set_answer(Vector start, Vector optimum, double start_std,
                  Matrix region = {}) {
    region_ = std::move(region);
    start_ = std::move(start);
    optimum_ = std::move(optimum);
    start_std_ = start_std;
    Vector g;
    optimal_value_ = value_grad_at(optimum_, g);
  }
  static ParamSpec start_std_param() {
    return ParamSpec::real("start_std", 0.0,
                           "standard deviation of N(0, σ²I) added to the "
                           "function's start, per row (0: every run starts "
                           "at the start)")
        .at_least(0.0);
  }

 private:
  Vector start_, optimum_;
  Matrix region_;
  double start_std_ = 0.0;
  double optimal_value_ = 0.0;
};

class TestFunctionTask final : public PointwiseObjective {
 public:
  static constexpr const char* kName = "test_function";
  static constexpr const char* kDescription =
      "classical test functions with known minimizers: sphere, rastrigin, "
      "ackley, styblinski_tang, schwefel (any d); beale, booth, himmelblau, "
      "matyas, mccormick, goldstein_price, levy13, three_hump_camel (2-D)";
  static constexpr const char* kDimensionRule = "dim (2 for the 2-D ones)";

  static ParamSpecs params() {
    return {
        ParamSpec::string("name", "beale", function_names(),
                          "the function (see `vibench list`'s description "
                          "and targets/objectives/test_function.cpp)"),
        ParamSpec::integer("dim", 2,
                           "dimension of the any-d functions (the 2-D ones "
                           "need 2)")
            .at_least(1),
        start_std_param(),
    };
  }

  explicit TestFunctionTask(const Params& p) {
    const std::string name = p.string("name");
    for (const auto& f : registry_of_functions())
      if (f.name == name) function_ = &f;
    const Index d = static_cast<Index>(p.integer("dim"));
    if (function_->fixed_dim > 0 && d != function_->fixed_dim)
      throw ConfigError("/dim", fmt::format("test_function '{}' is {}-D; got "
                                            "dim = {}",
                                            name, function_->fixed_dim, d));
    Matrix region(2, d);
    region.row(0).setConstant(function_->x_lo);
    region.row(1).setConstant(function_->x_hi);
    if (d == 2) {
      region(0, 1) = function_->y_lo;
      region(1, 1) = function_->y_hi;
    }
    set_answer(function_->start(d), function_->minimizer(d),
               p.real("start_std"), region);
  }
  // The three convex quadratics of the family, by their constant Hessians:
  // sphere 2I; Booth [[10, 8], [8, 10]] (eigenvalues 2, 18); Matyas
  // [[0.52, −0.48], [−0.48, 0.52]] (0.04, 1). The others are nonconvex.
  ObjectiveProperties properties() const override {
    if (function_->name == "sphere") return {true, 2.0, 2.0};
    if (function_->name == "booth") return {true, 2.0, 18.0};
    if (function_->name == "matyas") return {true, 0.04, 1.0};
    return {};
  }

 private:
  double value_grad_at(const Vector& x, Vector& g) const override {
    return function_->value_grad(x, g);
  }
  const TestFunction* function_ = nullptr;
};

// Rosenbrock in d ≥ 2 dimensions, Σ_{i<d} b(x_{i+1} − x_i²)² + (a − x_i)²,
// x* = (a, a², a⁴...)… for a = 1: x* = 1, f* = 0; start (−1.2, 1, −1.2, ...).
class RosenbrockTask final : public PointwiseObjective {
 public:
  static constexpr const char* kName = "rosenbrock";
  static constexpr const char* kDescription =
      "Rosenbrock's valley sum_i 100(x_{i+1} - x_i^2)^2 + (1 - x_i)^2, "
      "x* = 1, f* = 0, from (-1.2, 1, -1.2, ...)";
  static constexpr const char* kDimensionRule = "dim";

  static ParamSpecs params() {
    return {ParamSpec::integer("dim", 2, "dimension d").at_least(2),
            start_std_param()};
  }
  explicit RosenbrockTask(const Params& p) {
    const Index d = static_cast<Index>(p.integer("dim"));
    Vector start(d);
    for (Index i = 0; i < d; ++i) start(i) = i % 2 == 0 ? -1.2 : 1.0;
    set_answer(start, Vector::Ones(d), p.real("start_std"));
  }

 private:
  double value_grad_at(const Vector& x, Vector& g) const override {
    const Index d = x.size();
    g = Vector::Zero(d);
    double f = 0;
    for (Index i = 0; i + 1 < d; ++i) {
      const double a = x(i + 1) - x(i) * x(i), b = 1 - x(i);
      f += 100 * a * a + b * b;
      g(i) += -400 * a * x(i) - 2 * b;
      g(i + 1) += 200 * a;
    }
    return f;
  }
};

}  // namespace

VIBENCH_REGISTER_TASK(TestFunctionTask);
VIBENCH_REGISTER_TASK(RosenbrockTask);

}  // namespace vibench
