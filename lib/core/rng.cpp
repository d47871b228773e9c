#include "core/rng.hpp"

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

}  // namespace vibench
