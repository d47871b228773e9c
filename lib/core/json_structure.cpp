#include "core/json_structure.hpp"

#include <fmt/format.h>

#include <unordered_map>
#include <vector>

#include "core/error.hpp"

namespace vibench {

void check_json_structure(std::string_view text, const std::string& file) {
  // One frame per open array or object; an object's frame holds the lines
  // of the keys seen so far.
  struct Frame {
    bool object = false;
    std::unordered_map<std::string_view, size_t> keys;
  };
  std::vector<Frame> frames;
  size_t line = 1, column = 0;
  // The last string closed outside any other token, and where it began: a
  // key if the next significant character is ':'.
  std::string_view last_string;
  size_t last_string_line = 0;
  bool string_pending = false;
  size_t string_start = 0, string_line = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
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
      else if (c == '"') {
        in_string = false;
        last_string = text.substr(string_start, i - string_start);
        last_string_line = string_line;
        string_pending = true;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == ':' && string_pending && !frames.empty() && frames.back().object) {
      const auto [it, inserted] =
          frames.back().keys.emplace(last_string, last_string_line);
      if (!inserted)
        throw ConfigError(
            file, fmt::format("key \"{}\" appears twice in one object (lines "
                              "{} and {}); JSON keeps only the last silently, "
                              "so vibench refuses it",
                              last_string, it->second, last_string_line));
    }
    string_pending = false;
    if (c == '"') {
      in_string = true;
      string_start = i + 1;
      string_line = line;
    } else if (c == '[' || c == '{') {
      if (frames.size() >= static_cast<size_t>(kMaxJsonDepth))
        throw ConfigError(
            file, fmt::format("JSON nested more than {} levels deep (line {}, "
                              "column {}); vibench's files nest a few levels",
                              kMaxJsonDepth, line, column));
      frames.push_back(Frame{c == '{', {}});
    } else if (c == ']' || c == '}') {
      if (!frames.empty()) frames.pop_back();
    }
  }
}

}  // namespace vibench
