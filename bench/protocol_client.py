#!/usr/bin/env python3
"""The external sampler of BM_ProtocolStep (bench/vibench_bench.cpp): one
log_prob_grad request of all its points per step and nothing else, so that
a step's time is the oracle's plus the protocol's round trip (both sides'
JSON, NumPy's conversions, the pipes)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
import vibench_client as vc  # noqa: E402


class OneRequest(vc.Algorithm):
    def __init__(self, start):
        super().__init__(start)
        self.x = start["initial"]

    def step(self, oracles):
        oracles.log_prob_grad(self.x)

    def points(self):
        return self.x


if __name__ == "__main__":
    vc.run_algorithm(OneRequest)
