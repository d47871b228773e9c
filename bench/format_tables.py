#!/usr/bin/python3
"""Markdown tables from vibench_bench's JSON output (--benchmark_out).

Usage: bench/format_tables.py BENCH.json
       bench/format_tables.py --best BENCH.json
Prints: the machine's FP64 limit (OpenBLAS's dgemm on 1 and 2 threads,
measured first; the multiply-add peak per instruction set; dgemm at the SVGD
step's shapes by OpenBLAS and by Eigen), then every kernel's time, GFLOP/s
and fraction of that limit, with the fraction of Eigen's own GEMM rate
beside it: the SVGD direction (1 and 2 threads) and its scaling in n and d,
the bandwidth's median, the logistic-regression gradient and its scaling in
N, the other oracles, and the sample metrics.
With --best (for a run with --benchmark_repetitions), one row per benchmark:
its best repetition against the best limit and the best Eigen rate of the
run, themselves bests of 12 products.
"""
import json
import math
import sys

UNIT_TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
NAN = float("nan")


def parse(path):
    """Benchmark rows as dicts: family, variant, args (name → int), threads,
    ms (real time per iteration), gflops (all threads), limit (fraction of
    the limit), fraction (of Eigen's GEMM rate), and the raw record."""
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
            "limit": b.get("fraction_of_limit", NAN),
            "fraction": b.get("fraction_of_gemm", NAN),
            "raw": b,
        })
    return doc["context"], rows


def table(header, body):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return "\n".join(out)


def pct(x, digits=0):
    return "–" if x is None or math.isnan(x) else f"{100 * x:.{digits}f} %"


def context_rate(context, key):
    try:
        return float(context.get(key, NAN))
    except ValueError:
        return NAN


def machine_limit(context, rows):
    """The limit's measures: OpenBLAS's dgemm (the limit), the multiply-add
    peak per instruction set, and dgemm at the SVGD shapes by both
    libraries."""
    limit1 = context_rate(context, "limit_GFLOPs_1thread")
    limit2 = context_rate(context, "limit_GFLOPs_2threads")
    eigen = context_rate(context, "gemm_GFLOPs_1thread")
    size = context.get("limit_size", "?")
    print(f"FP64 limit, measured first: OpenBLAS's dgemm of {size}² matrices, "
          f"best of 12 products: {limit1:.1f} GFLOP/s on 1 thread, "
          f"{limit2:.1f} on 2 threads ({context.get('limit_2threads', '?')}). "
          f"OpenBLAS: {context.get('openblas', '?')}.\n"
          f"Eigen's GEMM beside it (same size and measure, the library's "
          f"Eigen and flags): {eigen:.1f} GFLOP/s on 1 thread, "
          f"{pct(eigen / limit1)} of the limit.\n")

    fma = [r for r in rows if r["family"] == "BM_FmaPeak"]
    if fma:
        print("Multiply-add peak (independent chains, no memory traffic), per "
              "instruction set the CPU offers; the limit as a fraction of it:\n")
        body = []
        for r in fma:
            limit = limit1 if r["threads"] == 1 else limit2
            body.append([r["variant"], r["threads"], f"{r['gflops']:.1f}",
                         f"{r['gflops'] / r['threads']:.1f}",
                         pct(limit / r["gflops"] if r["gflops"] else NAN)])
        print(table(["instruction set", "threads", "GFLOP/s (all threads)",
                     "GFLOP/s per core", "OpenBLAS limit / peak"], body) + "\n")

    dgemm = [r for r in rows if r["family"] == "BM_Dgemm"]
    if dgemm:
        rate = {}
        for r in dgemm:
            a = r["args"]
            shape = (a["m"], a["k"], a["n"])
            rate[(shape, r["variant"], a.get("blas_threads", 1))] = r
        shapes = []
        for r in dgemm:
            a = r["args"]
            if (a["m"], a["k"], a["n"]) not in shapes:
                shapes.append((a["m"], a["k"], a["n"]))

        def cell(shape, library, threads):
            r = rate.get((shape, library, threads))
            return (f"{r['gflops']:.1f} ({pct(r['limit'])})" if r else "–")

        body = []
        for shape in shapes:
            o1 = rate.get((shape, "openblas", 1))
            e1 = rate.get((shape, "eigen", 1))
            body.append([f"{shape[0]}×{shape[1]} · {shape[1]}×{shape[2]}",
                         cell(shape, "openblas", 1), cell(shape, "openblas", 2),
                         cell(shape, "eigen", 1),
                         pct(e1["gflops"] / o1["gflops"]) if o1 and e1 else "–"])
        print("dgemm at the SVGD step's shapes (n×d · d×n: the distances; "
              "n×n · n×(d+1): the kernel product; d = 50), GFLOP/s (fraction "
              "of the limit on as many threads):\n")
        print(table(["product", "OpenBLAS 1 thread", "OpenBLAS 2 threads",
                     "Eigen 1 thread", "Eigen / OpenBLAS, 1 thread"], body))
        print()


def kernel_columns(r):
    """GFLOP/s, fraction of the limit, fraction of Eigen's GEMM."""
    return [f"{r['gflops']:.2f}", pct(r["limit"]), pct(r["fraction"])]


def main():
    context, rows = parse(sys.argv[1])
    machine_limit(context, rows)

    gemm = [r for r in rows if r["family"] == "BM_Gemm"]
    print(f"Eigen's GEMM, the reference beside the limit "
          f"({context.get('gemm_GFLOPs_1thread', '?')} GFLOP/s on one thread, "
          "best of 12 products measured first):\n")
    print(table(["n", "threads", "ms", "GFLOP/s (all threads)", "of limit"],
                [[r["args"]["n"], r["threads"], f"{r['ms']:.1f}",
                  f"{r['gflops']:.2f}", pct(r["limit"])] for r in gemm]))

    svgd = [r for r in rows if r["family"] == "BM_SvgdDirection"]
    print("\nSVGD direction (SteinDirection::compute), executed flops per step "
          "(rbf n(n+1)d + 2n²(d+1), imq n(n+1)d + 2n²(2d+1); the tiled step "
          "is credited with the same, though it recomputes the distances); "
          "2 threads = two steps at once on separate data (throughput), "
          "against the 2-thread limit:\n")
    print(table(
        ["kernel", "n", "d", "tile rows", "threads", "ms/step", "GFLOP/s",
         "of limit", "of Eigen GEMM", "allocs/step"],
        [[r["variant"], r["args"]["n"], r["args"]["d"],
          r["args"].get("tile", "whole kernel"), r["threads"],
          f"{r['ms']:.3f}"] + kernel_columns(r) +
         [f"{r['raw'].get('allocs_per_step', NAN):.0f}"] for r in svgd]))

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

    median = [r for r in rows if r["family"] == "BM_MedianSelect"]
    if median:
        print("The bandwidth's median over the n(n−1)/2 squared distances "
              "(d = 50), each method the same number bit for bit; "
              "produce_fused − produce is what the median adds to the SVGD "
              "step:\n")
        body = []
        ms = {(r["variant"], r["args"]["n"]): r["ms"] for r in median}
        for r in median:
            n = r["args"]["n"]
            pairs = r["raw"].get("pairs", n * (n - 1) / 2)
            body.append([r["variant"], n, f"{pairs:.0f}", f"{r['ms']:.3f}",
                         f"{1e6 * r['ms'] / pairs:.2f}"])
        for n in sorted({r["args"]["n"] for r in median}):
            if ("produce", n) in ms and ("produce_fused", n) in ms:
                added = ms[("produce_fused", n)] - ms[("produce", n)]
                body.append(["fused, added to producing", n,
                             f"{n * (n - 1) / 2:.0f}", f"{added:.3f}",
                             f"{1e6 * added / (n * (n - 1) / 2):.2f}"])
        print(table(["method", "n", "pairs", "ms", "ns per pair"], body) + "\n")

    lr = [r for r in rows if r["family"] == "BM_LogRegGradient"]
    print("Logistic-regression gradient (d = 54 features + intercept), "
          "4·B·p·n flops per call (B rows used), against the limit on the "
          "OpenMP threads used:\n")
    print(table(
        ["particles n", "rows N", "batch", "OpenMP threads", "ms/call",
         "ns per row·particle", "GFLOP/s", "of limit", "of Eigen GEMM"],
        [[r["args"]["n"], r["args"]["N"], r["args"]["batch"] or "full",
          r["args"]["omp"], f"{r['ms']:.3f}",
          f"{1e6 * r['ms'] / ((r['args']['batch'] or r['args']['N']) * r['args']['n']):.2f}"]
         + kernel_columns(r) for r in lr]))

    others = [r for r in rows if r["family"] in (
        "BM_KsdGradient", "BM_LogRegProducts", "BM_ObjectiveGradient",
        "BM_SinkhornIteration",
        "BM_MatrixGameOperator", "BM_LogisticBilevelOracle")]
    if others:
        print("\nOther oracles (flops as counted in bench/vibench_bench.cpp; "
              "the bilevel oracle against the limit on OpenMP's default "
              "team):\n")
        print(table(
            ["benchmark", "ms", "GFLOP/s", "of limit", "of Eigen GEMM"],
            [[r["raw"]["run_name"], f"{r['ms']:.3f}"] + kernel_columns(r)
             for r in others]))

    metrics = [r for r in rows if r["family"] == "BM_Metric"]
    print("\nSample metrics (n = m points, 4n²d flops each); "
          "peak RSS is the process's so far:\n")
    print(table(
        ["metric", "n", "d", "ms", "ns per n²", "GFLOP/s", "of limit",
         "of Eigen GEMM", "peak RSS MiB"],
        [[r["variant"], r["args"]["n"], r["args"]["d"], f"{r['ms']:.2f}",
          f"{1e6 * r['ms'] / r['args']['n'] ** 2:.2f}",
          f"{r['gflops']:.2f}", pct(r["limit"], 1), pct(r["fraction"], 1),
          f"{r['raw'].get('peak_rss_MiB', 0):.0f}"] for r in metrics]))


def best_of_repetitions(path):
    """Per benchmark, its best repetition, as fractions of the best limit
    and of the best Eigen rate seen in the run: for each, the rate measured
    first (best of 12) or any repetition of its 1-thread benchmark at the
    limit's size, whichever is higher (a machine whose speed drifts shows
    its limit at its fastest moments). For 1-thread benchmarks."""
    context, rows = parse(path)
    size = int(context.get("limit_size", 1024))
    limit = max([context_rate(context, "limit_GFLOPs_1thread")] +
                [r["gflops"] for r in rows
                 if r["family"] == "BM_Dgemm" and r["variant"] == "openblas"
                 and r["args"].get("blas_threads") == 1
                 and r["args"]["m"] == r["args"]["k"] == r["args"]["n"] == size])
    gemm = max([context_rate(context, "gemm_GFLOPs_1thread")] +
               [r["gflops"] for r in rows
                if r["family"] == "BM_Gemm" and r["threads"] == 1])
    best = {}
    for r in rows:
        name = r["raw"]["run_name"]
        previous, count = best.get(name, (None, 0))
        if previous is None or r["ms"] < previous["ms"]:
            previous = r
        best[name] = (previous, count + 1)
    print(f"Best repetition of each benchmark against the best limit of the "
          f"run ({limit:.2f} GFLOP/s, OpenBLAS on one thread) and the best "
          f"Eigen GEMM rate ({gemm:.2f} GFLOP/s on one thread):\n")
    print(table(
        ["benchmark", "repetitions", "best ms", "GFLOP/s", "of limit",
         "of Eigen GEMM"],
        [[name, count, f"{r['ms']:.2f}",
          f"{r['gflops']:.2f}" if "flops" in r["raw"] else "—"]
         + ([pct(r["gflops"] / limit), pct(r["gflops"] / gemm)]
            if r["args"].get("omp", 1) == 1 and "flops" in r["raw"]
            else ["—", "—"])
         for name, (r, count) in best.items()]))
    # A benchmark on several OpenMP threads, against its 1-thread run.
    for name, (r, _) in best.items():
        threads = r["args"].get("omp", 1)
        if threads == 1:
            continue
        single = name.replace(f"omp:{threads}/", "omp:1/")
        if single in best:
            print(f"\n{name}: {best[single][0]['ms'] / r['ms']:.2f}× the "
                  f"1-thread best on {threads} threads.")


if __name__ == "__main__":
    if sys.argv[1] == "--best":
        best_of_repetitions(sys.argv[2])
    else:
        main()
