// Processes that serve a task's oracles over the line protocol (the serving
// role of docs/PROTOCOL.md): the user's program holds a density or an
// objective, and vibench's own algorithms query it through the task, counted
// by the same wrappers as a native task.
//
// A task is called from several cells at once (`--jobs`), so it keeps a pool:
// a caller takes an idle process, or starts one when none is idle, and gives
// it back after its reply. A process is started at the first request, not
// with the task, so that reading or validating a suite runs no program. A
// process that failed a request in any way (an error, a malformed reply, a
// timeout) is ended rather than reused: its state is unknown.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/types.hpp"
#include "external/line_process.hpp"
#include "external/protocol.hpp"

namespace vibench {

struct OracleServerSpec {
  std::vector<std::string> command;
  std::string role;  // "density" or "objective"
  Index dim = 0;     // the task's dimension, which the program must declare
  Json args = Json::object();  // passed on as start.params
  // Oracles the program must offer (its `ready` lists them).
  std::vector<std::string> required_oracles;
  // How long to wait for the handshake or a reply outside a cell; within
  // one the cell's own time limit applies (core/cell_deadline.hpp).
  double reply_timeout_seconds = 60;
  std::string what;  // names the program in messages
};

class OracleServers {
 public:
  explicit OracleServers(OracleServerSpec spec);
  ~OracleServers();
  OracleServers(const OracleServers&) = delete;
  OracleServers& operator=(const OracleServers&) = delete;

  // Asks a process for `oracle` at the rows of `points` (and `vectors`, for
  // a Hessian-vector product) and hands its reply, a message of type
  // "reply", to `read`, which takes the values out and throws
  // std::runtime_error for a reply it cannot use. Throws std::runtime_error
  // naming the program (with the last lines of its stderr) for an error it
  // reports, a message of another type, a line that is not JSON, or a
  // process that cannot start or exits; TimeLimitReached when no reply
  // comes by the deadline, or at once when the cell's time is already up.
  // A process that failed in any of these ways, `read` included, is ended.
  void call(const std::string& oracle, const Matrix& points,
            const Matrix* vectors,
            const std::function<void(const Json&)>& read) const;

  // Starts a process now if none is idle, so that a cell pays its start-up
  // before its clocks start rather than in its first oracle call.
  void warm_up() const;

  const OracleServerSpec& spec() const { return spec_; }

 private:
  // A process and the matrix encoding it asked for in its ready message.
  struct Server {
    std::unique_ptr<LineProcess> process;
    MatrixEncoding encoding = MatrixEncoding::json;
  };
  Server start_server() const;
  // An idle live process or a new one.
  Server take() const;
  void give_back(Server server) const;

  OracleServerSpec spec_;
  mutable std::mutex mutex_;
  mutable std::vector<Server> idle_;
  // The process that started the idle ones: a copy of the pool inherited by
  // a forked cell (process isolation) must not use, or end, its parent's.
  mutable pid_t owner_;
};

}  // namespace vibench
