// A bound on the nesting of JSON read from files, checked before parsing:
// nlohmann's parser copes with any depth, but formatting, copying or
// destroying a value nested 10⁵ levels deep recurses once per level and can
// overflow the stack. vibench's own files nest a handful of levels.
#pragma once

#include <string>
#include <string_view>

namespace vibench {

inline constexpr int kMaxJsonDepth = 256;

// Throws ConfigError (at `file`) naming the line and column where `text`
// nests arrays and objects deeper than kMaxJsonDepth. Brackets inside
// strings do not count.
void check_json_depth(std::string_view text, const std::string& file);

}  // namespace vibench
