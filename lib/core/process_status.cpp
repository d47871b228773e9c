#include "core/process_status.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <csignal>
#include <cstring>

namespace vibench {

std::string describe_signal(int signal_number) {
  const char* abbreviation = sigabbrev_np(signal_number);
  const char* description = strsignal(signal_number);
  return fmt::format("SIG{} ({})", abbreviation ? abbreviation : "?",
                     description ? description : "unknown signal");
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status))
    return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "was killed by signal " + describe_signal(WTERMSIG(status));
  return fmt::format("ended with wait status {}", status);
}

}  // namespace vibench
