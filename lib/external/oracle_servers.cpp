#include "external/oracle_servers.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "core/cell_deadline.hpp"
#include "core/error.hpp"

namespace vibench {
namespace {

using Clock = LineProcess::Clock;

// The cell's deadline where there is one, else `seconds` from now.
Clock::time_point reply_deadline(double seconds) {
  if (const auto cell = current_cell_deadline()) return *cell;
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(seconds));
}

}  // namespace

OracleServers::OracleServers(OracleServerSpec spec)
    : spec_(std::move(spec)), owner_(getpid()) {}

OracleServers::~OracleServers() {
  if (owner_ != getpid()) {
    for (auto& server : idle_) server.process->disown();
    return;
  }
  // All are told to stop first, then given one shared moment to exit on
  // their own; then they are killed.
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  for (auto& server : idle_) {
    try {
      server.process->send(R"({"type":"stop"})", deadline);
    } catch (const std::exception&) {
    }
  }
  for (auto& server : idle_) server.process->finish(deadline);
}

OracleServers::Server OracleServers::start_server() const {
  auto process = std::make_unique<LineProcess>(spec_.command, spec_.what);
  const auto deadline = reply_deadline(spec_.reply_timeout_seconds);
  process->send(fmt::format(R"({{"type":"start","protocol":{},"role":"{}",)"
                            R"("dim":{},"params":{},"encodings":{}}})",
                            kProtocolVersion, spec_.role, spec_.dim,
                            spec_.args.dump(), kOfferedEncodings),
                deadline);
  const Json ready = receive_message(*process, deadline, spec_.what);
  const auto fail = [&](const std::string& text) {
    throw std::runtime_error(
        fmt::format("{}: {}{}", spec_.what, text, process->stderr_note()));
  };
  throw_if_reported_error(ready, spec_.what, process->stderr_note());
  if (message_type(ready, spec_.what) != "ready")
    fail(
        fmt::format("it answered the start message with {}; expected a "
                    "'ready' message",
                    quote_message(ready)));
  if (const std::string mismatch = protocol_mismatch(ready); !mismatch.empty())
    fail(mismatch);
  const Json dim = ready.value("dim", Json());
  if (dim != Json(spec_.dim))
    fail(
        fmt::format("it serves dimension {}, and the task entry says dim = "
                    "{}",
                    dim.dump(), spec_.dim));
  std::vector<std::string> offered;
  const Json oracles = ready.value("oracles", Json());
  if (oracles.is_array())
    for (const auto& name : oracles)
      if (name.is_string()) offered.push_back(name);
  for (const auto& needed : spec_.required_oracles)
    if (std::find(offered.begin(), offered.end(), needed) == offered.end())
      fail(
          fmt::format("it does not offer the oracle '{}' (its ready message "
                      "lists: {})",
                      needed, oracles.dump()));
  Server server;
  try {
    server.encoding = requested_encoding(ready, spec_.what);
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
  server.process = std::move(process);
  return server;
}

OracleServers::Server OracleServers::take() const {
  {
    const std::lock_guard lock(mutex_);
    if (owner_ != getpid()) {
      // Inherited by a forked cell: the processes are the parent's.
      for (auto& server : idle_) server.process->disown();
      idle_.clear();
      owner_ = getpid();
    }
    while (!idle_.empty()) {
      Server server = std::move(idle_.back());
      idle_.pop_back();
      // One that died while idle (its starting thread ended) is replaced.
      if (!server.process->has_exited()) return server;
    }
  }
  return start_server();
}

void OracleServers::give_back(Server server) const {
  const std::lock_guard lock(mutex_);
  idle_.push_back(std::move(server));
}

void OracleServers::warm_up() const { give_back(take()); }

void OracleServers::call(const std::string& oracle, const Matrix& points,
                         const Matrix* vectors,
                         const std::function<void(const Json&)>& read) const {
  // Nothing is started or asked once the cell's time is up (a last
  // checkpoint measured after a timeout).
  if (const auto cell = current_cell_deadline(); cell && Clock::now() >= *cell)
    throw TimeLimitReached(
        fmt::format("the cell's time was up before {} could be asked for '{}'",
                    spec_.what, oracle));
  Server server = take();
  OutgoingMessage request(
      fmt::format(R"({{"type":"request","oracle":"{}","points":)", oracle));
  append_matrix(request, points, server.encoding);
  if (vectors) {
    request += R"(,"vectors":)";
    append_matrix(request, *vectors, server.encoding);
  }
  LineProcess& process = *server.process;
  const auto deadline = reply_deadline(spec_.reply_timeout_seconds);
  request.send_to(process, deadline);
  Json reply = receive_message(process, deadline, spec_.what);
  throw_if_reported_error(reply, spec_.what, process.stderr_note());
  if (message_type(reply, spec_.what) != "reply")
    throw std::runtime_error(
        fmt::format("{} answered a request with {}; expected a 'reply' "
                    "message{}",
                    spec_.what, quote_message(reply), process.stderr_note()));
  read(reply);
  give_back(std::move(server));
}

}  // namespace vibench
