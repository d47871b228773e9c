// Writing a file so that readers never see it half-written.
#pragma once

#include <string>

namespace vibench {

// Writes `text` to `path` through a temporary file in the same directory and
// a rename, so readers never see a half-written file. Creates missing parent
// directories.
void write_atomically(const std::string& path, const std::string& text);

}  // namespace vibench
