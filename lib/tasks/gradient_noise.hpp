// Additive noise on a synthetic task's first-order oracle, so that the
// stochastic methods (SGD with decreasing steps, clipped methods under
// heavy tails, stochastic extra-gradient) can be run on problems whose
// answer is known. Configured per task entry of a suite ("noise"), offered
// by tasks that declare Capability::gradient_noise, and added by the
// counting oracle from the cell's own stream, so the task stays exact and
// metrics see the noiseless problem. Every coordinate of every gradient (or
// operator value) the algorithm asks for gets an independent draw σξ:
//   gaussian    ξ ~ N(0, 1)
//   student_t   ξ ~ t_ν (heavy-tailed; infinite variance for ν ≤ 2)
//   pareto      ξ = ±(U^(−1/α) − 1), a symmetric Pareto (Lomax) variable with
//               tail index α: P(|ξ| > s) = (1 + s)^(−α); mean zero for α > 1,
//               infinite variance for α ≤ 2
// Each draw counts as what it replaces: one sample gradient per point.
#pragma once

#include <string>

#include "core/params.hpp"
#include "core/rng.hpp"

namespace vibench {

struct GradientNoise {
  enum class Kind { none, gaussian, student_t, pareto };
  Kind kind = Kind::none;
  double scale = 1.0;       // σ
  double dof = 3.0;         // ν of student_t
  double tail_index = 1.5;  // α of pareto

  bool active() const { return kind != Kind::none; }
  // Adds σξ to every entry of g.
  void add(Matrix& g, Rng& rng) const;

  // A suite task entry's "noise": {"kind": ..., "scale": ..., "dof": ...,
  // "tail_index": ...}; ConfigError naming `json_path`.
  static GradientNoise from_json(const Json& json, const std::string& path);
  Json to_json() const;
};

}  // namespace vibench
