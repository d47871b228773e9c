#include "core/params.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace vibench {

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::integer:
      return "integer";
    case ParamType::real:
      return "number";
    case ParamType::boolean:
      return "boolean";
    case ParamType::string:
      return "string";
    case ParamType::vector:
      return "number or list of numbers";
    case ParamType::matrix:
      return "matrix (list of rows)";
    case ParamType::matrix_list:
      return "list of matrices";
    case ParamType::component:
      return "name or {\"name\": ..., settings}";
    case ParamType::string_list:
      return "non-empty list of strings";
    case ParamType::object:
      return "JSON object";
  }
  return "?";
}

const ComponentFamily::Member* ComponentFamily::find(
    const std::string& name) const {
  for (const auto& member : members)
    if (member.name == name) return &member;
  return nullptr;
}

std::vector<std::string> ComponentFamily::names() const {
  std::vector<std::string> out;
  for (const auto& member : members) out.push_back(member.name);
  return out;
}

ParamSpec ParamSpec::of_type(ParamType type, std::string name,
                             Json default_value, std::string description) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.default_value = std::move(default_value);
  spec.description = std::move(description);
  return spec;
}
ParamSpec ParamSpec::integer(std::string name, Json default_value,
                             std::string description) {
  return of_type(ParamType::integer, std::move(name), std::move(default_value),
                 std::move(description));
}
ParamSpec ParamSpec::real(std::string name, Json default_value,
                          std::string description) {
  return of_type(ParamType::real, std::move(name), std::move(default_value),
                 std::move(description));
}
ParamSpec ParamSpec::boolean(std::string name, bool default_value,
                             std::string description) {
  return of_type(ParamType::boolean, std::move(name), default_value,
                 std::move(description));
}
ParamSpec ParamSpec::string(std::string name, std::string default_value,
                            std::vector<std::string> choices,
                            std::string description) {
  ParamSpec spec = of_type(ParamType::string, std::move(name),
                           std::move(default_value), std::move(description));
  spec.choices = std::move(choices);
  return spec;
}
ParamSpec ParamSpec::component(std::string name, std::string default_member,
                               const ComponentFamily& family,
                               std::string description) {
  ParamSpec spec = of_type(ParamType::component, std::move(name),
                           std::move(default_member), std::move(description));
  spec.family = &family;
  return spec;
}
ParamSpec ParamSpec::at_least(double value) && {
  min = value;
  min_exclusive = false;
  return std::move(*this);
}
ParamSpec ParamSpec::above(double value) && {
  min = value;
  min_exclusive = true;
  return std::move(*this);
}
ParamSpec ParamSpec::at_most(double value) && {
  max = value;
  max_exclusive = false;
  return std::move(*this);
}
ParamSpec ParamSpec::below(double value) && {
  max = value;
  max_exclusive = true;
  return std::move(*this);
}

std::string ParamSpec::allowed() const {
  if (family)
    return fmt::format("a {} ({}), or {{\"name\": ..., settings}}",
                       family->what, quoted_list(family->names()));
  if (!choices.empty()) return "one of " + quoted_list(choices);
  if (!min && !max) return to_string(type);
  const std::string lo =
      min ? fmt::format("{}{}", min_exclusive ? "(" : "[", *min) : "(-inf";
  const std::string hi =
      max ? fmt::format("{}{}", *max, max_exclusive ? ")" : "]") : "inf)";
  return fmt::format("{} in {}, {}", to_string(type), lo, hi);
}

Json ParamSpec::to_json() const {
  Json out = {{"name", name},
              {"type", to_string(type)},
              {"default", default_value},
              {"allowed", allowed()},
              {"description", description}};
  if (min) out["min"] = *min;
  if (max) out["max"] = *max;
  if (min_exclusive) out["min_exclusive"] = true;
  if (max_exclusive) out["max_exclusive"] = true;
  if (!choices.empty()) out["choices"] = choices;
  if (family) {
    Json members = Json::array();
    for (const auto& member : family->members) {
      Json settings = Json::array();
      for (const auto& setting : member.settings)
        settings.push_back(setting.to_json());
      members.push_back({{"name", member.name},
                         {"description", member.description},
                         {"settings", settings}});
    }
    out["members"] = members;
  }
  return out;
}

namespace {

bool is_number_list(const Json& v) {
  if (!v.is_array()) return false;
  for (const auto& x : v)
    if (!x.is_number()) return false;
  return true;
}
bool is_matrix(const Json& v) {
  if (!v.is_array() || v.empty()) return false;
  for (const auto& row : v)
    if (!is_number_list(row) || row.size() != v[0].size() || row.empty())
      return false;
  return true;
}

void check_range(const ParamSpec& spec, double x, const std::string& path,
                 const std::string& owner) {
  const bool too_low =
      spec.min && (spec.min_exclusive ? !(x > *spec.min) : !(x >= *spec.min));
  const bool too_high =
      spec.max && (spec.max_exclusive ? !(x < *spec.max) : !(x <= *spec.max));
  if (!std::isfinite(x) || too_low || too_high)
    throw ConfigError(path,
                      fmt::format("{}: parameter '{}' = {} is out of range; "
                                  "allowed: {}",
                                  owner, spec.name, x, spec.allowed()));
}

void check_value(const ParamSpec& spec, const Json& value,
                 const std::string& path, const std::string& owner) {
  auto wrong_type = [&] {
    throw ConfigError(
        path, fmt::format("{}: parameter '{}' must be a {}, got {}", owner,
                          spec.name, to_string(spec.type), value.dump()));
  };
  switch (spec.type) {
    case ParamType::integer: {
      const bool integral =
          value.is_number_integer() ||
          (value.is_number_float() &&
           std::floor(value.get<double>()) == value.get<double>());
      if (!integral) wrong_type();
      // Beyond 2^53 a decimal number no longer names one integer, and an
      // integer beyond int64 none vibench can hold.
      if ((value.is_number_float() &&
           std::abs(value.get<double>()) > 9007199254740992.0) ||
          (value.is_number_unsigned() &&
           value.get<std::uint64_t>() >
               static_cast<std::uint64_t>(
                   std::numeric_limits<long long>::max())))
        throw ConfigError(path,
                          fmt::format("{}: '{}' = {} is beyond the integers "
                                      "vibench reads exactly",
                                      owner, spec.name, value.dump()));
      check_range(spec, value.get<double>(), path, owner);
      break;
    }
    case ParamType::real:
      if (!value.is_number()) wrong_type();
      check_range(spec, value.get<double>(), path, owner);
      break;
    case ParamType::boolean:
      if (!value.is_boolean()) wrong_type();
      break;
    case ParamType::string: {
      if (!value.is_string()) wrong_type();
      const auto s = value.get<std::string>();
      if (!spec.choices.empty() &&
          std::find(spec.choices.begin(), spec.choices.end(), s) ==
              spec.choices.end())
        throw ConfigError(
            path,
            fmt::format("{}: parameter '{}' = '{}' is not allowed{}; "
                        "allowed: {}",
                        owner, spec.name, s, did_you_mean(s, spec.choices),
                        quoted_list(spec.choices)));
      break;
    }
    case ParamType::vector:
      if (value.is_number()) {
        check_range(spec, value.get<double>(), path, owner);
      } else if (is_number_list(value) && !value.empty()) {
        for (const auto& x : value)
          check_range(spec, x.get<double>(), path, owner);
      } else {
        wrong_type();
      }
      break;
    case ParamType::matrix:
      if (!is_matrix(value)) wrong_type();
      break;
    case ParamType::matrix_list:
      if (!value.is_array() || value.empty()) wrong_type();
      for (const auto& m : value)
        if (!is_matrix(m)) wrong_type();
      break;
    case ParamType::component:
      break;  // checked and canonicalized by component_value()
    case ParamType::string_list:
      if (!value.is_array() || value.empty()) wrong_type();
      for (const auto& word : value)
        if (!word.is_string()) wrong_type();
      break;
    case ParamType::object:
      if (!value.is_object()) wrong_type();
      break;
  }
}

// The canonical value of a `component` parameter: {"name": member, settings
// with defaults}; errors name the member's JSON path and its settings.
Json component_value(const ParamSpec& spec, const Json& value,
                     const std::string& path, const std::string& owner) {
  const ComponentFamily& family = *spec.family;
  std::string name;
  Json settings = Json::object();
  if (value.is_string()) {
    name = value.get<std::string>();
  } else if (value.is_object() && value.contains("name") &&
             value["name"].is_string()) {
    name = value["name"].get<std::string>();
    settings = value;
    settings.erase("name");
  } else {
    throw ConfigError(
        path, fmt::format("{}: parameter '{}' must be a {} name or an object "
                          "{{\"name\": ..., settings}}, got {}",
                          owner, spec.name, family.what, value.dump()));
  }
  const ComponentFamily::Member* member = family.find(name);
  if (!member)
    throw ConfigError(
        value.is_string() ? path : path + "/name",
        fmt::format("{}: unknown {} '{}'{}; allowed: {}", owner, family.what,
                    name, did_you_mean(name, family.names()),
                    quoted_list(family.names())));
  Json out =
      validate_params(settings, member->settings, path,
                      fmt::format("{} {} '{}'", owner, family.what, name));
  out["name"] = name;
  return out;
}

}  // namespace

Json validate_params(const Json& given, const ParamSpecs& specs,
                     const std::string& json_path, const std::string& owner) {
  if (!given.is_null() && !given.is_object())
    throw ConfigError(
        json_path, fmt::format("{}: parameters must be a JSON object, got {}",
                               owner, given.dump()));
  std::vector<std::string> names;
  for (const auto& spec : specs) names.push_back(spec.name);
  Json effective = Json::object();
  if (given.is_object()) {
    for (const auto& [key, value] : given.items()) {
      if (std::find(names.begin(), names.end(), key) == names.end())
        throw ConfigError(
            json_path + "/" + key,
            fmt::format("{}: unknown parameter '{}'{}; allowed: {}", owner, key,
                        did_you_mean(key, names),
                        names.empty() ? "none" : quoted_list(names)));
    }
  }
  for (const auto& spec : specs) {
    const std::string path = json_path + "/" + spec.name;
    // null stands for "no value" only where that is the default (a
    // bandwidth left to a rule); elsewhere it would silently be the default.
    if (given.is_object() && given.contains(spec.name) &&
        given.at(spec.name).is_null() && !spec.default_value.is_null())
      throw ConfigError(
          path, fmt::format("{}: '{}' is null; give a {} (or leave the key "
                            "out for the default, {})",
                            owner, spec.name, to_string(spec.type),
                            spec.default_value.dump()));
    if (given.is_object() && given.contains(spec.name) &&
        !given.at(spec.name).is_null()) {
      check_value(spec, given.at(spec.name), path, owner);
      Json value = given.at(spec.name);
      // Integers given as 3.0 are stored as 3, so canonical JSON (and thus
      // seeds and cell ids) do not depend on how the user spelled them.
      if (spec.type == ParamType::integer && value.is_number_float())
        value = static_cast<long long>(value.get<double>());
      if (spec.type == ParamType::component)
        value = component_value(spec, value, path, owner);
      effective[spec.name] = value;
    } else if (spec.type == ParamType::component) {
      effective[spec.name] =
          component_value(spec, spec.default_value, path, owner);
    } else {
      effective[spec.name] = spec.default_value;
    }
  }
  return effective;
}

const Json& Params::at(const std::string& name) const {
  if (!values_.contains(name))
    throw std::logic_error("parameter '" + name + "' was never declared");
  return values_.at(name);
}

bool Params::has(const std::string& name) const {
  return values_.contains(name) && !values_.at(name).is_null();
}
double Params::real(const std::string& name) const {
  return at(name).get<double>();
}
long long Params::integer(const std::string& name) const {
  return static_cast<long long>(at(name).get<double>());
}
bool Params::boolean(const std::string& name) const {
  return at(name).get<bool>();
}
std::string Params::string(const std::string& name) const {
  return at(name).get<std::string>();
}

Vector Params::vector(const std::string& name, Index dim) const {
  const Json& v = at(name);
  if (v.is_number()) return Vector::Constant(dim, v.get<double>());
  if (static_cast<Index>(v.size()) != dim)
    throw ConfigError(
        "", fmt::format("parameter '{}' has {} entries, expected {}", name,
                        v.size(), dim));
  Vector out(dim);
  for (Index i = 0; i < dim; ++i) out(i) = v[i].get<double>();
  return out;
}

namespace {
Matrix json_to_matrix(const Json& m) {
  Matrix out(m.size(), m[0].size());
  for (Index i = 0; i < out.rows(); ++i)
    for (Index j = 0; j < out.cols(); ++j) out(i, j) = m[i][j].get<double>();
  return out;
}
}  // namespace

Matrix Params::matrix(const std::string& name) const {
  return json_to_matrix(at(name));
}

std::vector<std::string> Params::string_list(const std::string& name) const {
  return at(name).get<std::vector<std::string>>();
}

std::string Params::component_name(const std::string& name) const {
  return at(name).at("name").get<std::string>();
}

Params Params::component_settings(const std::string& name) const {
  Json settings = at(name);
  settings.erase("name");
  return Params(std::move(settings));
}

std::vector<Matrix> Params::matrix_list(const std::string& name) const {
  std::vector<Matrix> out;
  for (const auto& m : at(name)) out.push_back(json_to_matrix(m));
  return out;
}

}  // namespace vibench
