#!/usr/bin/python3
"""Plot vibench results: one panel per task, one line per algorithm label.

Each line is the median over the seeds (replicates) of a metric against a
cost axis, with the interquartile band shaded. Only the Python standard
library, matplotlib and numpy (Debian: python3-matplotlib) are used.

    scripts/plot.py RESULTS.json... --metric M [--x grad_evals|oracle_calls|hvp_evals|iterations|seconds]
                    -o FIG.{pdf,png,svg} [--linear] [--xscale auto|log|linear]
                    [--include-unfinished] [--columns N] [--title TEXT]

Cells that did not end `ok` are left out unless --include-unfinished is
given (their traces stop early). When the seeds of a line were recorded at
different x values (always so for --x seconds), each trace is interpolated
onto the union of their x values, within the range all of them cover.
"""

import argparse
import json
import math
import os
import sys
import textwrap

X_LABELS = {
    "grad_evals": "gradient evaluations (per point)",
    "oracle_calls": "oracle calls (sample gradients, HVPs, cross products)",
    "hvp_evals": "Hessian-vector products (per point)",
    "iterations": "iterations",
    "seconds": "algorithm time (s)",
}
FORMATS = ("pdf", "png", "svg")


def fail(message):
    print(f"plot.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="plot.py",
        description="Plot a metric of vibench result files: one panel per "
        "task, median and interquartile band over seeds per algorithm.",
    )
    parser.add_argument("results", nargs="+", help="result files (JSON)")
    parser.add_argument("--metric", required=True, help="metric to plot")
    parser.add_argument(
        "--x", default="grad_evals", choices=sorted(X_LABELS),
        help="cost axis (default: grad_evals)")
    parser.add_argument(
        "-o", "--output", required=True,
        help="figure file; the format follows the extension (pdf, png, svg)")
    parser.add_argument(
        "--linear", action="store_true",
        help="linear y axis (default: log when every value is positive)")
    parser.add_argument(
        "--xscale", default="auto", choices=("auto", "log", "linear"),
        help="x axis scale (default auto: log when the positive x values "
        "span at least two decades)")
    parser.add_argument(
        "--include-unfinished", action="store_true",
        help="also use cells that diverged, timed out or failed")
    parser.add_argument(
        "--columns", type=int, default=0,
        help="panels per row (default: up to 3)")
    parser.add_argument("--title", default="", help="figure title")
    args = parser.parse_args(argv)
    extension = os.path.splitext(args.output)[1].lower().lstrip(".")
    if extension not in FORMATS:
        parser.error(f"-o {args.output}: the extension must be one of "
                     f"{', '.join('.' + f for f in FORMATS)}")
    args.format = extension
    return args


def load_series(paths, metric, x_key, include_unfinished):
    """{task label: {algorithm label: [(x list, y list)]}} in file order."""
    panels = {}
    seen = set()
    metric_anywhere = False
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                document = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            fail(f"{path}: cannot read a result file: {e}")
        if not isinstance(document, dict) or not isinstance(
                document.get("cells"), list):
            fail(f"{path}: not a vibench result file (no list of 'cells')")
        for cell in document["cells"]:
            trace = cell.get("trace") or {}
            values = (trace.get("metrics") or {}).get(metric)
            if values is None:
                continue
            metric_anywhere = True
            if cell.get("status") != "ok" and not include_unfinished:
                continue
            key = (document.get("suite_hash"), cell.get("id"))
            if key in seen:
                print(f"plot.py: warning: {path}: cell {cell.get('id')} "
                      "appears more than once; using the first",
                      file=sys.stderr)
                continue
            seen.add(key)
            xs = trace.get(x_key)
            if not isinstance(xs, list) or len(xs) != len(values):
                continue
            task = cell.get("task", {}).get("label", "?")
            algorithm = cell.get("algorithm", {}).get("label", "?")
            y = [math.nan if v is None else float(v) for v in values]
            panels.setdefault(task, {}).setdefault(algorithm, []).append(
                ([float(v) for v in xs], y))
    if not metric_anywhere:
        fail(f"no cell of {', '.join(paths)} has the metric '{metric}'")
    if not panels:
        fail(f"no cell with the metric '{metric}' ended ok "
             "(--include-unfinished uses the others)")
    return panels


def median_band(np, series, log_x):
    """x, median, 25% and 75% quantiles over the seeds of one line."""
    cleaned = []
    for xs, ys in series:
        x = np.asarray(xs, dtype=float)
        y = np.asarray(ys, dtype=float)
        keep = np.isfinite(x) & np.isfinite(y)
        if log_x:
            keep &= x > 0
        if keep.sum() >= 1:
            cleaned.append((x[keep], y[keep]))
    if not cleaned:
        return None
    same_x = all(len(x) == len(cleaned[0][0]) and np.array_equal(
        x, cleaned[0][0]) for x, _ in cleaned)
    if same_x:
        grid = cleaned[0][0]
        stack = np.vstack([y for _, y in cleaned])
    else:
        low = max(x.min() for x, _ in cleaned)
        high = min(x.max() for x, _ in cleaned)
        grid = np.unique(np.concatenate([x for x, _ in cleaned]))
        grid = grid[(grid >= low) & (grid <= high)]
        if grid.size == 0:
            return None
        rows = []
        for x, y in cleaned:
            order = np.argsort(x, kind="stable")
            if log_x:
                rows.append(np.interp(np.log(grid), np.log(x[order]),
                                      y[order]))
            else:
                rows.append(np.interp(grid, x[order], y[order]))
        stack = np.vstack(rows)
    q25, median, q75 = np.percentile(stack, [25, 50, 75], axis=0)
    return grid, median, q25, q75


def main(argv):
    args = parse_arguments(argv)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError as e:
        fail(f"matplotlib is needed ({e}); on Debian: "
             "apt-get install python3-matplotlib")

    panels = load_series(args.results, args.metric, args.x,
                         args.include_unfinished)

    positive_x = [x for lines in panels.values() for series in lines.values()
                  for xs, _ in series for x in xs if x > 0]
    if args.xscale == "auto":
        log_x = bool(positive_x) and max(positive_x) >= 100 * min(positive_x)
    else:
        log_x = args.xscale == "log"
    finite_y = [y for lines in panels.values() for series in lines.values()
                for _, ys in series for y in ys if math.isfinite(y)]
    log_y = (not args.linear and bool(finite_y) and
             all(y > 0 for y in finite_y))

    plt.rcParams.update({
        "font.size": 8,
        "axes.titlesize": 8,
        "axes.labelsize": 8,
        "xtick.labelsize": 7,
        "ytick.labelsize": 7,
        "legend.fontsize": 7,
        "lines.linewidth": 1.3,
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "pdf.fonttype": 42,  # embed TrueType fonts, as publishers ask
        "ps.fonttype": 42,
        "svg.fonttype": "none",
        "savefig.dpi": 300,
    })

    tasks = list(panels)
    columns = args.columns if args.columns > 0 else min(3, len(tasks))
    rows = math.ceil(len(tasks) / columns)
    figure, axes = plt.subplots(rows, columns, squeeze=False,
                                figsize=(2.6 * columns, 2.1 * rows),
                                constrained_layout=True)
    algorithms = []
    for lines in panels.values():
        for label in lines:
            if label not in algorithms:
                algorithms.append(label)
    colors = plt.get_cmap("tab10" if len(algorithms) <= 10 else "tab20")
    handles = {}
    for index, task in enumerate(tasks):
        ax = axes[index // columns][index % columns]
        for label, series in panels[task].items():
            color = colors(algorithms.index(label) % colors.N)
            band = median_band(np, series, log_x)
            if band is None:
                continue
            grid, median, q25, q75 = band
            (line,) = ax.plot(grid, median, color=color, label=label)
            if len(series) > 1:
                ax.fill_between(grid, q25, q75, color=color, alpha=0.2,
                                linewidth=0)
            handles[label] = line
        ax.set_title("\n".join(textwrap.wrap(task, 40)) or task)
        if log_x:
            ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
        ax.set_xlabel(X_LABELS[args.x])
        if index % columns == 0:
            ax.set_ylabel(args.metric)
        ax.grid(True, which="major", linewidth=0.3, alpha=0.5)
    for index in range(len(tasks), rows * columns):
        axes[index // columns][index % columns].set_visible(False)
    if args.title:
        figure.suptitle(args.title)
    ordered = [label for label in algorithms if label in handles]
    figure.legend([handles[label] for label in ordered],
                  ["\n".join(textwrap.wrap(label, 60)) for label in ordered],
                  loc="upper center", bbox_to_anchor=(0.5, 0.0),
                  ncol=max(1, min(len(ordered), columns, 3)), frameon=False)
    directory = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(directory, exist_ok=True)
    # Written through a temporary file and a rename, as vibench writes.
    temporary = os.path.join(
        directory, f".{os.path.basename(args.output)}.{os.getpid()}.tmp")
    figure.savefig(temporary, format=args.format, bbox_inches="tight")
    os.replace(temporary, args.output)
    plt.close(figure)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
