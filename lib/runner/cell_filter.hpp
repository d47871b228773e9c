// `vibench run --filter REGEX`: which cells of a suite to run, by a regular
// expression (ECMAScript syntax) searched in their ids, with a guaranteed
// bound on the work.
//
// std::regex matches by backtracking by default: `(a*)*b` takes time
// exponential in the length of an id, and even `.*` recurses once per
// character, so a long id (a task given a long list) overflows the stack.
// The filter is matched instead by libstdc++'s polynomial executor (the
// documented extension regex_constants::__polynomial, a breadth-first
// simulation of the automaton that never revisits a state at one position),
// in a single pass over each id (the pattern is searched as a whole-id match
// of [\s\S]*(?:REGEX)[\s\S]*), which guarantees:
// - time per id at most proportional to |id| × S × (G + 1) × (1 + L·|id|),
//   S the automaton's states, G the capture groups, L the lookaheads;
//   never exponential, whatever the nesting of quantifiers;
// - recursion at most S deep (the executor's closure over a position), so
//   no id can overflow the stack;
// by refusing, before anything is compiled, a pattern longer than
// kMaxFilterLength, one whose automaton may exceed kMaxFilterStates (an
// upper bound computed from the pattern: counted repetitions multiply), a
// lookahead inside a lookahead (each multiplies the time by |id|), and
// back-references (which need backtracking: the executor rejects them).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "runner/suite.hpp"

namespace vibench {

inline constexpr size_t kMaxFilterLength = 1000;
inline constexpr double kMaxFilterStates = 2048;

// Keeps the cells whose id contains a match of `pattern`, in order. Throws
// ConfigError at "--filter" saying why a pattern is refused or invalid.
void keep_matching_cells(std::vector<Cell>& cells, const std::string& pattern);

}  // namespace vibench
