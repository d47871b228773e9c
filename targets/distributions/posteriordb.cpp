#include "targets/distributions/posteriordb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

#include "core/data_files.hpp"
#include "core/error.hpp"
#include "core/json_describe.hpp"
#include "core/json_structure.hpp"
#include "core/path_checks.hpp"
#include "core/rng.hpp"
#include "core/suggest.hpp"
#include "reference/reference_draws_file.hpp"

namespace vibench::posteriordb {

namespace fs = std::filesystem;
using OrderedJson = nlohmann::ordered_json;

fs::path bundled_directory() { return data_directory() / "posteriordb"; }

std::vector<std::string> bundled_posteriors() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(bundled_directory(), ec))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

// A typo-close bundled name, else one that contains the value: posteriordb
// names are "<data>-<model>", so users often give only a part ("blr",
// "eight_schools").
std::string closest_bundled(const std::string& value,
                            const std::vector<std::string>& names) {
  std::string best = closest_name(value, names);
  if (!best.empty() || value.empty()) return best;
  for (const auto& name : names)
    if (lower(name).find(lower(value)) != std::string::npos) return name;
  return "";
}

[[noreturn]] void no_such_posterior(const std::string& value,
                                    const fs::path& looked_for,
                                    const std::string& where) {
  const std::vector<std::string> names = bundled_posteriors();
  std::string message = "no bundled posteriordb posterior '" + value +
                        "' (looked for " + looked_for.string() + ")";
  if (names.empty()) {
    message += "; the data directory " + bundled_directory().string() +
               " is missing or empty (set VIBENCH_DATA_DIR to the directory "
               "holding vibench's targets/data)";
  } else {
    const std::string best = closest_bundled(value, names);
    if (!best.empty()) message += " (did you mean '" + best + "'?)";
    message += "; bundled: " + quoted_list(names) + "; or give a file path";
  }
  throw ConfigError(where, message);
}

}  // namespace

fs::path posterior_directory(const std::string& value,
                             const std::string& where) {
  std::error_code ec;  // a name too long: this message, not an exception
  if (value.find('/') != std::string::npos) {
    if (!fs::is_directory(value, ec))
      throw ConfigError(where,
                        "posterior directory '" + value + "' does not exist");
    return fs::path(value);
  }
  const fs::path dir = bundled_directory() / value;
  if (value.empty() || !fs::is_directory(dir, ec))
    no_such_posterior(value, dir, where);
  return dir;
}

fs::path resolve_data(const std::string& value, const std::string& where) {
  // Error codes throughout: a name too long for the file system would
  // otherwise throw a filesystem_error naming neither suite nor parameter.
  std::error_code ec;
  if (value.find('/') != std::string::npos || ends_with(value, ".json")) {
    // A posterior's directory stands for its data.json.
    if (fs::is_directory(value, ec)) {
      const fs::path data = fs::path(value) / "data.json";
      if (fs::is_regular_file(data, ec)) return data;
      throw ConfigError(where, "posteriordb data '" + value +
                                   "' is a directory without a data.json (a "
                                   "posterior's directory stands for its "
                                   "data.json; or name the data file)");
    }
    if (const std::string why = unreadable_file_reason(value); !why.empty())
      throw ConfigError(where, "posteriordb data file '" + value + "' " + why);
    return fs::path(value);
  }
  const fs::path file = bundled_directory() / value / "data.json";
  if (value.empty() || !fs::is_regular_file(file, ec))
    no_such_posterior(value, file, where);
  return file;
}

OrderedJson read_json(const fs::path& path, const std::string& where) {
  const std::string text = read_text_file(path, where);
  // Under the task parameter's path `where`: the data file and the
  // offending value's JSON pointer in it.
  try {
    check_json_structure(text, path.string());
  } catch (const ConfigError& e) {
    throw ConfigError(where, e.where() + ": " + e.what());
  }
  try {
    return OrderedJson::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(where, path.string() + " is not valid JSON: " + e.what());
  }
}

// ---------------------------------------------------------------------------
// Data

Data::Data(const std::string& value, std::string where, const Model& model)
    : path_(resolve_data(value, where)), where_(std::move(where)) {
  json_ = read_json(path_, where_);
  if (!json_.is_object())
    fail("expected a JSON object of data fields, found " +
         describe_json(json_));
  const fs::path record = path_.parent_path() / "posterior.json";
  if (fs::is_regular_file(record)) {
    const OrderedJson posterior = read_json(record, where_);
    const auto it = posterior.find("model_name");
    if (!posterior.is_object() || it == posterior.end() || !it->is_string())
      throw ConfigError(where_, "posteriordb record " + record.string() +
                                    " has no string 'model_name'");
    const std::string model_name = it->get<std::string>();
    if (model_name != model.name)
      fail(fmt::format(
          "this is the data of posteriordb posterior '{}' (record {}), whose "
          "model is '{}'; this task implements posteriordb's '{}' model "
          "only, so it cannot fit that posterior",
          posterior.value("name", std::string("?")), record.string(),
          model_name, model.name));
    return;
  }
  std::vector<std::string> fields, missing, foreign;
  for (const auto& item : json_.items()) fields.push_back(item.key());
  for (const auto& field : model.fields)
    if (std::find(fields.begin(), fields.end(), field) == fields.end())
      missing.push_back(field);
  for (const auto& field : fields)
    if (std::find(model.fields.begin(), model.fields.end(), field) ==
        model.fields.end())
      foreign.push_back(field);
  if (!missing.empty() || !foreign.empty())
    fail(fmt::format(
        "its fields ({}) are not the data of posteriordb's '{}' model, which "
        "reads exactly {}{}{}: this looks like another model's data, which "
        "this task cannot fit (renaming fields would fit the wrong model). "
        "Give data of a posterior whose model is '{}'; with posteriordb's "
        "record of the posterior beside the file as posterior.json, its "
        "model_name is checked instead",
        quoted_list(fields), model.name, quoted_list(model.fields),
        missing.empty() ? "" : "; missing: " + quoted_list(missing),
        foreign.empty() ? "" : "; not in the model: " + quoted_list(foreign),
        model.name));
}

void Data::fail(const std::string& message) const {
  throw ConfigError(where_,
                    "posteriordb data file " + path_.string() + ": " + message);
}

const OrderedJson& Data::at(const std::string& field) const {
  const auto it = json_.find(field);
  if (it == json_.end()) {
    std::vector<std::string> fields;
    for (const auto& item : json_.items()) fields.push_back(item.key());
    fail("missing field '" + field + "'" + did_you_mean(field, fields) +
         "; fields present: " + quoted_list(fields));
  }
  return *it;
}

Index Data::integer(const std::string& field, Index min) const {
  const OrderedJson& value = at(field);
  // Integral floating-point numbers ("8.0") are accepted: some writers of
  // Stan data produce them.
  if (!value.is_number() ||
      (value.is_number_float() &&
       (!std::isfinite(value.get<double>()) ||
        std::floor(value.get<double>()) != value.get<double>())))
    fail(fmt::format("{} must be an integer, found {}", field,
                     value.is_number() ? value.dump() : describe_json(value)));
  const double number = value.get<double>();
  if (number < static_cast<double>(min))
    fail(fmt::format("{} must be at least {}, found {}", field, min,
                     value.dump()));
  return static_cast<Index>(number);
}

Vector Data::vector(const std::string& field, Index size,
                    const std::string& size_name) const {
  const OrderedJson& value = at(field);
  const std::string expected = fmt::format(
      "{} must be an array of {} = {} numbers", field, size_name, size);
  if (size == 1 && value.is_number())
    return Vector::Constant(1, value.get<double>());
  if (!value.is_array() || static_cast<Index>(value.size()) != size)
    fail(expected + ", found " + describe_json(value));
  Vector out(size);
  for (Index i = 0; i < size; ++i) {
    const OrderedJson& x = value[static_cast<size_t>(i)];
    if (!x.is_number())
      fail(fmt::format("{}; element {} is {}", expected, i + 1,
                       describe_json(x)));
    out(i) = x.get<double>();
  }
  return out;
}

Matrix Data::matrix(const std::string& field, Index rows, Index cols,
                    const std::string& rows_name,
                    const std::string& cols_name) const {
  const OrderedJson& value = at(field);
  const std::string expected = fmt::format(
      "{} must be an {}×{} array of numbers ({} = {}, {} = {}), a list of "
      "rows",
      field, rows_name, cols_name, rows_name, rows, cols_name, cols);
  if (!value.is_array() || static_cast<Index>(value.size()) != rows)
    fail(expected + ", found " + describe_json(value));
  Matrix out(rows, cols);
  for (Index i = 0; i < rows; ++i) {
    const OrderedJson& row = value[static_cast<size_t>(i)];
    if (!row.is_array() || static_cast<Index>(row.size()) != cols)
      fail(
          fmt::format("{}; row {} is {}", expected, i + 1, describe_json(row)));
    for (Index j = 0; j < cols; ++j) {
      const OrderedJson& x = row[static_cast<size_t>(j)];
      if (!x.is_number())
        fail(fmt::format("{}; element [{}, {}] is {}", expected, i + 1, j + 1,
                         describe_json(x)));
      out(i, j) = x.get<double>();
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Reference draws

Reference read_reference_draws(const fs::path& path, const std::string& where) {
  NamedChains draws = read_posteriordb_draws(path, where);
  Reference out;
  out.names = std::move(draws.names);
  out.chains = std::move(draws.chains);
  return out;
}

Reference load_reference(const std::string& posterior,
                         const std::string& where) {
  const fs::path dir = posterior_directory(posterior, where);
  const fs::path draws = dir / "reference_draws.json";
  if (!fs::is_regular_file(draws))
    throw ConfigError(where, "posterior " + dir.string() +
                                 " has no reference draws (looked for " +
                                 draws.string() + ")");
  Reference out = read_reference_draws(draws, where);
  const auto optional = [&](const char* file) -> OrderedJson {
    const fs::path path = dir / file;
    if (!fs::is_regular_file(path)) return nullptr;
    return read_json(path, where);
  };
  out.info = optional("reference_info.json");
  out.posterior = optional("posterior.json");
  return out;
}

// ---------------------------------------------------------------------------
// StanPosterior

Matrix StanPosterior::initial_points(Index n, Rng& rng) const {
  Matrix out(n, dim());
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < dim(); ++j) out(i, j) = 4.0 * rng.uniform() - 2.0;
  return out;
}

}  // namespace vibench::posteriordb
