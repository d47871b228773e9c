#include "core/json_depth.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace vibench {

void check_json_depth(std::string_view text, const std::string& file) {
  int depth = 0;
  size_t line = 1, column = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
    }
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        throw ConfigError(
            file, fmt::format("JSON nested more than {} levels deep (line {}, "
                              "column {}); vibench's files nest a few levels",
                              kMaxJsonDepth, line, column));
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

}  // namespace vibench
