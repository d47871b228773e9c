#include "targets/bilevel/softmax_bilevel.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/distinct_sample.hpp"
#include "core/error.hpp"
#include "core/spectrum.hpp"
#include "targets/models/classification_data.hpp"

namespace vibench {

ParamSpecs SoftmaxBilevel::data_params() {
  return {
      ParamSpec::string("data", "digits", {},
                        "a bundled table or CSV path with integer labels "
                        "0–9 in a last column 'label'"),
      ParamSpec::real("validation_fraction", 0.25,
                      "fraction of the rows held out for validation")
          .above(0.0)
          .below(1.0),
      ParamSpec::real("test_fraction", 0.25,
                      "fraction of the rows held out for testing")
          .above(0.0)
          .below(1.0),
      ParamSpec::integer("split_seed", 0, "seed of the three-way split")
          .at_least(0),
      ParamSpec::integer("batch_size", 0,
                         "rows per minibatch of each oracle call (0: full "
                         "data)")
          .at_least(0),
  };
}

SoftmaxBilevel::SoftmaxBilevel(const Params& p)
    : batch_(static_cast<Index>(p.integer("batch_size"))) {
  const double validation = p.real("validation_fraction");
  const double test = p.real("test_fraction");
  if (validation + test >= 1.0)
    throw ConfigError("test_fraction",
                      fmt::format("validation_fraction + test_fraction = "
                                  "{} leaves no training rows",
                                  validation + test));
  const ClassificationTable table =
      read_classification_table(p.string("data"), "data", kClasses);
  const ClassificationSplit split = split_and_standardize(
      table, test, static_cast<std::uint64_t>(p.integer("split_seed")));
  test_ = make_softmax_rows(split.test_x, split.test_y, kClasses);
  const ValidationSplit rows = split_validation_rows(
      split.train_x.rows(), table.labels.size(), validation,
      static_cast<std::uint64_t>(p.integer("split_seed")));
  const SoftmaxRows all =
      make_softmax_rows(split.train_x, split.train_y, kClasses);
  validation_ = all.subset(rows.validation);
  train_ = all.subset(rows.train);
}

void SoftmaxBilevel::finish() {
  model_ = SoftmaxModel(train_.a.cols(), kClasses);
  train_curvature_max_ = 0.5 * mean_gram_spectrum(train_.a).maxCoeff();
  outer_smoothness_ = 0.5 * mean_gram_spectrum(validation_.a).maxCoeff();
  if (batch_ > std::min(train_.size(), validation_.size()))
    throw ConfigError("batch_size",
                      fmt::format("batch_size = {} exceeds the {} "
                                  "validation or {} training rows",
                                  batch_, validation_.size(), train_.size()));
}

Vector SoftmaxBilevel::outer_value(const Matrix&, const Matrix& w) const {
  return model_.mean_loss(validation_, w);
}

void SoftmaxBilevel::outer_grad(const Matrix& x, const Matrix& w, Matrix& fx,
                                Matrix& fy) const {
  fx = Matrix::Zero(x.rows(), x.cols());
  fy = model_.loss_gradient(validation_, w.rows(),
                            model_.evaluate(validation_, w), nullptr);
}

Index SoftmaxBilevel::outer_grad_minibatch(const Matrix& x, const Matrix& w,
                                           Rng& rng, Matrix& fx,
                                           Matrix& fy) const {
  const SoftmaxRows batch =
      validation_.subset(sample_distinct(validation_.size(), batch_, rng));
  fx = Matrix::Zero(x.rows(), x.cols());
  fy =
      model_.loss_gradient(batch, w.rows(), model_.evaluate(batch, w), nullptr);
  return batch_;
}

// Row j of f's finite sum: CE_j(W).
void SoftmaxBilevel::outer_sample_terms(const RowVector&, const RowVector& y,
                                        const std::vector<Index>& rows,
                                        Matrix& fx, Matrix& fy) const {
  fx = Matrix::Zero(static_cast<Index>(rows.size()), dim_x());
  const SoftmaxRows part = validation_.subset(rows);
  fy = model_.row_gradients(part, model_.evaluate(part, y), nullptr);
}

InnerSolution SoftmaxBilevel::solve(const RowVector& x) const {
  return solutions_.get(
      x, [this](const RowVector& at) { return solve_inner(at); });
}

Matrix SoftmaxBilevel::inner_solution(const Matrix& x) const {
  return inner_solutions(x, dim_y(),
                         [this](const RowVector& at) { return solve(at); });
}

Matrix SoftmaxBilevel::hypergradient(const Matrix& x) const {
  return implicit_hypergradient(
      *this, x, [this](const RowVector& at) { return solve(at); });
}

Vector SoftmaxBilevel::error_rate(const Matrix&, const Matrix& w,
                                  Split split) const {
  return model_.error_rate(split == Split::test ? test_ : validation_, w);
}

}  // namespace vibench
