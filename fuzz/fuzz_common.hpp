// Shared by the libFuzzer targets: the input as a file (the readers under
// test take paths, as the command line does) and the line between an
// expected error and a finding.
#pragma once

#include <cxxabi.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>

#include "core/error.hpp"

namespace vibench::fuzz {

// Inputs past this size are ignored: the files under test are a few KiB (a
// suite) to a few MiB (results), and bigger inputs only make each run slower
// without reaching other code. The script passes the same -max_len.
inline constexpr size_t kMaxInputBytes = 64 * 1024;

// One temporary file per process, rewritten for every input, so that each
// reader is fuzzed through the same path-taking entry point the command
// line uses (opening, reading, the structure check, parsing).
class InputFile {
 public:
  explicit InputFile(const std::string& suffix) {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir && *dir ? dir : "/tmp") +
                          "/vibench-fuzz-XXXXXX" + suffix;
    const int fd = mkstemps(pattern.data(), static_cast<int>(suffix.size()));
    if (fd < 0) {
      std::perror("vibench fuzz: mkstemps");
      std::abort();
    }
    close(fd);
    path_ = pattern;
  }
  ~InputFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Replaces the file's content with `text`.
  const std::string& write(std::string_view text) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      std::perror("vibench fuzz: writing the input file");
      std::abort();
    }
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A finding that is not a sanitizer report: printed, then abort() so that
// libFuzzer saves the input as a crash.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "vibench fuzz: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Runs `body`. A ConfigError is the documented outcome of bad input (the
// command line prints it with the file and JSON path, exit code 2). Any
// other exception is a finding: the command line would still print its
// what() (main catches std::exception), but without the file or path, and
// it means a check that should have named the problem was missed (e.g.
// nlohmann's "type must be string, but is number").
template <class Body>
void expect_config_errors(const char* stage, Body&& body) {
  try {
    body();
  } catch (const ConfigError&) {
  } catch (const std::exception& e) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> type(
        abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status),
        std::free);
    fail(std::string(stage) + ": unexpected exception " +
         (status == 0 && type ? type.get() : typeid(e).name()) + ": " +
         e.what());
  }
}

}  // namespace vibench::fuzz
