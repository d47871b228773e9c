#!/usr/bin/python3
"""Plot vibench results: one panel per task, one line per algorithm.

The lines, their labels, colours, scales and the summary of their seeds
come from `vibench series`, so a figure labels and selects exactly as
`vibench table` does, and every figure of one result file gives an algorithm
the same colour and marker. This script only draws (matplotlib and numpy;
Debian: python3-matplotlib).

    scripts/plot.py RESULTS.json... --metric M -o FIG.{pdf,svg,png}
                    [--x COUNTER|seconds] [--select best-by=M2 [--at final]]
                    [--stat median-iqr|mean-ci] [--legend below|right]
                    [--linear] [--xscale auto|log|linear]
                    [--include-unfinished] [--columns N] [--title TEXT]
                    [--vibench PATH]

--stat median-iqr (default) draws the median over seeds with the
interquartile range shaded; mean-ci draws the mean with a 95% confidence
band (Student's t over the seeds). How seeds recorded at different x values
are joined is `vibench series`'s rule (see the README). Markers sit on the
checkpoints (at most about a dozen per line).
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys

X_LABELS = {
    "grad_evals": "gradient evaluations (per point)",
    "value_evals": "function evaluations (per point)",
    "oracle_calls": "oracle calls (sample gradients, HVPs, cross products)",
    "outer_grad_evals": "outer gradient evaluations",
    "inner_grad_evals": "inner gradient evaluations",
    "cross_evals": "cross-derivative products",
    "hvp_evals": "Hessian-vector products (per point)",
    "iterations": "iterations",
    "seconds": "algorithm time (s)",
}
FORMATS = ("pdf", "png", "svg")
MARKERS = "os^Dv<>ph*"
# Beyond ten lines the tab10 colours repeat with these dashes, as in the
# HTML report's charts (lib/report/svg_chart.cpp).
DASHES = ["-", (0, (6, 3)), (0, (2, 2)), (0, (8, 3, 2, 3))]


def fail(message):
    print(f"plot.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="plot.py",
        description="Plot a metric of vibench result files: one panel per "
        "task, one line per algorithm, aggregated over seeds.")
    parser.add_argument("results", nargs="+", help="result files (JSON)")
    parser.add_argument("-m", "--metric", required=True,
                        help="metric to plot")
    parser.add_argument(
        "--x", default="grad_evals",
        help="cost axis: a counter of the trace (grad_evals, oracle_calls, "
        "hvp_evals, iterations, ...) or seconds (default: grad_evals)")
    parser.add_argument(
        "--select", default="",
        help="best-by=METRIC: one line per algorithm name, its best "
        "configuration per task by the median of METRIC (as vibench table)")
    parser.add_argument("--at", default="final",
                        help="where --select reads METRIC (final, "
                        "COUNTER=N, best)")
    parser.add_argument(
        "--stat", default="median-iqr", choices=("median-iqr", "mean-ci"),
        help="median with interquartile band (default), or mean with a 95%% "
        "confidence band")
    parser.add_argument(
        "-o", "--output", required=True,
        help="figure file; the format follows the extension (pdf, svg, png)")
    parser.add_argument(
        "--legend", default="below", choices=("below", "right"),
        help="legend below the panels in columns (default) or to their right")
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
    parser.add_argument(
        "--vibench", default="",
        help="the vibench program (default: $VIBENCH, the build next to this "
        "script, or vibench on PATH)")
    args = parser.parse_args(argv)
    extension = os.path.splitext(args.output)[1].lower().lstrip(".")
    if extension not in FORMATS:
        parser.error(f"-o {args.output}: the extension must be one of "
                     f"{', '.join('.' + f for f in FORMATS)}")
    args.format = extension
    return args


def find_vibench(given):
    if given:
        return given
    if os.environ.get("VIBENCH"):
        return os.environ["VIBENCH"]
    beside = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          os.pardir, "build", "vibench")
    if os.access(beside, os.X_OK):
        return os.path.normpath(beside)
    on_path = shutil.which("vibench")
    if on_path:
        return on_path
    fail("cannot find the vibench program: build it (scripts/setup.sh), or "
         "name it with --vibench PATH or $VIBENCH")


def load_series(args):
    """The JSON of `vibench series` for these files and options."""
    command = [find_vibench(args.vibench), "series", *args.results,
               "--metric", args.metric, "--x", args.x, "--at", args.at,
               "--stat", args.stat, "--xscale", args.xscale,
               "--yscale", "linear" if args.linear else "auto"]
    if args.select:
        command += ["--select", args.select]
    if args.include_unfinished:
        command.append("--include-unfinished")
    try:
        done = subprocess.run(command, capture_output=True, text=True,
                              check=False)
    except OSError as e:
        fail(f"cannot run {command[0]}: {e}")
    if done.returncode != 0:
        # vibench's own message names the file, option and closest name.
        sys.stderr.write(done.stderr)
        fail(f"vibench series failed (exit {done.returncode})")
    sys.stderr.write(done.stderr)  # warnings
    return json.loads(done.stdout)


def legend_columns(labels, width_inches, font_points):
    """As many columns as fit across the figure, never wrapping a label."""
    longest = max(len(label) for label in labels)
    # A character is about 0.55 em wide; a handle and padding about 3 em.
    column_inches = (longest * 0.55 + 3.5) * font_points / 72
    return max(1, min(len(labels), int(width_inches // column_inches)))


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
    data = load_series(args)
    for note in data["notes"]:
        print(f"plot.py: {note}", file=sys.stderr)
    panels = data["panels"]
    log_x, log_y = data["log_x"], data["log_y"]

    font_points = 8
    plt.rcParams.update({
        "font.size": font_points,
        "axes.titlesize": font_points,
        "axes.labelsize": font_points,
        "xtick.labelsize": 7,
        "ytick.labelsize": 7,
        "legend.fontsize": 7,
        "lines.linewidth": 1.3,
        "lines.markersize": 3.5,
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "pdf.fonttype": 42,  # embed TrueType fonts, as publishers ask
        "ps.fonttype": 42,
        "svg.fonttype": "path",  # glyphs as paths: no font needed to view
        "savefig.dpi": 300,
    })

    columns = args.columns if args.columns > 0 else min(3, len(panels))
    rows = math.ceil(len(panels) / columns)
    width = 2.6 * columns
    figure, axes = plt.subplots(rows, columns, squeeze=False,
                                figsize=(width, 2.1 * rows),
                                constrained_layout=True)
    keys = data["line_keys"]
    colors = plt.get_cmap("tab10")
    handles = {}
    for index, panel in enumerate(panels):
        ax = axes[index // columns][index % columns]
        for line in panel["lines"]:
            band = line["band"]
            if not band["x"]:
                continue
            grid, centre, low, high = (
                np.array([math.nan if v is None else v for v in band[key]],
                         dtype=float)
                for key in ("x", "centre", "low", "high"))
            color = colors(line["color"] % 10)
            marker = MARKERS[line["color"] % len(MARKERS)]
            dashes = DASHES[(line["color"] // 10) % len(DASHES)]
            (drawn,) = ax.plot(grid, centre, color=color, marker=marker,
                               linestyle=dashes,
                               markevery=max(1, -(-len(grid) // 12)),
                               label=line["label"])
            if len(line["seeds"]) > 1:
                ax.fill_between(grid, low, high, color=color, alpha=0.2,
                                linewidth=0)
            handles.setdefault(line["key"], (drawn, line["label"]))
        ax.set_title(panel["label"])
        if log_x:
            ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
        ax.set_xlabel(X_LABELS.get(args.x, args.x))
        if index % columns == 0:
            ax.set_ylabel(data["metric"])
        ax.grid(True, which="major", linewidth=0.3, alpha=0.5)
    for index in range(len(panels), rows * columns):
        axes[index // columns][index % columns].set_visible(False)
    if args.title:
        figure.suptitle(args.title)
    ordered = [key for key in keys if key in handles]
    labels = [handles[key][1] for key in ordered]
    if ordered:
        if args.legend == "below":
            figure.legend([handles[key][0] for key in ordered], labels,
                          loc="upper center", bbox_to_anchor=(0.5, 0.0),
                          ncol=legend_columns(labels, width, 7),
                          frameon=False)
        else:
            figure.legend([handles[key][0] for key in ordered], labels,
                          loc="center left", bbox_to_anchor=(1.0, 0.5),
                          ncol=1, frameon=False)
    directory = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(directory, exist_ok=True)
    # Written through a temporary file and a rename, as vibench writes.
    temporary = os.path.join(
        directory, f".{os.path.basename(args.output)}.{os.getpid()}.tmp")
    metadata = {"Creator": "vibench scripts/plot.py"} \
        if args.format != "png" else None
    figure.savefig(temporary, format=args.format, bbox_inches="tight",
                   metadata=metadata)
    os.replace(temporary, args.output)
    plt.close(figure)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
