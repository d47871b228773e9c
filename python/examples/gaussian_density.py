#!/usr/bin/env python3
"""A Gaussian density N(m, Σ) served to vibench's samplers (task
`external_density`), written to compute exactly what vibench's native
`gaussian` task computes:

  log π(x) = -(x - m)ᵀ Σ⁻¹ (x - m) / 2 - d log(2π) / 2 - log det Σ / 2
  ∇log π(x) = -Σ⁻¹ (x - m)

params (the task entry's "args"): mean (a number for every coordinate, or
a list of dim numbers; 0), covariance ("identity" or "diagonal", with
variances log-spaced from 1 to condition_number; "identity"),
condition_number (10). The dimension is the task entry's `dim`.

With covariance "identity" and dim ≤ 4 every value is the native task's
bit for bit (the tests check dim = 3). Beyond, NumPy and Eigen sum the d
terms of log π in different orders, and with "diagonal" log det Σ too: the
values may then differ in their last bit.
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import vibench_client as vc  # noqa: E402


class Gaussian(vc.Model):
    def __init__(self, start):
        super().__init__(start)
        d = self.dim
        params = start["params"]
        self.mean = np.broadcast_to(
            np.asarray(params.get("mean", 0.0), dtype=float), (d,)).copy()
        covariance = params.get("covariance", "identity")
        variances = np.ones(d)
        if covariance == "diagonal":
            top = float(params.get("condition_number", 10.0))
            variances = np.array([1.0 if d == 1 else top ** (i / (d - 1))
                                  for i in range(d)])
        elif covariance != "identity":
            raise ValueError(f"covariance must be identity or diagonal, "
                             f"not {covariance!r}")
        self.precision = 1.0 / variances
        self.log_norm = (-0.5 * d * math.log(2.0 * math.pi)
                         - 0.5 * sum(math.log(v) for v in variances))

    def log_prob_grad(self, x):
        centered = x - self.mean
        grad = -(centered * self.precision)
        log_prob = 0.5 * np.sum(centered * grad, axis=1) + self.log_norm
        return log_prob, grad

    def log_prob_hessian_vector(self, x, v):
        return -(v * self.precision)


if __name__ == "__main__":
    vc.serve(Gaussian)
