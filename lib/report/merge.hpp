// `vibench merge`: joins result files of one suite, e.g. the shards of
// `vibench run --shard K/N`, into one result file.
#pragma once

#include <string>
#include <vector>

#include "report/export.hpp"

namespace vibench {

// Merges result files of the same suite (same suite_hash). Throws
// ConfigError for files of different suites (naming both files and hashes)
// and for a cell id present twice (naming the id and both files).
//
// The merged document has the suite, suite_hash, suite_file and metrics of
// the first input; its cells are in the order expand_cells gives for the
// suite (tasks, then algorithms, then replicates, matched by their effective
// parameters against the canonical suite); a cell that cannot be matched
// follows in order of first appearance. Its context is
//   {"merge": {vibench_version, git_revision, command, time},
//    "merged_from": [{"file", "cells", "context"}, ...]}
// where a merged input contributes its own merged_from entries (flattened).
Json merge_results(const std::vector<ResultsInput>& inputs,
                   const std::string& command_line);

}  // namespace vibench
