#!/usr/bin/python3
"""Time vibench's SVGD direction against the same update written the usual
ways in NumPy/SciPy and in PyTorch (CPU), on identical inputs, on 1 and 2
threads, with the BLAS each peer runs on checked and printed.

For each (n, d) the script draws particles x ~ N(0, I) with a fixed seed and
the scores of a standard normal target (s = -x), writes them to a file, and
times:

  vibench        bench/vibench_bench --peer-svgd (SteinDirection::compute,
                 the code SVGD runs; median of --reps rounds after a
                 warm-up). On T threads it computes T directions at once,
                 one per thread (vibench runs one BLAS thread per cell and
                 cells in parallel): the time is per direction.
  numpy-authors  the SVGD authors' formulation (Liu & Wang's svgd.py, written
                 here from its description, not copied): scipy pdist +
                 squareform, np.median over the whole n×n matrix (diagonal
                 included), h² = med/(2 log(n+1)), exp(−r²/(2h²)), then
                 matrix products. Its median is not vibench's, so its φ is
                 checked with vibench's bandwidth given to it, and timed
                 with its own median (its real cost); rbf only
  numpy-pdist    the same with vibench's median of the distinct pairs
  numpy-matmul   squared distances from one product X Xᵀ plus norms
  torch          torch.cdist, kthvalue for the median, torch.matmul
                 (float64, CPU); skipped with a message if torch is missing

The peers run one direction on T BLAS (and torch) threads, set at run time
with threadpoolctl. Before timing, the script prints the BLAS that NumPy
and torch loaded (threadpoolctl, torch.__config__) and stops unless NumPy's
is OpenBLAS (--any-blas to time another anyway), since a reference BLAS
makes a peer several times slower for reasons that are not the peer's.

All compute the same φ (vibench's `median` rule h = med²/log n, med² the
median of the off-diagonal squared distances), and the script checks that
each φ matches vibench's before it prints the times and the ratio
peer time / vibench time (> 1: vibench is faster).

Usage:
  scripts/peer_bench.py [--bench build/bench/vibench_bench] [--sizes 1000x50,...]
                        [--kernel rbf|imq|both] [--reps 5] [--threads 1,2]
Needs Debian's python3-numpy, python3-scipy and python3-threadpoolctl;
python3-torch is optional (apt-get install python3-torch). Run with
/usr/bin/python3 if python3 on your PATH is not Debian's.
"""
import argparse
import math
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

DEFAULT_SIZES = "100x2,1000x2,1000x50,1000x200,4000x50"
SEED = 20240607  # of the synthetic particles, fixed so runs compare
IMQ_C, IMQ_BETA = 1.0, -0.5  # vibench's defaults for the imq kernel
# φ of a peer must match vibench's to this relative max-norm error: the
# computations differ only in rounding (the order of sums, the median of
# distances computed another way).
MATCH_RTOL = 1e-8


def parse_args():
    root = pathlib.Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_bench = next(
        (p for p in (root / "build" / "bench" / "vibench_bench",
                     root / "build-bench" / "bench" / "vibench_bench")
         if p.exists()), root / "build" / "bench" / "vibench_bench")
    ap.add_argument("--bench", default=str(default_bench),
                    help="vibench_bench executable (default: %(default)s)")
    ap.add_argument("--sizes", default=DEFAULT_SIZES,
                    help="comma-separated NxD (default: %(default)s)")
    ap.add_argument("--kernel", choices=["rbf", "imq", "both"], default="rbf")
    ap.add_argument("--reps", type=int, default=5,
                    help="timed calls per implementation; the median is "
                         "reported (default: %(default)s)")
    ap.add_argument("--threads", default="1,2",
                    help="comma-separated thread counts (default: "
                         "%(default)s)")
    ap.add_argument("--any-blas", action="store_true",
                    help="time NumPy even when its BLAS is not OpenBLAS")
    return ap.parse_args()


def median_time(fn, reps):
    fn()  # warm-up: first-call costs (allocation, thread pools)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def numpy_implementations(np, pdist, squareform, kernel):
    def finish(x, s, d2, h):
        n = x.shape[0]
        if kernel == "rbf":
            k = np.exp(-d2 / h)
            # ∇ part: (2/h)(diag(K1) X − K X), as the authors' code.
            return (k @ s + (2.0 / h) * (x * k.sum(axis=1)[:, None] - k @ x)) / n
        base = IMQ_C * IMQ_C + d2 / h
        k = base ** IMQ_BETA
        dk = IMQ_BETA * base ** (IMQ_BETA - 1.0)
        return (k @ s + (2.0 / h) * (dk @ x - x * dk.sum(axis=1)[:, None])) / n

    def with_pdist(x, s):
        pairs = pdist(x, "sqeuclidean")
        h = np.median(pairs) / math.log(x.shape[0])
        return finish(x, s, squareform(pairs), h)

    def with_matmul(x, s):
        norms = np.einsum("ij,ij->i", x, x)
        d2 = np.maximum(norms[:, None] + norms[None, :] - 2.0 * (x @ x.T), 0.0)
        np.fill_diagonal(d2, 0.0)
        h = np.median(d2[np.triu_indices_from(d2, 1)]) / math.log(x.shape[0])
        return finish(x, s, d2, h)

    def authors(x, s, given_h=None):
        # The SVGD authors' formulation: h is their kernel width, k =
        # exp(−r²/(2h²)), i.e. vibench's rbf with bandwidth 2h².
        n = x.shape[0]
        d2 = squareform(pdist(x, "sqeuclidean"))
        if given_h is None:
            h = math.sqrt(0.5 * np.median(d2) / math.log(n + 1))
        else:
            h = given_h
        k = np.exp(-d2 / h**2 / 2)
        repulsion = (x * k.sum(axis=1)[:, None] - k @ x) / h**2
        return (k @ s + repulsion) / n

    impls = {"numpy-pdist": with_pdist, "numpy-matmul": with_matmul}
    if kernel == "rbf":
        impls["numpy-authors"] = authors
    return impls


def torch_implementation(torch, kernel, n):
    upper = torch.triu_indices(n, n, 1)  # reused, as vibench reuses buffers
    pairs = n * (n - 1) // 2

    def phi(x, s):
        d2 = torch.cdist(x, x) ** 2
        v = d2[upper[0], upper[1]]
        med = v.kthvalue(pairs // 2 + 1).values
        if pairs % 2 == 0:
            med = 0.5 * (med + v.kthvalue(pairs // 2).values)
        h = med / math.log(n)
        if kernel == "rbf":
            k = torch.exp(-d2 / h)
            return (k @ s + (2.0 / h) * (x * k.sum(1, keepdim=True) - k @ x)) / n
        base = IMQ_C * IMQ_C + d2 / h
        k = base ** IMQ_BETA
        dk = IMQ_BETA * base ** (IMQ_BETA - 1.0)
        return (k @ s + (2.0 / h) * (dk @ x - x * dk.sum(1, keepdim=True))) / n

    return phi


def blas_report(np, torch, any_blas):
    """Prints the BLAS that NumPy and torch loaded; stops unless NumPy's is
    OpenBLAS (or any_blas). Returns the threadpoolctl module."""
    try:
        import threadpoolctl
    except ImportError:
        sys.exit("peer_bench: threadpoolctl not found (Debian: apt-get "
                 "install python3-threadpoolctl): it sets and checks the "
                 "peers' BLAS threads")
    pools = threadpoolctl.threadpool_info()
    blas = [p for p in pools if p.get("user_api") == "blas"]
    for p in pools:
        print(f"# loaded: {p.get('internal_api')} {p.get('version') or ''} "
              f"({p.get('user_api')}, {p.get('filepath')}, "
              f"kernels: {p.get('architecture') or '?'}, threading: "
              f"{p.get('threading_layer') or '?'})")
    if torch is not None:
        # Debian's torch is built with BLAS_INFO=generic: it calls the
        # libblas.so.3 that the system's alternative names, the library
        # listed above.
        info = re.findall(r"(BLAS_INFO|LAPACK_INFO)=([^,\s]+)",
                          torch.__config__.show())
        print(f"# torch {torch.__version__}: "
              + (", ".join(f"{k}={v}" for k, v in info) or "BLAS not reported"))
    # The BLAS libraries mapped into this process, whoever loaded them.
    with open("/proc/self/maps") as maps:
        mapped = sorted({line.split()[-1] for line in maps
                         if re.search(r"lib(open)?blas|libmkl|libblis",
                                      line)})
    for path in mapped:
        print(f"# mapped: {os.path.realpath(path)}")
    if not any(p.get("internal_api") == "openblas" for p in blas) \
            and not any_blas:
        sys.exit("peer_bench: NumPy is not running on OpenBLAS "
                 f"({[p.get('internal_api') for p in blas] or 'no BLAS'} "
                 "loaded); install libopenblas0 (scripts/setup.sh does) so "
                 "that the libblas.so.3 alternative points to it, or pass "
                 "--any-blas")
    return threadpoolctl


def main():
    args = parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]
    import numpy as np
    from scipy.spatial.distance import pdist, squareform
    try:
        import torch
    except ImportError:
        torch = None
        print("peer_bench: PyTorch not found (Debian: apt-get install "
              "python3-torch): skipping the torch column", file=sys.stderr)
    threadpoolctl = blas_report(np, torch, args.any_blas)
    bench = pathlib.Path(args.bench)
    if not bench.exists():
        sys.exit(f"peer_bench: {bench} not found; build it with cmake "
                 "--build build --target vibench_bench, or pass --bench")

    kernels = ["rbf", "imq"] if args.kernel == "both" else [args.kernel]
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for threads in thread_counts:
            with threadpoolctl.threadpool_limits(limits=threads):
                if torch is not None:
                    torch.set_num_threads(threads)
                table(args, np, pdist, squareform, torch, bench, tmp, kernels,
                      sizes, threads)


def table(args, np, pdist, squareform, torch, bench, tmp, kernels, sizes,
          threads):
    print(f"\n# SVGD direction, median of {args.reps} rounds, {threads} "
          f"thread(s) (vibench: {threads} direction(s) at once, time per "
          f"direction; peers: one direction on {threads} BLAS thread(s)); "
          "ratio = peer time / vibench time")
    for kernel in kernels:
        peers = list(numpy_implementations(np, pdist, squareform, kernel))
        peers += ["torch"] if torch else []
        header = ["kernel", "n", "d", "vibench ms"] + [
            f"{p} ms (ratio)" for p in peers]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for n, d in sizes:
            rng = np.random.default_rng(SEED)
            x = rng.standard_normal((n, d))
            s = -x
            inp, out = pathlib.Path(tmp, "in.bin"), pathlib.Path(tmp, "out.bin")
            with open(inp, "wb") as f:
                np.array([n, d], dtype=np.int64).tofile(f)
                x.tofile(f)
                s.tofile(f)
            result = subprocess.run(
                [str(bench), "--peer-svgd", str(inp), str(out), kernel,
                 str(args.reps), str(threads)], check=True,
                capture_output=True, text=True)
            t_text, h_text = result.stdout.split()
            t_vibench, h_vibench = float(t_text), float(h_text)
            raw = np.fromfile(out, dtype=np.float64)
            phi_vibench = raw[2:].reshape(n, d)  # after the int64 n, d
            scale = np.abs(phi_vibench).max()

            cells = [kernel, str(n), str(d), f"{1e3 * t_vibench:.3f}"]
            impls = numpy_implementations(np, pdist, squareform, kernel)
            for name in peers:
                if name == "torch":
                    fn = torch_implementation(torch, kernel, n)
                    xt, st = torch.from_numpy(x), torch.from_numpy(s)
                    phi = fn(xt, st).numpy()
                    t = median_time(lambda: fn(xt, st), args.reps)
                elif name == "numpy-authors":
                    fn = impls[name]
                    # vibench's bandwidth h is the authors' 2h².
                    phi = fn(x, s, math.sqrt(0.5 * h_vibench))
                    t = median_time(lambda: fn(x, s), args.reps)
                else:
                    fn = impls[name]
                    phi = fn(x, s)
                    t = median_time(lambda: fn(x, s), args.reps)
                err = np.abs(phi - phi_vibench).max() / scale
                if not err <= MATCH_RTOL:
                    sys.exit(f"peer_bench: {name} φ differs from "
                             f"vibench's at n={n}, d={d}: relative "
                             f"error {err:.3g}")
                cells.append(f"{1e3 * t:.3f} ({t / t_vibench:.1f}×)")
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
