// Compiled once per Highway target, as native/vector_exp.cpp.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "native/vector_logistic.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>
// Highway's math library, after highway.h (it is per target).
#include <hwy/contrib/math/math-inl.h>

#include <cstddef>

#include "native/vector_logistic.hpp"

HWY_BEFORE_NAMESPACE();
namespace vibench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using Tag = hn::ScalableTag<double>;
using Vec = hn::Vec<Tag>;

// The running sums of one point's pass, one per lane.
struct Sums {
  Vec label_dot;      // Σ y·z
  Vec positive_part;  // Σ max(z, 0)
  Vec log_products;   // Σ over finished runs of log Π(1 + e)
  Vec product;        // Π(1 + e) of the current run
};

// One vector of rows: the residual's value returned, the sums updated. The
// factor 1 + e enters the product only in `counted` lanes (the tail's
// padding lanes hold z = y = 0, which add nothing to the other sums). A NaN
// logit reaches the result through label_dot alone (y·NaN is NaN for y = 0
// too): Max(NaN, 0) may give 0, and Highway's Log of a NaN product is not
// NaN.
template <class Mask>
HWY_INLINE Vec logistic_vector(Tag d, Vec z, Vec y, Mask counted, Sums& sums) {
  const auto zero = hn::Zero(d), one = hn::Set(d, 1.0);
  // exp(−|z|) with NaN kept (Highway's Exp returns 0 for NaN).
  const auto minus_abs = hn::Neg(hn::Abs(z));
  const auto e = hn::IfThenElse(hn::IsNaN(z), z, hn::Exp(d, minus_abs));
  const auto one_plus_e = hn::Add(one, e);
  const auto positive = hn::Div(one, one_plus_e);  // σ(z) for z ≥ 0
  const auto negative = hn::Mul(e, positive);      // σ(z) for z < 0
  sums.label_dot = hn::MulAdd(y, z, sums.label_dot);
  sums.positive_part = hn::Add(sums.positive_part, hn::Max(z, zero));
  sums.product =
      hn::IfThenElse(counted, hn::Mul(sums.product, one_plus_e), sums.product);
  return hn::Sub(hn::IfThenElse(hn::Ge(z, zero), positive, negative), y);
}

struct Tail {
  HWY_ALIGN double lanes[hn::MaxLanes(Tag())] = {};
};

double LogisticLoglikAndResidual(double* z, const double* y,
                                 std::size_t count) {
  const Tag d;
  const std::size_t lanes = hn::Lanes(d);
  Sums sums{hn::Zero(d), hn::Zero(d), hn::Zero(d), hn::Set(d, 1.0)};
  const auto all = hn::FirstN(d, lanes);
  std::size_t i = 0, in_run = 0;
  for (; i + lanes <= count; i += lanes) {
    hn::StoreU(
        logistic_vector(d, hn::LoadU(d, z + i), hn::LoadU(d, y + i), all, sums),
        d, z + i);
    if (++in_run == kLogisticProductRun) {
      sums.log_products = hn::Add(sums.log_products, hn::Log(d, sums.product));
      sums.product = hn::Set(d, 1.0);
      in_run = 0;
    }
  }
  if (i < count) {
    Tail tail_z, tail_y;
    for (std::size_t r = 0; i + r < count; ++r) {
      tail_z.lanes[r] = z[i + r];
      tail_y.lanes[r] = y[i + r];
    }
    hn::Store(
        logistic_vector(d, hn::Load(d, tail_z.lanes), hn::Load(d, tail_y.lanes),
                        hn::FirstN(d, count - i), sums),
        d, tail_z.lanes);
    for (std::size_t r = 0; i + r < count; ++r) z[i + r] = tail_z.lanes[r];
  }
  sums.log_products = hn::Add(sums.log_products, hn::Log(d, sums.product));
  const auto softplus = hn::Add(sums.positive_part, sums.log_products);
  return hn::GetLane(hn::SumOfLanes(d, sums.label_dot)) -
         hn::GetLane(hn::SumOfLanes(d, softplus));
}

}  // namespace HWY_NAMESPACE
}  // namespace vibench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vibench {

HWY_EXPORT(LogisticLoglikAndResidual);

double logistic_loglik_and_residual_native(double* z, const double* y,
                                           std::size_t count) {
  return HWY_DYNAMIC_DISPATCH(LogisticLoglikAndResidual)(z, y, count);
}

}  // namespace vibench
#endif  // HWY_ONCE
