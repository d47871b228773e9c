// `vibench merge`: joins result files of one suite, e.g. the shards of
// `vibench run --shard K/N`, into one result file.
#pragma once

#include <map>
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
// It does not check that the inputs cover their suite (merge_coverage does);
// a partial input's "missing_cells" is dropped (it is recomputed).
Json merge_results(const std::vector<ResultsInput>& inputs,
                   const std::string& command_line);

// What a merged document lacks of the cells its inputs were run for.
struct MergeCoverage {
  // False when the embedded suite could not be expanded (the reason is in
  // unchecked_reason): nothing is known to be missing then.
  bool checked = false;
  std::string unchecked_reason;
  size_t expected = 0;               // cells the inputs were run for
  std::vector<std::string> missing;  // their ids, in suite order
  // Missing cells grouped by the shard (of run --shard K/N) that runs them.
  struct Shard {
    std::string name;                  // "3/4", or "3/4 of --filter 'gmm'"
    size_t cells = 0;                  // every cell of that shard
    bool has_input = false;            // some input was run as that shard
    std::vector<std::string> missing;  // its missing cell ids
  };
  std::vector<Shard> shards;
  std::vector<std::string> unsharded;  // missing cells of no known shard
};

// The cells of the suite embedded in a merged document (merge_results'
// output) that no input holds. The cells the inputs were run for are every
// cell of the suite, or, when each input was run with --filter ("filter" in
// its context), the cells matching one of those filters. When inputs were
// run with --shard K/N ("shard" in their context), missing cells are named
// by their shard.
MergeCoverage merge_coverage(const Json& merged);

// "shard 3/4 missing (18 cells: ID, ID, ID and 15 more)", one clause per
// shard (and one for missing cells of no shard), naming `max_ids` ids each.
std::string describe_missing(const MergeCoverage& coverage, size_t max_ids = 3);

// How many cells of `document` ended neither ok nor skipped, by status.
std::map<std::string, size_t> not_ok_counts(const Json& document);

}  // namespace vibench
