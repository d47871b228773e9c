// `logistic_regression`: the posterior of Bayesian logistic regression,
//   p(θ | D) ∝ p(θ) Π_n σ(x_nᵀw)^{y_n} (1 − σ(x_nᵀw))^{1−y_n},
// on a bundled UCI table or synthetic data (lib/tasks/classification_data),
// with training rows standardized and an intercept column appended last.
//
// Priors:
//   gaussian      w ~ N(0, prior_scale² I); θ = w.
//   hierarchical  as in the SVGD paper (Liu & Wang 2016, after Gershman et
//                 al. 2012): α ~ Gamma(a₀, rate b₀) with a₀ = 1, b₀ = 0.01,
//                 w | α ~ N(0, α⁻¹ I); θ = (w, log α), the log precision last,
//                 with the Jacobian α of the log transform.
//
// The likelihood kernels (batched over points, blocked over rows) are the
// shared logistic model of targets/models/logistic_model.hpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <unordered_set>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "targets/models/classification_data.hpp"
#include "targets/models/logistic_model.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

using namespace logistic;

class LogisticRegressionTask final : public Distribution {
 public:
  static constexpr const char* kName = "logistic_regression";
  static constexpr const char* kDescription =
      "Bayesian logistic regression posterior on a bundled UCI table "
      "(breast_cancer, german_credit, sonar, ionosphere, pima) or synthetic "
      "data; features standardized on the training rows, intercept last; "
      "gaussian or hierarchical (SVGD paper) prior; optional minibatch "
      "gradients; test log-likelihood and accuracy on held-out rows";
  static constexpr const char* kDimensionRule =
      "kept features + 1 (intercept), + 1 (log α) for the hierarchical prior";

  static MemoryNeed memory_need(const Params& p) {
    return classification_memory_need(p);
  }

  static ParamSpecs params() {
    ParamSpecs specs = classification_task_params(
        0.2,
        "fraction of rows held out for the test metrics; 0 keeps every row "
        "for the posterior");
    for (auto& spec : ParamSpecs{
             ParamSpec::string(
                 "prior", "gaussian", {"gaussian", "hierarchical"},
                 "gaussian: w ~ N(0, prior_scale² I); hierarchical: w | α ~ "
                 "N(0, α⁻¹ I), α ~ Gamma(prior_shape, prior_rate), log α "
                 "sampled as the last coordinate"),
             ParamSpec::real("prior_scale", 1.0,
                             "standard deviation of each weight (gaussian "
                             "prior)")
                 .above(0.0),
             ParamSpec::real("prior_shape", 1.0,
                             "shape a₀ of the Gamma prior on the precision α "
                             "(hierarchical; SVGD paper: 1)")
                 .above(0.0),
             ParamSpec::real("prior_rate", 0.01,
                             "rate b₀ of the Gamma prior on α (hierarchical; "
                             "SVGD paper: 0.01)")
                 .above(0.0),
         })
      specs.push_back(std::move(spec));
    return specs;
  }

  explicit LogisticRegressionTask(const Params& p)
      : hierarchical_(p.string("prior") == "hierarchical"),
        prior_scale_(p.real("prior_scale")),
        prior_shape_(p.real("prior_shape")),
        prior_rate_(p.real("prior_rate")) {
    split_ = load_classification_split(p);
    weights_ = split_.train_x.cols();
    batch_size_ = minibatch_size(p, split_);
  }

  Index dim() const override { return weights_ + (hierarchical_ ? 1 : 0); }
  // n_data, dim and instance shape only the synthetic data; prior_scale is
  // the gaussian prior's, prior_shape and prior_rate the hierarchical one's.
  Json params_that_apply(const Json& params) const override {
    Json out = params;
    if (out.value("data", "") != "synthetic")
      for (const char* key : {"n_data", "dim", "instance"}) out.erase(key);
    if (hierarchical_) {
      out.erase("prior_scale");
    } else {
      out.erase("prior_shape");
      out.erase("prior_rate");
    }
    return out;
  }
  Capabilities capabilities() const override {
    Capabilities c = {Capability::reference, Capability::minibatch,
                      Capability::hessian_vector};
    if (!hierarchical_) c.insert(Capability::fisher_metric);
    if (split_.test_x.rows() > 0) c.insert(Capability::test_data);
    return c;
  }
  Index data_size() const override { return split_.train_x.rows(); }
  Index batch_size() const override { return batch_size_; }

  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    Matrix data_grad;
    log_likelihood_grad(split_.train_x, split_.train_y, x.leftCols(weights_),
                        logp, data_grad);
    add_prior(x, data_grad, logp, grad);
  }

  // The data term −Xᵀ diag(σ') X v_w over every training row (also when
  // batch_size > 0), plus the prior's Hessian: −v/s² for the gaussian prior;
  // for the hierarchical one, with α = e^s and the blocks of
  //   ∇²log p(w, s) = [[−αI, −αw], [−αwᵀ, −b₀α − ½α‖w‖²]],
  //   (Hv)_w += −α(v_w + v_s w),  (Hv)_s = −α w·v_w − (b₀α + ½α‖w‖²)v_s.
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    const Index p = weights_;
    const auto w = x.leftCols(p);
    const auto vw = v.leftCols(p);
    const Matrix data_hv = log_likelihood_hessian_vector(split_.train_x, w, vw);
    Matrix out(x.rows(), dim());
    if (!hierarchical_) {
      out = data_hv - vw / (prior_scale_ * prior_scale_);
      return out;
    }
    const Eigen::ArrayXd alpha = x.col(p).array().exp();
    const Eigen::ArrayXd vs = v.col(p).array();
    const Eigen::ArrayXd sq = w.rowwise().squaredNorm().array();
    const Eigen::ArrayXd dot = (w.array() * vw.array()).rowwise().sum();
    out.leftCols(p) =
        data_hv -
        ((vw.array() + w.array().colwise() * vs).colwise() * alpha).matrix();
    out.col(p) =
        (-alpha * dot - (prior_rate_ * alpha + 0.5 * alpha * sq) * vs).matrix();
    return out;
  }

  // The posterior's Fisher information Σ_r σ' x_r x_rᵀ + I/s² (gaussian
  // prior only: the hierarchical prior's metric is not offered), plus
  // `damping`·I; the divergence is that of the damped metric's inverse.
  FisherMetric fisher_metric(const Matrix& x, double damping) const override {
    if (hierarchical_)
      throw std::logic_error(
          "logistic_regression: fisher_metric needs prior = gaussian");
    FisherMetric out;
    out.metric = likelihood_fisher(split_.train_x, x);
    std::vector<Eigen::LLT<Matrix>> factors;
    for (Matrix& g : out.metric) {
      g.diagonal().array() += 1.0 / (prior_scale_ * prior_scale_) + damping;
      factors.emplace_back(g);
    }
    out.inverse_divergence =
        fisher_inverse_divergence(split_.train_x, x, factors);
    return out;
  }

  Index log_prob_grad_minibatch(const Matrix& x, Rng& rng, Vector& logp,
                                Matrix& grad) const override {
    const Index rows = split_.train_x.rows();
    RowMatrix bx;
    Vector by;
    draw_minibatch(split_.train_x, split_.train_y, batch_size_, rng, bx, by);
    Matrix data_grad;
    log_likelihood_grad(bx, by, x.leftCols(weights_), logp, data_grad);
    // Unbiased for the full-data sum: each row is in the batch with
    // probability B/N.
    const double scale =
        static_cast<double>(rows) / static_cast<double>(batch_size_);
    logp *= scale;
    data_grad *= scale;
    add_prior(x, data_grad, logp, grad);
    return batch_size_;
  }

  // Predictive probabilities p_r(i) = σ(x_r·w_i) of label 1 on the test rows,
  // averaged over particles.
  double test_log_likelihood(const Matrix& particles) const override {
    const Vector p1 = predictive_positive(particles);
    double sum = 0;
    for (Index r = 0; r < p1.size(); ++r)
      sum += std::log(split_.test_y(r) > 0.5 ? p1(r) : 1.0 - p1(r));
    return sum / static_cast<double>(p1.size());
  }
  double test_accuracy(const Matrix& particles) const override {
    const Vector p1 = predictive_positive(particles);
    double correct = 0;
    for (Index r = 0; r < p1.size(); ++r)
      correct += ((p1(r) > 0.5) == (split_.test_y(r) > 0.5)) ? 1 : 0;
    return correct / static_cast<double>(p1.size());
  }

  std::vector<std::string> coordinate_names() const override {
    std::vector<std::string> names;
    for (const auto& column : split_.column_names)
      names.push_back("w_" + column);
    if (hierarchical_) names.push_back("log_alpha");
    return names;
  }

  // Weights near the prior's centre, and log α near the log of the prior
  // mean of α for the hierarchical prior, where a standard normal start
  // would put α ~ e^{±1} against a prior mean of a₀/b₀ = 100.
  Matrix initial_points(Index n, Rng& rng) const override {
    Matrix x = rng.normal_matrix(n, dim());
    if (hierarchical_)
      x.col(weights_).array() += std::log(prior_shape_ / prior_rate_);
    return x;
  }

 private:
  // Adds the log prior and its gradient to the log-likelihood terms.
  void add_prior(const Matrix& x, const Matrix& data_grad, Vector& logp,
                 Matrix& grad) const {
    const Index n = x.rows(), p = weights_;
    const double log_2pi = std::log(2.0 * std::numbers::pi);
    grad.resize(n, dim());
    const auto w = x.leftCols(p);
    const Vector sq = w.rowwise().squaredNorm();
    if (!hierarchical_) {
      const double s2 = prior_scale_ * prior_scale_;
      logp.array() -= 0.5 * sq.array() / s2 +
                      0.5 * static_cast<double>(p) * (log_2pi + std::log(s2));
      grad = data_grad - w / s2;
      return;
    }
    // s = log α: log p(s) = a₀ log b₀ − log Γ(a₀) + a₀ s − b₀ e^s, and
    // log p(w | s) = (p/2)(s − log 2π) − (e^s/2)‖w‖².
    const double a0 = prior_shape_, b0 = prior_rate_;
    const Eigen::ArrayXd s = x.col(p).array();
    const Eigen::ArrayXd alpha = s.exp();
    const double half_p = 0.5 * static_cast<double>(p);
    logp.array() += a0 * std::log(b0) - std::lgamma(a0) + a0 * s - b0 * alpha +
                    half_p * (s - log_2pi) - 0.5 * alpha * sq.array();
    grad.leftCols(p) = data_grad - (w.array().colwise() * alpha).matrix();
    grad.col(p) =
        (a0 - b0 * alpha + half_p - 0.5 * alpha * sq.array()).matrix();
  }

  Vector predictive_positive(const Matrix& particles) const {
    const Matrix logits =
        split_.test_x * particles.leftCols(weights_).transpose();
    Vector p1(logits.rows());
    for (Index r = 0; r < logits.rows(); ++r) {
      double sum = 0;
      for (Index i = 0; i < logits.cols(); ++i) sum += sigmoid(logits(r, i));
      p1(r) = sum / static_cast<double>(logits.cols());
    }
    return p1;
  }

  bool hierarchical_;
  double prior_scale_, prior_shape_, prior_rate_;
  ClassificationSplit split_;
  Index weights_ = 0;
  Index batch_size_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(LogisticRegressionTask);

}  // namespace vibench
