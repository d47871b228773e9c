// Declared, strictly validated parameters of tasks, algorithms and metrics.
//
// Every configurable component publishes a list of ParamSpec (name, type,
// default, range, description). `validate_params` checks user JSON against it
// and returns the effective parameters with defaults filled in; components
// then read them through `Params`, which cannot fail on a validated object.
#pragma once

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace vibench {

using Json = nlohmann::json;

enum class ParamType {
  integer,
  real,
  boolean,
  string,
  vector,       // a number (broadcast to every coordinate) or a list of numbers
  matrix,       // a list of rows, each a list of numbers
  matrix_list,  // a list of matrices
  component,    // one member of a ComponentFamily (an update rule, a
                // step-size schedule): its name, or {"name": ..., settings}
  string_list,  // a non-empty list of strings (a command line)
  object,       // any JSON object, kept as given (an external program's own
                // parameters, which vibench passes on without reading)
};

const char* to_string(ParamType type);

struct ParamSpec;
using ParamSpecs = std::vector<ParamSpec>;

// A closed family of components chosen by name, each with its own settings:
// the update rules and the step-size schedules. A parameter of type
// `component` holds one member; its canonical (effective) value is
// {"name": member, every setting with its default filled in}, so a setting
// that the chosen member does not have is an error like any unknown
// parameter.
struct ComponentFamily {
  struct Member {
    std::string name;
    std::string description;
    ParamSpecs settings;
  };
  std::string what;  // "update rule", "schedule": for messages
  std::vector<Member> members;
  const Member* find(const std::string& name) const;
  std::vector<std::string> names() const;
};

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::real;
  Json default_value;  // null: optional, "not set" unless given
  std::string description;
  std::optional<double> min, max;
  bool min_exclusive = false;
  bool max_exclusive = false;
  std::vector<std::string> choices;         // for strings
  const ComponentFamily* family = nullptr;  // for components (static)

  // Builders, so that a spec reads as one line at the component.
  static ParamSpec integer(std::string name, Json default_value,
                           std::string description);
  static ParamSpec real(std::string name, Json default_value,
                        std::string description);
  static ParamSpec boolean(std::string name, bool default_value,
                           std::string description);
  static ParamSpec string(std::string name, std::string default_value,
                          std::vector<std::string> choices,
                          std::string description);
  static ParamSpec component(std::string name, std::string default_member,
                             const ComponentFamily& family,
                             std::string description);
  static ParamSpec of_type(ParamType type, std::string name, Json default_value,
                           std::string description);
  ParamSpec at_least(double value) &&;
  ParamSpec above(double value) &&;  // exclusive lower bound
  ParamSpec at_most(double value) &&;
  ParamSpec below(double value) &&;  // exclusive upper bound

  // "[0, inf)", "(0, 1]", one of {...}: for messages and `vibench list`.
  std::string allowed() const;
  Json to_json() const;
};

// Checks `given` (a JSON object or null) against `specs`. Errors name
// `json_path` + "/" + the parameter, say what is allowed and suggest the
// closest valid name. `owner` names the component in messages.
Json validate_params(const Json& given, const ParamSpecs& specs,
                     const std::string& json_path, const std::string& owner);

// Read access to validated parameters.
class Params {
 public:
  Params() : values_(Json::object()) {}
  explicit Params(Json values) : values_(std::move(values)) {}

  bool has(const std::string& name) const;  // present and not null
  double real(const std::string& name) const;
  long long integer(const std::string& name) const;
  bool boolean(const std::string& name) const;
  std::string string(const std::string& name) const;
  // A `vector` parameter as `dim` coordinates (a number is broadcast).
  Vector vector(const std::string& name, Index dim) const;
  Matrix matrix(const std::string& name) const;
  std::vector<Matrix> matrix_list(const std::string& name) const;
  std::vector<std::string> string_list(const std::string& name) const;
  // An `object` parameter as given.
  const Json& object(const std::string& name) const { return at(name); }
  // A `component` parameter: the member's name and its validated settings.
  std::string component_name(const std::string& name) const;
  Params component_settings(const std::string& name) const;
  const Json& json() const { return values_; }

 private:
  const Json& at(const std::string& name) const;
  Json values_;
};

}  // namespace vibench
