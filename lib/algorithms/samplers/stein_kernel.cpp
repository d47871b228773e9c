#include "algorithms/samplers/stein_kernel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>

#include "core/block_product.hpp"
#include "core/elementwise_exp.hpp"
#include "core/elementwise_imq.hpp"
#include "core/error.hpp"
#include "core/pairwise_median.hpp"

namespace vibench {

const char* to_string(KernelType type) {
  switch (type) {
    case KernelType::rbf:
      return "rbf";
    case KernelType::imq:
      return "imq";
  }
  return "?";
}

const char* to_string(BandwidthRule rule) {
  switch (rule) {
    case BandwidthRule::median:
      return "median";
    case BandwidthRule::median_code:
      return "median_code";
    case BandwidthRule::median_squared:
      return "median_squared";
    case BandwidthRule::fixed:
      return "fixed";
  }
  return "?";
}

ParamSpecs kernel_params(BandwidthRule default_rule) {
  return {
      ParamSpec::string("kernel", "rbf", {"rbf", "imq"},
                        "kernel k(x, y), r = ‖x − y‖: rbf: exp(−r²/h); imq: "
                        "(imq_c² + r²/h)^imq_beta"),
      ParamSpec::string(
          "bandwidth", to_string(default_rule),
          {"median", "median_code", "median_squared", "fixed"},
          "bandwidth rule, re-evaluated at every step, with med² the median "
          "squared pairwise distance: median (SVGD paper): h = med²/log n; "
          "median_code (SVGD authors' and Coin SVGD code, written there as "
          "exp(−r²/(2σ²)), σ² = med²/(2 log(n+1))): h = med²/log(n+1); "
          "median_squared: h = med²; fixed: h = bandwidth_value (h = 1 if "
          "n = 1 or all particles coincide)"),
      ParamSpec::real("bandwidth_value", nullptr,
                      "h for bandwidth = fixed (required then, not allowed "
                      "otherwise)")
          .above(0),
      ParamSpec::real("imq_c", 1.0,
                      "c of the imq kernel (Gorham & Mackey 2017: 1); unused "
                      "by rbf")
          .above(0),
      ParamSpec::real("imq_beta", -0.5,
                      "β of the imq kernel, in (−1, 0) (Gorham & Mackey "
                      "2017: −½); unused by rbf")
          .above(-1)
          .below(0),
  };
}

KernelConfig kernel_from(const Params& p, const std::string& algorithm) {
  KernelConfig k;
  k.type = p.string("kernel") == "imq" ? KernelType::imq : KernelType::rbf;
  k.imq_c = p.real("imq_c");
  k.imq_beta = p.real("imq_beta");
  const std::string rule = p.string("bandwidth");
  if (rule == "fixed") {
    if (!p.has("bandwidth_value"))
      throw ConfigError("", algorithm +
                                ": bandwidth = 'fixed' needs "
                                "bandwidth_value");
    k.rule = BandwidthRule::fixed;
    k.fixed_bandwidth = p.real("bandwidth_value");
  } else {
    if (p.has("bandwidth_value"))
      throw ConfigError("", algorithm +
                                ": bandwidth_value is only used with "
                                "bandwidth = 'fixed'");
    k.rule = rule == "median_code"      ? BandwidthRule::median_code
             : rule == "median_squared" ? BandwidthRule::median_squared
                                        : BandwidthRule::median;
  }
  return k;
}

// Up to this many particles the whole kernel is held by default (two n×n
// matrices, 256 MiB at n = 4096), the fastest way while it fits; beyond, it
// is formed in tiles of kAutomaticTileRows rows: tiles of 128 KiB, which stay
// in a core's L2 cache with the rows they multiply (bench/: at n = 4000,
// d = 50, tiles of 64 or 128 rows are as fast as the whole kernel, of 256
// rows slower). The whole kernel is kept up to 4096 so that no result of
// the suites, all below, moves: the tiles sum in another order. The KSD
// methods (AutomaticTiles::always) take blocks of kAutomaticTileRows rows
// at any n: bench/ BM_KsdGradient, d = 50, native kernels: 1.00 ms against
// 2.24 ms whole at n = 200, 23.4 against 80.9 ms at n = 1000 (portably
// 2.61 against 2.24 ms, and 63.4 against 82.0 ms).
constexpr Index kAutomaticWholeKernelUpTo = 4096;
constexpr Index kAutomaticTileRows = 128;

ParamSpec kernel_tile_param(AutomaticTiles automatic) {
  const std::string rule =
      automatic == AutomaticTiles::always
          ? fmt::format("tiles of {0} rows (whole up to {0} particles)",
                        kAutomaticTileRows)
          : fmt::format("whole for n ≤ {}, tiles of {} rows beyond",
                        kAutomaticWholeKernelUpTo, kAutomaticTileRows);
  return ParamSpec::integer(
             "kernel_tile_rows", 0,
             "rows of the tiles in which the n×n kernel matrices are formed "
             "and applied without ever being held: memory "
             "O(n(d + kernel_tile_rows)) instead of n×n matrices, the same "
             "result up to rounding; a value ≥ n holds them whole; "
             "0 = automatic: " +
                 rule)
      .at_least(0);
}

Index kernel_tile_rows(const Params& p, Index n_particles,
                       AutomaticTiles automatic) {
  Index rows = static_cast<Index>(p.integer("kernel_tile_rows"));
  if (rows == 0)
    rows = automatic == AutomaticTiles::beyond_4096 &&
                   n_particles <= kAutomaticWholeKernelUpTo
               ? 0
               : kAutomaticTileRows;
  return rows < n_particles ? rows : 0;
}

double SteinDirection::pairwise_workspace_bytes(Index n, Index tile_rows) {
  constexpr double kDouble = sizeof(double);
  if (tile_rows <= 0 || tile_rows >= n)
    return kPairwiseMatrices * static_cast<double>(n) * static_cast<double>(n) *
           kDouble;
  // Two tiles, and the median's keys: at most one per pair, and at most
  // kRecomputedPairsMaxKeys.
  const double side = static_cast<double>(tile_rows);
  const double pairs =
      0.5 * static_cast<double>(n) * static_cast<double>(n - 1);
  const double keys =
      std::min(pairs, static_cast<double>(kRecomputedPairsMaxKeys));
  return 2.0 * side * side * kDouble + keys * kDouble;
}

double median_bandwidth(const Matrix& d2, SelectionScratch& scratch,
                        BandwidthRule rule) {
  const Index n = d2.rows();
  if (n < 2) return 1.0;
  return median_rule_bandwidth(median_below_diagonal(d2, scratch), n, rule);
}

double median_rule_bandwidth(double med2, Index n, BandwidthRule rule) {
  if (n < 2) return 1.0;
  double h = med2;
  if (rule == BandwidthRule::median)
    h = med2 / std::log(static_cast<double>(n));
  else if (rule == BandwidthRule::median_code)
    h = med2 / std::log(static_cast<double>(n) + 1.0);
  return (h > 0 && std::isfinite(h)) ? h : 1.0;
}

double kernel_value(const KernelConfig& c, double h, const RowVector& x,
                    const RowVector& y) {
  const double u = (x - y).squaredNorm() / h;
  return c.type == KernelType::rbf
             ? std::exp(-u)
             : std::pow(c.imq_c * c.imq_c + u, c.imq_beta);
}

RowVector kernel_gradient_x(const KernelConfig& c, double h, const RowVector& x,
                            const RowVector& y) {
  const double u = (x - y).squaredNorm() / h;
  const double df =
      c.type == KernelType::rbf
          ? -std::exp(-u)
          : c.imq_beta * std::pow(c.imq_c * c.imq_c + u, c.imq_beta - 1.0);
  return (2.0 / h) * df * (x - y);
}

namespace {

// Copies the strict lower triangle of a square matrix onto its upper one, in
// 64×64 tiles so that the transposed reads stay in cache.
void mirror_lower_to_upper(Matrix& m) {
  constexpr Index kTile = 64;
  const Index n = m.rows();
  for (Index j0 = 0; j0 < n; j0 += kTile) {
    const Index j1 = std::min(j0 + kTile, n);
    for (Index i0 = 0; i0 < j1; i0 += kTile)
      for (Index j = j0; j < j1; ++j) {
        const Index i1 = std::min(i0 + kTile, j);
        for (Index i = i0; i < i1; ++i) m(i, j) = m(j, i);
      }
  }
}

}  // namespace

double SteinDirection::compute_kernel(const Matrix& x) {
  const double h = compute_lower_kernel(x);
  mirror_lower_to_upper(k_);
  if (config_.type == KernelType::imq) mirror_lower_to_upper(dk_);
  return h;
}

double SteinDirection::compute_lower_kernel(const Matrix& x) {
  const Index n = x.rows();
  // Squared distances ‖x_i‖² + ‖x_j‖² − 2 x_iᵀx_j on and below the
  // diagonal: −2 X Xᵀ as a symmetric rank-d update (half the flops of the
  // general product), clamped at 0 against rounding, with an exact zero
  // diagonal. The element-wise work below also visits that half only.
  sq_norms_ = x.rowwise().squaredNorm();
  gram_(x, -2.0, k_);
  // The median rules select med² among the distances as the loop below
  // completes them, a column at a time while it is in cache, rather than in
  // passes over the matrix afterwards (core/pairwise_median.hpp). The pairs
  // that place its bracket are read from the product before the loop and
  // completed the same way.
  std::optional<PairwiseMedian> median;
  if (config_.rule != BandwidthRule::fixed)
    median.emplace(
        n,
        [this](Index i, Index j) {
          return std::max((k_(i, j) + sq_norms_(i)) + sq_norms_(j), 0.0);
        },
        median_scratch_);
  for (Index j = 0; j < n; ++j) {
    auto column = k_.col(j).tail(n - j).array();
    column =
        ((column + sq_norms_.tail(n - j).array()) + sq_norms_(j)).cwiseMax(0.0);
    column(0) = 0.0;
    if (median)
      median->add(k_.col(j).data() + j + 1,
                  static_cast<std::size_t>(n - j - 1));
  }
  const double h =
      median ? median_rule_bandwidth(median->finish(strictly_lower_visit(k_)),
                                     n, config_.rule)
             : config_.fixed_bandwidth;
  if (config_.type == KernelType::rbf) {
    for (Index j = 0; j < n; ++j)
      exp_scaled(k_.col(j).data() + j, n - j, -1.0 / h);
  } else {
    // base = c² + u; K = base^β, D = β base^(β−1) = β K / base: one power
    // per pair, the costly part for small d (core/elementwise_imq.hpp:
    // vectorized for β = −½, Eigen's scalar pow otherwise).
    const double c2 = config_.imq_c * config_.imq_c;
    const double beta = config_.imq_beta;
    dk_.resize(n, n);
    for (Index j = 0; j < n; ++j)  // D into k_, K (for now) into dk_
      imq_kernel_and_derivative(k_.col(j).data() + j, dk_.col(j).data() + j,
                                n - j, 1.0 / h, c2, beta);
    k_.swap(dk_);  // K in k_, D in dk_ (swaps the buffers, no copy)
  }
  return h;
}

double SteinDirection::compute(const Matrix& x, const Matrix& score,
                               Matrix& phi) {
  const Index n = x.rows();
  const Index d = x.cols();
  const bool tiled = tile_rows_for(n) > 0;
  const double h = tiled ? tiled_bandwidth(x) : compute_lower_kernel(x);
  // The products read K and D from their lower triangles (Eigen's symmetric
  // product, as fast as the general one here and equal to it bit for bit;
  // see core/symmetric_products.hpp for the buffers kept between steps),
  // and a column of ones appended to the right-hand side gives the row sums
  // K1 or D1 in the same pass.
  // The repulsion Σ_j ∇_{x_j}k(x_j, x_i) is unchanged by a shift of all the
  // particles, so it is formed from X̄ = X − mean(X): the cancellation in
  // diag(D1) X̄ − D X̄ then grows with the particles' spread, not with their
  // distance from the origin, and it is exactly 0 for n = 1 (SVGD is then
  // exactly gradient ascent).
  mean_ = x.colwise().mean();
  rhs_.resize(n, d + 1);
  rhs_.col(d).setOnes();
  products_.resize(n, d + 1);
  phi.resize(n, d);
  if (config_.type == KernelType::rbf) {
    // D = −K: φ = (1/n)[K (S − (2/h) X̄) + (2/h) diag(K1) X̄], one n×n by
    // n×(d+1) product.
    rhs_.leftCols(d) = score - (2.0 / h) * (x.rowwise() - mean_);
    if (tiled)
      tiled_products(x, h, score, phi);
    else
      kernel_times_(k_, rhs_, products_);
    phi = products_.leftCols(d) +
          (2.0 / h) * ((x.rowwise() - mean_).array().colwise() *
                       products_.col(d).array())
                          .matrix();
  } else {
    rhs_.leftCols(d) = x.rowwise() - mean_;
    if (tiled) {
      tiled_products(x, h, score, phi);
    } else {
      kernel_times_(k_, score, phi);
      derivative_times_(dk_, rhs_, products_);
    }
    phi += (2.0 / h) *
           (products_.leftCols(d) -
            (rhs_.leftCols(d).array().colwise() * products_.col(d).array())
                .matrix());
  }
  phi /= static_cast<double>(n);
  return h;
}

template <class Visit>
void SteinDirection::for_each_distance_tile(const Matrix& x, Visit&& visit) {
  const Index n = x.rows();
  const Index side = tile_rows_for(n);
  distance_tile_.resize(side, side);
  for (Index j0 = 0; j0 < n; j0 += side) {
    const Index cols = std::min(side, n - j0);
    const auto sq_cols = sq_norms_.segment(j0, cols).transpose().array();
    for (Index i0 = j0; i0 < n; i0 += side) {
      const Index rows = std::min(side, n - i0);
      // The tile's own rows×cols in the front of the buffer, contiguous.
      Eigen::Map<Matrix> tile(distance_tile_.data(), rows, cols);
      block_product(-2.0, x.middleRows(i0, rows), Operand::as_is,
                    x.middleRows(j0, cols), Operand::transposed, tile,
                    Product::assign);
      // (−2 x_iᵀx_j + ‖x_i‖²) + ‖x_j‖², the order of compute_lower_kernel.
      tile = ((tile.array().colwise() + sq_norms_.segment(i0, rows).array())
                  .rowwise() +
              sq_cols)
                 .cwiseMax(0.0)
                 .matrix();
      if (i0 == j0) {
        // The lower triangle is kept and mirrored, so that the tile is
        // symmetric whatever order the product summed the two halves in.
        for (Index c = 0; c < cols; ++c) {
          tile(c, c) = 0.0;
          for (Index r = c + 1; r < rows; ++r) tile(c, r) = tile(r, c);
        }
      }
      visit(i0, j0, tile);
    }
  }
}

double SteinDirection::tiled_bandwidth(const Matrix& x) {
  sq_norms_ = x.rowwise().squaredNorm();
  if (config_.rule == BandwidthRule::fixed) return config_.fixed_bandwidth;
  // Each pair once: a tile below the diagonal whole, a diagonal tile below
  // its diagonal, column by column.
  const double med2 = median_of_recomputed_pairs(
      x,
      [&](auto&& run) {
        for_each_distance_tile(x, [&run](Index i0, Index j0, const auto& tile) {
          if (i0 != j0) {
            run(tile.data(), tile.size());
            return;
          }
          for (Index c = 0; c + 1 < tile.cols(); ++c)
            run(tile.col(c).data() + c + 1, tile.rows() - c - 1);
        });
      },
      median_scratch_);
  return median_rule_bandwidth(med2, x.rows(), config_.rule);
}

void SteinDirection::tiled_products(const Matrix& x, double h,
                                    const Matrix& score, Matrix& phi) {
  products_.setZero();
  const bool rbf = config_.type == KernelType::rbf;
  if (!rbf) phi.setZero();
  const double c2 = config_.imq_c * config_.imq_c;
  const double beta = config_.imq_beta;
  // Adds tile · right(cols) to out(rows) and, below the diagonal, tileᵀ ·
  // right(rows) to out(cols): both halves of the symmetric kernel.
  const auto apply = [](Index i0, Index j0, const Eigen::Map<Matrix>& tile,
                        const Matrix& right, Matrix& out) {
    const Index rows = tile.rows(), cols = tile.cols();
    block_product(1.0, tile, Operand::as_is, right.middleRows(j0, cols),
                  Operand::as_is, out.middleRows(i0, rows),
                  Product::accumulate);
    if (i0 != j0)
      block_product(1.0, tile, Operand::transposed, right.middleRows(i0, rows),
                    Operand::as_is, out.middleRows(j0, cols),
                    Product::accumulate);
  };
  const Index side = tile_rows_for(x.rows());
  if (!rbf) kernel_tile_.resize(side, side);
  for_each_distance_tile(x, [&](Index i0, Index j0, Eigen::Map<Matrix>& tile) {
    if (rbf) {
      exp_scaled(tile.data(), tile.size(), -1.0 / h);  // K
      apply(i0, j0, tile, rhs_, products_);
      return;
    }
    // As compute_lower_kernel: base = c² + u, K = base^β, D = β K / base.
    Eigen::Map<Matrix> kernel(kernel_tile_.data(), tile.rows(), tile.cols());
    imq_kernel_and_derivative(tile.data(), kernel.data(), tile.size(), 1.0 / h,
                              c2, beta);  // D in the tile
    apply(i0, j0, kernel, score, phi);
    apply(i0, j0, tile, rhs_, products_);
  });
}

}  // namespace vibench
