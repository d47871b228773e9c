// Reference draws from a file the user gives (`vibench eval
// --reference-draws-file`): a CSV under a header of names, or posteriordb's
// reference-draws JSON (a list of chains, each an object from parameter name
// to that chain's draws). Columns are matched to the task by name, on either
// scale the task names: the coordinates its samplers move (coordinate_names)
// or the model's parameters (parameter_names, mapped back to coordinates
// with from_parameters) — so Stan's draws of σ score a sampler of log σ.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "tasks/distribution.hpp"

namespace vibench {

// posteriordb's reference_draws.json: one matrix a chain, columns in the
// order of the first chain's names.
struct NamedChains {
  std::vector<std::string> names;
  std::vector<Matrix> chains;  // draws × names.size(), finite
};

// Reads a reference_draws.json file. ConfigError (at `where`) naming the
// file, the chain, the parameter and the draw on a malformed file, chains
// that disagree on names or lengths, or a value that is not a finite number.
NamedChains read_posteriordb_draws(const std::filesystem::path& path,
                                   const std::string& where);

struct ReferenceDrawsFile {
  Matrix draws;  // in the task's coordinates, one draw per row
  // How the columns were matched: "coordinates" (coordinate_names, any
  // order), "parameters" (parameter_names, any order) or "positional" (a
  // header x1..xd, as `vibench reference` writes it).
  std::string matched;
  std::string format;        // "csv" or "posteriordb"
  std::string content_hash;  // of the file's bytes, hex
};

// Reads `path` (".json": posteriordb's format; anything else: CSV) and maps
// it to `task`'s coordinates. ConfigError (at the file's path) naming the
// file, the line (CSV) or chain and draw (JSON) and what was expected: the
// wrong number of columns, a value that is not finite, names that match
// neither the coordinates nor the parameters of the task (with the closest
// name), a draw outside the parameters' support.
ReferenceDrawsFile read_reference_draws_file(const std::filesystem::path& path,
                                             const Distribution& task,
                                             const std::string& task_name);

}  // namespace vibench
