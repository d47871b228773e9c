#include "core/atomic_write.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "core/error.hpp"
#include "core/path_checks.hpp"

namespace vibench {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void system_error(const std::string& what,
                               const std::string& file) {
  throw std::runtime_error(
      fmt::format("{} '{}': {}", what, file, std::strerror(errno)));
}

// The file a write to `path` replaces: the final target of a chain of
// symbolic links (a relative link resolves against the link's directory).
fs::path written_path(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(path, ec))) return path;
  const fs::path target = fs::weakly_canonical(path, ec);
  return ec ? path : target;
}

}  // namespace

bool is_character_device(const std::string& path) {
  std::error_code ec;
  return fs::is_character_file(fs::status(path, ec));
}

void check_writable_kind(const std::string& path, const std::string& option) {
  // A name the file system cannot hold fails later, at the lock, the
  // journal or the temporary file, with that file's name: say it here.
  if (const std::string why = output_name_reason(path); !why.empty())
    throw ConfigError(option,
                      fmt::format("'{}' {}; choose a shorter name", path, why));
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status) || fs::is_regular_file(status) ||
      fs::is_character_file(status))
    return;
  const char* kind = fs::is_directory(status)    ? "a directory"
                     : fs::is_fifo(status)       ? "a FIFO"
                     : fs::is_socket(status)     ? "a socket"
                     : fs::is_block_file(status) ? "a block device"
                                                 : "not a regular file";
  throw ConfigError(option,
                    fmt::format("'{}' is {}; vibench writes results only to "
                                "regular files (or a link to one), to a "
                                "character device such as /dev/null, or to "
                                "standard output",
                                path, kind));
}

void write_all(int fd, const char* data, size_t size, const std::string& file) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      system_error("writing", file);
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
}

void write_atomically(const std::string& path, const std::string& text) {
  check_writable_kind(path, path);
  if (is_character_device(path)) {
    // A discard (/dev/null) or a terminal: written in place, never renamed
    // over.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) system_error("cannot open", path);
    try {
      write_all(fd, text.data(), text.size(), path);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
    return;
  }
  const fs::path target = written_path(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const std::string temporary =
      target.string() + fmt::format(".{}.tmp", static_cast<long>(getpid()));
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) system_error("cannot create", temporary);
  bool open = true;
  try {
    write_all(fd, text.data(), text.size(), temporary);
    if (::fsync(fd) != 0) system_error("flushing", temporary);
    open = false;
    if (::close(fd) != 0) system_error("closing", temporary);
  } catch (...) {
    if (open) ::close(fd);
    std::error_code ec;
    fs::remove(temporary, ec);
    throw;
  }
  // Keep the permissions of a file being replaced.
  struct stat old {};
  if (::stat(target.c_str(), &old) == 0)
    ::chmod(temporary.c_str(), old.st_mode & 07777);
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    std::error_code ec;
    fs::remove(temporary, ec);
    errno = saved;
    system_error("cannot replace", target.string());
  }
}

}  // namespace vibench
