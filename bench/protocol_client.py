#!/usr/bin/env python3
"""The external sampler of BM_ProtocolStep (bench/vibench_bench.cpp):
`requests` (its args; 1 by default) log_prob_grad requests of all its points
per step and nothing else, so that a step's time is the oracle's plus the
protocol's round trips (both sides' JSON, NumPy's conversions, the
socket)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
import vibench_client as vc  # noqa: E402


class OneRequest(vc.Algorithm):
    def __init__(self, start):
        super().__init__(start)
        self.x = start["initial"]
        self.requests = int(start["params"].get("requests", 1))

    def step(self, oracles):
        for _ in range(self.requests):
            oracles.log_prob_grad(self.x)

    def points(self):
        return self.x


if __name__ == "__main__":
    vc.run_algorithm(OneRequest)
