// Result files: one JSON document per run, written atomically, with a
// journal of finished records beside it so an interrupted run loses nothing.
#pragma once

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "core/atomic_write.hpp"
#include "core/params.hpp"
#include "core/timestamp.hpp"

namespace vibench {

inline constexpr int kResultsSchemaVersion = 1;

// The context block: vibench version, git revision, compiler and flags, CPU,
// threads, start and end time.
Json run_context(int threads, const std::string& start_time,
                 const std::string& end_time, const std::string& command_line);

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
