// Deterministic random numbers and seed derivation.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

#include "core/types.hpp"

namespace vibench {

// 64-bit FNV-1a of a byte string: used to turn canonical JSON into seeds.
std::uint64_t hash_string(std::string_view text);

// Mixes several 64-bit values into one well-spread seed (splitmix64 finalizer
// applied after each combination), so nearby inputs give unrelated seeds.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);

// A random stream. Matrices are filled row by row, so the first k rows of an
// n×d draw do not depend on n: algorithms that use different numbers of
// particles still start from the same first points.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  double uniform() { return uniform_(engine_); }
  double normal() { return normal_(engine_); }
  std::uint64_t next_u64() { return engine_(); }
  // Uniform integer in [0, n).
  Index index(Index n);

  Matrix normal_matrix(Index rows, Index cols);
  // Refills `out` with N(0, 1) draws in the same row-by-row order as
  // normal_matrix, without allocating: for noise drawn at every step.
  void fill_normal(Matrix& out);
  Vector normal_vector(Index size);
  // A Haar-distributed random orthogonal matrix (QR of a Gaussian matrix with
  // the signs of R's diagonal fixed).
  Matrix orthogonal(Index size);

  // Derives an independent child stream; `label` names its purpose.
  Rng child(std::string_view label) const;

 private:
  std::mt19937_64 engine_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::normal_distribution<double> normal_{0.0, 1.0};
  std::uint64_t seed_for_children_ = 0;
  friend Rng make_rng(std::uint64_t seed);
};

// Preferred constructor: remembers the seed so child() can derive from it.
Rng make_rng(std::uint64_t seed);

// The logarithm of a Gamma(shape, 1) variate: Marsaglia & Tsang (2000) for
// shape ≥ 1; below 1 their boost G(α) = G(α + 1)·U^{1/α}, applied on the log
// scale so that small shapes (G(0.1) is often below 1e-300) do not
// underflow. std::invalid_argument unless shape > 0.
double log_gamma_variate(Rng& rng, double shape);

// n draws of Dirichlet(α), one per row with all α.size() coordinates:
// normalized Gamma(α_i) variates, normalized on the log scale (so
// coordinates below the smallest double come out as 0, never NaN).
Matrix dirichlet_draws(Rng& rng, Index n, const Vector& alpha);

}  // namespace vibench
