// Compiled once per Highway target, as native/vector_exp.cpp.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "native/vector_imq.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

#include <cstddef>

HWY_BEFORE_NAMESPACE();
namespace vibench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using Tag = hn::ScalableTag<double>;

// One vector of the step. Multiply then add, not a fused multiply-add, and
// (k·β)/base in that order: the operations and roundings of the portable
// kernel's Eigen expression.
HWY_INLINE void imq_vector(Tag d, hn::Vec<Tag> u, hn::Vec<Tag> inv_h,
                           hn::Vec<Tag> c2, hn::Vec<Tag>& k,
                           hn::Vec<Tag>& derivative) {
  const auto base = hn::Add(hn::Mul(u, inv_h), c2);
  k = hn::Div(hn::Set(d, 1.0), hn::Sqrt(base));
  derivative = hn::Div(hn::Mul(k, hn::Set(d, -0.5)), base);
}

// The tail through aligned buffers, as in native/vector_exp.cpp, so that
// every element is computed by the same vector code.
struct Tail {
  HWY_ALIGN double lanes[hn::MaxLanes(Tag())] = {};
};

void ImqInverseSqrt(double* u, double* k, std::size_t n, double inv_h,
                    double c2) {
  const Tag d;
  const std::size_t lanes = hn::Lanes(d);
  const auto h = hn::Set(d, inv_h), c = hn::Set(d, c2);
  hn::Vec<Tag> kernel, derivative;
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    imq_vector(d, hn::LoadU(d, u + i), h, c, kernel, derivative);
    hn::StoreU(kernel, d, k + i);
    hn::StoreU(derivative, d, u + i);
  }
  if (i == n) return;
  Tail in, out;
  for (std::size_t r = 0; i + r < n; ++r) in.lanes[r] = u[i + r];
  imq_vector(d, hn::Load(d, in.lanes), h, c, kernel, derivative);
  hn::Store(kernel, d, out.lanes);
  hn::Store(derivative, d, in.lanes);
  for (std::size_t r = 0; i + r < n; ++r) {
    k[i + r] = out.lanes[r];
    u[i + r] = in.lanes[r];
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace vibench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "native/vector_imq.hpp"

namespace vibench {

HWY_EXPORT(ImqInverseSqrt);

void imq_inverse_sqrt_native(double* u, double* k, std::size_t n, double inv_h,
                             double c2) {
  HWY_DYNAMIC_DISPATCH(ImqInverseSqrt)(u, k, n, inv_h, c2);
}

}  // namespace vibench
#endif  // HWY_ONCE
