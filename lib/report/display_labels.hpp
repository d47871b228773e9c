// The labels people read in tables, figures and reports, apart from the
// identity labels (`svmd{"step_size":0.1}`) that key cells, journals and
// comparisons. A suite entry may give its own `label` template; otherwise a
// short default is built from the name and the parameters that vary.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/params.hpp"

namespace vibench {

struct ResultSet;

// A suite entry's `label` with each "{param}" replaced by that parameter's
// value in `params` (numbers in the shortest form that reads back exactly,
// strings as they are, anything else as compact JSON); "{{" and "}}" are
// literal braces. Throws ConfigError at `json_path` for a parameter the
// entry does not have (naming the closest one and the valid ones), an
// unclosed brace or an empty result.
std::string expand_label_template(const std::string& text, const Json& params,
                                  const std::string& json_path);

// A parameter's value as a label shows it (see expand_label_template).
std::string label_value(const Json& value);

// The short name a default label gives a parameter ("η" for step_size);
// the parameter's own name when it has none. Documented in the README.
std::string parameter_abbreviation(const std::string& parameter);

// One task or algorithm configuration, for default labels.
struct LabelSource {
  std::string name;
  Json params;  // its effective parameters (an object)
  // Extra settings that tell configurations apart, shown like parameters
  // (a task's "noise"); an object, or null.
  Json settings;
};

// Default labels: the name, then each parameter (and setting) whose value
// differs between configurations of the same name, as "abbrev=value" in the
// configuration's own parameter order — `svmd η=0.1 thr=0.998`; the bare
// name when its configurations agree on everything. Two parameters of one
// name with the same abbreviation are both shown by their full names.
std::vector<std::string> default_labels(
    const std::vector<LabelSource>& sources);

// Display labels of the tasks and algorithms of a result set, keyed by
// their identity label: a record's `display_label` where the suite gave one,
// else the default label over every configuration of the set.
struct DisplayLabels {
  std::map<std::string, std::string> tasks, algorithms;
  // The display label of an identity label; the identity label itself when
  // it is unknown.
  const std::string& task(const std::string& identity) const;
  const std::string& algorithm(const std::string& identity) const;
};
DisplayLabels display_labels(const ResultSet& results);
// The same from cell records, or from a result document's "cells" array
// (read in place: the records and their traces are not copied).
DisplayLabels display_labels(const std::vector<Json>& records);
DisplayLabels display_labels_of_cells(const Json& cells);
// The same over the "cells" arrays of several result documents together,
// so that a default label shows what varies across all of them.
DisplayLabels display_labels_of_documents(
    const std::vector<const Json*>& documents);

}  // namespace vibench
