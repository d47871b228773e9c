#!/usr/bin/env python3
"""Adam (Kingma & Ba 2015, Algorithm 1) as an external optimizer, written to
match vibench's native `adam` at its defaults:

  d = -grad f(x);  m = b1 m + (1 - b1) d;  v = b2 v + (1 - b2) d^2  (from 0)
  x = x + eta (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps),  t = 1, 2, ...

params (the suite entry's "args"): step_size (1e-3), beta1 (0.9),
beta2 (0.999), epsilon (1e-8).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import vibench_client as vc  # noqa: E402


class Adam(vc.Algorithm):
    def __init__(self, start):
        super().__init__(start)
        params = start["params"]
        self.x = start["initial"].copy()
        self.eta = float(params.get("step_size", 1e-3))
        self.beta1 = float(params.get("beta1", 0.9))
        self.beta2 = float(params.get("beta2", 0.999))
        self.epsilon = float(params.get("epsilon", 1e-8))
        self.m = np.zeros_like(self.x)
        self.v = np.zeros_like(self.x)
        self.t = 0

    def step(self, oracles):
        _, grad = oracles.value_grad(self.x)
        d = -grad
        self.t += 1
        self.m = self.beta1 * self.m + (1.0 - self.beta1) * d
        self.v = self.beta2 * self.v + (1.0 - self.beta2) * (d * d)
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        self.x = self.x + self.eta * (self.m / c1) / (np.sqrt(self.v / c2) + self.epsilon)

    def points(self):
        return self.x


if __name__ == "__main__":
    vc.run_algorithm(Adam, name="adam.py")
