// AMSGrad (Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond",
// ICLR 2018): Adam's moments with a running maximum of the second moment so
// that the effective step never grows. Three conventions are in use and
// give different iterates (PAPERS.md §9.1; optax#1389, pytorch#142323):
//   paper   no bias correction:  v̂ ← max(v̂, v),  x ← x + η m/(√v̂ + ε)
//   pytorch max over the raw v, then correct:
//           v̂ ← max(v̂, v),  x ← x + η (m/(1−β₁ᵗ)) / (√v̂/√(1−β₂ᵗ) + ε)
//   optax   correct, then max:
//           v̂ ← max(v̂, v/(1−β₂ᵗ)),  x ← x + η (m/(1−β₁ᵗ)) / (√v̂ + ε)
// (The paper's analysis has no ε; here every convention adds ε, default
// 1e-8, so that a zero direction is not 0/0.)
#pragma once

#include <cmath>
#include <string>

#include "algorithms/first_order/rules/adam.hpp"

namespace vibench {

class AmsgradRule {
 public:
  static constexpr const char* kName = "amsgrad";
  static constexpr const char* kDescription =
      "AMSGrad (Reddi et al. 2018): Adam with a running max of the second "
      "moment; variant paper | pytorch | optax places the bias correction";
  static constexpr double kDefaultStepSize = 1e-3;
  static constexpr const char* kStepSizeSource =
      "Adam's α = 0.001 (PyTorch and Optax defaults)";
  struct Settings : AdamSettings {
    std::string variant = "paper";
    static void declare(ParamFields<Settings>& f) {
      declare_moments(f, "PyTorch and Optax; the paper has no ε");
      f.choice("variant", &Settings::variant, {"paper", "pytorch", "optax"},
               "paper: no bias correction (Reddi et al. Algorithm 2); "
               "pytorch: max of the raw v, then bias-correct; optax: "
               "bias-correct, then max");
    }
  };
  explicit AmsgradRule(const Settings& s)
      : s_(s),
        variant_(s.variant == "paper"     ? Variant::paper
                 : s.variant == "pytorch" ? Variant::pytorch
                                          : Variant::optax) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    moments_.update(d, s_, kName);
    if (v_max_.size() == 0) v_max_ = Matrix::Zero(d.rows(), d.cols());
    const Matrix& m = moments_.m();
    const Matrix& v = moments_.v();
    const double c1 = moments_.correction(s_.beta1);
    const double c2 = moments_.correction(s_.beta2);
    if (variant_ == Variant::paper) {
      v_max_ = v_max_.cwiseMax(v);
      x.array() += eta * m.array() / (v_max_.array().sqrt() + s_.epsilon);
    } else if (variant_ == Variant::pytorch) {
      v_max_ = v_max_.cwiseMax(v);
      x.array() += eta * (m.array() / c1) /
                   (v_max_.array().sqrt() / std::sqrt(c2) + s_.epsilon);
    } else {
      v_max_.array() = v_max_.array().max(v.array() / c2);
      x.array() +=
          eta * (m.array() / c1) / (v_max_.array().sqrt() + s_.epsilon);
    }
  }

 private:
  enum class Variant { paper, pytorch, optax };
  Settings s_;
  Variant variant_;  // s_.variant, resolved once rather than at every step
  AdamMoments moments_;
  Matrix v_max_;
};

}  // namespace vibench
