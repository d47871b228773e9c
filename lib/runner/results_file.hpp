// Result files: one JSON document per run, written atomically, with a
// journal of finished records beside it so an interrupted run loses nothing.
#pragma once

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

// What makes two builds' results comparable bit for bit: vibench version,
// git revision, compiler and flags.
Json build_identity();

// An exclusive lock on `results_path` + ".lock" (flock), held for the
// object's life and removed with it, so that two runs never write one
// result file and its journal at once. ConfigError (at "--output") when
// another process holds it.
class OutputLock {
 public:
  explicit OutputLock(const std::string& results_path);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

// Appends finished records, one JSON line each. The first line identifies
// the suite, so that --resume can refuse a journal of another suite.
//
// Nothing finished is lost to a crash, a kill or a full disk: each record
// and its newline go to the file in one write (a kill leaves at most one
// torn line, at the end), the file is flushed to disk at most
// kSyncInterval after a record and when the journal closes, a torn tail
// is cut off before the first new record is appended, and the reader skips
// (and reports) a line it cannot read instead of stopping there. Every
// write is checked: a failure throws a runtime_error naming the file and the
// system's reason (e.g. "No space left on device").
class Journal {
 public:
  static constexpr double kSyncInterval = 1.0;  // seconds

  static std::string path_for(const std::string& results_path);
  // Opens for appending; writes the header line when the file is new or
  // holds nothing whole.
  Journal(const std::string& path, const std::string& suite_hash);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  void append(const Json& record);  // thread-safe

  struct Contents {
    std::vector<Json> records;
    std::vector<std::string> skipped;  // "line 7: ...", one per bad line
  };
  // Records of a journal written for `suite_hash`, skipping lines that are
  // not whole JSON records; throws ConfigError for a journal of another
  // suite, or of another build (build_identity()) unless `other_build`.
  static Contents read(const std::string& path, const std::string& suite_hash,
                       bool other_build = false);

 private:
  void sync_locked();

  std::string path_;
  int fd_ = -1;
  std::mutex mutex_;
  double last_sync_ = 0;  // steady-clock seconds
};

}  // namespace vibench
