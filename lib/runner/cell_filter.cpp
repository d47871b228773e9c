#include "runner/cell_filter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"

#if !defined(__GLIBCXX__)
#error "--filter's bound relies on libstdc++'s polynomial regex executor"
#endif

namespace vibench {

namespace {

[[noreturn]] void refuse(const std::string& pattern, const std::string& why) {
  throw ConfigError("--filter",
                    fmt::format("'{}' is refused: {} (a bound that keeps "
                                "matching fast and the stack safe; see "
                                "'Limits' in the README)",
                                pattern, why));
}

// An upper bound on the states of the automaton libstdc++ compiles from
// `pattern`, counted the way its compiler builds them with room to spare:
// a character, class or assertion 2; a group its inside + 3; `|` 3; `*`,
// `+` 2 and `?` 3 on top of what they repeat; {m,n} max(m, n) + 1 copies
// of it. Syntax errors are left to the compiler, which runs only on a
// pattern within the bound. Refuses lookaheads inside lookaheads.
double automaton_states(const std::string& pattern) {
  struct Frame {
    double total = 0;  // states of this group so far
    double last = 0;   // of its last atom, which a quantifier repeats
    bool lookahead = false;
  };
  std::vector<Frame> frames(1);
  size_t open_lookaheads = 0;
  const auto atom = [&](double size) {
    frames.back().total += size;
    frames.back().last = size;
  };
  const auto repeat = [&](double size) {
    Frame& f = frames.back();
    f.total += size - f.last;
    f.last = size;
  };
  const size_t n = pattern.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;  // the escaped character; \d, \x41 and the like count as atoms
      atom(2);
    } else if (c == '[') {
      // ECMAScript: the class ends at the first unescaped ']'.
      for (++i; i < n && pattern[i] != ']'; ++i)
        if (pattern[i] == '\\') ++i;
      atom(2);
    } else if (c == '(') {
      Frame inner;
      if (pattern.compare(i, 3, "(?=") == 0 ||
          pattern.compare(i, 3, "(?!") == 0) {
        if (open_lookaheads > 0)
          throw std::invalid_argument(
              "a lookahead inside a lookahead (each multiplies the time by "
              "the length of an id)");
        inner.lookahead = true;
        ++open_lookaheads;
        i += 2;
      } else if (pattern.compare(i, 3, "(?:") == 0) {
        i += 2;
      }
      frames.push_back(inner);
    } else if (c == ')') {
      if (frames.size() == 1) continue;  // unbalanced: the compiler says so
      const Frame inner = frames.back();
      frames.pop_back();
      if (inner.lookahead) --open_lookaheads;
      atom(inner.total + 3);
    } else if (c == '|') {
      frames.back().total += 3;
      frames.back().last = 0;
    } else if (c == '*' || c == '+') {
      repeat(frames.back().last + 2);
    } else if (c == '?') {
      repeat(frames.back().last + 3);
    } else if (c == '{') {
      // {m}, {m,} or {m,n}; anything else is a literal '{' (or an error
      // the compiler reports).
      size_t j = i + 1;
      double low = 0, high = 0;
      bool digits = false, comma = false, high_digits = false;
      for (; j < n && std::isdigit(static_cast<unsigned char>(pattern[j]));
           ++j) {
        low = low * 10 + (pattern[j] - '0');
        digits = true;
      }
      if (j < n && pattern[j] == ',') {
        comma = true;
        for (++j; j < n && std::isdigit(static_cast<unsigned char>(pattern[j]));
             ++j) {
          high = high * 10 + (pattern[j] - '0');
          high_digits = true;
        }
      }
      if (digits && j < n && pattern[j] == '}') {
        const double copies =
            std::max(low, comma && high_digits ? high : low) + 2;
        repeat(copies * (frames.back().last + 1) + 2);
        i = j;
      } else {
        atom(2);
      }
    } else {
      atom(2);
    }
  }
  while (frames.size() > 1) {  // unclosed groups: the compiler says so
    const Frame inner = frames.back();
    frames.pop_back();
    atom(inner.total + 3);
  }
  // The whole-id wrapper [\s\S]*(?:...)[\s\S]*, the start and accept states.
  return frames.back().total + 16;
}

constexpr auto kPolynomial =
    std::regex::ECMAScript | std::regex_constants::__polynomial;

}  // namespace

void keep_matching_cells(std::vector<Cell>& cells, const std::string& pattern) {
  if (pattern.size() > kMaxFilterLength)
    refuse(pattern.substr(0, 40) + "...",
           fmt::format("it has {} characters, and --filter takes at most {}",
                       pattern.size(), kMaxFilterLength));
  double states = 0;
  try {
    states = automaton_states(pattern);
  } catch (const std::invalid_argument& e) {
    refuse(pattern, e.what());
  }
  if (states > kMaxFilterStates)
    refuse(pattern,
           fmt::format("its automaton may have about {:.3g} states, and "
                       "--filter takes at most {} (counted repetitions such "
                       "as {{1000}} copy what they repeat)",
                       states, kMaxFilterStates));
  std::regex whole_id;
  try {
    // Alone first, so that a syntax error is reported as the user wrote it
    // (the wrapper could balance a stray parenthesis).
    [[maybe_unused]] const std::regex alone(pattern, kPolynomial);
    whole_id = std::regex("[\\s\\S]*(?:" + pattern + ")[\\s\\S]*", kPolynomial);
  } catch (const std::regex_error& e) {
    if (e.code() == std::regex_constants::error_complexity)
      refuse(pattern,
             "back-references (\\1) need a backtracking matcher, whose time "
             "can grow exponentially with the length of an id");
    throw ConfigError("--filter",
                      fmt::format("not a valid regular expression '{}': {}",
                                  pattern, e.what()));
  }
  try {
    std::erase_if(cells, [&](const Cell& cell) {
      return !std::regex_match(cell.id, whole_id);
    });
  } catch (const std::regex_error& e) {
    throw ConfigError(
        "--filter", fmt::format("matching '{}' failed: {}", pattern, e.what()));
  }
}

}  // namespace vibench
