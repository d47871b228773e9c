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

// The first python3 that imports `modules` ("matplotlib, numpy"): the one
// on PATH, else Debian's (a python3 of pyenv or a virtualenv may lack the
// Debian packages that scripts/setup.sh installs); empty if none.
inline std::string python_with(const std::string& modules) {
  const auto dir = temp_dir("python-lookup");
  for (const std::string candidate : {"python3", "/usr/bin/python3"})
    if (shell_command(candidate + " -c 'import " + modules + "'", dir)
            .exit_code == 0)
      return candidate;
  return "";
}

// python_with("numpy"), looked up once: the line protocol's client.
inline const std::string& python_with_numpy() {
  static const std::string found = python_with("numpy");
  return found;
}

// The suite "command" of a script of this repository run by that python3.
inline Json python_command(const std::string& script,
                           const std::string& argument = "") {
  Json command = {python_with_numpy(),
                  std::string(VIBENCH_SOURCE_DIR) + "/" + script};
  if (!argument.empty()) command.push_back(argument);
  return command;
}

inline void write_file(const std::filesystem::path& path,
                       const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace vibench::testing
