#include "core/path_checks.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace vibench {

namespace {

// The first kAbbreviation bytes of a long name, for a message that must
// say which component is at fault without repeating all of it.
constexpr size_t kAbbreviation = 24;

std::string abbreviated(std::string_view name) {
  if (name.size() <= kAbbreviation) return std::string(name);
  return std::string(name.substr(0, kAbbreviation)) + "...";
}

// Why `path` is too long for the system when its last name gets `suffix`
// more bytes, or "".
std::string name_length_reason(const std::string& path, size_t suffix) {
  const std::string kept_beside =
      suffix > 0 ? fmt::format(
                       " (with the {} bytes vibench adds for the "
                       "files it keeps beside an output)",
                       suffix)
                 : std::string();
  if (path.size() + suffix > kMaxPathBytes)
    return fmt::format("is a path of {} bytes{}; the system allows at most {}",
                       path.size(), kept_beside, kMaxPathBytes);
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    const bool last = end == std::string::npos;
    if (last) end = path.size();
    const std::string_view name(path.data() + start, end - start);
    if (name.size() + (last ? suffix : 0) > kMaxFileNameBytes)
      return fmt::format(
          "has a name of {} bytes ('{}'){}; file systems allow at most {} "
          "bytes per name{}",
          name.size(), abbreviated(name), last ? kept_beside : std::string(),
          kMaxFileNameBytes,
          last && suffix > 0
              ? fmt::format(", so an output's name may have at most {}",
                            kMaxFileNameBytes - suffix)
              : std::string());
    start = end + 1;
  }
  return "";
}

}  // namespace

std::string unreadable_file_reason(const std::string& path) {
  if (path.empty()) return "is an empty path";
  if (std::string why = name_length_reason(path, 0); !why.empty()) return why;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT) return "does not exist";
    if (error == ENOTDIR)
      return "does not exist (a component of its path is not a directory)";
    return fmt::format("cannot be read: {}", std::strerror(error));
  }
  if (S_ISDIR(info.st_mode)) return "is a directory, not a file";
  if (::access(path.c_str(), R_OK) != 0)
    return fmt::format("cannot be read: {}", std::strerror(errno));
  return "";
}

std::string output_name_reason(const std::string& path) {
  return name_length_reason(path, kOutputSuffixBytes);
}

}  // namespace vibench
