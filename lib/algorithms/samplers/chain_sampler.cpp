#include "algorithms/samplers/chain_sampler.hpp"

#include <string>

namespace vibench {

ParamSpecs chain_params(long long default_warmup, const char* warmup_doc,
                        ParamSpecs own) {
  ParamSpecs specs = {
      ParamSpec::integer("n_chains", 100, "number of parallel chains")
          .at_least(1),
      ParamSpec::integer("warmup", default_warmup,
                         std::string("iterations before State::history starts "
                                     "recording; ") +
                             warmup_doc)
          .at_least(0),
      ParamSpec::integer("record_every", 1,
                         "thinning of the recorded history (keep every k-th "
                         "iteration after the warm-up); the history holds "
                         "n_chains × d numbers per kept iteration")
          .at_least(1),
  };
  for (auto& spec : own) specs.push_back(std::move(spec));
  return specs;
}

ChainSettings chain_settings(const Params& p) {
  return {static_cast<Index>(p.integer("n_chains")), p.integer("warmup"),
          p.integer("record_every")};
}

double ChainSampler::history_bytes(Index dim, long long max_iterations,
                                   long long max_draws) const {
  const long long draws = ChainHistory::draws_for(
      chains_.warmup, chains_.record_every, max_draws, max_iterations);
  return static_cast<double>(draws) * static_cast<double>(chains_.n_chains) *
         static_cast<double>(dim) * static_cast<double>(sizeof(double));
}

ChainRun::ChainRun(const State& initial, const ChainSettings& settings)
    : settings_(settings),
      history_(settings.warmup, settings.record_every,
               kDefaultMaxHistoryDraws) {
  state_.points = initial.points;
}

void ChainRun::limit_history(long long max_draws) {
  keep_history_ = max_draws > 0;
  if (keep_history_)
    history_ =
        ChainHistory(settings_.warmup, settings_.record_every, max_draws);
}

void ChainRun::step() {
  advance();
  ++iteration_;
  if (keep_history_) history_.record(iteration_, state_.points, state_.history);
}

Json ChainRun::diagnostics() const {
  Json out = run_diagnostics();
  if (history_.stride() != settings_.record_every)
    out["history_stride"] = history_.stride();
  return out;
}

}  // namespace vibench
