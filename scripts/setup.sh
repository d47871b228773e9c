#!/usr/bin/env bash
# Installs the Debian packages vibench needs (only those missing) and builds
# a Release build in ./build. Safe to run again: it does nothing that is
# already done. Usage: scripts/setup.sh [extra cmake arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# libopenblas-dev, libhwy-dev and pkgconf: the native kernels
# (lib/core/kernel_backend.hpp) run the matrix products on OpenBLAS and the
# element-wise exp on Google Highway, and bench/ measures the machine's FP64
# limit with OpenBLAS. libopenblas-dev alone would pull in the pthreads
# build; libopenblas-openmp-dev names the OpenMP build, the one
# CMakeLists.txt prefers (see there). python3-scipy and python3-threadpoolctl
# are for the NumPy peer of bench/ (scripts/peer_bench.py). libboost-dev:
# Boost.Math's Student t quantile for the figures' confidence bands.
# python3 and python3-numpy: the Python client of the line protocol
# (python/vibench_client.py) and its tests.
packages=(g++ cmake make git libeigen3-dev libcli11-dev nlohmann-json3-dev
          libfmt-dev doctest-dev libbenchmark-dev libglpk-dev liblemon-dev
          python3-matplotlib pkgconf libopenblas-dev libopenblas-openmp-dev
          libhwy-dev python3-scipy python3-threadpoolctl libboost-dev
          python3 python3-numpy)
scripts/install_packages.sh setup "${packages[@]}"

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$jobs"
