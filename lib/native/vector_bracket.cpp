// Compiled once per Highway target (see native/vector_exp.cpp).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "native/vector_bracket.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

#include <cstddef>
#include <cstdint>

#include "core/bracketed_keys.hpp"

HWY_BEFORE_NAMESPACE();
namespace vibench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Writes the lanes of `key` where `inside` holds to out, in order, and
// returns their count; writes out[0, lanes): whole vectors, so that the
// caller's loop stays within kept[taken, taken + n) (core/bracketed_keys.hpp).
template <class D, class V, class M>
HWY_INLINE std::size_t store_kept(D du, V key, M inside, std::uint64_t* out) {
  constexpr std::size_t kMaxLanes = hn::MaxLanes(D());
  if constexpr (kMaxLanes >= 2) {
    // Compressed in a register, then the whole vector stored (its lanes
    // past the count hold unspecified values, where the portable loop
    // leaves a key not kept), and as 32-bit halves: Highway 1.0 compresses
    // 64-bit lanes by a table permute (4.5× slower here) or, storing, with the
    // memory form of AVX-512's vpcompressq, which is microcoded on Zen 4; its
    // 32-bit Compress is vpcompressd on a register. A key's two halves are both
    // kept or both dropped, and stay in order.
    const hn::Repartition<std::uint32_t, D> d32;
    const auto halves =
        hn::Ne(hn::BitCast(d32, hn::VecFromMask(du, inside)), hn::Zero(d32));
    hn::StoreU(hn::Compress(hn::BitCast(d32, key), halves), d32,
               reinterpret_cast<std::uint32_t*>(out));
    return hn::CountTrue(du, inside);
  } else {  // one 64-bit lane (HWY_SCALAR): no 32-bit halves to compress
    return hn::CompressBlendedStore(key, inside, du, out);
  }
}

std::size_t KeepBracketedKeys(const double* values, std::size_t n,
                              std::uint64_t low, std::uint64_t width,
                              std::uint64_t* kept, std::size_t taken,
                              std::uint64_t& below) {
  const hn::ScalableTag<double> d;
  const hn::RebindToUnsigned<decltype(d)> du;
  const std::size_t lanes = hn::Lanes(d);
  // order_key: the bits with the sign cleared, so that keys of
  // non-negative values order as the values, NaN above +∞.
  const auto magnitude = hn::Set(du, ~(std::uint64_t{1} << 63));
  const auto low_v = hn::Set(du, low);
  const auto width_v = hn::Set(du, width);
  // Lanes count up by 1 (−(−1), the mask's all-ones) per key below.
  auto below_v = hn::Zero(du);
  std::size_t v = 0;
  for (; v + lanes <= n; v += lanes) {
    const auto key =
        hn::And(hn::BitCast(du, hn::LoadU(d, values + v)), magnitude);
    below_v = hn::Sub(below_v, hn::VecFromMask(du, hn::Lt(key, low_v)));
    // key − low ≤ width, as ¬(width < key − low): Highway 1.0 has no
    // unsigned 64-bit ≤.
    const auto inside = hn::Not(hn::Lt(width_v, hn::Sub(key, low_v)));
    taken += store_kept(du, key, inside, kept + taken);
  }
  below += hn::GetLane(hn::SumOfLanes(du, below_v));
  // The tail, shorter than a vector, as the portable loop.
  return keep_bracketed_keys_portable(values + v, n - v, low, width, kept,
                                      taken, below);
}

}  // namespace HWY_NAMESPACE
}  // namespace vibench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "native/vector_bracket.hpp"

namespace vibench {

HWY_EXPORT(KeepBracketedKeys);

std::size_t keep_bracketed_keys_native(const double* values, std::size_t n,
                                       std::uint64_t low, std::uint64_t width,
                                       std::uint64_t* kept, std::size_t taken,
                                       std::uint64_t& below) {
  return HWY_DYNAMIC_DISPATCH(KeepBracketedKeys)(values, n, low, width, kept,
                                                 taken, below);
}

}  // namespace vibench
#endif  // HWY_ONCE
