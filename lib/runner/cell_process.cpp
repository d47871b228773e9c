#include "runner/cell_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <omp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <vector>

#include "core/close_descriptors.hpp"
#include "core/process_status.hpp"

namespace vibench {

namespace {

// The first byte of the child's reply: a record (CBOR follows) or the text
// of an exception that escaped the work.
constexpr char kRecordTag = 'R';
constexpr char kErrorTag = 'E';

// Exit statuses of a child that could not deliver its reply.
constexpr int kExitParentGone = 120;
constexpr int kExitWriteFailed = 121;

// Virtual size of the calling process, from /proc/self/statm; 0 if unknown.
std::uint64_t address_space_bytes() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (!file) return 0;
  unsigned long long pages = 0;
  const int read = std::fscanf(file, "%llu", &pages);
  std::fclose(file);
  if (read != 1) return 0;
  return static_cast<std::uint64_t>(pages) *
         static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

bool write_fully(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

[[noreturn]] void child_main(int reply_fd, pid_t parent,
                             const std::function<Json()>& work,
                             const ProcessLimits& limits) {
  // Die with the runner: a killed runner must not leave cells computing.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(kExitParentGone);
  close_descriptors_from(3, reply_fd);
  // A cell is one thread whatever the runner's --jobs (DESIGN.md); the
  // results of the few OpenMP loops inside a cell do not depend on it.
  omp_set_num_threads(1);
  if (limits.memory_bytes > 0) {
    const std::uint64_t inherited = address_space_bytes();
    const std::uint64_t cap = std::numeric_limits<rlim_t>::max();
    rlimit limit{};
    limit.rlim_cur = limit.rlim_max =
        static_cast<rlim_t>(limits.memory_bytes > cap - inherited
                                ? cap
                                : inherited + limits.memory_bytes);
    setrlimit(RLIMIT_AS, &limit);
  }

  std::vector<std::uint8_t> body;
  char tag = kRecordTag;
  try {
    body = Json::to_cbor(work());
  } catch (const std::bad_alloc&) {
    tag = kErrorTag;
    const std::string text = "out of memory (std::bad_alloc)";
    body.assign(text.begin(), text.end());
  } catch (const std::exception& e) {
    tag = kErrorTag;
    const std::string text = e.what();
    body.assign(text.begin(), text.end());
  } catch (...) {
    tag = kErrorTag;
    const std::string text = "an exception of unknown type";
    body.assign(text.begin(), text.end());
  }
  const bool written =
      write_fully(reply_fd, &tag, 1) &&
      write_fully(reply_fd, reinterpret_cast<const char*>(body.data()),
                  body.size());
  _exit(written ? 0 : kExitWriteFailed);
}

// Reads the reply until end of file or the deadline; false at the deadline.
bool read_reply(
    int fd,
    const std::optional<std::chrono::steady_clock::time_point>& deadline,
    std::string& reply, std::string& error) {
  char chunk[1 << 16];
  for (;;) {
    int timeout_ms = -1;
    if (deadline) {
      const double remaining_ms =
          std::chrono::duration<double, std::milli>(
              *deadline - std::chrono::steady_clock::now())
              .count();
      if (remaining_ms <= 0) return false;
      timeout_ms = static_cast<int>(
          std::min<double>(std::ceil(remaining_ms), INT_MAX / 2));
    }
    pollfd ready{fd, POLLIN, 0};
    const int polled = poll(&ready, 1, timeout_ms);
    if (polled < 0) {
      if (errno == EINTR) continue;
      error = fmt::format("waiting for the cell's process: {}",
                          std::strerror(errno));
      return true;
    }
    if (polled == 0) continue;  // the deadline is checked above
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n > 0) {
      reply.append(chunk, static_cast<size_t>(n));
    } else if (n == 0) {
      return true;
    } else if (errno != EINTR) {
      error = fmt::format("reading the cell's reply: {}", std::strerror(errno));
      return true;
    }
  }
}

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return status;
}

}  // namespace

std::variant<Json, ChildFailure> run_in_child_process(
    const std::function<Json()>& work, const ProcessLimits& limits) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return ChildFailure{CellStatus::failed,
                        fmt::format("could not start the cell's process "
                                    "(pipe: {})",
                                    std::strerror(errno))};
  const pid_t parent = getpid();
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(fds[0]);
    close(fds[1]);
    return ChildFailure{CellStatus::failed,
                        fmt::format("could not start the cell's process "
                                    "(fork: {}); --isolation none runs cells "
                                    "in the runner's own process",
                                    std::strerror(error))};
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], parent, work, limits);
  }
  close(fds[1]);

  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (limits.wall_seconds > 0)
    deadline =
        start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(limits.wall_seconds));
  std::string reply, error;
  const bool in_time = read_reply(fds[0], deadline, reply, error);
  close(fds[0]);
  if (!in_time || !error.empty()) kill(pid, SIGKILL);
  const int status = wait_for(pid);

  if (!in_time)
    return ChildFailure{
        CellStatus::timeout,
        fmt::format("killed at the hard wall-time limit of {} s",
                    limits.wall_seconds)};
  if (!error.empty()) return ChildFailure{CellStatus::failed, error};
  if (status < 0)
    return ChildFailure{CellStatus::failed,
                        fmt::format("waiting for the cell's process: {}",
                                    std::strerror(errno))};
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    return ChildFailure{
        CellStatus::failed,
        fmt::format("the cell's process was killed by signal {}{}",
                    describe_signal(signal_number),
                    signal_number == SIGKILL
                        ? ", not by the runner (perhaps the system's "
                          "out-of-memory killer)"
                        : "")};
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return ChildFailure{
        CellStatus::failed,
        fmt::format("the cell's process exited with status {} without "
                    "returning its record",
                    WEXITSTATUS(status))};
  if (reply.empty())
    return ChildFailure{CellStatus::failed,
                        "the cell's process ended without returning its "
                        "record"};
  if (reply.front() == kErrorTag)
    return ChildFailure{CellStatus::failed, reply.substr(1)};
  if (reply.front() == kRecordTag) {
    try {
      return Json::from_cbor(reply.begin() + 1, reply.end());
    } catch (const Json::exception& e) {
      return ChildFailure{
          CellStatus::failed,
          fmt::format("the cell's process returned a malformed record: {}",
                      e.what())};
    }
  }
  return ChildFailure{CellStatus::failed,
                      "the cell's process returned an unrecognized reply"};
}

}  // namespace vibench
