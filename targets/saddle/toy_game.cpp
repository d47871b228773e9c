// `toy_game`: small non-monotone games with a known critical point, the
// toys of the minimax papers (PAPERS.md §9.2), one `name` each:
//   dirac_gan       Mescheder et al. (2018): L(θ, ψ) = f(ψθ) + f(0),
//                   f(t) = −log(1 + e^{−t}) (f′(t) = σ(−t)); generator θ
//                   minimizes, discriminator ψ maximizes; z* = 0, where the
//                   linearization is a pure rotation (GDA cycles out);
//                   start (1, 1)
//   pl_game         L = x² + 3 sin²x sin²y − 4y² − 10 sin²y, nonconvex-
//                   nonconcave with the two-sided PL condition (Yang, Kiyavash
//                   & He 2020); z* = 0; start (10, 10)
//   almost_bilinear L = xy + ε(y²/2 − y⁴/4), ε = `epsilon` (0.01): its only
//                   critical point z* = 0 repels the max player locally
//                   (Hsieh, Mertikopoulos & Cevher 2021); start (1, 1)
// Every row starts at the name's start point plus N(0, start_std²) noise.
// None declares monotonicity: their operators are not monotone.
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

class ToyGameTask final : public SaddlePoint {
 public:
  static constexpr const char* kName = "toy_game";
  static constexpr const char* kDescription =
      "2-D non-monotone games with z* = 0: dirac_gan (Mescheder et al. "
      "2018), pl_game (two-sided PL), almost_bilinear (xy + eps(y^2/2 - "
      "y^4/4))";
  static constexpr const char* kDimensionRule = "2 (x and y are scalars)";

  static ParamSpecs params() {
    return {
        ParamSpec::string("name", "dirac_gan",
                          {"dirac_gan", "pl_game", "almost_bilinear"},
                          "the game"),
        ParamSpec::real("epsilon", 0.01, "ε of almost_bilinear").above(0.0),
        ParamSpec::real("start_std", 0.0,
                        "σ of the N(0, σ²I) noise added to the start point "
                        "of each row")
            .at_least(0.0),
    };
  }

  explicit ToyGameTask(const Params& p)
      : epsilon_(p.real("epsilon")), start_std_(p.real("start_std")) {
    const std::string name = p.string("name");
    if (name == "dirac_gan") {
      game_ = Game::dirac_gan;
      start_ << 1.0, 1.0;
    } else if (name == "pl_game") {
      game_ = Game::pl_game;
      start_ << 10.0, 10.0;
    } else {
      game_ = Game::almost_bilinear;
      start_ << 1.0, 1.0;
    }
  }

  Index dim_x() const override { return 1; }
  Index dim_y() const override { return 1; }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::gradient_noise};
  }
  Matrix initial_points(Index n, Rng& rng) const override {
    Matrix z = start_.transpose().replicate(n, 1);
    if (start_std_ > 0) z += start_std_ * rng.normal_matrix(n, 2);
    return z;
  }
  Matrix operator_value(const Matrix& z) const override {
    Matrix out(z.rows(), 2);
    for (Index i = 0; i < z.rows(); ++i) {
      double dx = 0, dy = 0;
      gradient(z(i, 0), z(i, 1), dx, dy);
      out(i, 0) = dx;
      out(i, 1) = -dy;
    }
    return out;
  }
  Vector value(const Matrix& z) const override {
    Vector out(z.rows());
    for (Index i = 0; i < z.rows(); ++i) out(i) = lagrangian(z(i, 0), z(i, 1));
    return out;
  }
  Vector solution() const override { return Vector::Zero(2); }

 private:
  enum class Game { dirac_gan, pl_game, almost_bilinear };

  // f(t) = −log(1 + e^{−t}), computed without overflow.
  static double dirac_f(double t) {
    return t >= 0 ? -std::log1p(std::exp(-t)) : t - std::log1p(std::exp(t));
  }
  // f′(t) = σ(−t).
  static double dirac_f_prime(double t) {
    return t >= 0 ? std::exp(-t) / (1 + std::exp(-t)) : 1 / (1 + std::exp(t));
  }
  double lagrangian(double x, double y) const {
    switch (game_) {
      case Game::dirac_gan:
        return dirac_f(y * x) + dirac_f(0.0);
      case Game::pl_game: {
        const double sx = std::sin(x), sy = std::sin(y);
        return x * x + 3 * sx * sx * sy * sy - 4 * y * y - 10 * sy * sy;
      }
      case Game::almost_bilinear:
        return x * y + epsilon_ * (y * y / 2 - y * y * y * y / 4);
    }
    return 0;
  }
  void gradient(double x, double y, double& dx, double& dy) const {
    switch (game_) {
      case Game::dirac_gan: {
        const double d = dirac_f_prime(y * x);
        dx = d * y;
        dy = d * x;
        return;
      }
      case Game::pl_game: {
        const double sx = std::sin(x), sy = std::sin(y);
        const double s2x = std::sin(2 * x), s2y = std::sin(2 * y);
        dx = 2 * x + 3 * s2x * sy * sy;
        dy = 3 * sx * sx * s2y - 8 * y - 10 * s2y;
        return;
      }
      case Game::almost_bilinear:
        dx = y;
        dy = x + epsilon_ * (y - y * y * y);
        return;
    }
  }

  Game game_ = Game::dirac_gan;
  double epsilon_, start_std_;
  Eigen::Vector2d start_;
};

}  // namespace

VIBENCH_REGISTER_TASK(ToyGameTask);

}  // namespace vibench
