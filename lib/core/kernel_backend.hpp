// Which implementation the hot kernels of this process use.
//
//   native    the matrix products of the kernel methods and the logistic
//             likelihoods by OpenBLAS (one thread per call: parallelism is
//             over cells), and their element-wise exp by Highway, both
//             dispatched at run time to the host's widest vector unit. The
//             same bits on one machine, but not between CPUs: OpenBLAS and
//             Highway choose their kernels, and with them the order of the
//             sums and the polynomial of exp, per CPU. (The bandwidth
//             median's bracket pass, core/bracketed_keys.hpp, is Highway's
//             too, and keeps the same keys as the portable loop: an exact
//             median, the same bits in both backends.)
//   portable  Eigen's own products and exp, compiled for the build's
//             baseline (x86-64: SSE2): the same bits on every x86-64 machine,
//             and those of every result checked into results/.
//
// The default is native in a build that has it (-DVIBENCH_NATIVE_KERNELS=ON,
// the default). VIBENCH_KERNELS=portable in the environment pins the portable
// kernels; CI's baseline test does, so that it can ask for the checked-in
// numbers bit for bit.
#pragma once

#include <nlohmann/json.hpp>

namespace vibench {

using Json = nlohmann::json;

enum class KernelBackend { native, portable };

// The environment variable that chooses the backend.
inline constexpr const char* kKernelBackendVariable = "VIBENCH_KERNELS";

// The backend of this process, read from VIBENCH_KERNELS at the first call.
// Throws ConfigError (where: "VIBENCH_KERNELS") for a value other than
// "native" or "portable", and for "native" in a build without it.
KernelBackend kernel_backend();
inline bool native_kernels() {
  return kernel_backend() == KernelBackend::native;
}

// Whether this build has the native kernels.
bool native_kernels_built();

// The backend in use and what it runs on, for the results' context:
// {"backend": "native", "blas": "OpenBLAS 0.3.21 … (kernels: SkylakeX)",
//  "vector_target": "AVX3"} or {"backend": "portable", "blas": "Eigen …"}.
Json kernel_backend_context();

// Sets the backend of this process while it lives (tests compare the two).
class ScopedKernelBackend {
 public:
  explicit ScopedKernelBackend(KernelBackend backend);
  ~ScopedKernelBackend();
  ScopedKernelBackend(const ScopedKernelBackend&) = delete;
  ScopedKernelBackend& operator=(const ScopedKernelBackend&) = delete;

 private:
  KernelBackend before_;
};

}  // namespace vibench
