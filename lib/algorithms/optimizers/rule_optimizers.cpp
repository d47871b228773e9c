// The optimizers that are one update rule on −∇f: one line each.
#include "algorithms/first_order/rules/adagrad.hpp"
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
#include "algorithms/optimizers/rule_optimizer.hpp"

namespace vibench {

VIBENCH_REGISTER_RULE_OPTIMIZER(gd, SgdRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(heavy_ball, HeavyBallRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(nesterov, NesterovRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(adagrad, AdagradRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(rmsprop, RmspropRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(adam, AdamRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(adamw, AdamwRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(amsgrad, AmsgradRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(optimistic_adam, OptimisticAdamRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(adopt, AdoptRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(cocob, CocobRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(dog, DogRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(normalized_gd, NormalizedRule);
VIBENCH_REGISTER_RULE_OPTIMIZER(clipped_gd, ClippedRule);

}  // namespace vibench
