// Where tasks find the data files they are built from. Bundled data lives in
// targets/data/ of the source tree; VIBENCH_DATA_DIR overrides the directory
// (e.g. for an installed copy). Nothing is read from outside these places
// unless the user names a file path in a task parameter.
#pragma once

#include <filesystem>
#include <string>

namespace vibench {

// $VIBENCH_DATA_DIR when set, else <source tree>/targets/data.
std::filesystem::path data_directory();

// Resolves a data-file parameter: a value with a '/' or ending in
// `extension` is a path (relative to the working directory); anything else is
// the name of a bundled file
// `<data_directory()>/<subdirectory>/<value><extension>`. ConfigError (at
// `where`) names the file it looked for and why it cannot be read (missing,
// a directory, a name too long), and, for bundled names, the closest
// bundled name.
std::filesystem::path resolve_data_file(const std::string& value,
                                        const std::string& subdirectory,
                                        const std::string& extension,
                                        const std::string& where);

// The whole content of a file; ConfigError (at `where`) naming the file and
// why, if it cannot be read (a directory among others).
std::string read_text_file(const std::filesystem::path& path,
                           const std::string& where);

}  // namespace vibench
