#!/usr/bin/python3
"""Time vibench's SVGD direction against the same update written the usual
way in NumPy/SciPy and in PyTorch (CPU), on identical inputs.

For each (n, d) the script draws particles x ~ N(0, I) with a fixed seed and
the scores of a standard normal target (s = -x), writes them to a file, and
times:

  vibench        bench/vibench_bench --peer-svgd (SteinDirection::compute,
                 the code SVGD runs; median of --reps calls after a warm-up)
  numpy-pdist    the SVGD authors' style: scipy pdist + squareform for the
                 squared distances, np.median, then matrix products
  numpy-matmul   squared distances from one product X Xᵀ plus norms
  torch          torch.cdist, kthvalue for the median, torch.matmul
                 (float64, CPU); skipped with a message if torch is missing

All compute the same φ (vibench's `median` rule h = med²/log n, med² the
median of the off-diagonal squared distances), and the script checks that
each φ matches vibench's before it prints the times and the ratio
peer time / vibench time (> 1: vibench is faster).

Threads: --threads (default 1) caps OpenMP, BLAS and torch threads before
the libraries are loaded; vibench's SVGD direction is single-threaded.

Usage:
  scripts/peer_bench.py [--bench build/bench/vibench_bench] [--sizes 1000x50,...]
                        [--kernel rbf|imq|both] [--reps 5] [--threads 1]
Needs Debian's python3-numpy and python3-scipy; python3-torch is optional
(apt-get install python3-torch). Run with /usr/bin/python3 if python3 on
your PATH is not Debian's.
"""
import argparse
import math
import os
import pathlib
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
    ap.add_argument("--threads", type=int, default=1,
                    help="threads for NumPy's BLAS and torch (default: 1, "
                         "as vibench's SVGD direction)")
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

    return {"numpy-pdist": with_pdist, "numpy-matmul": with_matmul}


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


def main():
    args = parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np
    from scipy.spatial.distance import pdist, squareform
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
        print("peer_bench: PyTorch not found (Debian: apt-get install "
              "python3-torch): skipping the torch column", file=sys.stderr)
    bench = pathlib.Path(args.bench)
    if not bench.exists():
        sys.exit(f"peer_bench: {bench} not found; build it with cmake "
                 "--build build --target vibench_bench, or pass --bench")

    kernels = ["rbf", "imq"] if args.kernel == "both" else [args.kernel]
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    peers = ["numpy-pdist", "numpy-matmul"] + (["torch"] if torch else [])
    print(f"# SVGD direction, median of {args.reps} calls, {args.threads} "
          f"thread(s); ratio = peer time / vibench time")
    print(f"# numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch else ""))
    header = ["kernel", "n", "d", "vibench ms"] + [
        f"{p} ms (ratio)" for p in peers]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for kernel in kernels:
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
                     str(args.reps)], check=True, capture_output=True,
                    text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
                t_vibench = float(result.stdout.strip())
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
