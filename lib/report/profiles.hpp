// `vibench profile`: the profiles optimizer comparisons are read through,
// computed from the traces of result files.
//
// A *problem* is one (task configuration, replicate): every algorithm
// configuration (a *solver*) starts it from the same point. From each ok
// cell's trace, t(p, s) is the cost (a counter: grad_evals, iterations,
// seconds, ...) at the first checkpoint where the metric passes a test;
// +∞ if it never does or the cell did not end ok. Checkpoints are the time
// resolution: no interpolation between them.
//
//  performance profile (Dolan & Moré 2002): ρ_s(α) = fraction of problems
//     with t(p, s) ≤ α · min_s' t(p, s'), with Moré & Wild's convergence
//     test m ≤ m_L + τ(m₀ − m_L), m₀ the metric at the start (the worst
//     of the solvers' first recorded values), m_L the best value any
//     solver reached on p;
//  data profile (Moré & Wild 2009): d_s(b) = fraction of problems with
//     t(p, s) ≤ b, the same test, as a function of the cost budget b (raw
//     cost, not divided by d + 1: these are gradient methods);
//  runtime ECDF (COCO, Hansen et al. 2021): the fraction of (problem,
//     target) pairs with the metric ≤ target within budget b, for a list of
//     absolute targets (for suboptimality, COCO's Δf targets).
//
// For a metric where larger is better the tests are mirrored (m ≥ ...).
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "report/results_set.hpp"

namespace vibench {

enum class ProfileFormat { markdown, csv };

struct ProfileOptions {
  std::string metric;
  std::string cost = "grad_evals";  // a counter of the trace
  double tau = 1e-3;                // Moré–Wild's tolerance
  std::vector<double> targets;      // ECDF targets; empty: 1e2 … 1e-8
  std::vector<double> ratios;       // α values; empty: 1, 2, 4, …, 1024
  ProfileFormat format = ProfileFormat::markdown;
};

struct Profiles {
  static constexpr double kNever = std::numeric_limits<double>::infinity();
  std::string metric, cost;
  bool smaller_is_better = true;
  double tau = 1e-3;
  std::vector<std::string> problems;  // "task display label #replicate"
  std::vector<std::string> solvers;   // algorithm display labels, in order
  // Per solver: its colour index, as `series` gives its line (colour_keys).
  std::vector<size_t> colors;
  // time[p][s]: cost to pass the convergence test (kNever if never).
  std::vector<std::vector<double>> time;
  // For the ECDF: target_time[p][s][k], the cost to reach targets[k].
  std::vector<double> targets;
  std::vector<std::vector<std::vector<double>>> target_time;
  std::vector<double> ratios;   // α grid of the performance profile
  std::vector<double> budgets;  // b grid of the data profile and ECDF

  double performance(size_t solver, double ratio) const;  // ρ_s(α)
  double data(size_t solver, double budget) const;        // d_s(b)
  double ecdf(size_t solver, double budget) const;
};

// Throws ConfigError (naming the option) for an unknown metric or cost, a
// τ outside (0, 1), or results with no problem on which the metric is
// recorded.
Profiles compute_profiles(const ResultSet& results,
                          const ProfileOptions& options);
std::string format_profiles(const Profiles& profiles, ProfileFormat format);

}  // namespace vibench
