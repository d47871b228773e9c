#include "core/json_structure.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"

namespace vibench {

namespace {

// One open array or object: an object's keys seen so far (with their
// lines) and its current key, an array's current element index; together
// they give the JSON pointer of the value being read.
struct Frame {
  bool object = false;
  std::unordered_map<std::string_view, size_t> keys;
  std::string_view key;
  size_t index = 0;
};

// The JSON pointer of the value being read ("" at the top level); keys as
// written, with '~' and '/' escaped as JSON pointers require.
std::string json_pointer(const std::vector<Frame>& frames) {
  std::string out;
  for (const Frame& frame : frames) {
    out += '/';
    if (!frame.object) {
      out += std::to_string(frame.index);
      continue;
    }
    for (const char c : frame.key)
      out += c == '~'   ? std::string("~0")
             : c == '/' ? std::string("~1")
                        : std::string(1, c);
  }
  return out;
}

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
         c == 'e' || c == 'E';
}

// Whether a number token can be beyond a double's range at all: only with
// more than 300 characters or a non-negative exponent of three digits or
// more. Result files hold millions of numbers; the others skip strtod.
bool may_overflow(std::string_view number) {
  if (number.size() > 300) return true;
  const size_t e = number.find_first_of("eE");
  if (e == std::string_view::npos) return false;
  std::string_view exponent = number.substr(e + 1);
  if (!exponent.empty() && exponent.front() == '-') return false;
  if (!exponent.empty() && exponent.front() == '+') exponent.remove_prefix(1);
  return exponent.size() >= 3;
}

}  // namespace

void check_json_structure(std::string_view text, const std::string& file) {
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
      frames.back().key = last_string;
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
      frames.push_back(Frame{c == '{', {}, {}, 0});
    } else if (c == ']' || c == '}') {
      if (!frames.empty()) frames.pop_back();
    } else if (c == ',') {
      if (!frames.empty() && !frames.back().object) ++frames.back().index;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      // A number: beyond ±1.8e308 strtod gives ±inf, where nlohmann's
      // parser throws "number overflow" (out_of_range 406).
      size_t end = i;
      while (end < text.size() && is_number_char(text[end])) ++end;
      const std::string_view number = text.substr(i, end - i);
      if (may_overflow(number) &&
          std::isinf(std::strtod(std::string(number).c_str(), nullptr))) {
        const std::string pointer = json_pointer(frames);
        throw ConfigError(
            file.empty() || pointer.empty() ? file + pointer
                                            : file + ": " + pointer,
            fmt::format("the number {} (line {}, column {}) is beyond the "
                        "range of a double (magnitudes up to about 1.8e308); "
                        "give a finite number",
                        number, line, column));
      }
      column += end - i - 1;
      i = end - 1;
    }
  }
}

}  // namespace vibench
