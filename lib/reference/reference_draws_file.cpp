#include "reference/reference_draws_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/csv.hpp"
#include "core/data_files.hpp"
#include "core/error.hpp"
#include "core/json_describe.hpp"
#include "core/json_structure.hpp"
#include "core/rng.hpp"
#include "core/suggest.hpp"

namespace vibench {

namespace {

using OrderedJson = nlohmann::ordered_json;

NamedChains parse_posteriordb_draws(const std::string& text,
                                    const std::string& file,
                                    const std::string& where) {
  const auto fail = [&](const std::string& message) {
    throw ConfigError(where, "reference draws " + file + ": " + message);
  };
  OrderedJson json;
  try {
    check_json_structure(text, file);
  } catch (const ConfigError& e) {
    // e.where() is the file and the offending value's JSON pointer.
    throw ConfigError(where, "reference draws " + e.where() + ": " + e.what());
  }
  try {
    json = OrderedJson::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail(std::string("not valid JSON: ") + e.what());
  }
  if (!json.is_array() || json.empty())
    fail("expected a non-empty list of chains, found " + describe_json(json));
  NamedChains out;
  // The first chain fixes the names and their order; the others must have
  // the same names (in any order) and draws of one length each.
  for (size_t c = 0; c < json.size(); ++c) {
    const OrderedJson& chain = json[c];
    if (!chain.is_object() || chain.empty())
      fail(
          fmt::format("chain {} must be an object from parameter name to "
                      "draws, found {}",
                      c + 1, describe_json(chain)));
    if (c == 0)
      for (const auto& item : chain.items()) out.names.push_back(item.key());
    if (chain.size() != out.names.size())
      fail(fmt::format("chain {} has {} parameters, chain 1 has {}", c + 1,
                       chain.size(), out.names.size()));
    Matrix draws;
    for (size_t j = 0; j < out.names.size(); ++j) {
      const auto it = chain.find(out.names[j]);
      if (it == chain.end())
        fail(fmt::format("chain {} lacks parameter '{}'", c + 1, out.names[j]));
      if (!it->is_array())
        fail(fmt::format("chain {}, '{}': expected a list of draws, found {}",
                         c + 1, out.names[j], describe_json(*it)));
      if (j == 0)
        draws.resize(static_cast<Index>(it->size()),
                     static_cast<Index>(out.names.size()));
      if (static_cast<Index>(it->size()) != draws.rows())
        fail(fmt::format("chain {}: '{}' has {} draws, '{}' has {}", c + 1,
                         out.names[j], it->size(), out.names[0], draws.rows()));
      for (Index i = 0; i < draws.rows(); ++i) {
        const OrderedJson& x = (*it)[static_cast<size_t>(i)];
        if (!x.is_number() || !std::isfinite(x.get<double>()))
          fail(fmt::format(
              "chain {}, '{}', draw {}: expected a finite number, found {}",
              c + 1, out.names[j], i + 1,
              x.is_number() ? x.dump() : describe_json(x)));
        draws(i, static_cast<Index>(j)) = x.get<double>();
      }
    }
    out.chains.push_back(std::move(draws));
  }
  return out;
}

// "a, b, …, z": a long name list shortened for messages.
std::string short_list(const std::vector<std::string>& names) {
  if (names.size() <= 6) return quoted_list(names);
  return quoted_list({names[0], names[1], names[2]}) + ", …, " +
         quoted_list({names.back()}) + fmt::format(" ({} names)", names.size());
}

// For each of `wanted`, its column among `names`; nullopt unless `names` is
// a permutation of `wanted`.
std::optional<std::vector<Index>> columns_of(
    const std::vector<std::string>& names,
    const std::vector<std::string>& wanted) {
  if (names.size() != wanted.size()) return std::nullopt;
  std::vector<Index> columns;
  for (const auto& name : wanted) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return std::nullopt;
    columns.push_back(static_cast<Index>(it - names.begin()));
  }
  return columns;
}

Matrix permuted(const Matrix& values, const std::vector<Index>& columns) {
  Matrix out(values.rows(), static_cast<Index>(columns.size()));
  for (size_t k = 0; k < columns.size(); ++k)
    out.col(static_cast<Index>(k)) = values.col(columns[k]);
  return out;
}

}  // namespace

NamedChains read_posteriordb_draws(const std::filesystem::path& path,
                                   const std::string& where) {
  return parse_posteriordb_draws(read_text_file(path, where), path.string(),
                                 where);
}

ReferenceDrawsFile read_reference_draws_file(const std::filesystem::path& path,
                                             const Distribution& task,
                                             const std::string& task_name) {
  const std::string file = path.string();
  const std::string text = read_text_file(path, file);
  ReferenceDrawsFile out;
  out.content_hash = fmt::format("{:016x}", hash_string(text));

  std::vector<std::string> names;
  Matrix values;
  std::function<std::string(Index)> location;  // of a row, for messages
  if (path.extension() == ".json") {
    out.format = "posteriordb";
    NamedChains chains = parse_posteriordb_draws(text, file, file);
    names = chains.names;
    Index rows = 0;
    for (const auto& chain : chains.chains) rows += chain.rows();
    values.resize(rows, static_cast<Index>(names.size()));
    std::vector<Index> chain_start;
    rows = 0;
    for (const auto& chain : chains.chains) {
      chain_start.push_back(rows);
      values.middleRows(rows, chain.rows()) = chain;
      rows += chain.rows();
    }
    location = [chain_start](Index row) {
      size_t c = 0;
      while (c + 1 < chain_start.size() && chain_start[c + 1] <= row) ++c;
      return fmt::format("chain {}, draw {}", c + 1, row - chain_start[c] + 1);
    };
  } else {
    out.format = "csv";
    NumberTable table = read_number_table(text, std::nullopt, file);
    names = std::move(table.names);
    values = std::move(table.values);
    location = [lines = std::move(table.lines)](Index row) {
      return fmt::format("line {}", lines[static_cast<size_t>(row)]);
    };
  }

  for (size_t a = 0; a < names.size(); ++a)
    for (size_t b = a + 1; b < names.size(); ++b)
      if (names[a] == names[b])
        throw ConfigError(file,
                          fmt::format("column '{}' appears twice (columns "
                                      "{} and {})",
                                      names[a], a + 1, b + 1));

  const std::vector<std::string> coordinates = task.coordinate_names();
  const std::vector<std::string> parameters = task.parameter_names();
  std::vector<std::string> positional;
  for (Index k = 1; k <= task.dim(); ++k)
    positional.push_back("x" + std::to_string(k));
  const std::string expected = fmt::format(
      "the coordinates of task '{}' ({}){}", task_name, short_list(coordinates),
      parameters == coordinates
          ? std::string()
          : fmt::format(" or its parameters ({})", short_list(parameters)));

  if (const auto columns = columns_of(names, coordinates)) {
    out.matched = "coordinates";
    out.draws = permuted(values, *columns);
  } else if (const auto columns = columns_of(names, parameters)) {
    out.matched = "parameters";
    out.draws = task.from_parameters(permuted(values, *columns));
  } else if (names == positional) {
    out.matched = "positional";
    out.draws = std::move(values);
  } else if (names.size() != coordinates.size() &&
             names.size() != parameters.size()) {
    throw ConfigError(
        file, fmt::format("the draws have {} column{} ({}); expected {}",
                          names.size(), names.size() == 1 ? "" : "s",
                          short_list(names), expected));
  } else {
    std::vector<std::string> known = coordinates;
    known.insert(known.end(), parameters.begin(), parameters.end());
    for (const auto& name : names)
      if (std::find(known.begin(), known.end(), name) == known.end())
        throw ConfigError(
            file,
            fmt::format("column '{}'{} is not a name of task '{}'; "
                        "expected {}",
                        name, did_you_mean(name, known), task_name, expected));
    throw ConfigError(file,
                      fmt::format("the columns ({}) mix the coordinates and "
                                  "the parameters of task '{}'; expected {}",
                                  short_list(names), task_name, expected));
  }

  for (Index i = 0; i < out.draws.rows(); ++i)
    if (!out.draws.row(i).allFinite())
      throw ConfigError(
          file, fmt::format("{}: the draw lies outside the support of the "
                            "parameters of task '{}' ({})",
                            location(i), task_name, short_list(parameters)));
  return out;
}

}  // namespace vibench
