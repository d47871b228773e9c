#include "targets/models/softmax_model.hpp"

#include <cmath>

namespace vibench {

SoftmaxRows SoftmaxRows::subset(const std::vector<Index>& which) const {
  SoftmaxRows out;
  out.a = a(which, Eigen::all);
  out.onehot = onehot(which, Eigen::all);
  out.labels = labels(which);
  return out;
}

SoftmaxRows make_softmax_rows(const RowMatrix& a, const Vector& labels,
                              Index classes) {
  SoftmaxRows rows{a, Matrix::Zero(a.rows(), classes), labels};
  for (Index i = 0; i < a.rows(); ++i)
    rows.onehot(i, static_cast<Index>(labels(i))) = 1.0;
  return rows;
}

Matrix SoftmaxModel::stacked(const Matrix& w) const {
  Matrix out(features_, w.rows() * classes_);
  for (Index p = 0; p < w.rows(); ++p)
    for (Index j = 0; j < features_; ++j)
      out.block(j, p * classes_, 1, classes_) =
          w.block(p, j * classes_, 1, classes_);
  return out;
}

Matrix SoftmaxModel::unstacked(const Matrix& m, Index points) const {
  Matrix out(points, dim());
  for (Index p = 0; p < points; ++p)
    for (Index j = 0; j < features_; ++j)
      out.block(p, j * classes_, 1, classes_) =
          m.block(j, p * classes_, 1, classes_);
  return out;
}

SoftmaxModel::Fit SoftmaxModel::evaluate(const SoftmaxRows& rows,
                                         const Matrix& w) const {
  const Index points = w.rows();
  Fit fit{rows.a * stacked(w), Matrix(rows.size(), points)};
  for (Index p = 0; p < points; ++p)
    for (Index i = 0; i < rows.size(); ++i) {
      auto z = fit.probabilities.row(i).segment(p * classes_, classes_);
      const double top = z.maxCoeff();
      const double log_sum = top + std::log((z.array() - top).exp().sum());
      fit.loss(i, p) = log_sum - z(static_cast<Index>(rows.labels(i)));
      z = (z.array() - log_sum).exp().matrix();
    }
  return fit;
}

Vector SoftmaxModel::mean_loss(const SoftmaxRows& rows, const Matrix& w) const {
  return evaluate(rows, w).loss.colwise().mean().transpose();
}

Matrix SoftmaxModel::loss_gradient(const SoftmaxRows& rows, Index points,
                                   Fit fit, const Matrix* weights) const {
  Matrix& r = fit.probabilities;
  for (Index p = 0; p < points; ++p) {
    auto block = r.middleCols(p * classes_, classes_);
    block -= rows.onehot;
    if (weights) block = weights->row(p).transpose().asDiagonal() * block;
  }
  return unstacked(rows.a.transpose() * r, points) /
         static_cast<double>(rows.size());
}

Matrix SoftmaxModel::loss_hessian_vector(const SoftmaxRows& rows,
                                         const Fit& fit, const Matrix* weights,
                                         const Matrix& v) const {
  Matrix u = rows.a * stacked(v);
  for (Index p = 0; p < v.rows(); ++p) {
    const auto prob = fit.probabilities.middleCols(p * classes_, classes_);
    auto block = u.middleCols(p * classes_, classes_);
    const Vector mixed = prob.cwiseProduct(block).rowwise().sum();
    block = prob.cwiseProduct(block) -
            prob.cwiseProduct(mixed.replicate(1, classes_));
    if (weights) block = weights->row(p).transpose().asDiagonal() * block;
  }
  return unstacked(rows.a.transpose() * u, v.rows()) /
         static_cast<double>(rows.size());
}

// H[(j,c),(k,c')] = Σ_i s_i a_ij a_ik S_i[c,c'] / n, one d × d block per
// pair of classes.
Matrix SoftmaxModel::loss_hessian(const SoftmaxRows& rows,
                                  const Matrix& probabilities,
                                  const Vector* weights) const {
  const Index d = features_, c_count = classes_;
  const double n = static_cast<double>(rows.size());
  Matrix h = Matrix::Zero(dim(), dim());
  for (Index c = 0; c < c_count; ++c)
    for (Index c2 = c; c2 < c_count; ++c2) {
      Vector weight = -probabilities.col(c).cwiseProduct(probabilities.col(c2));
      if (c == c2) weight += probabilities.col(c);
      if (weights) weight.array() *= weights->array();
      const Matrix block =
          rows.a.transpose() * weight.asDiagonal() * rows.a / n;
      for (Index j = 0; j < d; ++j)
        for (Index k = 0; k < d; ++k) {
          h(j * c_count + c, k * c_count + c2) = block(j, k);
          h(k * c_count + c2, j * c_count + c) = block(j, k);
        }
    }
  return h;
}

// Row i of `out` gets scale_i · a_i ⊗ r_i (r: rows × C), laid out like y:
// one column block per feature, each a row scaling of r.
static void outer_products(const SoftmaxRows& rows, const Matrix& r,
                           const Vector* weights, Index classes, Matrix& out) {
  const Index d = rows.a.cols();
  out.resize(rows.size(), d * classes);
  for (Index j = 0; j < d; ++j) {
    Vector scale = rows.a.col(j);
    if (weights) scale.array() *= weights->array();
    out.middleCols(j * classes, classes) = scale.asDiagonal() * r;
  }
}

Matrix SoftmaxModel::row_gradients(const SoftmaxRows& rows, const Fit& fit,
                                   const Vector* weights) const {
  const Matrix residual = fit.probabilities - rows.onehot;
  Matrix out;
  outer_products(rows, residual, weights, classes_, out);
  return out;
}

Matrix SoftmaxModel::row_hessian_vectors(const SoftmaxRows& rows,
                                         const Fit& fit, const Matrix& v,
                                         const Vector* weights) const {
  const Matrix& prob = fit.probabilities;
  const Matrix u = rows.a * stacked(v);
  const Vector mixed = prob.cwiseProduct(u).rowwise().sum();
  const Matrix curvature =
      prob.cwiseProduct(u) - prob.cwiseProduct(mixed.replicate(1, classes_));
  Matrix out;
  outer_products(rows, curvature, weights, classes_, out);
  return out;
}

Vector SoftmaxModel::row_residual_dots(const SoftmaxRows& rows, const Fit& fit,
                                       const Matrix& v) const {
  const Matrix residual = fit.probabilities - rows.onehot;
  return residual.cwiseProduct(rows.a * stacked(v)).rowwise().sum();
}

Vector SoftmaxModel::error_rate(const SoftmaxRows& rows,
                                const Matrix& w) const {
  const Matrix logits = rows.a * stacked(w);
  Vector out(w.rows());
  for (Index p = 0; p < w.rows(); ++p) {
    Index errors = 0;
    for (Index i = 0; i < rows.size(); ++i) {
      Index best = 0;
      logits.row(i).segment(p * classes_, classes_).maxCoeff(&best);
      errors += best != static_cast<Index>(rows.labels(i));
    }
    out(p) = static_cast<double>(errors) / static_cast<double>(rows.size());
  }
  return out;
}

}  // namespace vibench
