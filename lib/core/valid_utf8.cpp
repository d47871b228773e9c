#include "core/valid_utf8.hpp"

#include <nlohmann/json.hpp>

namespace vibench {

std::string valid_utf8(std::string_view text) {
  // nlohmann's serializer validates UTF-8 and, with the `replace` handler,
  // writes U+FFFD for each byte that does not begin a well-formed sequence;
  // reading the string back gives the text with those replacements.
  using Json = nlohmann::json;
  const std::string quoted =
      Json(std::string(text))
          .dump(-1, ' ', false, Json::error_handler_t::replace);
  return Json::parse(quoted).get<std::string>();
}

}  // namespace vibench
