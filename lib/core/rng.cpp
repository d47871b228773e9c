#include "core/rng.hpp"

#include <cmath>
#include <stdexcept>

namespace vibench {

std::uint64_t hash_string(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
}  // namespace

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  return splitmix64(splitmix64(a) ^ (b + 0x632be59bd9b4e019ull));
}

Rng make_rng(std::uint64_t seed) {
  Rng rng(splitmix64(seed));
  rng.seed_for_children_ = seed;
  return rng;
}

Rng Rng::child(std::string_view label) const {
  return make_rng(mix_seed(seed_for_children_, hash_string(label)));
}

Index Rng::index(Index n) {
  std::uniform_int_distribution<Index> dist(0, n - 1);
  return dist(engine_);
}

Matrix Rng::normal_matrix(Index rows, Index cols) {
  Matrix m(rows, cols);
  fill_normal(m);
  return m;
}

void Rng::fill_normal(Matrix& out) {
  for (Index i = 0; i < out.rows(); ++i)
    for (Index j = 0; j < out.cols(); ++j) out(i, j) = normal();
}

Vector Rng::normal_vector(Index size) {
  Vector v(size);
  for (Index i = 0; i < size; ++i) v(i) = normal();
  return v;
}

Matrix Rng::orthogonal(Index size) {
  Eigen::HouseholderQR<Matrix> qr(normal_matrix(size, size));
  Matrix q = qr.householderQ();
  const Matrix r = qr.matrixQR();
  for (Index j = 0; j < size; ++j)
    if (r(j, j) < 0) q.col(j) = -q.col(j);
  return q;
}

double log_gamma_variate(Rng& rng, double shape) {
  if (!(shape > 0.0) || !std::isfinite(shape))
    throw std::invalid_argument("log_gamma_variate: shape must be positive");
  // U in (0, 1]: uniform() may return 0 but never 1.
  const auto open_uniform = [&rng] { return 1.0 - rng.uniform(); };
  double log_boost = 0.0;
  if (shape < 1.0) {
    log_boost = std::log(open_uniform()) / shape;
    shape += 1.0;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double z = rng.normal();
    const double root = 1.0 + c * z;
    if (root <= 0.0) continue;
    const double v = root * root * root;
    const double log_u = std::log(open_uniform());
    if (log_u < 0.5 * z * z + d - d * v + d * std::log(v))
      return std::log(d) + std::log(v) + log_boost;
  }
}

Matrix dirichlet_draws(Rng& rng, Index n, const Vector& alpha) {
  Matrix out(n, alpha.size());
  Vector log_g(alpha.size());
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < alpha.size(); ++j)
      log_g(j) = log_gamma_variate(rng, alpha(j));
    const double top = log_g.maxCoeff();
    const Vector w = (log_g.array() - top).exp().matrix();
    out.row(i) = (w / w.sum()).transpose();
  }
  return out;
}

}  // namespace vibench
