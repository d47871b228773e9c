#include <fmt/format.h>

#include "algorithms/first_order/first_order_step.hpp"

namespace vibench {

namespace {

ParamSpec step_size_param(double default_value, const std::string& doc) {
  return ParamSpec::real("step_size", default_value,
                         "base step η of the schedule (" + doc + ")")
      .above(0);
}

Schedule schedule_from(const Params& p) {
  return Schedule(p.component_name("schedule"),
                  p.component_settings("schedule"));
}

}  // namespace

ParamSpecs FirstOrderConfig::params_for_rule(const RuleInfo& rule) {
  ParamSpecs specs = {
      step_size_param(rule.default_step_size, rule.step_size_source),
      schedule_param()};
  for (const auto& setting : rule.settings) specs.push_back(setting);
  return specs;
}

FirstOrderConfig FirstOrderConfig::from_rule(const RuleInfo& rule,
                                             const Params& p) {
  // The rule reads only its own settings; the others are the algorithm's.
  Json settings = Json::object();
  for (const auto& setting : rule.settings)
    settings[setting.name] = p.json().at(setting.name);
  return {p.real("step_size"), schedule_from(p), rule.make(Params(settings))};
}

ParamSpecs FirstOrderConfig::params_with_rule(double default_step_size,
                                              const std::string& step_size_doc,
                                              const std::string& default_rule) {
  return {step_size_param(default_step_size, step_size_doc), schedule_param(),
          ParamSpec::component(
              "rule", default_rule, rule_family(),
              "update rule turning the direction into a move; a name or "
              "{\"name\": ..., settings}")};
}

FirstOrderConfig FirstOrderConfig::from_params(const Params& p) {
  const RuleInfo& rule = find_rule(p.component_name("rule"));
  return {p.real("step_size"), schedule_from(p),
          rule.make(p.component_settings("rule"))};
}

}  // namespace vibench
