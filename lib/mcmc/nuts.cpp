// The transition follows the structure of Stan's base_nuts (src/stan/mcmc/
// hmc/nuts/base_nuts.hpp, v2.26+) as Betancourt (2017, appendix A) describes
// it:
// - the trajectory grows by doubling: a new subtree as long as the current
//   trajectory, built leapfrog by leapfrog in a random direction;
// - states are weighted by e^{H₀ − H}; within a subtree the proposal is drawn
//   multinomially (uniform progressive sampling), and a completed subtree
//   replaces the current sample with probability min(1, w_new / w_old)
//   (biased progressive sampling, which favours states far from the start);
// - a subtree stops when the generalized no-U-turn criterion p♯·ρ > 0 fails
//   at either end, with ρ the sum of momenta and p♯ = M⁻¹p, checked over the
//   merged tree and, since Stan 2.26, also across the two halves extended by
//   one state each, which catches U-turns the merged check misses;
// - a leapfrog step with H − H₀ > max_energy_error is a divergence and ends
//   the trajectory without merging its subtree.
#include "mcmc/nuts.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace vibench {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double log_sum_exp(double a, double b) {
  if (a == -kInf) return b;
  if (b == -kInf) return a;
  return a > b ? a + std::log1p(std::exp(b - a))
               : b + std::log1p(std::exp(a - b));
}

// Lets a constructor validate settings before its members use them.
const NutsSettings& validated(const NutsSettings& settings) {
  settings.validate();
  return settings;
}

// Continue unless the trajectory between the two ends, with summed momentum
// rho, has turned back on itself at either end.
bool no_u_turn(const Vector& p_sharp_minus, const Vector& p_sharp_plus,
               const Vector& rho) {
  return p_sharp_plus.dot(rho) > 0.0 && p_sharp_minus.dot(rho) > 0.0;
}

}  // namespace

void NutsSettings::validate() const {
  const auto fail = [](const std::string& message) {
    throw std::invalid_argument("NUTS settings: " + message);
  };
  if (warmup < 0) fail(fmt::format("warmup must be ≥ 0, got {}", warmup));
  if (draws < 1) fail(fmt::format("draws must be ≥ 1, got {}", draws));
  if (!(target_accept > 0.0 && target_accept < 1.0))
    fail(fmt::format("target_accept must be in (0, 1), got {}", target_accept));
  if (max_depth < 1 || max_depth > 30)
    fail(fmt::format("max_depth must be in [1, 30], got {}", max_depth));
  if (!(max_energy_error > 0.0))
    fail(fmt::format("max_energy_error must be > 0, got {}", max_energy_error));
  if (!(initial_step_size > 0.0 && std::isfinite(initial_step_size)))
    fail(fmt::format("initial_step_size must be finite and > 0, got {}",
                     initial_step_size));
}

// ------------------------------------------------------------- NutsChain

NutsChain::NutsChain(LogDensityGradient f, const Vector& initial)
    : f_(std::move(f)) {
  const Index d = initial.size();
  if (d < 1) throw std::invalid_argument("NUTS: the dimension must be ≥ 1");
  z_.q = initial;
  z_.p = Vector::Zero(d);
  z_.grad = Vector::Zero(d);
  z_.logp = f_(z_.q, z_.grad);
  ++grad_evals_;
  if (!std::isfinite(z_.logp) || z_.grad.size() != d || !z_.grad.allFinite())
    throw std::invalid_argument(
        "NUTS: the log density or its gradient is not finite at the initial "
        "point");
  inverse_metric_ = Vector::Ones(d);
  for (Point* point : {&fwd_, &bck_, &sample_, &propose_}) *point = z_;
  for (Vector* v : {&rho_, &rho_fwd_, &rho_bck_, &rho_extended_, &p_fwd_fwd_,
                    &p_fwd_bck_, &p_bck_fwd_, &p_bck_bck_, &p_sharp_fwd_fwd_,
                    &p_sharp_fwd_bck_, &p_sharp_bck_fwd_, &p_sharp_bck_bck_})
    v->setZero(d);
}

void NutsChain::set_step_size(double step_size) {
  if (!(step_size > 0.0 && std::isfinite(step_size)))
    throw std::invalid_argument(fmt::format(
        "NUTS: step size must be finite and > 0, got {}", step_size));
  step_size_ = step_size;
}

void NutsChain::set_inverse_metric(const Vector& inverse_metric) {
  if (inverse_metric.size() != dim() || !inverse_metric.allFinite() ||
      !(inverse_metric.array() > 0.0).all())
    throw std::invalid_argument(
        "NUTS: the inverse metric must be a finite positive vector of the "
        "target's dimension");
  inverse_metric_ = inverse_metric;
}

void NutsChain::set_max_depth(int max_depth) {
  if (max_depth < 1 || max_depth > 30)
    throw std::invalid_argument(
        fmt::format("NUTS: max_depth must be in [1, 30], got {}", max_depth));
  max_depth_ = max_depth;
}

void NutsChain::set_max_energy_error(double max_energy_error) {
  if (!(max_energy_error > 0.0))
    throw std::invalid_argument("NUTS: max_energy_error must be > 0");
  max_energy_error_ = max_energy_error;
}

void NutsChain::leapfrog(Point& z, double epsilon) {
  // U = −log π̃, so −∇U = grad: half kick, drift with M⁻¹p, half kick.
  z.p += (0.5 * epsilon) * z.grad;
  z.q += epsilon * inverse_metric_.cwiseProduct(z.p);
  z.logp = f_(z.q, z.grad);
  ++grad_evals_;
  z.p += (0.5 * epsilon) * z.grad;
}

double NutsChain::hamiltonian(const Point& z) const {
  const double h = -z.logp + 0.5 * z.p.dot(inverse_metric_.cwiseProduct(z.p));
  // A NaN energy (from a NaN density or gradient) is as bad as an infinite
  // one: never accepted, always divergent.
  return std::isnan(h) ? kInf : h;
}

void NutsChain::sample_momentum(Point& z, Rng& rng) const {
  for (Index i = 0; i < z.p.size(); ++i)
    z.p(i) = rng.normal() / std::sqrt(inverse_metric_(i));
}

void NutsChain::init_step_size(Rng& rng) {
  if (step_size_ > 1e7) return;
  const Point start = z_;
  const double log_target = std::log(0.8);
  // log acceptance probability of one leapfrog step from the start.
  const auto trial = [&]() {
    z_ = start;
    sample_momentum(z_, rng);
    const double h0 = hamiltonian(z_);
    leapfrog(z_, step_size_);
    return h0 - hamiltonian(z_);
  };
  const bool grow = trial() > log_target;
  // As Stan, the first pass re-tests the current step size with a fresh
  // momentum before changing it.
  while (true) {
    const double delta = trial();
    if (grow ? !(delta > log_target) : !(delta < log_target)) break;
    step_size_ = grow ? 2.0 * step_size_ : 0.5 * step_size_;
    if (step_size_ > 1e7)
      throw std::runtime_error(
          "NUTS: the step size search diverged (> 1e7); the target looks "
          "improper");
    if (step_size_ == 0.0)
      throw std::runtime_error(
          "NUTS: no acceptably small step size exists; the target may not be "
          "continuous");
  }
  z_ = start;
}

bool NutsChain::build_tree(int depth, double sign, Point& propose,
                           Vector& p_sharp_beg, Vector& p_sharp_end,
                           Vector& rho, Vector& p_beg, Vector& p_end, double h0,
                           double& log_sum_weight, TreeStats& stats, Rng& rng) {
  if (depth == 0) {
    leapfrog(z_, sign * step_size_);
    ++stats.leapfrogs;
    const double h = hamiltonian(z_);
    if (h - h0 > max_energy_error_) stats.divergent = true;
    log_sum_weight = log_sum_exp(log_sum_weight, h0 - h);
    stats.sum_metro_prob += h0 - h > 0.0 ? 1.0 : std::exp(h0 - h);
    propose = z_;
    p_sharp_beg = inverse_metric_.cwiseProduct(z_.p);
    p_sharp_end = p_sharp_beg;
    rho += z_.p;
    p_beg = z_.p;
    p_end = p_beg;
    return !stats.divergent;
  }

  // Two subtrees of depth − 1, the second continuing where the first ended.
  Level& level = levels_[static_cast<size_t>(depth)];
  double log_weight_init = -kInf;
  level.rho_init.setZero();
  if (!build_tree(depth - 1, sign, propose, p_sharp_beg, level.p_sharp_init_end,
                  level.rho_init, p_beg, level.p_init_end, h0, log_weight_init,
                  stats, rng))
    return false;
  double log_weight_final = -kInf;
  level.rho_final.setZero();
  if (!build_tree(depth - 1, sign, level.propose_final, level.p_sharp_final_beg,
                  p_sharp_end, level.rho_final, level.p_final_beg, p_end, h0,
                  log_weight_final, stats, rng))
    return false;

  // Multinomial choice between the halves' proposals, by their weights.
  const double log_weight = log_sum_exp(log_weight_init, log_weight_final);
  log_sum_weight = log_sum_exp(log_sum_weight, log_weight);
  if (log_weight_final > log_weight ||
      rng.uniform() < std::exp(log_weight_final - log_weight))
    propose = level.propose_final;

  level.rho_subtree = level.rho_init + level.rho_final;
  rho += level.rho_subtree;
  bool persist = no_u_turn(p_sharp_beg, p_sharp_end, level.rho_subtree);
  // Across the halves: each half extended by the nearest state of the other.
  level.rho_subtree = level.rho_init + level.p_final_beg;
  persist = persist &&
            no_u_turn(p_sharp_beg, level.p_sharp_final_beg, level.rho_subtree);
  level.rho_subtree = level.rho_final + level.p_init_end;
  persist = persist &&
            no_u_turn(level.p_sharp_init_end, p_sharp_end, level.rho_subtree);
  return persist;
}

NutsTransition NutsChain::transition(Rng& rng) {
  const Index d = dim();
  if (levels_.size() != static_cast<size_t>(max_depth_)) {
    levels_.resize(static_cast<size_t>(max_depth_));
    for (Level& level : levels_) {
      level.propose_final = z_;
      for (Vector* v : {&level.p_sharp_init_end, &level.p_init_end,
                        &level.p_sharp_final_beg, &level.p_final_beg,
                        &level.rho_init, &level.rho_final, &level.rho_subtree})
        v->setZero(d);
    }
  }

  sample_momentum(z_, rng);
  const double h0 = hamiltonian(z_);
  fwd_ = z_;
  bck_ = z_;
  sample_ = z_;
  // Momenta and sharp momenta at the outer and inner ends of the forward
  // and backward parts of the trajectory; at first all are the start.
  p_fwd_fwd_ = z_.p;
  p_fwd_bck_ = z_.p;
  p_bck_fwd_ = z_.p;
  p_bck_bck_ = z_.p;
  p_sharp_fwd_fwd_ = inverse_metric_.cwiseProduct(z_.p);
  p_sharp_fwd_bck_ = p_sharp_fwd_fwd_;
  p_sharp_bck_fwd_ = p_sharp_fwd_fwd_;
  p_sharp_bck_bck_ = p_sharp_fwd_fwd_;
  rho_ = z_.p;

  double log_sum_weight = 0.0;  // log e^{H₀ − H₀}: the start's weight
  TreeStats stats;
  int depth = 0;
  while (depth < max_depth_) {
    rho_fwd_.setZero();
    rho_bck_.setZero();
    double log_weight_subtree = -kInf;
    bool valid;
    if (rng.uniform() > 0.5) {
      // Forward: the old trajectory becomes the backward part.
      z_ = fwd_;
      rho_bck_ = rho_;
      p_bck_fwd_ = p_fwd_fwd_;
      p_sharp_bck_fwd_ = p_sharp_fwd_fwd_;
      valid = build_tree(depth, 1.0, propose_, p_sharp_fwd_bck_,
                         p_sharp_fwd_fwd_, rho_fwd_, p_fwd_bck_, p_fwd_fwd_, h0,
                         log_weight_subtree, stats, rng);
      fwd_ = z_;
    } else {
      z_ = bck_;
      rho_fwd_ = rho_;
      p_fwd_bck_ = p_bck_bck_;
      p_sharp_fwd_bck_ = p_sharp_bck_bck_;
      valid = build_tree(depth, -1.0, propose_, p_sharp_bck_fwd_,
                         p_sharp_bck_bck_, rho_bck_, p_bck_fwd_, p_bck_bck_, h0,
                         log_weight_subtree, stats, rng);
      bck_ = z_;
    }
    if (!valid) break;
    ++depth;

    // Biased progressive sampling: prefer the new subtree.
    if (log_weight_subtree > log_sum_weight ||
        rng.uniform() < std::exp(log_weight_subtree - log_sum_weight))
      sample_ = propose_;
    log_sum_weight = log_sum_exp(log_sum_weight, log_weight_subtree);

    rho_ = rho_bck_ + rho_fwd_;
    bool persist = no_u_turn(p_sharp_bck_bck_, p_sharp_fwd_fwd_, rho_);
    rho_extended_ = rho_bck_ + p_fwd_bck_;
    persist =
        persist && no_u_turn(p_sharp_bck_bck_, p_sharp_fwd_bck_, rho_extended_);
    rho_extended_ = rho_fwd_ + p_bck_fwd_;
    persist =
        persist && no_u_turn(p_sharp_bck_fwd_, p_sharp_fwd_fwd_, rho_extended_);
    if (!persist) break;
  }

  z_ = sample_;
  NutsTransition out;
  // Averaged over every state built, those of a rejected subtree included.
  out.accept_stat = stats.sum_metro_prob / static_cast<double>(stats.leapfrogs);
  out.tree_depth = depth;
  out.divergent = stats.divergent;
  out.grad_evals = stats.leapfrogs;
  out.energy = hamiltonian(z_);
  return out;
}

// ----------------------------------------------------- AdaptiveNutsChain

AdaptiveNutsChain::AdaptiveNutsChain(LogDensityGradient f,
                                     const Vector& initial,
                                     const NutsSettings& settings)
    : settings_(validated(settings)),
      chain_(std::move(f), initial),
      step_size_adapter_(settings.target_accept),
      metric_adapter_(initial.size(), settings.warmup) {
  chain_.set_max_depth(settings.max_depth);
  chain_.set_max_energy_error(settings.max_energy_error);
  chain_.set_step_size(settings.initial_step_size);
}

NutsTransition AdaptiveNutsChain::iterate(Rng& rng) {
  if (!started_) {
    // As Stan's services: μ is set from the user's step size before the
    // heuristic runs (so the first window shrinks towards 10·ε_user).
    step_size_adapter_.restart(settings_.initial_step_size);
    chain_.init_step_size(rng);
    started_ = true;
  }
  const NutsTransition transition = chain_.transition(rng);
  if (iteration_ < settings_.warmup) {
    chain_.set_step_size(step_size_adapter_.update(transition.accept_stat));
    if (settings_.adapt_metric &&
        metric_adapter_.update(chain_.position(), metric_buffer_)) {
      chain_.set_inverse_metric(metric_buffer_);
      chain_.init_step_size(rng);
      step_size_adapter_.restart(chain_.step_size());
    }
    if (iteration_ + 1 == settings_.warmup)
      chain_.set_step_size(step_size_adapter_.final_step_size());
  }
  ++iteration_;
  return transition;
}

// ------------------------------------------------------------- drivers

NutsChainResult run_nuts_chain(const LogDensityGradient& f,
                               const Vector& initial, const NutsSettings& s,
                               Rng& rng) {
  AdaptiveNutsChain sampler(f, initial, s);
  NutsChainResult result;
  result.draws.resize(s.draws, initial.size());
  result.divergences = 0;
  double sum_accept = 0.0, sum_depth = 0.0;
  for (long long i = 0; i < s.warmup + s.draws; ++i) {
    const bool warmup = sampler.warming_up();
    const NutsTransition t = sampler.iterate(rng);
    if (warmup) {
      result.warmup_divergences += t.divergent ? 1 : 0;
      result.warmup_mean_accept_stat += t.accept_stat;
      continue;
    }
    const Index row = static_cast<Index>(i - s.warmup);
    result.draws.row(row) = sampler.chain().position().transpose();
    result.divergences += t.divergent ? 1 : 0;
    sum_accept += t.accept_stat;
    sum_depth += t.tree_depth;
  }
  if (s.warmup > 0)
    result.warmup_mean_accept_stat /= static_cast<double>(s.warmup);
  const double n = static_cast<double>(s.draws);
  result.mean_accept_stat = sum_accept / n;
  result.mean_tree_depth = sum_depth / n;
  result.step_size = sampler.chain().step_size();
  result.inverse_metric = sampler.chain().inverse_metric();
  result.grad_evals = sampler.chain().grad_evals();
  return result;
}

LogDensityGradient log_density_gradient(const Distribution& target) {
  return [&target](const Vector& x, Vector& grad) {
    const Matrix point = x.transpose();
    Vector logp;
    Matrix g;
    target.log_prob_grad(point, logp, g);
    grad = g.row(0).transpose();
    return logp(0);
  };
}

std::vector<NutsChainResult> run_nuts(const Distribution& target,
                                      const Matrix& initial,
                                      const NutsSettings& s, std::uint64_t seed,
                                      int threads) {
  s.validate();
  if (initial.rows() < 1 || initial.cols() != target.dim())
    throw std::invalid_argument(fmt::format(
        "run_nuts: initial points must be an n × {} matrix with n ≥ 1, got "
        "{} × {}",
        target.dim(), initial.rows(), initial.cols()));
  const long long chains = initial.rows();
  std::vector<NutsChainResult> results(static_cast<size_t>(chains));
  std::vector<std::exception_ptr> errors(static_cast<size_t>(chains));
  const LogDensityGradient f = log_density_gradient(target);
  const int team = threads > 0 ? threads : omp_get_max_threads();
  // Each chain has its own stream, so which thread runs it does not matter.
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (long long c = 0; c < chains; ++c) {
    try {
      Rng rng = make_rng(mix_seed(seed, static_cast<std::uint64_t>(c)));
      results[static_cast<size_t>(c)] =
          run_nuts_chain(f, initial.row(c).transpose(), s, rng);
    } catch (...) {
      errors[static_cast<size_t>(c)] = std::current_exception();
    }
  }
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);
  return results;
}

}  // namespace vibench
