#include "core/kernel_backend.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "core/types.hpp"

#ifdef VIBENCH_NATIVE_KERNELS
#include "native/openblas.hpp"
#include "native/vector_exp.hpp"
#endif

namespace vibench {

namespace {

KernelBackend backend_from_environment() {
  const char* value = std::getenv(kKernelBackendVariable);
  const std::string given = value ? value : "";
  if (given.empty())
    return native_kernels_built() ? KernelBackend::native
                                  : KernelBackend::portable;
  if (given == "portable") return KernelBackend::portable;
  if (given == "native") {
    if (!native_kernels_built())
      throw ConfigError(
          kKernelBackendVariable,
          "this build has the portable kernels only (it was configured "
          "with -DVIBENCH_NATIVE_KERNELS=OFF); unset VIBENCH_KERNELS or set "
          "it to 'portable'");
    return KernelBackend::native;
  }
  throw ConfigError(
      kKernelBackendVariable,
      fmt::format("the environment variable VIBENCH_KERNELS is '{}'; "
                  "expected 'native' or 'portable'{}",
                  given, did_you_mean(given, {"native", "portable"})));
}

// Set by the first kernel_backend() call, or by ScopedKernelBackend.
std::optional<KernelBackend>& chosen() {
  static std::optional<KernelBackend> backend;
  return backend;
}

}  // namespace

KernelBackend kernel_backend() {
  auto& backend = chosen();
  if (!backend) backend = backend_from_environment();
  return *backend;
}

bool native_kernels_built() {
#ifdef VIBENCH_NATIVE_KERNELS
  return true;
#else
  return false;
#endif
}

Json kernel_backend_context() {
  const std::string eigen =
      fmt::format("Eigen {}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION,
                  EIGEN_MINOR_VERSION);
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels())
    return {{"backend", "native"},
            {"blas", openblas_description()},
            {"vector_target", vector_exp_target()}};
#endif
  return {{"backend", "portable"}, {"blas", eigen + " (its own products)"}};
}

ScopedKernelBackend::ScopedKernelBackend(KernelBackend backend)
    : before_(kernel_backend()) {
  if (backend == KernelBackend::native && !native_kernels_built())
    throw ConfigError(kKernelBackendVariable,
                      "this build has the portable kernels only");
  chosen() = backend;
}

ScopedKernelBackend::~ScopedKernelBackend() { chosen() = before_; }

}  // namespace vibench
