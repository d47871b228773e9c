#include "tasks/quadratic_restricted_gap.hpp"

#include <stdexcept>

#include "core/ball_quadratic.hpp"

namespace vibench {

Vector quadratic_restricted_gap(const SaddlePoint& game, const Matrix& z,
                                double radius) {
  Matrix m;
  Vector q;
  game.linear_operator(m, q);
  const Index dx = game.dim_x(), dy = game.dim_y();
  const auto m_xx = m.topLeftCorner(dx, dx);
  const auto m_yy = m.bottomRightCorner(dy, dy);
  const double tolerance = 1e-12 * std::max(1.0, m.cwiseAbs().maxCoeff());
  const bool has_lagrangian =
      (m.topRightCorner(dx, dy) + m.bottomLeftCorner(dy, dx).transpose())
              .cwiseAbs()
              .maxCoeff() <= tolerance &&
      (m_xx - m_xx.transpose()).cwiseAbs().maxCoeff() <= tolerance &&
      (m_yy - m_yy.transpose()).cwiseAbs().maxCoeff() <= tolerance;
  if (!has_lagrangian)
    throw std::logic_error(
        "quadratic_restricted_gap: the game's operator has no quadratic "
        "Lagrangian");
  const BallQuadraticMaximum x_side(m_xx), y_side(m_yy);
  const Vector solution = game.solution();
  const Matrix field = affine_operator(z, m, q);
  Vector gap(z.rows());
  // One player's term: max over ‖d − c‖ ≤ R of −Fᵀd − ½dᵀHd, c = (its part
  // of z*) − (its part of z), written with d = c + u, ‖u‖ ≤ R.
  auto side = [&](const BallQuadraticMaximum& ball, const Matrix& h, Index row,
                  Index first, Index cols) {
    const Vector f = field.row(row).segment(first, cols).transpose();
    const Vector c = solution.segment(first, cols) -
                     z.row(row).segment(first, cols).transpose();
    const Vector hc = h * c;
    return -f.dot(c) - 0.5 * c.dot(hc) + ball.maximum(-f - hc, radius);
  };
  const Matrix h_x = m_xx, h_y = m_yy;
  for (Index i = 0; i < z.rows(); ++i)
    gap(i) = side(x_side, h_x, i, 0, dx) + side(y_side, h_y, i, dx, dy);
  return gap;
}

}  // namespace vibench
