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

#include "algorithms/first_order/update_rule.hpp"

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
  struct Settings {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    std::string variant = "paper";
    static void declare(ParamFields<Settings>& f) {
      f.real("beta1", &Settings::beta1, "β₁ (Reddi et al. 2018: 0.9)")
          .at_least(0)
          .below(1);
      f.real("beta2", &Settings::beta2, "β₂ (PyTorch, Optax: 0.999)")
          .at_least(0)
          .below(1);
      f.real("epsilon", &Settings::epsilon,
             "ε added to the root (not in the paper; PyTorch, Optax: 1e-8)")
          .above(0);
      f.choice("variant", &Settings::variant, {"paper", "pytorch", "optax"},
               "paper: no bias correction (Reddi et al. Algorithm 2); "
               "pytorch: max of the raw v, then bias-correct; optax: "
               "bias-correct, then max");
    }
  };
  explicit AmsgradRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (m_.size() == 0) {
      m_ = Matrix::Zero(d.rows(), d.cols());
      v_ = Matrix::Zero(d.rows(), d.cols());
      v_max_ = Matrix::Zero(d.rows(), d.cols());
    }
    check_same_shape(m_, d, kName);
    ++t_;
    const double b1 = s_.beta1, b2 = s_.beta2;
    m_.array() = b1 * m_.array() + (1.0 - b1) * d.array();
    v_.array() = b2 * v_.array() + (1.0 - b2) * d.array().square();
    const double c1 = 1.0 - std::pow(b1, static_cast<double>(t_));
    const double c2 = 1.0 - std::pow(b2, static_cast<double>(t_));
    if (s_.variant == "paper") {
      v_max_ = v_max_.cwiseMax(v_);
      x.array() += eta * m_.array() / (v_max_.array().sqrt() + s_.epsilon);
    } else if (s_.variant == "pytorch") {
      v_max_ = v_max_.cwiseMax(v_);
      x.array() += eta * (m_.array() / c1) /
                   (v_max_.array().sqrt() / std::sqrt(c2) + s_.epsilon);
    } else {
      v_max_.array() = v_max_.array().max(v_.array() / c2);
      x.array() +=
          eta * (m_.array() / c1) / (v_max_.array().sqrt() + s_.epsilon);
    }
  }

 private:
  Settings s_;
  Matrix m_, v_, v_max_;
  long long t_ = 0;
};

}  // namespace vibench
