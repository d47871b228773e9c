#include "tasks/task.hpp"

namespace vibench {

const char* to_string(TaskKind kind) {
  switch (kind) {
    case TaskKind::distribution:
      return "distribution";
    case TaskKind::objective:
      return "objective";
    case TaskKind::saddle_point:
      return "saddle_point";
    case TaskKind::bilevel:
      return "bilevel";
  }
  return "?";
}

const char* to_string(Capability capability) {
  switch (capability) {
    case Capability::exact_draws:
      return "exact_draws";
    case Capability::moments:
      return "moments";
    case Capability::log_z:
      return "log_z";
    case Capability::optimum:
      return "optimum";
    case Capability::optimal_value:
      return "optimal_value";
    case Capability::hypergradient:
      return "hypergradient";
    case Capability::hessian_vector:
      return "hessian_vector";
    case Capability::reference:
      return "reference";
    case Capability::minibatch:
      return "minibatch";
    case Capability::test_data:
      return "test_data";
    case Capability::smoothed_score:
      return "smoothed_score";
    case Capability::fisher_metric:
      return "fisher_metric";
    case Capability::gradient_noise:
      return "gradient_noise";
    case Capability::feasible_set:
      return "feasible_set";
    case Capability::online:
      return "online";
    case Capability::composite:
      return "composite";
    case Capability::smoothness:
      return "smoothness";
    case Capability::duality_gap:
      return "duality_gap";
    case Capability::mirror_domain:
      return "mirror_domain";
    case Capability::transport:
      return "transport";
    case Capability::restricted_gap:
      return "restricted_gap";
    case Capability::linear_operator:
      return "linear_operator";
    case Capability::kl_regularized:
      return "kl_regularized";
    case Capability::error_rates:
      return "error_rates";
    case Capability::sample_terms:
      return "sample_terms";
    case Capability::error_bounds:
      return "error_bounds";
    case Capability::bregman_prox:
      return "bregman_prox";
  }
  return "?";
}

const char* structure_description(Capability capability) {
  switch (capability) {
    case Capability::feasible_set:
      return "constrained to a box";
    case Capability::composite:
      return "composite (a smooth part plus a nonsmooth one)";
    case Capability::mirror_domain:
      return "defined on a domain with a mirror map";
    case Capability::transport:
      return "constrained to a transport polytope";
    default:
      return "structured";
  }
}

bool imposes_structure(const Task& task, Capability capability) {
  if (!task.offers(capability)) return false;
  return !(capability == Capability::composite &&
           task.kind() == TaskKind::distribution);
}

std::vector<std::string> capability_names(const Capabilities& capabilities) {
  std::vector<std::string> out;
  for (Capability c : capabilities) out.push_back(to_string(c));
  return out;
}

Matrix Task::initial_points(Index n, Rng& rng) const {
  return domain().to_primal(rng.normal_matrix(n, dim()));
}

}  // namespace vibench
