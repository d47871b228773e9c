#include "reference/reference_posterior.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "core/atomic_write.hpp"
#include "core/csv.hpp"
#include "core/data_files.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/timestamp.hpp"
#include "mcmc/diagnostics.hpp"
#include "mcmc/nuts.hpp"
#include "reference/given_reference.hpp"

namespace vibench {

namespace fs = std::filesystem;

// Bumped whenever the NUTS implementation or the way references are made
// changes, so that stale caches are not reused.
constexpr int kReferenceMethodVersion = 1;
// The points at which density_fingerprint evaluates the density.
constexpr std::uint64_t kFingerprintSeed = 0xf1a9e7;
constexpr Index kFingerprintPoints = 8;

Json ReferenceSettings::to_json() const {
  return {{"chains", chains},
          {"warmup", warmup},
          {"draws_per_chain", draws_per_chain},
          {"target_accept", target_accept},
          {"max_depth", max_depth},
          {"max_rhat", max_rhat},
          {"min_ess", min_ess},
          {"max_divergent_fraction", max_divergent_fraction}};
}

void ReferenceSettings::validate() const {
  if (chains < 2)
    throw ConfigError("/chains",
                      "a reference needs at least 2 chains for "
                      "R-hat");
  if (warmup < 20)
    throw ConfigError("/warmup", "warm-up needs at least 20 iterations");
  if (draws_per_chain < 10)
    throw ConfigError("/draws_per_chain",
                      "draws_per_chain must be at least 10");
  if (!(target_accept > 0 && target_accept < 1))
    throw ConfigError("/target_accept", "target_accept must be in (0, 1)");
  if (max_depth < 1 || max_depth > 20)
    throw ConfigError("/max_depth", "max_depth must be in [1, 20]");
  if (!(max_rhat > 1)) throw ConfigError("/max_rhat", "max_rhat must be > 1");
  if (!(min_ess >= 0)) throw ConfigError("/min_ess", "min_ess must be ≥ 0");
  if (!(max_divergent_fraction >= 0 && max_divergent_fraction <= 1))
    throw ConfigError("/max_divergent_fraction",
                      "max_divergent_fraction must be in [0, 1]");
}

fs::path default_reference_cache() {
  if (const char* dir = std::getenv("VIBENCH_REFERENCE_CACHE"); dir && *dir)
    return fs::path(dir);
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path(xdg) / "vibench" / "references";
  if (const char* home = std::getenv("HOME"); home && *home)
    return fs::path(home) / ".cache" / "vibench" / "references";
  return fs::path(".vibench-cache") / "references";
}

std::string reference_key(const std::string& task_name, const Json& params,
                          const ReferenceSettings& settings) {
  const Json canonical = {{"task", task_name},
                          {"params", params},
                          {"settings", settings.to_json()},
                          {"method_version", kReferenceMethodVersion}};
  return fmt::format("{}-{:016x}", task_name, hash_string(canonical.dump()));
}

std::string density_fingerprint(const Distribution& target) {
  Rng rng = make_rng(kFingerprintSeed);
  const Matrix points = target.initial_points(kFingerprintPoints, rng);
  Vector logp;
  Matrix grad;
  target.log_prob_grad(points, logp, grad);
  // Hexadecimal floats: every bit of every value.
  std::string text;
  for (Index i = 0; i < points.rows(); ++i) {
    text += fmt::format("{:a};", logp(i));
    for (Index j = 0; j < grad.cols(); ++j)
      text += fmt::format("{:a},", grad(i, j));
  }
  return fmt::format("{:016x}", hash_string(text));
}

Matrix thin_draws(const Matrix& draws, Index n) {
  const Index total = draws.rows();
  if (n >= total) return draws;
  Matrix out(n, draws.cols());
  for (Index i = 0; i < n; ++i) out.row(i) = draws.row(i * total / n);
  return out;
}

namespace {

// A distribution on a constrained domain seen in the dual coordinates
// η = ∇ψ(x) of its mirror map: the density of η when x ~ π,
// log p_H(η) = log π(∇ψ*(η)) + log det ∇²ψ*(η), smooth on all of ℝ^d
// (Shi, Liu & Mackey 2022, §3). NUTS cannot leave a constrained domain in
// these coordinates, and needs no rejection at its faces.
class DualSpaceDistribution final : public Distribution {
 public:
  explicit DualSpaceDistribution(const Distribution& primal)
      : primal_(primal) {}
  Index dim() const override { return primal_.dim(); }
  Capabilities capabilities() const override { return {}; }
  void log_prob_grad(const Matrix& eta, Vector& logp,
                     Matrix& grad) const override {
    const Domain& domain = primal_.domain();
    const Matrix x = domain.to_primal(eta);
    primal_.log_prob_grad(x, logp, grad);
    domain.to_dual_density(x, logp, grad);
  }

 private:
  const Distribution& primal_;
};

// The first coordinate that fails a check, as a message; "" when all pass.
std::string failed_check(const std::vector<ParameterSummary>& summaries,
                         const std::vector<std::string>& names,
                         const ReferenceSettings& s) {
  for (size_t j = 0; j < summaries.size(); ++j) {
    const ParameterSummary& p = summaries[j];
    if (!(p.rhat < s.max_rhat))
      return fmt::format("R-hat of coordinate '{}' is {:.4f}, not below {}",
                         names[j], p.rhat, s.max_rhat);
    if (!(p.ess_bulk >= s.min_ess))
      return fmt::format("bulk ESS of coordinate '{}' is {:.0f}, below {}",
                         names[j], p.ess_bulk, s.min_ess);
    if (!(p.ess_tail >= s.min_ess))
      return fmt::format("tail ESS of coordinate '{}' is {:.0f}, below {}",
                         names[j], p.ess_tail, s.min_ess);
  }
  return "";
}

ReferencePosterior compute_reference(const std::string& task_name,
                                     const Json& params,
                                     const Distribution& target,
                                     const std::string& key,
                                     const ReferenceSettings& s) {
  const std::uint64_t seed = hash_string(key);
  Rng init_rng = make_rng(mix_seed(seed, hash_string("initial points")));
  // A constrained target is sampled in dual coordinates and its draws are
  // mapped back; the checks below apply to the primal draws.
  const Domain& domain = target.domain();
  const bool dual = domain.name() != "reals";
  const DualSpaceDistribution dual_target(target);
  const Distribution& sampled =
      dual ? static_cast<const Distribution&>(dual_target) : target;
  const Matrix initial_primal = target.initial_points(s.chains, init_rng);
  const Matrix initial = dual ? domain.to_dual(initial_primal) : initial_primal;
  NutsSettings nuts;
  nuts.warmup = s.warmup;
  nuts.draws = s.draws_per_chain;
  nuts.target_accept = s.target_accept;
  nuts.max_depth = s.max_depth;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<NutsChainResult> chains =
      run_nuts(sampled, initial, nuts, seed);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  std::vector<Matrix> chain_draws;
  long long divergences = 0, grad_evals = 0;
  Json per_chain = Json::array();
  for (const auto& c : chains) {
    chain_draws.push_back(dual ? domain.to_primal(c.draws) : c.draws);
    divergences += c.divergences;
    grad_evals += c.grad_evals;
    per_chain.push_back({{"step_size", c.step_size},
                         {"mean_accept_stat", c.mean_accept_stat},
                         {"mean_tree_depth", c.mean_tree_depth},
                         {"divergences", c.divergences},
                         {"grad_evals", c.grad_evals}});
  }
  const std::vector<ParameterSummary> summaries = summarize_chains(chain_draws);
  const std::vector<std::string> names = target.coordinate_names();

  Json coordinates = Json::array();
  for (size_t j = 0; j < summaries.size(); ++j) {
    const ParameterSummary& p = summaries[j];
    coordinates.push_back({{"name", names[j]},
                           {"mean", p.mean},
                           {"sd", p.sd},
                           {"rhat", p.rhat},
                           {"ess_bulk", p.ess_bulk},
                           {"ess_tail", p.ess_tail},
                           {"mcse_mean", p.mcse_mean},
                           {"mcse_sd", p.mcse_sd}});
  }
  const double total_draws =
      static_cast<double>(s.chains) * static_cast<double>(s.draws_per_chain);
  std::string failure = failed_check(summaries, names, s);
  if (failure.empty() &&
      static_cast<double>(divergences) > s.max_divergent_fraction * total_draws)
    failure = fmt::format(
        "{} divergent transitions after warm-up (allowed: "
        "{} of {} draws)",
        divergences, s.max_divergent_fraction * total_draws, total_draws);
  if (!failure.empty())
    throw ReferenceCheckFailed(fmt::format(
        "the NUTS reference posterior of task '{}' failed its checks: {}; "
        "nothing was cached (more warm-up or draws, or a higher "
        "target_accept, may help; the task may also be too hard for NUTS)",
        task_name, failure));

  ReferencePosterior out;
  out.draws.resize(static_cast<Index>(total_draws), target.dim());
  for (size_t c = 0; c < chains.size(); ++c)
    out.draws.middleRows(static_cast<Index>(c) * s.draws_per_chain,
                         s.draws_per_chain) = chain_draws[c];
  out.provenance = {
      {"key", key},
      {"task", task_name},
      // What the density used; the key hashes the full parameters.
      {"params", target.params_that_apply(params)},
      {"method",
       "native multinomial NUTS (lib/mcmc/nuts.cpp) with Stan's dual-averaging "
       "step size and windowed diagonal metric adaptation; chain c seeded "
       "with mix_seed(seed, c)"},
      {"method_version", kReferenceMethodVersion},
      {"space",
       dual ? fmt::format("dual coordinates of the {} domain's mirror map "
                          "(NUTS on log π(∇ψ*(η)) + log det ∇²ψ*(η), draws "
                          "mapped back by ∇ψ*); diagnostics on the primal "
                          "draws",
                          domain.name())
            : std::string("primal coordinates")},
      {"seed", seed},
      {"settings", s.to_json()},
      {"coordinate_names", names},
      {"draws_layout", "chain after chain, draws_per_chain rows each"},
      {"diagnostics",
       {{"divergences", divergences},
        {"grad_evals", grad_evals},
        {"seconds", seconds},
        {"chains", per_chain},
        {"coordinates", coordinates},
        {"definitions",
         "rank-normalized split R-hat (max of bulk and folded), bulk and tail "
         "ESS as Vehtari et al. (2021) and the R package posterior"}}},
      {"vibench_version", VIBENCH_VERSION},
      {"created", utc_now()},
  };
  return out;
}

}  // namespace

ReferencePosterior reference_posterior(
    const std::string& task_name, const Json& params, const Task& task,
    const fs::path& cache_dir, const ReferenceSettings& settings,
    const std::function<void(const std::string&)>& progress) {
  settings.validate();
  if (task.kind() != TaskKind::distribution ||
      !task.offers(Capability::reference))
    throw ConfigError("", fmt::format("task '{}' offers no reference "
                                      "posterior (only distributions without "
                                      "exact draws that declare 'reference' "
                                      "do)",
                                      task_name));
  const auto& target = static_cast<const Distribution&>(task);
  // Draws the user gave stand in for NUTS: nothing to compute or cache.
  if (const auto* given = dynamic_cast<const GivenReferenceDraws*>(&task)) {
    ReferencePosterior out;
    out.draws = given->given_draws();
    out.provenance = given->given_draws_provenance();
    out.file = out.provenance.value("file", "");
    out.provenance["key"] =
        fmt::format("file:{}#{}", out.provenance.value("file", ""),
                    out.provenance.value("content_hash", ""));
    return out;
  }
  const std::string key = reference_key(task_name, params, settings);
  // The files are named by the key and the density's fingerprint: a data
  // file or a model changed under the same name and parameters gives a new
  // fingerprint, so its stale reference is never found.
  const std::string fingerprint = density_fingerprint(target);
  const std::string stem = key + "-" + fingerprint;
  const fs::path csv = cache_dir / (stem + ".csv");
  const fs::path info = cache_dir / (stem + ".json");
  const Index rows = static_cast<Index>(settings.chains) *
                     static_cast<Index>(settings.draws_per_chain);

  if (fs::is_regular_file(csv) && fs::is_regular_file(info)) {
    ReferencePosterior cached;
    cached.file = csv;
    cached.from_cache = true;
    try {
      cached.provenance = Json::parse(read_text_file(info, ""));
      cached.draws = read_samples_csv_file(csv.string(), target.dim());
    } catch (const std::exception& e) {
      throw ConfigError("", fmt::format("the cached reference {} cannot be "
                                        "read ({}); delete it to recompute",
                                        csv.string(), e.what()));
    }
    if (cached.draws.rows() != rows ||
        cached.provenance.value("key", "") != key ||
        cached.provenance.value("density_fingerprint", "") != fingerprint)
      throw ConfigError("", fmt::format("the cached reference {} does not "
                                        "match its key; delete it to "
                                        "recompute",
                                        csv.string()));
    return cached;
  }

  if (progress)
    progress(
        fmt::format("computing the NUTS reference posterior of {} {} ({} "
                    "chains × {} draws); it is cached as {}",
                    task_name, params.dump(), settings.chains,
                    settings.draws_per_chain, csv.string()));
  ReferencePosterior out =
      compute_reference(task_name, params, target, key, settings);
  out.provenance["density_fingerprint"] = fingerprint;
  out.file = csv;
  // The draws first, the provenance last: a reader finds both or treats the
  // reference as absent.
  write_atomically(csv.string(), samples_csv(out.draws));
  write_atomically(info.string(), out.provenance.dump(1));
  return out;
}

}  // namespace vibench
