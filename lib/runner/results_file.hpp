// Result files: one JSON document per run, written atomically, with a
// journal of finished records beside it so an interrupted run loses nothing.
#pragma once

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "core/params.hpp"

namespace vibench {

inline constexpr int kResultsSchemaVersion = 1;

// The context block: vibench version, git revision, compiler and flags, CPU,
// threads, start and end time.
Json run_context(int threads, const std::string& start_time,
                 const std::string& end_time, const std::string& command_line);

// UTC time as ISO 8601, e.g. 2026-11-21T22:45:08Z.
std::string utc_now();

// Writes `text` to `path` through a temporary file in the same directory and
// a rename, so readers never see a half-written file. Creates missing parent
// directories.
void write_atomically(const std::string& path, const std::string& text);

// Appends finished records, one JSON line each, flushed at once. The first
// line identifies the suite, so that --resume can refuse a journal of another
// suite.
class Journal {
 public:
  static std::string path_for(const std::string& results_path);
  // Opens for appending; writes the header line when the file is new.
  Journal(const std::string& path, const std::string& suite_hash);
  void append(const Json& record);  // thread-safe
  // Records of a journal written for `suite_hash`; throws ConfigError for a
  // journal of another suite.
  static std::vector<Json> read(const std::string& path,
                                const std::string& suite_hash);

 private:
  std::ofstream out_;
  std::mutex mutex_;
};

}  // namespace vibench
