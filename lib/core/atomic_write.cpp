#include "core/atomic_write.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace vibench {

namespace fs = std::filesystem;

void write_atomically(const std::string& path, const std::string& text) {
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const fs::path temporary =
      target.string() + fmt::format(".{}.tmp", static_cast<long>(getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      throw std::runtime_error(
          fmt::format("cannot write '{}'", temporary.string()));
    out << text;
    out.flush();
    if (!out)
      throw std::runtime_error(
          fmt::format("writing '{}' failed", temporary.string()));
  }
  fs::rename(temporary, target);
}

}  // namespace vibench
