#include "external/line_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "core/close_descriptors.hpp"
#include "core/error.hpp"
#include "core/process_status.hpp"
#include "core/valid_utf8.hpp"

namespace vibench {

namespace {

std::string quoted_command(const std::vector<std::string>& command) {
  std::string text;
  for (const auto& word : command) {
    if (!text.empty()) text += ' ';
    const bool plain =
        !word.empty() && word.find_first_of(" \t\"'\\$`") == std::string::npos;
    text += plain ? word : "'" + word + "'";
  }
  return text;
}

// Milliseconds from now to `deadline`, for poll(): at least 0, at most a
// large finite wait.
int milliseconds_until(LineProcess::Clock::time_point deadline) {
  const double ms = std::chrono::duration<double, std::milli>(
                        deadline - LineProcess::Clock::now())
                        .count();
  return static_cast<int>(std::clamp(std::ceil(ms), 0.0, INT_MAX / 2.0));
}

// VIBENCH_PROTOCOL_SPIN_US as a duration (LineProcess::
// kDefaultSpinMicroseconds when unset). Throws std::runtime_error for a
// value that is not a number of microseconds from 0 to 10⁶.
std::chrono::nanoseconds spin_time() {
  const char* text = std::getenv("VIBENCH_PROTOCOL_SPIN_US");
  if (!text)
    return std::chrono::nanoseconds(
        static_cast<long long>(LineProcess::kDefaultSpinMicroseconds * 1000));
  // from_chars, not strtod: no hexadecimal, no spaces, no locale, the
  // grammar the Python client reads too (a leading '-' is refused apart).
  const std::string_view view(text);
  double us = -1;
  const auto [end, error] =
      std::from_chars(view.data(), view.data() + view.size(), us);
  if (view.empty() || view.front() == '-' || error != std::errc() ||
      end != view.data() + view.size() || !(us >= 0 && us <= 1e6))
    throw std::runtime_error(fmt::format(
        "VIBENCH_PROTOCOL_SPIN_US is '{}'; expected microseconds from 0 to "
        "1000000",
        text));
  return std::chrono::nanoseconds(static_cast<long long>(us * 1000));
}

}  // namespace

LineProcess::LineProcess(const std::vector<std::string>& command,
                         std::string what)
    : what_(std::move(what)), command_text_(quoted_command(command)) {
  if (command.empty())
    throw std::runtime_error(what_ + ": the command is empty");
  // Everything the child needs is made before fork(): between fork() and
  // exec() only async-signal-safe calls are allowed (other threads of the
  // runner may hold the allocator's lock).
  std::vector<char*> argv;
  for (const auto& word : command)
    argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  // A cell is one thread (DESIGN.md): the program's numerical libraries
  // get one thread too, unless the user's environment says otherwise, so
  // that --jobs 2 does not run four threads on two cores.
  std::vector<std::string> environment;
  for (char** entry = environ; *entry; ++entry)
    environment.emplace_back(*entry);
  for (const char* variable :
       {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"})
    if (!std::getenv(variable))
      environment.push_back(variable + std::string("=1"));
  spin_ = spin_time();
  if (!std::getenv("VIBENCH_PROTOCOL_SPIN_US"))
    environment.push_back(
        fmt::format("VIBENCH_PROTOCOL_SPIN_US={}", kDefaultSpinMicroseconds));
  std::vector<char*> envp;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  // A socket rather than two pipes for stdin and stdout: writing to a
  // child that has exited then fails with EPIPE (MSG_NOSIGNAL) instead of
  // raising SIGPIPE in the runner. Every descriptor is close-on-exec, so
  // children that other threads start at the same time do not inherit it.
  int io[2], err[2], exec_status[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, io) != 0)
    throw std::runtime_error(fmt::format("{}: could not start '{}': {}", what_,
                                         command_text_, std::strerror(errno)));
  if (pipe2(err, O_CLOEXEC) != 0) {
    const int error = errno;
    close(io[0]);
    close(io[1]);
    throw std::runtime_error(fmt::format("{}: could not start '{}': {}", what_,
                                         command_text_, std::strerror(error)));
  }
  if (pipe2(exec_status, O_CLOEXEC) != 0) {
    const int error = errno;
    for (int fd : {io[0], io[1], err[0], err[1]}) close(fd);
    throw std::runtime_error(fmt::format("{}: could not start '{}': {}", what_,
                                         command_text_, std::strerror(error)));
  }
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    const int error = errno;
    for (int fd :
         {io[0], io[1], err[0], err[1], exec_status[0], exec_status[1]})
      close(fd);
    throw std::runtime_error(fmt::format("{}: could not start '{}' (fork: {})",
                                         what_, command_text_,
                                         std::strerror(error)));
  }
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setpgid(0, 0);
    dup2(io[1], STDIN_FILENO);
    dup2(io[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    close_descriptors_from(3, exec_status[1]);
    signal(SIGPIPE, SIG_DFL);
    execvpe(argv[0], argv.data(), envp.data());
    const int error = errno;
    (void)!write(exec_status[1], &error, sizeof error);
    _exit(127);
  }
  close(io[1]);
  close(err[1]);
  close(exec_status[1]);
  io_fd_ = io[0];
  stderr_fd_ = err[0];
  // exec() closes the status pipe on success (end of file); on failure the
  // child writes its errno there first.
  int error = 0;
  ssize_t got;
  while ((got = read(exec_status[0], &error, sizeof error)) < 0 &&
         errno == EINTR) {
  }
  close(exec_status[0]);
  if (got == static_cast<ssize_t>(sizeof error)) {
    // The destructor does not run for a constructor that throws: close and
    // reap here (the child exits right after writing its errno).
    close(io_fd_);
    close(stderr_fd_);
    io_fd_ = stderr_fd_ = -1;
    wait_for_exit(-1);
    throw std::runtime_error(fmt::format("{}: could not start '{}': {}", what_,
                                         command_text_, std::strerror(error)));
  }
}

LineProcess::~LineProcess() {
  if (io_fd_ >= 0) close(io_fd_);
  if (stderr_fd_ >= 0) close(stderr_fd_);
  if (!reaped_ && pid_ > 0) {
    kill_group();
    wait_for_exit(-1);
  }
}

void LineProcess::disown() {
  if (io_fd_ >= 0) close(io_fd_);
  if (stderr_fd_ >= 0) close(stderr_fd_);
  io_fd_ = stderr_fd_ = -1;
  reaped_ = true;
}

void LineProcess::kill_group() {
  if (pid_ <= 0) return;
  // The group first (the processes the child started), then the child in
  // case it left its group.
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
}

bool LineProcess::wait_for_exit(double seconds) {
  if (reaped_) return true;
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(std::max(seconds, 0.0)));
  for (;;) {
    // Seen to have exited but not yet reaped (WNOWAIT), so that its process
    // group id cannot have been reused: whatever it started is ended with
    // it, then it is reaped.
    siginfo_t info{};
    const int seen = waitid(P_PID, static_cast<id_t>(pid_), &info,
                            WEXITED | WNOWAIT | (seconds < 0 ? 0 : WNOHANG));
    if (seen == 0 && info.si_pid == pid_) {
      kill(-pid_, SIGKILL);
      while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
      }
      reaped_ = true;
      return true;
    }
    if (seen < 0 && errno != EINTR) {
      reaped_ = true;  // not our child any more: nothing to reap
      return true;
    }
    if (seconds >= 0 && Clock::now() >= deadline) return false;
    if (seconds >= 0) usleep(2000);
  }
}

std::string LineProcess::describe_end() {
  // Whatever the child wrote to stderr before it ended.
  if (stderr_fd_ >= 0) {
    const auto until = Clock::now() + std::chrono::milliseconds(200);
    pollfd ready{stderr_fd_, POLLIN, 0};
    while (stderr_fd_ >= 0 && poll(&ready, 1, milliseconds_until(until)) > 0)
      read_stderr();
  }
  std::string how;
  if (wait_for_exit(2)) {
    how = describe_wait_status(status_);
  } else {
    kill_group();
    wait_for_exit(-1);
    how = "closed its output and was ended";
  }
  const std::string note = stderr_note();
  return fmt::format("{} ('{}') {}{}", what_, command_text_, how,
                     note.empty() ? "; it wrote nothing to stderr" : note);
}

void LineProcess::read_stderr() {
  char chunk[4096];
  const ssize_t got = read(stderr_fd_, chunk, sizeof chunk);
  if (got < 0 && errno == EINTR) return;
  if (got <= 0) {
    close(stderr_fd_);
    stderr_fd_ = -1;
    if (!err_buffer_.empty()) stderr_lines_.push_back(valid_utf8(err_buffer_));
    err_buffer_.clear();
  } else {
    err_buffer_.append(chunk, static_cast<size_t>(got));
    size_t newline;
    while ((newline = err_buffer_.find('\n')) != std::string::npos) {
      // Kept as valid UTF-8: the lines go into the cell's record.
      stderr_lines_.push_back(valid_utf8(err_buffer_.substr(0, newline)));
      err_buffer_.erase(0, newline + 1);
    }
    // A line without end is kept to a bounded size.
    if (err_buffer_.size() > 4096) {
      stderr_lines_.push_back(valid_utf8(err_buffer_.substr(0, 4096)) + " ...");
      err_buffer_.clear();
    }
  }
  while (stderr_lines_.size() > kStderrLines) stderr_lines_.pop_front();
}

std::string LineProcess::stderr_tail() const {
  std::vector<std::string> lines(stderr_lines_.begin(), stderr_lines_.end());
  if (!err_buffer_.empty()) lines.push_back(valid_utf8(err_buffer_));
  return fmt::format("{}", fmt::join(lines, "\n"));
}

std::string LineProcess::stderr_note() const {
  const std::string tail = stderr_tail();
  return tail.empty() ? "" : "; the last lines of its stderr:\n" + tail;
}

void LineProcess::send(const std::string& line, Clock::time_point deadline,
                       std::string_view frames) {
  std::string data;
  data.reserve(line.size() + 1 + frames.size());
  data += line;
  data += '\n';
  data += frames;
  size_t sent = 0;
  while (sent < data.size()) {
    // Drain stderr while writing, so that a child blocked writing to a full
    // stderr pipe can go on reading its stdin.
    pollfd fds[2] = {{io_fd_, POLLOUT, 0}, {stderr_fd_, POLLIN, 0}};
    const int polled =
        poll(fds, stderr_fd_ >= 0 ? 2 : 1, milliseconds_until(deadline));
    if (polled < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(
          fmt::format("{}: poll: {}", what_, std::strerror(errno)));
    }
    // Checked on every pass: a child that floods its stderr keeps poll()
    // returning at once.
    if (Clock::now() >= deadline)
      throw TimeLimitReached(fmt::format(
          "{} ('{}') did not read its input in time and was ended{}", what_,
          command_text_, stderr_note()));
    if (stderr_fd_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP))) read_stderr();
    if (!(fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) continue;
    const ssize_t n =
        ::send(io_fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == EPIPE || errno == ECONNRESET)
        throw std::runtime_error(describe_end());
      throw std::runtime_error(
          fmt::format("{}: writing to it: {}", what_, std::strerror(errno)));
    }
    sent += static_cast<size_t>(n);
  }
}

bool LineProcess::pump(Clock::time_point deadline) {
  pollfd fds[2] = {{io_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
  const nfds_t count = stderr_fd_ >= 0 ? 2 : 1;
  // Polls without sleeping for up to the spin time, then sleeps.
  const auto spin_end = std::min(deadline, Clock::now() + spin_);
  int polled = 0;
  while ((polled = poll(fds, count, 0)) == 0 && Clock::now() < spin_end) {
  }
  if (polled == 0) polled = poll(fds, count, milliseconds_until(deadline));
  if (polled < 0) {
    if (errno == EINTR) return true;
    throw std::runtime_error(
        fmt::format("{}: poll: {}", what_, std::strerror(errno)));
  }
  if (polled == 0) return Clock::now() < deadline;
  if (stderr_fd_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP))) read_stderr();
  if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
    char chunk[1 << 16];
    const ssize_t got = read(io_fd_, chunk, sizeof chunk);
    if (got < 0 && errno != EINTR && errno != EAGAIN) out_closed_ = true;
    if (got == 0) out_closed_ = true;
    if (got > 0) out_buffer_.append(chunk, static_cast<size_t>(got));
  }
  return true;
}

bool LineProcess::has_exited() const {
  if (reaped_) return true;
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid_), &info,
                WEXITED | WNOWAIT | WNOHANG) == 0 &&
         info.si_pid == pid_;
}

std::string LineProcess::receive(Clock::time_point deadline) {
  size_t scanned = 0;  // bytes of out_buffer_ known to hold no newline
  for (;;) {
    const size_t newline = out_buffer_.find('\n', scanned);
    if (newline != std::string::npos) {
      std::string line = out_buffer_.substr(0, newline);
      out_buffer_.erase(0, newline + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    scanned = out_buffer_.size();
    if (out_buffer_.size() > kMaxLineBytes)
      throw std::runtime_error(fmt::format(
          "{} wrote a line longer than {} bytes", what_, kMaxLineBytes));
    read_more(deadline, "did not answer in time");
  }
}

std::string LineProcess::receive_bytes(size_t bytes,
                                       Clock::time_point deadline) {
  while (out_buffer_.size() < bytes)
    read_more(deadline, "did not write the frames its message announced");
  std::string out = out_buffer_.substr(0, bytes);
  out_buffer_.erase(0, bytes);
  return out;
}

void LineProcess::read_more(Clock::time_point deadline, const char* waiting) {
  if (out_closed_) throw std::runtime_error(describe_end());
  if (Clock::now() >= deadline)
    throw TimeLimitReached(fmt::format("{} ('{}') {} and was ended{}", what_,
                                       command_text_, waiting, stderr_note()));
  // In slices, so that a child that died while a process it started still
  // holds its stdout open is noticed (no end of file comes then).
  const auto slice =
      std::min(deadline, Clock::now() + std::chrono::milliseconds(100));
  const size_t before = out_buffer_.size();
  pump(slice);
  if (out_buffer_.size() == before && !out_closed_ && has_exited()) {
    // What it wrote before it ended is read (a bounded number of reads: a
    // process it started may go on writing); then its end is reported.
    for (int pass = 0; pass < 1000 && !out_closed_ && pump(Clock::now());
         ++pass) {
    }
    if (out_buffer_.size() == before) throw std::runtime_error(describe_end());
  }
}

std::string LineProcess::finish(Clock::time_point deadline) {
  shutdown(io_fd_, SHUT_WR);  // end of file on the child's stdin
  while (!reaped_) {
    if (wait_for_exit(0)) break;
    if (Clock::now() >= deadline) {
      kill_group();
      wait_for_exit(-1);
      return "was ended after it did not exit in time";
    }
    // Keep reading its output so that it never blocks on a full pipe.
    if (!out_closed_ || stderr_fd_ >= 0) {
      const auto step =
          std::min(deadline, Clock::now() + std::chrono::milliseconds(20));
      if (!out_closed_) {
        pump(step);
        out_buffer_.clear();
      } else {
        pollfd ready{stderr_fd_, POLLIN, 0};
        if (poll(&ready, 1, milliseconds_until(step)) > 0) read_stderr();
      }
    } else {
      usleep(2000);
    }
  }
  return describe_wait_status(status_);
}

}  // namespace vibench
