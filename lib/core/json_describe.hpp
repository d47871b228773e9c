// What a JSON value is, in words, for error messages: "a number", "an array
// of 3 elements".
#pragma once

#include <fmt/format.h>

#include <string>

namespace vibench {

// Works for nlohmann::json and nlohmann::ordered_json alike.
template <class AnyJson>
std::string describe_json(const AnyJson& value) {
  if (value.is_array())
    return fmt::format("an array of {} element{}", value.size(),
                       value.size() == 1 ? "" : "s");
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_null()) return "null";
  return "an object";
}

}  // namespace vibench
