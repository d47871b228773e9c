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

ChainRun::ChainRun(const State& initial, const ChainSettings& settings)
    : settings_(settings) {
  state_.points = initial.points;
}

void ChainRun::step() {
  advance();
  ++iteration_;
  const long long kept = iteration_ - settings_.warmup;
  if (keep_history_ && kept > 0 && kept % settings_.record_every == 0)
    state_.history.push_back(state_.points);
}

}  // namespace vibench
