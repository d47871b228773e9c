#!/usr/bin/env python3
"""The unadjusted Langevin algorithm as an external chain sampler: each row
of the state is a Markov chain,

  x ← x + h ∇log π(x) + √(2h) ξ,   ξ ~ N(0, I) (NumPy, seeded by vibench),

declared as chains so that vibench keeps their history and measures R-hat
and ESS on it, as for a native chain sampler.

params (the suite entry's "args"): step_size h (0.05), warmup (100: the
first iterations, not kept), record_every (1).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import vibench_client as vc  # noqa: E402


class UlaChains(vc.Algorithm):
    def __init__(self, start):
        super().__init__(start)
        params = start["params"]
        self.h = float(params.get("step_size", 0.05))
        self.chains = {"warmup": int(params.get("warmup", 100)),
                       "record_every": int(params.get("record_every", 1))}
        self.x = start["initial"].copy()
        self.rng = np.random.default_rng(start["seed"])

    def step(self, oracles):
        _, grad = oracles.log_prob_grad(self.x)
        noise = self.rng.standard_normal(self.x.shape)
        self.x = self.x + self.h * grad + math.sqrt(2 * self.h) * noise

    def points(self):
        return self.x


if __name__ == "__main__":
    vc.run_algorithm(UlaChains)
