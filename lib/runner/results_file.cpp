#include "runner/results_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/error.hpp"
#include "core/json_structure.hpp"
#include "core/kernel_backend.hpp"
#include "vibench_revision.hpp"

namespace vibench {

namespace fs = std::filesystem;

namespace {
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  return "unknown";
}
}  // namespace

Json run_context(int threads, const std::string& start_time,
                 const std::string& end_time, const std::string& command_line) {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return {
      {"vibench_version", VIBENCH_VERSION},
      {"git_revision", VIBENCH_GIT_REVISION},
      {"compiler", VIBENCH_COMPILER},
      {"flags", VIBENCH_FLAGS},
      {"eigen_version", fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION,
                                    EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
      {"cpu", cpu_model()},
      {"kernels", kernel_backend_context()},
      {"hardware_threads", std::thread::hardware_concurrency()},
      {"threads", threads},
      {"host", host},
      {"command", command_line},
      {"start_time", start_time},
      {"end_time", end_time}};
}

Json build_identity() {
  return {{"vibench_version", VIBENCH_VERSION},
          {"git_revision", VIBENCH_GIT_REVISION},
          {"compiler", VIBENCH_COMPILER},
          {"flags", VIBENCH_FLAGS},
          // The native kernels' last bits differ from the portable ones'.
          {"kernels",
           kernel_backend() == KernelBackend::native ? "native" : "portable"}};
}

OutputLock::OutputLock(const std::string& results_path)
    : path_(results_path + ".lock") {
  const fs::path p(path_);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error(fmt::format("cannot create the lock file '{}': {}",
                                         path_, std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw ConfigError(
        "--output",
        fmt::format("another vibench run is writing '{}' (it holds '{}'); "
                    "wait for it to finish or choose another file with -o",
                    results_path, path_));
  }
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
}

std::string Journal::path_for(const std::string& results_path) {
  return results_path + ".journal.jsonl";
}

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void journal_error(const std::string& what,
                                const std::string& path) {
  throw std::runtime_error(
      fmt::format("{} journal '{}': {}", what, path, std::strerror(errno)));
}

}  // namespace

Journal::Journal(const std::string& path, const std::string& suite_hash)
    : path_(path) {
  const fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) journal_error("cannot open", path);
  // Cut a torn last line (a record whose write was interrupted) so that the
  // next record starts on a line of its own.
  const off_t size = ::lseek(fd_, 0, SEEK_END);
  if (size < 0) journal_error("cannot read", path);
  // Only the tail is read, backwards in blocks, until its last newline: the
  // journal of a large suite is not read whole to find one torn line.
  off_t keep = 0;
  char block[4096];
  for (off_t end = size; end > 0 && keep == 0;) {
    const off_t start = std::max<off_t>(0, end - off_t{sizeof block});
    const size_t length = static_cast<size_t>(end - start);
    if (::pread(fd_, block, length, start) != static_cast<ssize_t>(length))
      journal_error("cannot read", path);
    for (size_t i = length; i-- > 0;)
      if (block[i] == '\n') {
        keep = start + static_cast<off_t>(i) + 1;
        break;
      }
    end = start;
  }
  if (keep != size && ::ftruncate(fd_, keep) != 0)
    journal_error("cannot truncate the torn tail of", path);
  if (::lseek(fd_, 0, SEEK_END) < 0) journal_error("cannot seek in", path);
  if (keep == 0) {
    const std::string header = Json({{"vibench_journal", kResultsSchemaVersion},
                                     {"suite_hash", suite_hash},
                                     {"build", build_identity()}})
                                   .dump() +
                               "\n";
    write_all(fd_, header.data(), header.size(), path);
    if (::fsync(fd_) != 0) journal_error("cannot flush", path);
  }
  last_sync_ = steady_seconds();
}

Journal::~Journal() {
  if (fd_ < 0) return;
  ::fsync(fd_);  // best effort: a destructor cannot report
  ::close(fd_);
}

void Journal::sync_locked() {
  if (::fsync(fd_) != 0) journal_error("cannot flush", path_);
  last_sync_ = steady_seconds();
}

void Journal::append(const Json& record) {
  const std::string line = record.dump() + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  const off_t before = ::lseek(fd_, 0, SEEK_END);
  try {
    write_all(fd_, line.data(), line.size(), path_);
  } catch (...) {
    // A write cut short (a full disk): cut the partial line off again, so
    // that the journal stays whole records.
    if (before >= 0 && ::ftruncate(fd_, before) == 0) ::fsync(fd_);
    throw;
  }
  if (steady_seconds() - last_sync_ >= kSyncInterval) sync_locked();
}

Journal::Contents Journal::read(const std::string& path,
                                const std::string& suite_hash,
                                bool other_build) {
  std::ifstream in(path);
  Contents out;
  std::string line;
  bool header = true;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    Json value;
    try {
      check_json_structure(line, path);
      value = Json::parse(line);
    } catch (const std::exception&) {
      // A line torn by an interruption (or garbage): the records around it
      // still count.
      out.skipped.push_back(
          fmt::format("line {}: not a whole JSON record ({} bytes), skipped",
                      number, line.size()));
      continue;
    }
    if (header) {
      header = false;
      if (!value.is_object() || !value.contains("vibench_journal"))
        throw ConfigError("", fmt::format("'{}' is not a vibench journal (its "
                                          "line {} is no journal header); "
                                          "remove it or run with --force",
                                          path, number));
      if (value.value("suite_hash", std::string()) != suite_hash)
        throw ConfigError("",
                          fmt::format("journal '{}' belongs to another suite "
                                      "(or another version of this one); "
                                      "remove it or run with --force",
                                      path));
      const Json build = value.value("build", Json());
      if (!other_build && build != build_identity())
        throw ConfigError(
            "",
            fmt::format("journal '{}' was written by another build ({}; this "
                        "is {}), whose records need not be this build's bit "
                        "for bit: pass --resume-other-build to reuse them "
                        "anyway, or --force to start over",
                        path, build.is_null() ? "unrecorded" : build.dump(),
                        build_identity().dump()));
      continue;
    }
    if (!value.is_object() || !value.contains("id")) {
      out.skipped.push_back(
          fmt::format("line {}: not a cell record (no 'id'), skipped", number));
      continue;
    }
    out.records.push_back(std::move(value));
  }
  return out;
}

}  // namespace vibench
