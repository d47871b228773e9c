// Stan's warm-up adaptation for HMC/NUTS (Stan Reference Manual, "HMC
// algorithm parameters"; Hoffman and Gelman 2014, §3.2): dual averaging of
// the step size and a windowed estimate of a diagonal inverse metric.
#pragma once

#include <utility>
#include <vector>

#include "core/types.hpp"

namespace vibench {

// Nesterov dual averaging of log ε towards a target mean accept statistic δ
// (Hoffman and Gelman 2014, Algorithm 5, with Stan's defaults γ = 0.05,
// t₀ = 10, κ = 0.75):
//   s̄ ← (1 − 1/(t + t₀)) s̄ + (δ − min(1, a_t)) / (t + t₀),
//   x_t = μ − √t s̄ / γ,   x̄ ← (1 − t^−κ) x̄ + t^−κ x_t,
// the next step size is e^{x_t}, and e^{x̄} is kept after adaptation.
class DualAveraging {
 public:
  explicit DualAveraging(double target_accept, double gamma = 0.05,
                         double t0 = 10.0, double kappa = 0.75);

  // Starts over with the shrinkage target μ = log(10 ε): Stan calls this
  // with its initial step size, and again after each metric window with the
  // re-initialised one.
  void restart(double step_size);
  // Feeds the accept statistic of one transition; returns e^{x_t}.
  double update(double accept_stat);
  // e^{x̄}; the step size given to restart() when no update followed it
  // (where Stan would return e⁰ = 1, stan-dev/stan#3023).
  double final_step_size() const;
  long long iterations() const { return counter_; }
  double target_accept() const { return delta_; }

 private:
  double delta_, gamma_, t0_, kappa_;
  double mu_ = 0.0, s_bar_ = 0.0, x_bar_ = 0.0, restart_step_size_ = 1.0;
  long long counter_ = 0;
};

// Stan's windowed estimate of a diagonal inverse metric over the warm-up
// iterations 0..W−1: a fast initial buffer (no metric estimation), slow
// windows of doubling length, each starting a fresh variance estimate, the
// last one stretched to the start of a fast terminal buffer. With W = 1000:
// windows [75, 99], [100, 149], [150, 249], [250, 449], [450, 949].
// When init_buffer + base_window + term_buffer > W the stages become
// 15 % / 75 % / 10 % of W, and with W < 20 the metric is not adapted (both
// as Stan).
class WindowedVarianceAdapter {
 public:
  WindowedVarianceAdapter(Index dim, long long warmup,
                          long long init_buffer = 75,
                          long long term_buffer = 50,
                          long long base_window = 25);

  // Feeds the position after warm-up iteration iteration() (call once per
  // warm-up iteration). Returns true when this iteration closed a window;
  // then `inverse_metric` holds the variances of the window's draws,
  // regularized towards 1e-3 as Stan does:
  //   (n/(n+5))·var + 1e-3·5/(n+5),
  // and the caller should re-initialise the step size.
  bool update(const Vector& position, Vector& inverse_metric);

  long long iteration() const { return counter_; }
  // False when warm-up is too short (< 20) to estimate a metric.
  bool active() const { return active_; }
  long long init_buffer() const { return init_buffer_; }
  long long term_buffer() const { return term_buffer_; }
  long long base_window() const { return base_window_; }
  // The [first, last] iterations of every slow window, for inspection.
  std::vector<std::pair<long long, long long>> windows() const;

 private:
  void next_window();

  long long warmup_, init_buffer_ = 0, term_buffer_ = 0, base_window_ = 0;
  bool active_ = false;
  long long counter_ = 0, window_size_ = 0, window_end_ = -1;
  // Welford's running mean and sum of squared deviations.
  long long count_ = 0;
  Vector mean_, m2_;
};

}  // namespace vibench
