#!/usr/bin/env python3
"""SVGD (Liu & Wang 2016) as an external sampler, written to match vibench's
native `svgd` at its defaults, so the two can be compared number for number:

  phi(x_i) = (1/n) sum_j [k(x_j, x_i) grad log p(x_j) + grad_{x_j} k(x_j, x_i)],
  k(x, y) = exp(-|x - y|^2 / h),  h = med^2 / log n  (med^2: the median of
  the n(n-1)/2 squared distances between distinct particles; h = 1 if n < 2
  or h is not positive),
  the step: the original SVGD code's AdaGrad with momentum, elementwise:
  G = phi^2 at the first step, then G = a G + (1 - a) phi^2;
  x = x + eta phi / (fudge + sqrt(G)).

params (the suite entry's "args"): step_size (0.1), momentum (0.9),
fudge (1e-6).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import vibench_client as vc  # noqa: E402


class Svgd(vc.Algorithm):
    def __init__(self, start):
        super().__init__(start)
        params = start["params"]
        self.x = start["initial"].copy()
        self.eta = float(params.get("step_size", 0.1))
        self.momentum = float(params.get("momentum", 0.9))
        self.fudge = float(params.get("fudge", 1e-6))
        self.history = None
        self.bandwidths = []

    def bandwidth(self, squared):
        n = squared.shape[0]
        if n < 2:
            return 1.0
        med2 = np.median(squared[np.triu_indices(n, k=1)])
        h = med2 / np.log(n)
        return h if h > 0 else 1.0

    def step(self, oracles):
        _, score = oracles.log_prob_grad(self.x)
        x = self.x
        n = x.shape[0]
        diff = x[:, None, :] - x[None, :, :]  # x_i - x_j
        squared = np.einsum("ijk,ijk->ij", diff, diff)
        h = self.bandwidth(squared)
        self.bandwidths.append(h)
        k = np.exp(-squared / h)
        # sum_j grad_{x_j} k(x_j, x_i) = (2/h) sum_j k_ij (x_i - x_j)
        repulsion = (2.0 / h) * np.einsum("ij,ijk->ik", k, diff)
        phi = (k @ score + repulsion) / n
        if self.history is None:
            self.history = phi * phi
        else:
            a = self.momentum
            self.history = a * self.history + (1.0 - a) * (phi * phi)
        self.x = x + self.eta * phi / (self.fudge + np.sqrt(self.history))

    def points(self):
        return self.x

    def diagnostics(self):
        return {"last_bandwidth": self.bandwidths[-1] if self.bandwidths else None}


if __name__ == "__main__":
    vc.run_algorithm(Svgd, name="svgd.py")
