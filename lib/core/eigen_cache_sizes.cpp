#include "core/eigen_cache_sizes.hpp"

#include <Eigen/Core>

namespace vibench {
namespace {

// Set during static initialization, before main and so before any product
// (the library's other static initializers only register tasks, algorithms
// and metrics). The library is an OBJECT library, so every program that
// links it runs this.
const bool kEigenCacheSizesPinned = [] {
  Eigen::setCpuCacheSizes(kEigenL1CacheBytes, kEigenL2CacheBytes,
                          kEigenL3CacheBytes);
  return true;
}();

}  // namespace
}  // namespace vibench
