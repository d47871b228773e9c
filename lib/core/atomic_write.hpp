// Writing a file so that readers never see it half-written, and so that
// nothing but the named file is ever replaced.
#pragma once

#include <string>

namespace vibench {

// Writes `text` to `path` through a temporary file in the same directory,
// flushed to disk, and a rename, so readers never see a half-written file.
// Creates missing parent directories. A symbolic link is written through:
// its target is replaced and the link stays. A character device such as
// /dev/null is written directly (a discard; the node is never replaced).
// Any other existing path that is not a regular file (a directory, a FIFO,
// a socket, a block device) is refused with a ConfigError naming it. Every
// write is checked: a failure (a full disk) throws a runtime_error naming
// the file and the system's reason, and removes the temporary file.
void write_atomically(const std::string& path, const std::string& text);

// Whether `path` names a character device (e.g. /dev/null): output there is
// a discard, with no journal beside it.
bool is_character_device(const std::string& path);

// Throws ConfigError (at `option`) when `path` exists and is neither a
// regular file, nor a link to one, nor a character device, or when its
// name is too long for the files vibench keeps beside an output
// (core/path_checks.hpp: at most 241 bytes).
void check_writable_kind(const std::string& path, const std::string& option);

// Writes all of `data` to the file descriptor `fd` (retrying short writes
// and EINTR); throws runtime_error naming `file` and strerror(errno).
void write_all(int fd, const char* data, size_t size, const std::string& file);

}  // namespace vibench
