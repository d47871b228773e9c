#include "targets/models/classification_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <numeric>

#include "core/csv.hpp"
#include "core/data_files.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"

namespace vibench {

ClassificationTable read_classification_table(const std::string& name,
                                              const std::string& where,
                                              int classes) {
  const auto path = resolve_data_file(name, "classification", ".csv", where);
  const std::string file = path.string();
  std::vector<CsvRecord> records;
  try {
    records = parse_csv(read_text_file(path, where));
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const ConfigError*>(&e)) throw;
    throw ConfigError(where, file + ": " + e.what());
  }
  if (records.size() < 2)
    throw ConfigError(where, file + ": expected a header row and data rows");
  const auto& header = records.front().fields;
  if (header.size() < 2 || header.back() != "label")
    throw ConfigError(where, file +
                                 ": expected feature columns and a last "
                                 "column named 'label' in the header row");
  const Index cols = static_cast<Index>(header.size()) - 1;
  const Index rows = static_cast<Index>(records.size()) - 1;
  ClassificationTable table;
  table.feature_names.assign(header.begin(), header.end() - 1);
  table.features.resize(rows, cols);
  table.labels.resize(rows);
  for (Index i = 0; i < rows; ++i) {
    const CsvRecord& record = records[static_cast<size_t>(i) + 1];
    if (static_cast<Index>(record.fields.size()) != cols + 1)
      throw ConfigError(
          where, fmt::format("{}:{}: expected {} columns, found {}", file,
                             record.line, cols + 1, record.fields.size()));
    for (Index j = 0; j <= cols; ++j) {
      const std::string& cell = record.fields[static_cast<size_t>(j)];
      char* end = nullptr;
      const double value = std::strtod(cell.c_str(), &end);
      if (cell.empty() || *end != '\0' || !std::isfinite(value))
        throw ConfigError(where,
                          fmt::format("{}:{}: column {} ('{}'): '{}' is not a "
                                      "finite number",
                                      file, record.line, j + 1,
                                      header[static_cast<size_t>(j)], cell));
      if (j < cols) {
        table.features(i, j) = value;
      } else {
        if (value != std::floor(value) || value < 0 || value >= classes)
          throw ConfigError(
              where, classes == 2
                         ? fmt::format("{}:{}: label '{}' is not 0 or 1", file,
                                       record.line, cell)
                         : fmt::format("{}:{}: label '{}' is not an integer in "
                                       "0 … {}",
                                       file, record.line, cell, classes - 1));
        table.labels(i) = value;
      }
    }
  }
  return table;
}

ClassificationTable synthetic_classification_table(Index n_data, Index dim,
                                                   std::uint64_t instance) {
  ClassificationTable table;
  table.features.resize(n_data, dim);
  table.labels.resize(n_data);
  for (Index j = 0; j < dim; ++j)
    table.feature_names.push_back(fmt::format("x{}", j + 1));
  Rng weight_rng =
      make_rng(mix_seed(hash_string("synthetic weights"), instance));
  const Vector w = weight_rng.normal_vector(dim) * (2.0 / std::sqrt(dim));

  constexpr Index kBlock = 4096;
  const Index blocks = (n_data + kBlock - 1) / kBlock;
  const std::uint64_t rows_seed =
      mix_seed(hash_string("synthetic rows"), instance);
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < blocks; ++b) {
    Rng rng = make_rng(mix_seed(rows_seed, static_cast<std::uint64_t>(b)));
    const Index first = b * kBlock, count = std::min(kBlock, n_data - first);
    // Box–Muller on raw 53-bit uniforms: a pair of normals for two engine
    // calls, several times faster than std::normal_distribution, which
    // matters at a million rows.
    auto uniform = [&rng] {
      return (static_cast<double>(rng.next_u64() >> 11) + 0.5) * 0x1.0p-53;
    };
    double* out = table.features.data() + first * dim;
    const Index values = count * dim;
    for (Index k = 0; k < values; k += 2) {
      const double radius = std::sqrt(-2.0 * std::log(uniform()));
      const double angle = 2.0 * std::numbers::pi * uniform();
      out[k] = radius * std::cos(angle);
      if (k + 1 < values) out[k + 1] = radius * std::sin(angle);
    }
    const Vector logits = table.features.middleRows(first, count) * w;
    for (Index i = 0; i < count; ++i)
      table.labels(first + i) =
          uniform() < 1.0 / (1.0 + std::exp(-logits(i))) ? 1 : 0;
  }
  return table;
}

ClassificationSplit split_and_standardize(const ClassificationTable& table,
                                          double test_fraction,
                                          std::uint64_t split_seed) {
  const Index rows = table.features.rows(), cols = table.features.cols();
  const Index n_test = static_cast<Index>(
      std::llround(test_fraction * static_cast<double>(rows)));
  if (rows - n_test < 1)
    throw ConfigError("/test_fraction",
                      fmt::format("test_fraction {} leaves no training "
                                  "rows out of {}",
                                  test_fraction, rows));
  // A Fisher–Yates permutation; the first n_test rows of it are the test set,
  // and each part keeps the table's row order.
  std::vector<Index> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng = make_rng(mix_seed(hash_string("train/test split"), split_seed));
  for (Index i = rows - 1; i > 0; --i)
    std::swap(order[static_cast<size_t>(i)],
              order[static_cast<size_t>(rng.index(i + 1))]);
  std::vector<Index> test_rows(order.begin(), order.begin() + n_test);
  std::vector<Index> train_rows(order.begin() + n_test, order.end());
  std::sort(test_rows.begin(), test_rows.end());
  std::sort(train_rows.begin(), train_rows.end());

  // Training statistics (population sd: divide by the number of rows).
  const double n_train = static_cast<double>(train_rows.size());
  Vector mean = Vector::Zero(cols), sd = Vector::Zero(cols);
  for (Index i : train_rows) mean += table.features.row(i).transpose();
  mean /= n_train;
  for (Index i : train_rows)
    sd += (table.features.row(i).transpose() - mean).array().square().matrix();
  sd = (sd / n_train).array().sqrt().matrix();

  ClassificationSplit out;
  std::vector<Index> kept;
  for (Index j = 0; j < cols; ++j) {
    // A column constant on the training rows carries no information for the
    // posterior and cannot be scaled; it is dropped (and reported).
    if (sd(j) > 1e-12 * std::max(1.0, std::abs(mean(j)))) {
      kept.push_back(j);
      out.column_names.push_back(table.feature_names[static_cast<size_t>(j)]);
    } else {
      out.dropped_columns.push_back(
          table.feature_names[static_cast<size_t>(j)]);
    }
  }
  out.column_names.push_back("intercept");
  const Index width = static_cast<Index>(kept.size()) + 1;

  const Eigen::ArrayXd kept_mean = mean(kept).array();
  const Eigen::ArrayXd kept_sd = sd(kept).array();
  auto fill = [&](const std::vector<Index>& which, RowMatrix& x, Vector& y) {
    x.resize(static_cast<Index>(which.size()), width);
    y.resize(static_cast<Index>(which.size()));
#pragma omp parallel for schedule(static) if (which.size() > 100000)
    for (size_t r = 0; r < which.size(); ++r) {
      const Index i = which[r], row = static_cast<Index>(r);
      x.row(row).head(width - 1) =
          (table.features.row(i)(kept).array() - kept_mean.transpose()) /
          kept_sd.transpose();
      x(row, width - 1) = 1.0;
      y(row) = table.labels(i);
    }
  };
  fill(train_rows, out.train_x, out.train_y);
  fill(test_rows, out.test_x, out.test_y);
  return out;
}

ValidationSplit split_validation_rows(Index rows, Index total_rows,
                                      double validation_fraction,
                                      std::uint64_t split_seed) {
  const Index n_validation = static_cast<Index>(
      std::llround(validation_fraction * static_cast<double>(total_rows)));
  if (n_validation < 1 || n_validation >= rows)
    throw ConfigError(
        "validation_fraction",
        fmt::format("validation_fraction = {} of {} rows leaves no "
                    "validation or no training rows among the {} not held "
                    "out for testing",
                    validation_fraction, total_rows, rows));
  std::vector<Index> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng = make_rng(split_seed).child("validation rows");
  for (Index i = rows - 1; i > 0; --i)
    std::swap(order[static_cast<size_t>(i)],
              order[static_cast<size_t>(rng.index(i + 1))]);
  return {std::vector<Index>(order.begin(), order.begin() + n_validation),
          std::vector<Index>(order.begin() + n_validation, order.end())};
}

ParamSpecs classification_task_params(double default_test_fraction,
                                      const std::string& test_fraction_doc) {
  return {
      ParamSpec::string("data", "synthetic", {},
                        "a bundled table (breast_cancer, german_credit, "
                        "sonar, ionosphere, pima), the path of a CSV file "
                        "(header row, numeric features, last column "
                        "'label' in {0,1}), or 'synthetic'"),
      ParamSpec::integer("n_data", 1000, "rows of the synthetic data")
          .at_least(2),
      ParamSpec::integer("dim", 10,
                         "features of the synthetic data (the intercept "
                         "is added to these)")
          .at_least(1),
      ParamSpec::integer("instance", 0,
                         "seed of the synthetic data (its rows and true "
                         "weights)")
          .at_least(0),
      ParamSpec::real("test_fraction", default_test_fraction, test_fraction_doc)
          .at_least(0.0)
          .below(1.0),
      ParamSpec::integer("split_seed", 0, "seed of the train/test permutation")
          .at_least(0),
      ParamSpec::integer("batch_size", 0,
                         "rows per minibatch gradient (drawn without "
                         "replacement at every call); 0 or ≥ the training "
                         "rows: full-data gradients")
          .at_least(0),
  };
}

ClassificationSplit load_classification_split(const Params& p) {
  const std::string data = p.string("data");
  const ClassificationTable table =
      data == "synthetic"
          ? synthetic_classification_table(
                static_cast<Index>(p.integer("n_data")),
                static_cast<Index>(p.integer("dim")),
                static_cast<std::uint64_t>(p.integer("instance")))
          : read_classification_table(data, "/data");
  return split_and_standardize(
      table, p.real("test_fraction"),
      static_cast<std::uint64_t>(p.integer("split_seed")));
}

MemoryNeed classification_memory_need(const Params& p) {
  const std::string data = p.string("data");
  if (data == "synthetic") {
    const double rows = static_cast<double>(p.integer("n_data"));
    const double cols = static_cast<double>(p.integer("dim")) + 1;
    return {dense_bytes(rows, cols, 3) + dense_bytes(cols, cols, 2),
            rows > cols ? "n_data" : "dim",
            "the synthetic n_data × (dim + 1) rows three times and a Newton "
            "Hessian"};
  }
  const std::filesystem::path path =
      resolve_data_file(data, "classification", ".csv", "data");
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return {ec ? 0.0 : kCsvBytesPerFileByte * static_cast<double>(size), "data",
          fmt::format("the table {} ({} bytes) read and parsed", path.string(),
                      ec ? 0 : size)};
}

Index minibatch_size(const Params& p, const ClassificationSplit& split) {
  const Index batch = static_cast<Index>(p.integer("batch_size"));
  return batch > 0 && batch < split.train_x.rows() ? batch : 0;
}

}  // namespace vibench
