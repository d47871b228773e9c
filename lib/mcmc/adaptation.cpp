#include "mcmc/adaptation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vibench {

DualAveraging::DualAveraging(double target_accept, double gamma, double t0,
                             double kappa)
    : delta_(target_accept), gamma_(gamma), t0_(t0), kappa_(kappa) {
  if (!(target_accept > 0.0 && target_accept < 1.0))
    throw std::invalid_argument(fmt::format(
        "dual averaging: target accept statistic must be in (0, 1), got {}",
        target_accept));
  if (!(gamma > 0.0) || !(t0 > 0.0) || !(kappa > 0.0))
    throw std::invalid_argument(
        "dual averaging: gamma, t0 and kappa must be positive");
  restart(1.0);
}

void DualAveraging::restart(double step_size) {
  mu_ = std::log(10.0 * step_size);
  restart_step_size_ = step_size;
  counter_ = 0;
  s_bar_ = 0.0;
  x_bar_ = 0.0;
}

double DualAveraging::update(double accept_stat) {
  ++counter_;
  const double t = static_cast<double>(counter_);
  const double a = std::min(accept_stat, 1.0);
  const double eta = 1.0 / (t + t0_);
  s_bar_ = (1.0 - eta) * s_bar_ + eta * (delta_ - a);
  const double x = mu_ - s_bar_ * std::sqrt(t) / gamma_;
  const double weight = std::pow(t, -kappa_);
  x_bar_ = (1.0 - weight) * x_bar_ + weight * x;
  return std::exp(x);
}

double DualAveraging::final_step_size() const {
  return counter_ > 0 ? std::exp(x_bar_) : restart_step_size_;
}

WindowedVarianceAdapter::WindowedVarianceAdapter(Index dim, long long warmup,
                                                 long long init_buffer,
                                                 long long term_buffer,
                                                 long long base_window)
    : warmup_(warmup), mean_(Vector::Zero(dim)), m2_(Vector::Zero(dim)) {
  if (warmup < 0 || init_buffer < 0 || term_buffer < 0 || base_window < 1)
    throw std::invalid_argument(
        "windowed adaptation: warm-up and buffers must be ≥ 0 and the base "
        "window ≥ 1");
  if (warmup < 20) return;
  active_ = true;
  if (init_buffer + base_window + term_buffer > warmup) {
    // Stan's fallback; truncation as its unsigned conversion.
    init_buffer_ = static_cast<long long>(0.15 * static_cast<double>(warmup));
    term_buffer_ = static_cast<long long>(0.10 * static_cast<double>(warmup));
    base_window_ = warmup - (init_buffer_ + term_buffer_);
  } else {
    init_buffer_ = init_buffer;
    term_buffer_ = term_buffer;
    base_window_ = base_window;
  }
  // Stan's set_window_params does not call restart() after this fallback
  // (stan-dev/stan at 9048555, Oct 2024), so its first window end keeps the
  // constructor's unsigned 0 − 1 and, as we read the code, the metric is
  // never updated for 20 ≤ W < 150. The schedule here is the intended one.
  window_size_ = base_window_;
  window_end_ = init_buffer_ + window_size_ - 1;
}

void WindowedVarianceAdapter::next_window() {
  const long long last = warmup_ - term_buffer_ - 1;
  if (window_end_ == last) return;
  window_size_ *= 2;
  window_end_ = counter_ + window_size_;
  if (window_end_ == last) return;
  // A following window that would not fit before the terminal buffer is
  // merged into this one.
  if (window_end_ + 2 * window_size_ >= warmup_ - term_buffer_)
    window_end_ = last;
}

bool WindowedVarianceAdapter::update(const Vector& position,
                                     Vector& inverse_metric) {
  if (!active_) {
    ++counter_;
    return false;
  }
  if (counter_ >= init_buffer_ && counter_ < warmup_ - term_buffer_) {
    ++count_;
    const Vector delta = position - mean_;
    mean_ += delta / static_cast<double>(count_);
    m2_ += delta.cwiseProduct(position - mean_);
  }
  bool closed = false;
  if (counter_ == window_end_ && counter_ < warmup_) {
    next_window();
    if (count_ >= 2) {
      const double n = static_cast<double>(count_);
      const Vector variance = m2_ / (n - 1.0);
      inverse_metric =
          (n / (n + 5.0)) * variance.array() + 1e-3 * 5.0 / (n + 5.0);
      if (!inverse_metric.allFinite())
        throw std::runtime_error(
            "windowed adaptation: the estimated variances overflowed; the "
            "target may be improper or too wide");
      closed = true;
    }
    count_ = 0;
    mean_.setZero();
    m2_.setZero();
  }
  ++counter_;
  return closed;
}

std::vector<std::pair<long long, long long>> WindowedVarianceAdapter::windows()
    const {
  std::vector<std::pair<long long, long long>> out;
  if (!active_) return out;
  // Replays the schedule on a copy.
  WindowedVarianceAdapter replay(0, warmup_, init_buffer_, term_buffer_,
                                 base_window_);
  long long first = replay.init_buffer_;
  for (long long i = 0; i < warmup_; ++i) {
    replay.counter_ = i;
    if (i == replay.window_end_) {
      out.emplace_back(first, i);
      first = i + 1;
      replay.next_window();
    }
  }
  return out;
}

}  // namespace vibench
