// Checks of JSON text before it is parsed, for what nlohmann's parser lets
// through:
// - nesting: the parser copes with any depth, but formatting, copying or
//   destroying a value nested 10⁵ levels deep recurses once per level and
//   can overflow the stack (vibench's own files nest a handful of levels);
// - duplicate keys: the parser keeps the last of two equal keys of one
//   object silently, so `"step_size": 0.1, ..., "step_size": 1` would run
//   with 1 and no word;
// - numbers beyond a double's range (1e999): the parser throws an
//   out_of_range exception ("number overflow") with neither line nor key,
//   which callers that catch parse errors let escape without the file.
#pragma once

#include <string>
#include <string_view>

namespace vibench {

inline constexpr int kMaxJsonDepth = 256;

// Throws ConfigError (at `file`) naming the line and column where `text`
// nests arrays and objects deeper than kMaxJsonDepth, or a key that appears
// twice in one object with the lines of both. Throws ConfigError at `file`
// followed by the value's JSON pointer ("f.json: /tasks/0/params/dim", or
// the pointer alone when `file` is empty) for a number whose magnitude is
// beyond a double's (it would read as infinity), with its line and column.
// Brackets inside strings do not count; keys are compared as written
// (escapes not decoded). Linear in the text; does not validate the rest of
// the syntax (the parser does).
void check_json_structure(std::string_view text, const std::string& file);

}  // namespace vibench
