// Shared base of the MCMC samplers that run n parallel chains (ula, mala,
// hmc, underdamped_langevin, nuts, sgld): the parameters every chain method
// has (n_chains, warmup, record_every), the factory boilerplate, and the
// code that appends the chains to State::history after the warm-up
// (chain_history.hpp: bounded by the suite's max_history_draws, thinned
// evenly when full), so that chain metrics (R-hat, ESS) see the same thing
// whatever the method.
#pragma once

#include <memory>
#include <utility>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/chain_history.hpp"

namespace vibench {

struct ChainSettings {
  Index n_chains = 100;
  // Iterations not recorded in State::history (adaptation, if any, happens
  // only during them).
  long long warmup = 0;
  // Keep every record_every-th iteration after the warm-up.
  long long record_every = 1;
};

// The three chain parameters followed by `own` (the method's parameters).
// `default_warmup` and `warmup_doc` say what the warm-up does for the method.
ParamSpecs chain_params(long long default_warmup, const char* warmup_doc,
                        ParamSpecs own);
ChainSettings chain_settings(const Params& p);

// A run of n chains: derived classes implement advance() (one iteration of
// every chain, moving state_.points); step() then records the history.
class ChainRun : public Run {
 public:
  void step() final;
  const State& state() const final { return state_; }
  void limit_history(long long max_draws) final;
  // The method's own diagnostics (run_diagnostics()) and, when the history
  // was thinned to stay within its bound, the interval between its draws
  // at the end (history_stride).
  Json diagnostics() const final;

 protected:
  ChainRun(const State& initial, const ChainSettings& settings);
  virtual void advance() = 0;
  virtual Json run_diagnostics() const { return Json::object(); }
  // Whether the advance() being run is a warm-up iteration.
  bool warming_up() const { return iteration_ < settings_.warmup; }
  // Iterations completed before the current advance().
  long long iteration() const { return iteration_; }
  const ChainSettings& settings() const { return settings_; }

  State state_;

 private:
  ChainSettings settings_;
  // Until limit_history says otherwise: kDefaultMaxHistoryDraws draws.
  ChainHistory history_;
  long long iteration_ = 0;
  bool keep_history_ = true;
};

// The factory side: a Sampler with n_chains rows.
class ChainSampler : public Sampler {
 public:
  Index num_points() const override { return chains_.n_chains; }
  // The recorded draws: n_chains × dim numbers each, as many as a run of
  // max_iterations keeps (at most max_draws).
  double history_bytes(Index dim, long long max_iterations,
                       long long max_draws) const override;

 protected:
  explicit ChainSampler(const Params& p) : chains_(chain_settings(p)) {}
  const ChainSettings& chains() const { return chains_; }

 private:
  ChainSettings chains_;
};

}  // namespace vibench
