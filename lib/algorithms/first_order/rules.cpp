// The table of update rules: one line per rule.
#include <stdexcept>

#include "algorithms/first_order/rules/adagrad.hpp"
#include "algorithms/first_order/rules/adagrad_momentum.hpp"
#include "algorithms/first_order/rules/adam.hpp"
#include "algorithms/first_order/rules/adamw.hpp"
#include "algorithms/first_order/rules/adopt.hpp"
#include "algorithms/first_order/rules/amsgrad.hpp"
#include "algorithms/first_order/rules/clipped.hpp"
#include "algorithms/first_order/rules/cocob.hpp"
#include "algorithms/first_order/rules/dog.hpp"
#include "algorithms/first_order/rules/heavy_ball.hpp"
#include "algorithms/first_order/rules/nesterov.hpp"
#include "algorithms/first_order/rules/normalized.hpp"
#include "algorithms/first_order/rules/optimistic_adam.hpp"
#include "algorithms/first_order/rules/rmsprop.hpp"
#include "algorithms/first_order/rules/sgd.hpp"
#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

// A function-local table rather than self-registration: `rule` parameters
// are declared while algorithms register at start-up, so the rules must
// exist before any of them, whatever the link order.
const std::vector<RuleInfo>& all_rules() {
  static const std::vector<RuleInfo> rules = {
      rule_info<SgdRule>(),
      rule_info<HeavyBallRule>(),
      rule_info<NesterovRule>(),
      rule_info<AdagradRule>(),
      rule_info<AdagradMomentumRule>(),
      rule_info<RmspropRule>(),
      rule_info<AdamRule>(),
      rule_info<AdamwRule>(),
      rule_info<AmsgradRule>(),
      rule_info<OptimisticAdamRule>(),
      rule_info<AdoptRule>(),
      rule_info<CocobRule>(),
      rule_info<DogRule>(),
      rule_info<NormalizedRule>(),
      rule_info<ClippedRule>(),
  };
  return rules;
}

const RuleInfo& find_rule(const std::string& name) {
  for (const auto& rule : all_rules())
    if (rule.name == name) return rule;
  throw std::logic_error("no update rule named '" + name + "'");
}

const ComponentFamily& rule_family() {
  static const ComponentFamily family = [] {
    ComponentFamily f{"update rule", {}};
    for (const auto& rule : all_rules())
      f.members.push_back({rule.name, rule.description, rule.settings});
    return f;
  }();
  return family;
}

}  // namespace vibench
