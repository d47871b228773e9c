// `toy_game`: small non-monotone games with a known critical point, the
// toys of the minimax papers (PAPERS.md §9.2), one `name` each:
//   dirac_gan       Mescheder, Geiger & Nowozin (2018): L(θ, ψ) =
//                   f(ψθ) + f(0), f(t) = −log(1 + e^{−t}) (f′(t) = σ(−t));
//                   generator θ minimizes, discriminator ψ maximizes;
//                   z* = 0, where the linearization is a pure rotation (GDA
//                   cycles out); start (1, 1)
//   nonsaturating_gan  the same with the non-saturating generator loss
//                   −f(−ψθ): F = (ψ f′(−ψθ), −θ f′(ψθ)), a game with two
//                   losses and no Lagrangian (value() is the
//                   discriminator's payoff f(ψθ) + f(0)); z* = 0; start (1, 1)
//   wgan_clip       f(t) = t, L = ψθ with the discriminator clipped to
//                   |ψ| ≤ `clip` (0.3, the authors' default; their notebook
//                   draws c = 1): a feasible box, so only projected methods
//                   run; monotone, L = 1; z* = 0; start (1, min(1, clip))
//   wgan_gp         f(t) = t with the gradient penalty,
//                   L = ψθ − (γ/2)(|ψ| − g₀)², γ = `penalty` (1), g₀ =
//                   `penalty_target` (0.3), the authors' defaults; F is
//                   discontinuous at ψ = 0 (sign(0) = 0), z* = 0, the only
//                   zero of F; start (1, 1)
//   forsaken        L = x(y − c) + φ(x) − φ(y), φ(z) = z²/4 − z⁴/2 + z⁶/6,
//                   c = `offset` (0.45), on the box [−1.5, 1.5]² (Hsieh,
//                   Mertikopoulos & Cevher 2021's "forsaken" example, in the
//                   form and box of Pethick et al. 2022's code): a
//                   stationary point z* ≈ (0.0780, 0.4119) (found by Newton's
//                   method) ringed by limit cycles that trap extra-gradient
//                   methods; its weak-Minty constant (≈ −0.478) is far
//                   below −1/(2L); L of F on the box (≈ 12.40) is declared;
//                   start (1, −0.8), Pethick et al.'s
//   pl_game         L = x² + 3 sin²x sin²y − 4y² − 10 sin²y, nonconvex-
//                   nonconcave with the two-sided PL condition (Yang, Kiyavash
//                   & He 2020); z* = 0; start (10, 10)
//   almost_bilinear L = xy + ε(y²/2 − y⁴/4), ε = `epsilon` (0.01): its only
//                   critical point z* = 0 repels the max player locally
//                   (Hsieh, Mertikopoulos & Cevher 2021); start (1, 1)
// Every row starts at the name's start point plus N(0, start_std²) noise,
// clamped into the game's box if it has one. Only wgan_clip declares
// monotonicity: the others' operators are not monotone.
#include <fmt/format.h>

#include <Eigen/SVD>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

class ToyGameTask final : public SaddlePoint {
 public:
  static constexpr const char* kName = "toy_game";
  static constexpr const char* kDescription =
      "2-D games with a known critical point: dirac_gan, nonsaturating_gan, "
      "wgan_clip, wgan_gp (Mescheder et al. 2018), forsaken (Hsieh et al. "
      "2021), pl_game (two-sided PL), almost_bilinear (xy + eps(y^2/2 - "
      "y^4/4))";
  static constexpr const char* kDimensionRule = "2 (x and y are scalars)";

  static ParamSpecs params() {
    return {
        ParamSpec::string("name", "dirac_gan",
                          {"dirac_gan", "nonsaturating_gan", "wgan_clip",
                           "wgan_gp", "forsaken", "pl_game", "almost_bilinear"},
                          "the game"),
        ParamSpec::real("epsilon", 0.01, "ε of almost_bilinear").above(0.0),
        ParamSpec::real("clip", 0.3,
                        "wgan_clip: the discriminator's bound |ψ| ≤ clip "
                        "(Mescheder et al.'s default)")
            .above(0.0),
        ParamSpec::real("penalty", 1.0,
                        "wgan_gp: γ of the gradient penalty (Mescheder et "
                        "al.'s default)")
            .above(0.0),
        ParamSpec::real("penalty_target", 0.3,
                        "wgan_gp: the target g₀ of |ψ| (Mescheder et al.'s "
                        "default)")
            .at_least(0.0),
        ParamSpec::real("offset", 0.45,
                        "forsaken: c in x(y − c) (Hsieh et al. 2021; Pethick "
                        "et al. 2022)"),
        ParamSpec::real("start_std", 0.0,
                        "σ of the N(0, σ²I) noise added to the start point "
                        "of each row")
            .at_least(0.0),
    };
  }

  explicit ToyGameTask(const Params& p)
      : epsilon_(p.real("epsilon")),
        clip_(p.real("clip")),
        penalty_(p.real("penalty")),
        penalty_target_(p.real("penalty_target")),
        offset_(p.real("offset")),
        start_std_(p.real("start_std")) {
    const std::string name = p.string("name");
    solution_.setZero();
    start_ << 1.0, 1.0;
    if (name == "dirac_gan") {
      game_ = Game::dirac_gan;
    } else if (name == "nonsaturating_gan") {
      game_ = Game::nonsaturating_gan;
    } else if (name == "wgan_clip") {
      game_ = Game::wgan_clip;
      box_.resize(2, 2);
      box_ << -kInfinity, -clip_, kInfinity, clip_;
    } else if (name == "wgan_gp") {
      game_ = Game::wgan_gp;
    } else if (name == "forsaken") {
      game_ = Game::forsaken;
      start_ << 1.0, -0.8;
      box_.resize(2, 2);
      box_ << -kForsakenBox, -kForsakenBox, kForsakenBox, kForsakenBox;
      solution_ = forsaken_stationary_point();
    } else if (name == "pl_game") {
      game_ = Game::pl_game;
      start_ << 10.0, 10.0;
    } else {
      game_ = Game::almost_bilinear;
    }
    if (box_.size() > 0)
      start_ = start_.cwiseMax(box_.row(0).transpose())
                   .cwiseMin(box_.row(1).transpose());
  }

  Index dim_x() const override { return 1; }
  Index dim_y() const override { return 1; }
  Capabilities capabilities() const override {
    Capabilities c = {Capability::optimum, Capability::gradient_noise};
    if (box_.size() > 0) c.insert(Capability::feasible_set);
    if (game_ == Game::wgan_clip || game_ == Game::forsaken)
      c.insert(Capability::smoothness);
    return c;
  }
  SaddleProperties properties() const override {
    if (game_ == Game::wgan_clip)  // F = (ψ, −θ): a rotation
      return {.monotone = true, .lipschitz = 1.0};
    if (game_ == Game::forsaken) return {.lipschitz = forsaken_lipschitz()};
    return {};
  }
  Matrix feasible_box() const override { return box_; }
  Matrix initial_points(Index n, Rng& rng) const override {
    Matrix z = start_.transpose().replicate(n, 1);
    if (start_std_ > 0) z += start_std_ * rng.normal_matrix(n, 2);
    project_feasible(z);
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
  // The non-saturating GAN's generator minimizes its own loss −f(−ψθ).
  void player_losses(const Matrix& z, Vector& loss_x,
                     Vector& loss_y) const override {
    SaddlePoint::player_losses(z, loss_x, loss_y);
    if (game_ != Game::nonsaturating_gan) return;
    for (Index i = 0; i < z.rows(); ++i)
      loss_x(i) = -dirac_f(-z(i, 1) * z(i, 0));
  }
  bool has_lagrangian() const override {
    return game_ != Game::nonsaturating_gan;
  }
  Vector solution() const override { return solution_; }

 private:
  enum class Game {
    dirac_gan,
    nonsaturating_gan,
    wgan_clip,
    wgan_gp,
    forsaken,
    pl_game,
    almost_bilinear
  };
  static constexpr double kInfinity = std::numeric_limits<double>::infinity();
  static constexpr double kForsakenBox = 1.5;  // Pethick et al.'s [−1.5, 1.5]²

  // φ(z) = z²/4 − z⁴/2 + z⁶/6 and its derivatives.
  static double phi(double z) {
    const double z2 = z * z;
    return z2 / 4 - z2 * z2 / 2 + z2 * z2 * z2 / 6;
  }
  static double phi_prime(double z) {
    const double z2 = z * z;
    return z / 2 - 2 * z * z2 + z * z2 * z2;
  }
  static double phi_second(double z) {
    const double z2 = z * z;
    return 0.5 - 6 * z2 + 5 * z2 * z2;
  }
  // F = (y − c + φ′(x), −x + φ′(y)) = 0 by Newton's method from the
  // stationary point of c = 0.45 (Pethick et al.'s (0.0780, 0.4119)).
  Vector forsaken_stationary_point() const {
    Eigen::Vector2d z(0.0780266687, 0.4119338514);
    for (int iteration = 0; iteration < 100; ++iteration) {
      const Eigen::Vector2d f(z(1) - offset_ + phi_prime(z(0)),
                              -z(0) + phi_prime(z(1)));
      Eigen::Matrix2d jacobian;
      jacobian << phi_second(z(0)), 1.0, -1.0, phi_second(z(1));
      z -= jacobian.partialPivLu().solve(f);
      if (!z.allFinite()) break;
    }
    const Eigen::Vector2d f(z(1) - offset_ + phi_prime(z(0)),
                            -z(0) + phi_prime(z(1)));
    if (!(f.norm() < 1e-12) || !(z.cwiseAbs().maxCoeff() < kForsakenBox))
      throw ConfigError(
          "offset",
          fmt::format("toy_game forsaken: no stationary point near the one "
                      "of offset 0.45 was found for offset = {} (Newton's "
                      "method ended at ({}, {}), |F| = {:.3g})",
                      offset_, z(0), z(1), f.norm()));
    return Vector(z);
  }
  // L of F on the box: the Jacobian [[φ″(x), 1], [−1, φ″(y)]] is affine in
  // (φ″(x), φ″(y)), so its norm, convex there, peaks at a corner of the
  // range of φ″ on [−1.5, 1.5]: from φ″(±√0.6) = −1.3 to φ″(±1.5).
  static double forsaken_lipschitz() {
    const double low = phi_second(std::sqrt(0.6));
    const double high = phi_second(kForsakenBox);
    double lipschitz = 0;
    for (double a : {low, high})
      for (double b : {low, high}) {
        Eigen::Matrix2d jacobian;
        jacobian << a, 1.0, -1.0, b;
        lipschitz = std::max(
            lipschitz,
            Eigen::JacobiSVD<Eigen::Matrix2d>(jacobian).singularValues()(0));
      }
    return lipschitz;
  }

  // f(t) = −log(1 + e^{−t}), computed without overflow.
  static double dirac_f(double t) {
    return t >= 0 ? -std::log1p(std::exp(-t)) : t - std::log1p(std::exp(t));
  }
  // f′(t) = σ(−t).
  static double dirac_f_prime(double t) {
    return t >= 0 ? std::exp(-t) / (1 + std::exp(-t)) : 1 / (1 + std::exp(t));
  }
  static double sign(double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; }
  double lagrangian(double x, double y) const {
    switch (game_) {
      case Game::dirac_gan:
      case Game::nonsaturating_gan:
        return dirac_f(y * x) + dirac_f(0.0);
      case Game::wgan_clip:
        return y * x;
      case Game::wgan_gp: {
        const double excess = std::abs(y) - penalty_target_;
        return y * x - 0.5 * penalty_ * excess * excess;
      }
      case Game::forsaken:
        return x * (y - offset_) + phi(x) - phi(y);
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
      case Game::nonsaturating_gan:  // ∂θ of the generator's −f(−ψθ)
        dx = dirac_f_prime(-y * x) * y;
        dy = dirac_f_prime(y * x) * x;
        return;
      case Game::wgan_clip:
        dx = y;
        dy = x;
        return;
      case Game::wgan_gp:
        dx = y;
        dy = x - penalty_ * (std::abs(y) - penalty_target_) * sign(y);
        return;
      case Game::forsaken:
        dx = y - offset_ + phi_prime(x);
        dy = x - phi_prime(y);
        return;
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
  double epsilon_, clip_, penalty_, penalty_target_, offset_, start_std_;
  Eigen::Vector2d start_;
  Vector solution_ = Vector::Zero(2);
  Matrix box_;  // the feasible box (wgan_clip, forsaken); empty: none
};

}  // namespace

VIBENCH_REGISTER_TASK(ToyGameTask);

}  // namespace vibench
