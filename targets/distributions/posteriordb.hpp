// Posteriors of posteriordb (stan-dev/posteriordb, BSD-3) implemented
// natively: the data files they are built from, the Stan reference draws
// that stand in for exact draws, and the base class the targets share.
//
// Bundled posteriors live in <data_directory()>/posteriordb/<posterior>/
// with posteriordb's four files: posterior.json, data.json,
// reference_draws.json and reference_info.json (see the README there).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/types.hpp"
#include "tasks/distribution.hpp"

namespace vibench::posteriordb {

// <data_directory()>/posteriordb.
std::filesystem::path bundled_directory();

// The bundled posteriors (sorted), e.g. "sblrc-blr".
std::vector<std::string> bundled_posteriors();

// The directory of a posterior: a value with a '/' is a directory path,
// anything else the name of a bundled posterior. ConfigError (at `where`)
// names the directory it looked for and the closest bundled name.
std::filesystem::path posterior_directory(const std::string& value,
                                          const std::string& where);

// Resolves a `data` parameter: a value with a '/' or ending in ".json" is the
// path of a posteriordb data file (or of a directory holding data.json),
// anything else the name of a bundled posterior whose data.json is meant.
// ConfigError (at `where`) as above.
std::filesystem::path resolve_data(const std::string& value,
                                   const std::string& where);

// A parsed JSON file; ConfigError (at `where`) naming the file if it cannot
// be read or is not JSON. Object keys keep their order in the file.
nlohmann::ordered_json read_json(const std::filesystem::path& path,
                                 const std::string& where);

// The posteriordb model a native target implements: its name in posteriordb
// and the fields of its Stan program's data block.
struct Model {
  std::string name;                 // e.g. "blr"
  std::vector<std::string> fields;  // e.g. N, D, X, y
};

// A posteriordb data file (Stan's JSON data format) with typed access to its
// fields. Every error is a ConfigError at `where` naming the file and the
// field, e.g. "X must be an N×D array of numbers (N = 100, D = 5)".
class Data {
 public:
  // Resolves `value` with resolve_data, parses the file and checks that it
  // is data of `model`, so that another model's data is never fitted (with
  // fields renamed to make it parse): when posteriordb's record of the
  // posterior (posterior.json) lies beside the file, its model_name must be
  // model.name; without a record, the file's fields must be exactly the
  // model's data fields.
  Data(const std::string& value, std::string where, const Model& model);

  const std::filesystem::path& path() const { return path_; }

  // An integer field of at least `min`.
  Index integer(const std::string& field, Index min) const;
  // A field of `size` numbers; `size_name` is how the size is called in
  // messages ("N"). A lone number is accepted for size 1, as Stan does.
  Vector vector(const std::string& field, Index size,
                const std::string& size_name) const;
  // A `rows`×`cols` field given as a list of rows; `rows_name`, `cols_name`
  // as above.
  Matrix matrix(const std::string& field, Index rows, Index cols,
                const std::string& rows_name,
                const std::string& cols_name) const;

 private:
  const nlohmann::ordered_json& at(const std::string& field) const;
  [[noreturn]] void fail(const std::string& message) const;

  std::filesystem::path path_;
  std::string where_;
  nlohmann::ordered_json json_;
};

// Stan reference draws of a posterior.
struct Reference {
  std::vector<std::string> names;  // parameter names, in the file's order
  std::vector<Matrix> chains;      // one draws × names.size() matrix a chain
  // The descriptive files as they are, keys in the file's order:
  // reference_info.json (how the draws were made, diagnostics, checks) and
  // posterior.json (model, data, parameter dimensions).
  nlohmann::ordered_json info;
  nlohmann::ordered_json posterior;
};

// Reads a reference_draws.json file: a list of chains, each an object from
// parameter name to that chain's draws (on the constrained scale). Only
// `names` and `chains` are filled. ConfigError (at `where`) naming the file
// on a malformed file or chains that disagree on names or lengths.
Reference read_reference_draws(const std::filesystem::path& path,
                               const std::string& where);

// The reference of a posterior (bundled name or directory, as in
// posterior_directory): its reference_draws.json with reference_info.json
// and posterior.json, each null when the directory lacks it.
Reference load_reference(const std::string& posterior,
                         const std::string& where);

// Base of the native posteriordb targets. They sample on Stan's
// unconstrained scale and have no exact draws or moments: their ground truth
// is a reference posterior.
class StanPosterior : public Distribution {
 public:
  Capabilities capabilities() const override { return {Capability::reference}; }
  // Stan's default initialization, U(−2, 2) in every unconstrained
  // coordinate: the posteriordb reference draws were started this way, and
  // N(0, I) would be no more natural on these scales. Rows are drawn one
  // after the other, so the first k of n points do not depend on n.
  Matrix initial_points(Index n, Rng& rng) const override;
};

}  // namespace vibench::posteriordb
