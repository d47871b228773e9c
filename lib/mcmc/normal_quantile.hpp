// The inverse of the standard normal distribution function.
#pragma once

namespace vibench {

// Φ⁻¹(p): the x with P(Z ≤ x) = p for Z ~ N(0, 1), to about 1e-16 relative
// accuracy (Wichura 1988, algorithm AS 241, PPND16). p = 0 and p = 1 give
// −∞ and +∞; p outside [0, 1] or NaN gives NaN.
double normal_quantile(double p);

}  // namespace vibench
