// What the two served tasks (external_density, external_objective) share:
// the parameters that name the program and the pool of its processes.
#pragma once

#include <fmt/format.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/params.hpp"
#include "external/oracle_servers.hpp"
#include "external/protocol.hpp"

namespace vibench::served_task {

// command, dim, args and reply_timeout_seconds; `example` is a command for
// the descriptions, e.g. ["python3", "my_density.py"].
inline ParamSpecs params(const char* example) {
  return {
      ParamSpec::of_type(ParamType::string_list, "command", Json(),
                         fmt::format("the program that serves the oracles and "
                                     "its arguments, e.g. {}; argv[0] is "
                                     "searched in PATH; required",
                                     example)),
      ParamSpec::integer("dim", Json(),
                         "dimension d, which the program must declare in its "
                         "ready message; required")
          .at_least(1),
      ParamSpec::of_type(ParamType::object, "args", Json::object(),
                         "the program's own parameters, passed on untouched "
                         "in the start message as \"params\" and recorded"),
      ParamSpec::real("reply_timeout_seconds", 60.0,
                      "longest wait for the program's ready message or a "
                      "reply outside a cell (vibench eval); within a cell "
                      "the cell's timeout_seconds applies")
          .above(0.0),
  };
}

// The pool's settings from the task's parameters; ConfigError for a missing
// command or dim.
inline OracleServerSpec spec(const Params& p, const char* task_name,
                             const char* role,
                             std::vector<std::string> required_oracles) {
  if (!p.has("command"))
    throw ConfigError("command",
                      fmt::format("{}: give the program that serves the task "
                                  "as \"command\", e.g. [\"python3\", "
                                  "\"my_model.py\"]",
                                  task_name));
  if (!p.has("dim"))
    throw ConfigError("dim",
                      fmt::format("{}: give its dimension \"dim\"", task_name));
  OracleServerSpec spec;
  spec.command = p.string_list("command");
  spec.role = role;
  spec.dim = static_cast<Index>(p.integer("dim"));
  spec.args = p.object("args");
  spec.required_oracles = std::move(required_oracles);
  spec.reply_timeout_seconds = p.real("reply_timeout_seconds");
  spec.what = fmt::format("the {} program", role);
  return spec;
}

// reply[key]; std::runtime_error naming the program when it is missing.
inline const Json& field(const Json& reply, const char* key,
                         const OracleServerSpec& spec) {
  if (!reply.contains(key))
    throw std::runtime_error(fmt::format("{}: its reply has no \"{}\": {}",
                                         spec.what, key, quote_message(reply)));
  return reply[key];
}

// Names a value of a reply in messages.
inline std::string what(const OracleServerSpec& spec, const char* oracle,
                        const char* key) {
  return fmt::format("{}: the \"{}\" of its '{}' reply", spec.what, key,
                     oracle);
}

}  // namespace vibench::served_task
