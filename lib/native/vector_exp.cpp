// Compiled once per Highway target: foreach_target.h includes this file
// again for each, with HWY_NAMESPACE naming the target, and HWY_ONCE marks
// the pass that holds the dispatching functions.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "native/vector_exp.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>
// Highway's math library, after highway.h (it is per target).
#include <hwy/contrib/math/math-inl.h>

#include <cstddef>
#include <cstdint>

HWY_BEFORE_NAMESPACE();
namespace vibench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using Tag = hn::ScalableTag<double>;

// exp(v), NaN kept: Highway's Exp returns 0 below −1000, and for NaN too
// (its range test is false for NaN).
HWY_INLINE hn::Vec<Tag> exp_keeping_nan(Tag d, hn::Vec<Tag> v) {
  return hn::IfThenElse(hn::IsNaN(v), v, hn::Exp(d, v));
}

// The tail of an array shorter than a vector, through an aligned buffer
// (its unused lanes are 0, whose exp is harmless), so that every element,
// tail or not, is computed by the same vector code and so has the same
// value wherever it sits.
struct Tail {
  HWY_ALIGN double lanes[hn::MaxLanes(Tag())] = {};
};

void ExpScaled(double* x, std::size_t n, double scale) {
  const Tag d;
  const std::size_t lanes = hn::Lanes(d);
  const auto s = hn::Set(d, scale);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes)
    hn::StoreU(exp_keeping_nan(d, hn::Mul(hn::LoadU(d, x + i), s)), d, x + i);
  if (i == n) return;
  Tail tail;
  for (std::size_t r = 0; i + r < n; ++r) tail.lanes[r] = x[i + r];
  hn::Store(exp_keeping_nan(d, hn::Mul(hn::Load(d, tail.lanes), s)), d,
            tail.lanes);
  for (std::size_t r = 0; i + r < n; ++r) x[i + r] = tail.lanes[r];
}

void ExpNegativeAbs(const double* z, double* e, std::size_t n) {
  const Tag d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes)
    hn::StoreU(exp_keeping_nan(d, hn::Neg(hn::Abs(hn::LoadU(d, z + i)))), d,
               e + i);
  if (i == n) return;
  Tail tail;
  for (std::size_t r = 0; i + r < n; ++r) tail.lanes[r] = z[i + r];
  hn::Store(exp_keeping_nan(d, hn::Neg(hn::Abs(hn::Load(d, tail.lanes)))), d,
            tail.lanes);
  for (std::size_t r = 0; i + r < n; ++r) e[i + r] = tail.lanes[r];
}

int64_t Target() { return HWY_TARGET; }

}  // namespace HWY_NAMESPACE
}  // namespace vibench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "native/vector_exp.hpp"

namespace vibench {

HWY_EXPORT(ExpScaled);
HWY_EXPORT(ExpNegativeAbs);
HWY_EXPORT(Target);

void exp_scaled_native(double* x, std::size_t n, double scale) {
  HWY_DYNAMIC_DISPATCH(ExpScaled)(x, n, scale);
}

void exp_negative_abs_native(const double* z, double* e, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(ExpNegativeAbs)(z, e, n);
}

std::string vector_exp_target() {
  return hwy::TargetName(HWY_DYNAMIC_DISPATCH(Target)());
}

}  // namespace vibench
#endif  // HWY_ONCE
