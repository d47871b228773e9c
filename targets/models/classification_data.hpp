// Binary classification data for data-based targets (Bayesian logistic
// regression): the bundled UCI tables or a synthetic generator, split into
// training and test rows and standardized with training statistics only.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "core/memory_need.hpp"
#include "core/params.hpp"
#include "core/types.hpp"

namespace vibench {

// Row-major so that a minibatch of rows is a contiguous gather and a block of
// rows is a contiguous slab for the chunked matrix products.
using RowMatrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Raw table: features (rows × columns) and labels in {0, 1} (or in
// {0, …, classes − 1} for a multiclass table).
struct ClassificationTable {
  RowMatrix features;
  Vector labels;
  std::vector<std::string> feature_names;
};

// Reads a bundled table (`name` in targets/data/classification, e.g.
// "german_credit") or a CSV path: header row, numeric feature columns, last
// column `label` with values 0/1 (integers 0 … classes − 1 when `classes`
// > 2). ConfigError (at `where`) names the file, the line and column of a
// bad cell, and the closest bundled name.
ClassificationTable read_classification_table(const std::string& name,
                                              const std::string& where,
                                              int classes = 2);

// Synthetic data: features x ~ N(0, I_dim), true weights w* ~ N(0, (4/dim)·I)
// (so the logit x·w* has variance ≈ 4: informative but not separable), and
// labels y ~ Bernoulli(σ(x·w*)). Rows are generated in blocks of 4096, each
// from its own stream derived from (`instance`, block), so the table is the
// same whatever the thread count, and a million rows take about a second.
ClassificationTable synthetic_classification_table(Index n_data, Index dim,
                                                   std::uint64_t instance);

// Training and test rows, ready for a linear model: features standardized
// with the training mean and population standard deviation, columns that are
// constant on the training rows dropped, and a column of ones appended last.
struct ClassificationSplit {
  RowMatrix train_x, test_x;              // rows × (kept features + 1)
  Vector train_y, test_y;                 // in {0, 1}
  std::vector<std::string> column_names;  // kept features, then "intercept"
  std::vector<std::string> dropped_columns;
};

// Rows are assigned to the test set by a permutation drawn from
// `split_seed`; round(test_fraction · rows) of them (0 for test_fraction 0,
// leaving every row for training). Requires at least one training row.
ClassificationSplit split_and_standardize(const ClassificationTable& table,
                                          double test_fraction,
                                          std::uint64_t split_seed);

// Bilevel problems cut a split's training rows again into validation and
// training rows: round(validation_fraction · total_rows) of the `rows`
// (a permutation drawn from `split_seed`'s child stream "validation rows")
// become validation rows, the others stay training rows, each in permuted
// order. ConfigError (at "validation_fraction") when either part would be
// empty.
struct ValidationSplit {
  std::vector<Index> validation, train;
};
ValidationSplit split_validation_rows(Index rows, Index total_rows,
                                      double validation_fraction,
                                      std::uint64_t split_seed);

// The parameters of every task built on a classification table: data,
// n_data, dim, instance (the synthetic generator), test_fraction (default
// `default_test_fraction`, described by `test_fraction_doc`), split_seed and
// batch_size; and the split and minibatch size they describe (batch_size 0
// or ≥ the training rows: 0, full data).
ParamSpecs classification_task_params(double default_test_fraction,
                                      const std::string& test_fraction_doc);
ClassificationSplit load_classification_split(const Params& params);

// What load_classification_split and a model on it will allocate, before
// anything is read or drawn (the tasks' memory_need, core/memory_need.hpp):
// synthetic data, the table, the split and the model's copy of the n_data ×
// (dim + 1) rows, and a (dim + 1)² Newton Hessian; a table read from a
// file, its text and parsed fields, about kCsvBytesPerFileByte per byte of
// the file. ConfigError (at "data") for a file that cannot be found.
MemoryNeed classification_memory_need(const Params& params);
inline constexpr double kCsvBytesPerFileByte = 8;
Index minibatch_size(const Params& params, const ClassificationSplit& split);

}  // namespace vibench
