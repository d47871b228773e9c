// A child process spoken to in lines: the transport of the line protocol
// (docs/PROTOCOL.md). vibench writes lines to the child's stdin and reads
// lines from its stdout; its stderr is read alongside, so that a chatty
// child never blocks on a full pipe, and its last lines are kept for the
// messages of a cell that fails.
//
// The child runs in a process group of its own, so that ending it ends the
// processes it started too, and dies with the thread that started it
// (PR_SET_PDEATHSIG), so that a runner killed at a hard limit leaves
// nothing behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace vibench {

class LineProcess {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts `command` (argv; argv[0] is searched in PATH). `what` names the
  // child in messages ("the external algorithm"). Throws
  // std::runtime_error naming the command and the OS error when it cannot
  // start.
  LineProcess(const std::vector<std::string>& command, std::string what);
  // Ends the child's process group (SIGKILL) if it is still running, and
  // reaps it.
  ~LineProcess();
  LineProcess(const LineProcess&) = delete;
  LineProcess& operator=(const LineProcess&) = delete;

  // Writes `line`, a newline and then `frames` (raw bytes that follow a
  // line in the protocol's frames encoding). Throws TimeLimitReached when
  // the child has not taken it all by `deadline` (it does not read its
  // stdin), and std::runtime_error when it no longer reads (it exited: with
  // its status and last stderr lines).
  void send(const std::string& line, Clock::time_point deadline,
            std::string_view frames = {});
  // The next line of the child's stdout, without its newline. Throws
  // TimeLimitReached at `deadline`, std::runtime_error when the child
  // closes its stdout or exits first (with its status and last stderr
  // lines), or when a line exceeds `max_line_bytes`.
  std::string receive(Clock::time_point deadline);
  // The next `bytes` bytes of the child's stdout (the frames after a line),
  // with the errors of receive().
  std::string receive_bytes(size_t bytes, Clock::time_point deadline);
  // Closes the child's stdin and waits until `deadline` for it to exit;
  // then ends it. Returns how it ended ("exit status 0", "SIGKILL ...").
  std::string finish(Clock::time_point deadline);

  // The last lines the child wrote to stderr (at most kStderrLines), joined
  // by newlines.
  std::string stderr_tail() const;
  // "; the last lines of its stderr:\n..." for a message, or "" when it
  // wrote none.
  std::string stderr_note() const;
  pid_t pid() const { return pid_; }
  // Whether the child has exited (without reaping it).
  bool has_exited() const;
  // Lets go of the child without ending it: closes this side's descriptors
  // and forgets it. For a copy inherited across fork(), whose child belongs
  // to the parent process (a cell run under process isolation).
  void disown();

  // A wait for the child's output first polls, for up to the spin time,
  // before it sleeps: an answer that comes within it is read without the
  // sleeping runner's wake-up, which costs tens of microseconds per message
  // on a virtual machine (docs/PROTOCOL.md, Latency). The time is
  // VIBENCH_PROTOCOL_SPIN_US in microseconds (0: never poll), this default
  // when it is unset; the child is given the same value.
  static constexpr double kDefaultSpinMicroseconds = 100;

  static constexpr size_t kStderrLines = 20;
  static constexpr size_t kMaxLineBytes = size_t{1} << 30;

 private:
  // Reads what is ready on stdout and stderr, waiting until `deadline`;
  // false at the deadline.
  bool pump(Clock::time_point deadline);
  // Waits, until `deadline`, for more of the child's stdout than
  // out_buffer_ holds. Throws TimeLimitReached at the deadline (`waiting`
  // says what for) and std::runtime_error when the child closes its stdout
  // or exits without writing more.
  void read_more(Clock::time_point deadline, const char* waiting);
  void read_stderr();
  // Waits up to `seconds` for the child to exit; true when it did.
  bool wait_for_exit(double seconds);
  void kill_group();
  // "exited with status 3" or "was killed by SIGSEGV (...)", with the last
  // lines of its stderr.
  std::string describe_end();

  std::string what_, command_text_;
  pid_t pid_ = -1;
  int io_fd_ = -1;      // a socket: the child's stdin and stdout
  int stderr_fd_ = -1;  // read end of the child's stderr
  bool reaped_ = false;
  int status_ = 0;
  std::string out_buffer_, err_buffer_;
  bool out_closed_ = false;
  std::chrono::nanoseconds spin_{0};  // VIBENCH_PROTOCOL_SPIN_US
  std::deque<std::string> stderr_lines_;
};

}  // namespace vibench
