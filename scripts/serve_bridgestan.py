#!/usr/bin/env python3
"""Serve a Stan model to vibench through BridgeStan (task external_density).

    # Once: put posteriordb's reference draws on the sampler's scale, and
    # print the task entry (this also compiles the model).
    serve_bridgestan.py --model diamonds.stan --data diamonds.json \\
        --unconstrain-reference diamonds-reference.json diamonds-reference.csv

    # As the task entry's command: serve the model's log density.
    serve_bridgestan.py --model diamonds.stan --data diamonds.json

BridgeStan (https://github.com/roualdes/bridgestan) evaluates a compiled
Stan model's log density, its gradient and Hessian-vector products on
Stan's unconstrained scale, with the log-Jacobian of the constraining
transform: the density vibench's samplers then sample, with coordinates
named as BridgeStan names them (param_unc_names: "b.1", "sigma").
posteriordb's reference draws are on the constrained scale and name the
entries "b[1]"; --unconstrain-reference maps every draw through
param_unconstrain and writes them under the unconstrained names, for the
task's reference_draws_file.

The model is any object with the methods of bridgestan.StanModel that
this script calls (param_names, param_unc_names, param_unconstrain,
log_density, log_density_gradient, log_density_hessian_vector_product).
--python-model FILE.py:CLASS uses such a class, constructed with the data
file's path, in place of BridgeStan: the tests run this script that way,
BridgeStan not being installable here (tests/external/blr_stanlike.py).

Only the standard library, NumPy and vibench's client (python/); BridgeStan
is imported only with --model.
"""

import argparse
import csv
import importlib.util
import json
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import vibench_client as vc  # noqa: E402


def load_model(args):
    """The Stan model of --model (through BridgeStan) or --python-model."""
    if args.model:
        try:
            import bridgestan
        except ImportError:
            sys.exit("serve_bridgestan.py: BridgeStan is not installed "
                     "(pip install bridgestan; see the README)")
        return bridgestan.StanModel(args.model, args.data)
    path, _, name = args.python_model.rpartition(":")
    if not path or not name:
        sys.exit("serve_bridgestan.py: --python-model takes FILE.py:CLASS")
    spec = importlib.util.spec_from_file_location("stan_like_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)(args.data)


def bridgestan_name(posteriordb_name):
    """posteriordb's "b[1]" or "a[2,3]" as BridgeStan's "b.1", "a.2.3"."""
    match = re.fullmatch(r"([^\[\]]+)\[([0-9, ]+)\]", posteriordb_name)
    if not match:
        return posteriordb_name
    indices = [i.strip() for i in match.group(2).split(",")]
    return ".".join([match.group(1)] + indices)


def unconstrain_reference(model, source, target):
    """Writes the draws of posteriordb's reference_draws.json `source` on
    the model's unconstrained scale to the CSV `target`, chain after chain;
    returns the number of draws."""
    with open(source, encoding="utf-8") as handle:
        chains = json.load(handle)
    if not isinstance(chains, list) or not chains:
        sys.exit(f"serve_bridgestan.py: {source}: expected posteriordb's "
                 f"reference draws, a list of chains")
    wanted = model.param_names()
    rows = []
    for c, chain in enumerate(chains):
        by_name = {bridgestan_name(k): v for k, v in chain.items()}
        missing = [n for n in wanted if n not in by_name]
        if missing:
            sys.exit(f"serve_bridgestan.py: {source}: chain {c} has no draws "
                     f"of the parameter(s) {', '.join(missing)} (it has "
                     f"{', '.join(sorted(by_name))}); without every "
                     f"parameter the draws cannot be unconstrained")
        constrained = np.column_stack(
            [np.asarray(by_name[n], dtype=float) for n in wanted])
        for draw in constrained:
            rows.append(model.param_unconstrain(draw))
    unconstrained = np.asarray(rows)
    if not np.isfinite(unconstrained).all():
        sys.exit(f"serve_bridgestan.py: {source}: a draw maps to a "
                 f"non-finite unconstrained value (outside the support)")
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(model.param_unc_names())
        for row in unconstrained:
            writer.writerow([repr(float(x)) for x in row])
    return len(rows)


def task_entry(args, model):
    """The suite's task entry for this model, as a dict."""
    command = [sys.executable, os.path.abspath(__file__)]
    if args.model:
        command += ["--model", os.path.abspath(args.model)]
    else:
        command += ["--python-model", os.path.abspath(args.python_model)]
    if args.data:
        command += ["--data", os.path.abspath(args.data)]
    params = {"command": command, "dim": len(model.param_unc_names()),
              "coordinate_names": model.param_unc_names()}
    if args.unconstrain_reference:
        params["reference_draws_file"] = os.path.abspath(
            args.unconstrain_reference[1])
    return {"name": "external_density", "params": params}


class StanDensity(vc.Model):
    """The model's log density on the unconstrained scale, with the
    log-Jacobian (BridgeStan's jacobian=True), constants dropped
    (propto=True, as Stan's samplers see it)."""

    model = None  # set before serving

    def __init__(self, start):
        super().__init__(start)
        served = len(self.model.param_unc_names())
        if served != self.dim:
            raise ValueError(f"the model has {served} unconstrained "
                             f"parameters; the task entry says dim = "
                             f"{self.dim}")

    # BridgeStan raises RuntimeError where Stan's code throws (a point
    # outside the support, an overflow): that point's values are sent as
    # null (NaN), which a Metropolis step rejects, as Stan's samplers do,
    # rather than failing the whole call.

    def log_prob_grad(self, x):
        log_prob = np.full(len(x), np.nan)
        grad = np.full_like(x, np.nan)
        for i, point in enumerate(x):  # BridgeStan takes one point a call
            try:
                log_prob[i], grad[i] = self.model.log_density_gradient(
                    np.ascontiguousarray(point))
            except RuntimeError:
                pass
        return log_prob, grad

    def log_prob(self, x):
        log_prob = np.full(len(x), np.nan)
        for i, point in enumerate(x):
            try:
                log_prob[i] = self.model.log_density(
                    np.ascontiguousarray(point))
            except RuntimeError:
                pass
        return log_prob

    def log_prob_hessian_vector(self, x, v):
        out = np.full_like(x, np.nan)
        for i, (point, u) in enumerate(zip(x, v)):
            try:
                out[i] = self.model.log_density_hessian_vector_product(
                    np.ascontiguousarray(point), np.ascontiguousarray(u))[1]
            except RuntimeError:
                pass
        return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a .stan file (compiled on first "
                        "use) or a compiled BridgeStan model library")
    source.add_argument("--python-model", metavar="FILE.py:CLASS",
                        help="a class with BridgeStan's StanModel methods, "
                        "in place of BridgeStan (for testing)")
    parser.add_argument("--data", help="the model's data, a JSON file")
    parser.add_argument("--unconstrain-reference", nargs=2,
                        metavar=("DRAWS.json", "OUT.csv"),
                        help="write posteriordb's reference draws on the "
                        "unconstrained scale to OUT.csv, print the task "
                        "entry, and exit")
    args = parser.parse_args()
    if args.unconstrain_reference:
        draws_file, out_file = args.unconstrain_reference
        if os.path.exists(out_file):
            sys.exit(f"serve_bridgestan.py: {out_file} exists; it is not "
                     f"replaced (remove it first)")
        model = load_model(args)
        count = unconstrain_reference(model, draws_file, out_file)
        print(f"{count} draws written to {out_file}", file=sys.stderr)
        print(json.dumps(task_entry(args, model), indent=1))
        return
    # The protocol's stdout is set aside first: compiling or loading the
    # model may print.
    channel = vc.protocol_channel()
    StanDensity.model = load_model(args)
    vc.serve(StanDensity, channel=channel, name="bridgestan")


if __name__ == "__main__":
    main()
