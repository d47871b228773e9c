// Compiled once per Highway target (see native/vector_exp.cpp).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "native/vector_bracket.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

#include <cstddef>
#include <cstdint>

#include "core/order_statistics.hpp"

HWY_BEFORE_NAMESPACE();
namespace vibench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

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
    taken += hn::CompressStore(key, inside, du, kept + taken);
  }
  std::uint64_t count = hn::GetLane(hn::SumOfLanes(du, below_v));
  for (; v < n; ++v) {  // the tail, as the portable loop
    const std::uint64_t key = order_key(values[v]);
    count += key < low;
    kept[taken] = key;
    taken += (key - low <= width);
  }
  below += count;
  return taken;
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
