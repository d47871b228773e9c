#!/usr/bin/env python3
"""SOBA (Dagréou, Ablin, Vaiter & Moreau, NeurIPS 2022) as an external
bilevel algorithm, written to match vibench's native `soba` at its
defaults: y, v and x move together along directions taken at one point,

  D_y = ∇_y g(x, y),  D_v = ∇²_yy g(x, y) v + ∇_y f(x, y),
  D_x = ∇_x f(x, y) + ∇²_xy g(x, y) v,
  y ← y − ρ_t D_y,  v ← v − ρ_t D_v,  x ← x − (ρ_t / outer_ratio) D_x,

with ρ_t = step_size / √(t + 1), t = 0, 1, ... and v = 0 at the start. The
directions are taken once at the start and after every move, so that the
hypergradient estimate D_x sent with the state belongs to it.

params (the suite entry's "args"): step_size (0.1), outer_ratio (1).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import vibench_client as vc  # noqa: E402


class Soba(vc.Algorithm):
    def __init__(self, start):
        super().__init__(start)
        params = start["params"]
        self.step_size = float(params.get("step_size", 0.1))
        self.outer_ratio = float(params.get("outer_ratio", 1.0))
        self.x = start["initial"].copy()
        self.y = start["initial_inner"].copy()
        self.v = np.zeros_like(self.y)
        self.t = 0
        self.oracles = None

    def directions(self, oracles):
        _, self.d_y = oracles.inner_grad(self.x, self.y)
        f_x, f_y = oracles.outer_grad(self.x, self.y)
        self.d_v = oracles.inner_hvp_yy(self.x, self.y, self.v) + f_y
        self.d_x = f_x + oracles.inner_cross(self.x, self.y, self.v)

    def step(self, oracles):
        if self.t == 0:  # the native run takes its first directions at start
            self.directions(oracles)
        rho = self.step_size * (1.0 / math.sqrt(self.t + 1.0))
        self.t += 1
        self.y = self.y - rho * self.d_y
        self.v = self.v - rho * self.d_v
        self.x = self.x - (rho / self.outer_ratio) * self.d_x
        self.directions(oracles)

    def points(self):
        return self.x

    def inner(self):
        return self.y

    def hypergradient(self):
        return self.d_x


if __name__ == "__main__":
    vc.run_algorithm(Soba)
