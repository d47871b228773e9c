// Errors that the CLI turns into exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace vibench {

// A problem with the user's input (suite file, parameters, command line).
// `where` is a JSON pointer such as "/algorithms/0/params/step_size" (may be
// empty); the CLI prefixes it with the file name. Exit code 2.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string where, const std::string& what)
      : std::runtime_error(what), where_(std::move(where)) {}
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

// A cell's time limit reached while it waited on something outside the
// runner's loop (an external algorithm's reply): the cell ends `timeout`
// with this message rather than `failed`.
class TimeLimitReached : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `base` extended by a ConfigError's location: components throw either a
// JSON pointer ("/lower") or a bare parameter name ("nonzeros").
inline std::string append_json_path(const std::string& base,
                                    const std::string& where) {
  if (where.empty()) return base;
  return where.front() == '/' ? base + where : base + "/" + where;
}

}  // namespace vibench
