#!/usr/bin/python3
"""Draw the profiles written by `vibench profile --format csv`.

    vibench profile RESULTS.json --metric M --format csv -o profile.csv
    scripts/plot_profiles.py profile.csv -o FIG.{pdf,png,svg} [--cost LABEL]

Three panels: the performance profile ρ_s(α) (log₂ α), the data profile
d_s(b) and the runtime ECDF over targets (log₁₀ budget), one step line per
algorithm, the legend below the panels. An algorithm's colour is the CSV's
`color` column, the index `vibench series` gives the same algorithm's line,
drawn as scripts/plot.py draws it (tab10, then dashes beyond ten), so the
profiles and the convergence figures of one result file agree.
Only the standard library and matplotlib (Debian: python3-matplotlib).
"""

import argparse
import csv
import os
import sys
from collections import OrderedDict

FORMATS = ("pdf", "png", "svg")
# As scripts/plot.py and the HTML report (lib/report/svg_chart.cpp).
DASHES = ["-", (0, (6, 3)), (0, (2, 2)), (0, (8, 3, 2, 3))]
PANELS = (
    ("performance", "performance ratio α", "fraction of problems"),
    ("data", "budget", "fraction of problems"),
    ("ecdf", "budget", "fraction of (problem, target)"),
)


def fail(message):
    print(f"plot_profiles.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def read_profiles(path):
    """algorithm -> (colour index, profile -> [(x, y)]), in file order."""
    series = OrderedDict()
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            expected = {"profile", "algorithm", "color", "x", "fraction"}
            if reader.fieldnames is None or not expected <= set(reader.fieldnames):
                fail(f"{path}: not a `vibench profile --format csv` file "
                     f"(expected the columns {', '.join(sorted(expected))})")
            for row in reader:
                colour, by_profile = series.setdefault(
                    row["algorithm"], (int(row["color"]), {}))
                by_profile.setdefault(row["profile"], []).append(
                    (float(row["x"]), float(row["fraction"])))
    except OSError as error:
        fail(f"{path}: {error.strerror}")
    except ValueError as error:
        fail(f"{path}: {error}")
    if not series:
        fail(f"{path}: no rows")
    return series


def main(argv):
    parser = argparse.ArgumentParser(prog="plot_profiles.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("profiles", help="CSV from vibench profile")
    parser.add_argument("-o", "--output", required=True,
                        help="figure file (pdf, png or svg)")
    parser.add_argument("--cost", default="gradient evaluations",
                        help="label of the budget axis")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing output file")
    args = parser.parse_args(argv)
    extension = os.path.splitext(args.output)[1].lstrip(".").lower()
    if extension not in FORMATS:
        fail(f"--output: '{args.output}' must end in .pdf, .png or .svg")
    if os.path.exists(args.output) and not args.force:
        fail(f"--output: '{args.output}' exists; pass --force to replace it")
    series = read_profiles(args.profiles)

    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["pdf.fonttype"] = 42  # embedded TrueType fonts
    matplotlib.rcParams["svg.fonttype"] = "none"
    import matplotlib.pyplot as plt

    columns = min(4, max(1, len(series)))
    rows = (len(series) + columns - 1) // columns
    legend_height = 0.18 * rows + 0.3  # inches
    height = 3.6 + legend_height
    figure, axes = plt.subplots(1, 3, figsize=(13, height))
    colours = plt.get_cmap("tab10")
    for algorithm, (index, by_profile) in series.items():
        colour = colours(index % 10)
        style = DASHES[(index // 10) % len(DASHES)]
        for axis, (profile, _, _) in zip(axes, PANELS):
            points = sorted(by_profile.get(profile, []))
            if not points:
                continue
            xs, ys = zip(*points)
            axis.step(xs, ys, where="post", color=colour, linestyle=style,
                      label=algorithm, linewidth=1.4)
    for axis, (profile, xlabel, ylabel) in zip(axes, PANELS):
        axis.set_xscale("log", base=2 if profile == "performance" else 10)
        axis.set_xlabel(xlabel if profile == "performance"
                        else f"{xlabel} ({args.cost})")
        axis.set_ylabel(ylabel)
        axis.set_ylim(-0.02, 1.02)
        axis.grid(True, alpha=0.3)
    axes[0].set_title("performance profile")
    axes[1].set_title("data profile")
    axes[2].set_title("runtime ECDF over targets")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=columns,
                  fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, legend_height / height, 1, 1))
    figure.savefig(args.output)
    print(f"plot_profiles.py: wrote {args.output}")


if __name__ == "__main__":
    main(sys.argv[1:])
