// Reference posteriors for distributions without exact draws: long runs of
// the native NUTS (lib/mcmc) from several chains, accepted only when every
// coordinate passes R-hat and bulk/tail ESS thresholds, and cached on disk
// under a key derived from the task's canonical parameters and the settings
// and a fingerprint of the density itself (so that a data file or a model
// changed at the same path is never answered from the cache), with their
// provenance (method, settings, diagnostics, vibench version)
// stored beside the draws.
//
// The draws are a deterministic function of the key: the NUTS seed is the
// key's hash and the chains run independently of the thread count, and the
// cache stores every number in a form that reads back to the same double.
// A cached reference therefore gives bit-identical metrics to a freshly
// computed one, and a suite's results do not depend on the cache's state.
#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include "core/params.hpp"
#include "core/types.hpp"
#include "tasks/distribution.hpp"

namespace vibench {

struct ReferenceSettings {
  int chains = 4;
  long long warmup = 1000;           // per chain (Stan's default)
  long long draws_per_chain = 2500;  // 10 000 pooled draws, as posteriordb
  double target_accept = 0.9;        // above Stan's 0.8: smaller steps for a
                                     // reference, at a modest cost
  int max_depth = 10;
  double max_rhat = 1.01;  // Vehtari et al. (2021)'s threshold
  double min_ess = 400;    // bulk and tail, pooled (Vehtari et al.: 400)
  double max_divergent_fraction = 0.0;  // divergences signal bias
  Json to_json() const;
  // ConfigError naming the setting for a bad value.
  void validate() const;
};

struct ReferencePosterior {
  Matrix draws;     // chains × draws_per_chain rows, chain after chain
  Json provenance;  // task, params, method, settings, diagnostics, version
  std::filesystem::path file;  // the cached CSV
  bool from_cache = false;
};

// The reference failed its checks (the message says which coordinate and
// what to change); nothing was cached.
class ReferenceCheckFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// $VIBENCH_REFERENCE_CACHE when set, else $XDG_CACHE_HOME/vibench/references,
// else ~/.cache/vibench/references (./.vibench-cache/references without HOME).
std::filesystem::path default_reference_cache();

// The cache key: the task name, its full (validated) parameters and the
// settings, hashed; e.g. "logistic_regression-3f2a9c0d11e4b7a8". NUTS is
// seeded by it.
std::string reference_key(const std::string& task_name, const Json& params,
                          const ReferenceSettings& settings);

// A hash of the density itself: log π and ∇log π, bit for bit, at 8 points
// drawn from the task's initial distribution with a fixed seed. It changes
// whenever the data a task reads or the code of its density change what
// the density is there; the cache stores a reference under the key and
// this fingerprint, so a reference can never outlive the density it was
// computed for.
std::string density_fingerprint(const Distribution& target);

// Loads the reference of (task_name, params) from `cache_dir`, or computes it
// with NUTS, checks it and stores it there (atomically). `progress` (may be
// empty) receives one-line messages about a computation. Throws
// ReferenceCheckFailed when the diagnostics fail, ConfigError when the task
// is not a distribution that offers a reference.
ReferencePosterior reference_posterior(
    const std::string& task_name, const Json& params, const Task& task,
    const std::filesystem::path& cache_dir,
    const ReferenceSettings& settings = {},
    const std::function<void(const std::string&)>& progress = {});

// `n` rows of `draws` evenly spaced over all of them (rows ⌊i·N/n⌋): the
// reference sample that metrics compare against, the same for every cell.
Matrix thin_draws(const Matrix& draws, Index n);

}  // namespace vibench
