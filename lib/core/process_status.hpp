// How a child process ended, in words, for cell messages.
#pragma once

#include <string>

namespace vibench {

// "SIGSEGV (Segmentation fault)" for a signal number.
std::string describe_signal(int signal_number);

// A waitpid() status as "exited with status 3" or "was killed by signal
// SIGSEGV (Segmentation fault)".
std::string describe_wait_status(int status);

}  // namespace vibench
