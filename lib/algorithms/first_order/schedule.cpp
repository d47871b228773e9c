#include "algorithms/first_order/schedule.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace vibench {

namespace {

ParamSpec warmup_spec() {
  return ParamSpec::integer("warmup_steps", 0,
                            "linear warm-up (t+1)/w over the first w steps, "
                            "then the schedule from t − w (0: none)")
      .at_least(0);
}

ParamSpec decay_steps_spec() {
  return ParamSpec::integer("decay_steps", nullptr,
                            "T, the steps over which the step decays "
                            "(required; after T it stays at its final value)")
      .at_least(1);
}

ParamSpec final_fraction_spec() {
  return ParamSpec::real("final_fraction", 0.0,
                         "α, the final step as a fraction of step_size "
                         "(Optax, PyTorch: 0)")
      .at_least(0)
      .at_most(1);
}

ComponentFamily::Member member(std::string name, std::string description,
                               ParamSpecs settings) {
  settings.push_back(warmup_spec());
  return {std::move(name), std::move(description), std::move(settings)};
}

}  // namespace

const ComponentFamily& schedule_family() {
  static const ComponentFamily family{
      "schedule",
      {
          member("constant", "η_t = η", {}),
          member("inverse_sqrt", "η_t = η/sqrt(t+1)", {}),
          member("polynomial", "η_t = η/(t+1)^power",
                 {ParamSpec::real("power", 1.0,
                                  "p (1: the 1/t rate of SGD on strongly "
                                  "convex problems)")
                      .above(0)}),
          member("exponential", "η_t = η·rate^t",
                 {ParamSpec::real("rate", 0.99, "r (no paper default)")
                      .above(0)
                      .at_most(1)}),
          member("cosine",
                 "η_t = η(α + (1−α)(1 + cos(π min(t,T)/T))/2) (Loshchilov & "
                 "Hutter 2017, without restarts)",
                 {decay_steps_spec(), final_fraction_spec()}),
          member("linear", "η_t = η(1 − (1−α) min(t,T)/T)",
                 {decay_steps_spec(), final_fraction_spec()}),
          member("step", "η_t = η·factor^floor(t/every)",
                 {ParamSpec::integer("every", nullptr,
                                     "steps between two decays (required)")
                      .at_least(1),
                  ParamSpec::real("factor", 0.1,
                                  "decay factor (PyTorch StepLR: 0.1)")
                      .above(0)
                      .at_most(1)}),
      }};
  return family;
}

ParamSpec schedule_param() {
  return ParamSpec::component(
      "schedule", "constant", schedule_family(),
      "step-size schedule: η_t = step_size·factor(t); a name or "
      "{\"name\": ..., settings} (constant, inverse_sqrt, polynomial, "
      "exponential, cosine, linear, step; each with warmup_steps)");
}

Schedule::Schedule(const std::string& name, const Params& settings)
    : name_(name), warmup_(settings.integer("warmup_steps")) {
  auto required = [&](const char* setting) {
    if (!settings.has(setting))
      throw ConfigError("", fmt::format("schedule '{}' needs its setting '{}'",
                                        name, setting));
    return settings.integer(setting);
  };
  if (name == "constant") {
    kind_ = Kind::constant;
  } else if (name == "inverse_sqrt") {
    kind_ = Kind::inverse_sqrt;
  } else if (name == "polynomial") {
    kind_ = Kind::polynomial;
    power_ = settings.real("power");
  } else if (name == "exponential") {
    kind_ = Kind::exponential;
    rate_ = settings.real("rate");
  } else if (name == "cosine" || name == "linear") {
    kind_ = name == "cosine" ? Kind::cosine : Kind::linear;
    decay_steps_ = required("decay_steps");
    final_fraction_ = settings.real("final_fraction");
  } else if (name == "step") {
    kind_ = Kind::step;
    every_ = required("every");
    step_factor_ = settings.real("factor");
  } else {
    throw std::logic_error("unknown schedule '" + name + "'");
  }
}

double Schedule::base_factor(long long t) const {
  const double s = static_cast<double>(t);
  switch (kind_) {
    case Kind::constant:
      return 1.0;
    case Kind::inverse_sqrt:
      return 1.0 / std::sqrt(s + 1.0);
    case Kind::polynomial:
      return 1.0 / std::pow(s + 1.0, power_);
    case Kind::exponential:
      return std::pow(rate_, s);
    case Kind::cosine: {
      const double progress =
          static_cast<double>(std::min(t, decay_steps_)) / decay_steps_;
      return final_fraction_ +
             (1.0 - final_fraction_) *
                 (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
    }
    case Kind::linear: {
      const double progress =
          static_cast<double>(std::min(t, decay_steps_)) / decay_steps_;
      return 1.0 - (1.0 - final_fraction_) * progress;
    }
    case Kind::step:
      return std::pow(step_factor_, static_cast<double>(t / every_));
  }
  return 1.0;
}

double Schedule::factor(long long t) const {
  if (t < warmup_) return static_cast<double>(t + 1) / warmup_;
  return base_factor(t - warmup_);
}

double halpern_anchor_weight(long long k) {
  return 1.0 / static_cast<double>(k + 2);
}

}  // namespace vibench
