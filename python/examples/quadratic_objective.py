#!/usr/bin/env python3
"""A quadratic objective served to vibench's optimizers (task
`external_objective`):

  f(x) = Σ_i a_i (x_i - c_i)² / 2,   ∇f(x) = a ⊙ (x - c),

with curvatures a_i log-spaced from 1 to condition_number, so that
x* = c and f* = 0 (give them to the task entry as "optimum" and
"optimal_value").

params (the task entry's "args"): center (a number for every coordinate,
or a list of dim numbers; 1), condition_number (10). The dimension is the
task entry's `dim`.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import vibench_client as vc  # noqa: E402


class Quadratic(vc.Model):
    def __init__(self, start):
        super().__init__(start)
        d = self.dim
        params = start["params"]
        self.center = np.broadcast_to(
            np.asarray(params.get("center", 1.0), dtype=float), (d,)).copy()
        top = float(params.get("condition_number", 10.0))
        self.curvature = np.array([1.0 if d == 1 else top ** (i / (d - 1))
                                   for i in range(d)])

    def value_grad(self, x):
        residual = x - self.center
        grad = self.curvature * residual
        return 0.5 * np.sum(residual * grad, axis=1), grad


if __name__ == "__main__":
    vc.serve(Quadratic)
