#!/usr/bin/python3
"""Markdown tables from vibench_bench's JSON output (--benchmark_out).

Usage: bench/format_tables.py BENCH.json
       bench/format_tables.py --best BENCH.json
Prints: the GEMM reference, the SVGD direction (time per step, GFLOP/s,
fraction of the GEMM rate, 1 and 2 threads), its scaling in n and d, the
logistic-regression gradient and its scaling in N, and the sample metrics.
With --best (for a run with --benchmark_repetitions), one row per benchmark:
its best repetition, the measure comparable to the GEMM reference, itself
the best of 12 products.
"""
import json
import sys

UNIT_TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def parse(path):
    """Benchmark rows as dicts: family, variant, args (name → int), threads,
    ms (real time per iteration), gflops, fraction, and the raw record."""
    with open(path) as f:
        doc = json.load(f)
    rows = []
    for b in doc["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or "error_occurred" in b:
            continue
        parts = b["run_name"].split("/")
        family, variant, args = parts[0], "", {}
        for p in parts[1:]:
            if ":" in p:
                key, value = p.split(":", 1)
                if key != "threads":
                    args[key] = int(value)
            elif p not in ("real_time",):
                variant = p
        rows.append({
            "family": family, "variant": variant, "args": args,
            "threads": b.get("threads", 1),
            "ms": b["real_time"] * UNIT_TO_MS[b["time_unit"]],
            "gflops": b.get("flops", 0.0) / 1e9,
            "fraction": b.get("fraction_of_gemm", float("nan")),
            "raw": b,
        })
    return doc["context"], rows


def table(header, body):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return "\n".join(out)


def main():
    context, rows = parse(sys.argv[1])
    gemm = [r for r in rows if r["family"] == "BM_Gemm"]
    print(f"GEMM reference (Eigen, {context.get('gemm_GFLOPs_1thread', '?')} "
          "GFLOP/s on one thread, best of 12 products measured first):\n")
    print(table(["n", "threads", "ms", "GFLOP/s (all threads)"],
                [[r["args"]["n"], r["threads"], f"{r['ms']:.1f}",
                  f"{r['gflops']:.2f}"] for r in gemm]))

    svgd = [r for r in rows if r["family"] == "BM_SvgdDirection"]
    print("\nSVGD direction (SteinDirection::compute), executed flops per step "
          "(rbf n(n+1)d + 2n²(d+1), imq n(n+1)d + 2n²(2d+1)); "
          "2 threads = two steps at once on separate data (throughput):\n")
    print(table(
        ["kernel", "n", "d", "threads", "ms/step", "GFLOP/s", "of GEMM",
         "allocs/step"],
        [[r["variant"], r["args"]["n"], r["args"]["d"], r["threads"],
          f"{r['ms']:.3f}", f"{r['gflops']:.2f}", f"{100 * r['fraction']:.0f} %",
          f"{r['raw'].get('allocs_per_step', float('nan')):.0f}"]
         for r in svgd]))

    print("\nSVGD scaling, 1 thread: ms per step (and ns per n²d in "
          "brackets: constant when the cost is n²·d):\n")
    for kernel in ("rbf", "imq"):
        one = {(r["args"]["n"], r["args"]["d"]): r["ms"] for r in svgd
               if r["variant"] == kernel and r["threads"] == 1}
        ns = sorted({k[0] for k in one})
        ds = sorted({k[1] for k in one})
        body = []
        for n in ns:
            body.append([kernel, n] + [
                f"{one[(n, d)]:.3f} [{1e6 * one[(n, d)] / (n * n * d):.2f}]"
                if (n, d) in one else "" for d in ds])
        print(table(["kernel", "n"] + [f"d = {d}" for d in ds], body) + "\n")

    lr = [r for r in rows if r["family"] == "BM_LogRegGradient"]
    print("Logistic-regression gradient (d = 54 features + intercept), "
          "4·B·p·n flops per call (B rows used):\n")
    print(table(
        ["particles n", "rows N", "batch", "OpenMP threads", "ms/call",
         "ns per row·particle", "GFLOP/s", "of GEMM"],
        [[r["args"]["n"], r["args"]["N"], r["args"]["batch"] or "full",
          r["args"]["omp"], f"{r['ms']:.3f}",
          f"{1e6 * r['ms'] / ((r['args']['batch'] or r['args']['N']) * r['args']['n']):.2f}",
          f"{r['gflops']:.2f}", f"{100 * r['fraction']:.0f} %"]
         for r in lr]))

    metrics = [r for r in rows if r["family"] == "BM_Metric"]
    print("\nSample metrics (n = m points, 4n²d flops each); "
          "peak RSS is the process's so far:\n")
    print(table(
        ["metric", "n", "d", "ms", "ns per n²", "GFLOP/s", "of GEMM",
         "peak RSS MiB"],
        [[r["variant"], r["args"]["n"], r["args"]["d"], f"{r['ms']:.2f}",
          f"{1e6 * r['ms'] / r['args']['n'] ** 2:.2f}",
          f"{r['gflops']:.2f}", f"{100 * r['fraction']:.1f} %",
          f"{r['raw'].get('peak_rss_MiB', 0):.0f}"] for r in metrics]))


def best_of_repetitions(path):
    """Per benchmark, its best repetition, as a fraction of the best GEMM
    rate seen in the run: the reference measured first (best of 12) or any
    repetition of BM_Gemm with 1 thread, whichever is higher (a machine
    whose speed drifts shows its limit at its fastest moments)."""
    context, rows = parse(path)
    gemm = max([float(context.get("gemm_GFLOPs_1thread", 0.0))] +
               [r["gflops"] for r in rows
                if r["family"] == "BM_Gemm" and r["threads"] == 1])
    best = {}
    for r in rows:
        name = r["raw"]["run_name"]
        previous, count = best.get(name, (None, 0))
        if previous is None or r["ms"] < previous["ms"]:
            previous = r
        best[name] = (previous, count + 1)
    print(f"Best repetition of each benchmark against the best GEMM rate of "
          f"the run ({gemm:.2f} GFLOP/s on one thread):\n")
    print(table(
        ["benchmark", "repetitions", "best ms", "GFLOP/s", "of GEMM"],
        [[name, count, f"{r['ms']:.2f}", f"{r['gflops']:.2f}",
          f"{100 * r['gflops'] / gemm:.0f} %"]
         for name, (r, count) in best.items()]))


if __name__ == "__main__":
    if sys.argv[1] == "--best":
        best_of_repetitions(sys.argv[2])
    else:
        main()
