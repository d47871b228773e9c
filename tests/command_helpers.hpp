// Running the real vibench program (and other commands) from tests.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "test_helpers.hpp"

namespace vibench::testing {

struct CommandOutput {
  int exit_code;
  std::string out, err;
};

// Runs `command` through the shell, capturing stdout
// and stderr in files of `dir`.
inline CommandOutput shell_command(const std::string& command,
                                   const std::filesystem::path& dir) {
  const auto out = dir / "command-stdout.txt", err = dir / "command-stderr.txt";
  const std::string line = command + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(line.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out),
          read_text(err)};
}

// Runs the vibench executable with `arguments`.
inline CommandOutput vibench_run(const std::string& arguments,
                                 const std::filesystem::path& dir) {
  return shell_command(std::string(VIBENCH_EXECUTABLE) + " " + arguments, dir);
}

// `text` single-quoted for the shell.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline void write_file(const std::filesystem::path& path,
                       const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace vibench::testing
