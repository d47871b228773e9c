#!/usr/bin/python3
"""How far two result files of the same suite are apart, value by value:
for every cell of both (matched by id), every metric at every checkpoint
of its trace and at the end, the relative difference

    |a − b| / max(|a|, |b|)        (0 when a == b, inf when one is NaN)

Made to check that the native kernels agree with the portable ones within
rounding (issue #20: a relative 1e-12 on cells that are not chaotic), where
`vibench compare --exact` says only that values moved.

Prints, per (task, algorithm) group, the largest relative difference over
its cells and where it is (metric, checkpoint), how many values exceed
--threshold, and the largest at the first checkpoint after the start (what
the kernels' rounding does in one step, before a chaotic run amplifies it);
cells whose status differs are listed apart. Exits 0.

Usage:
  scripts/relative_differences.py baseline.json candidate.json
                                  [--threshold 1e-12] [--final-only]
                                  [--metrics name,...] [--tasks label,...]
"""
import argparse
import json
import math
import sys
from collections import defaultdict


def relative_difference(a, b):
    if a is None or b is None:
        return 0.0 if a is b else math.inf
    if a == b:
        return 0.0
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b))


def values_of(cell, final_only):
    """(metric, checkpoint, value) of a cell; checkpoint 'final' or an
    iteration count."""
    for name, value in cell.get("final", {}).get("metrics", {}).items():
        yield name, "final", value
    if final_only:
        return
    trace = cell.get("trace", {})
    iterations = trace.get("iterations", [])
    for name, series in trace.get("metrics", {}).items():
        # A checkpoint without its iteration count cannot be matched.
        for at, value in zip(iterations, series):
            yield name, at, value


def first_step(cell):
    """The first checkpoint after the start: the differences a single step
    of the kernels makes, before the dynamics can amplify them."""
    iterations = cell.get("trace", {}).get("iterations", [])
    later = [i for i in iterations if i > 0]
    return later[0] if later else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline")
    parser.add_argument("candidate")
    parser.add_argument("--threshold", type=float, default=1e-12)
    parser.add_argument("--final-only", action="store_true",
                        help="only the metrics at the end of each cell")
    parser.add_argument("--metrics", default="",
                        help="only these metrics, comma-separated (e.g. "
                        "those that do not read a reference posterior, "
                        "whose draws move with the kernels too)")
    parser.add_argument("--tasks", default="",
                        help="only the cells of tasks whose label contains "
                        "one of these, comma-separated")
    args = parser.parse_args()
    with open(args.baseline) as f:
        baseline = {c["id"]: c for c in json.load(f)["cells"]}
    with open(args.candidate) as f:
        candidate = {c["id"]: c for c in json.load(f)["cells"]}

    wanted = set(filter(None, args.metrics.split(",")))
    tasks = list(filter(None, args.tasks.split(",")))
    groups = defaultdict(lambda: {"max": 0.0, "where": "", "cells": 0,
                                  "values": 0, "over": 0, "first": 0.0,
                                  "missing": 0})
    seen_metrics = set()
    status_changed = []
    for cell_id, base in baseline.items():
        cand = candidate.get(cell_id)
        if cand is None:
            continue
        key = (base["task"]["label"], base["algorithm"]["label"])
        if tasks and not any(t in key[0] for t in tasks):
            continue
        if base["status"] != cand["status"]:
            status_changed.append((cell_id, base["status"], cand["status"]))
            continue
        group = groups[key]
        group["cells"] += 1
        cand_values = {(m, at): v for m, at, v in values_of(cand,
                                                            args.final_only)}
        for metric, at, value in values_of(base, args.final_only):
            if wanted and metric not in wanted:
                continue
            if (metric, at) not in cand_values:
                group["missing"] += 1
                continue
            seen_metrics.add(metric)
            r = relative_difference(value, cand_values[(metric, at)])
            if at == first_step(base):
                group["first"] = max(group["first"], r)
            group["values"] += 1
            group["over"] += r > args.threshold
            if r > group["max"]:
                group["max"] = r
                group["where"] = (f"{metric} at {at}, replicate "
                                  f"{base.get('replicate', '?')}")

    only = len(set(baseline) ^ set(candidate))
    for metric in sorted(wanted - seen_metrics):
        print(f"warning: no value of metric '{metric}' in both files")
    compared = {k: g for k, g in groups.items() if g["values"] > 0}
    print(f"{len(compared)} groups with values compared; {only} cells in one "
          f"file only; threshold {args.threshold:g}")
    print("| task | algorithm | cells | values | over | max relative "
          "difference | where | max at the first checkpoint | missing in "
          "the candidate |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (task, algorithm), g in sorted(compared.items(),
                                       key=lambda kv: -kv[1]["max"]):
        print(f"| {task} | {algorithm} | {g['cells']} | {g['values']} | "
              f"{g['over']} | {g['max']:.3g} | {g['where']} | "
              f"{g['first']:.3g} | {g['missing']} |")
    for cell_id, was, now in status_changed:
        print(f"status changed: {cell_id}: {was} -> {now}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
