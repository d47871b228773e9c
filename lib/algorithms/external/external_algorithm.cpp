// An algorithm written in any language, run as a child process that speaks
// the line protocol (docs/PROTOCOL.md). The runner owns the loop as for a
// native algorithm: at each step vibench tells the process to take one, the
// process asks for the oracle values it needs — served through the cell's
// counting oracle, so its cost is counted exactly like native code's — and
// ends the step with its state, which the runner checks and measures.
//
// One process per cell, started with the cell's initial points and seed
// and ended with the cell; a process that does not start, exits, hangs,
// writes anything but the protocol, or asks for what the task does not
// offer ends its cell `failed` (or `timeout`) with a message that says so.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/chain_history.hpp"
#include "core/error.hpp"
#include "external/line_process.hpp"
#include "external/protocol.hpp"

namespace vibench {
namespace {

constexpr const char* kWho = "the external algorithm";

// The algorithm kinds the protocol serves, by their names in a suite.
struct KindName {
  const char* name;
  TaskKind kind;
};
constexpr KindName kKinds[] = {{"sampler", TaskKind::distribution},
                               {"optimizer", TaskKind::objective},
                               {"saddle", TaskKind::saddle_point},
                               {"bilevel", TaskKind::bilevel}};

std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  for (const auto& k : kKinds) names.emplace_back(k.name);
  return names;
}

// The oracles a task of `kind` offers over the protocol.
std::vector<std::string> oracles_of(const Oracle& oracle, TaskKind kind) {
  switch (kind) {
    case TaskKind::distribution: {
      std::vector<std::string> names = {"log_prob_grad", "log_prob"};
      if (oracle.offers(Capability::hessian_vector))
        names.emplace_back("log_prob_hessian_vector");
      return names;
    }
    case TaskKind::objective:
      return {"value_grad", "value"};
    case TaskKind::saddle_point:
      return {"operator"};
    case TaskKind::bilevel: {
      std::vector<std::string> names = {"outer_value", "outer_grad",
                                        "inner_value", "inner_grad"};
      if (oracle.offers(Capability::hessian_vector)) {
        names.emplace_back("inner_hvp_yy");
        names.emplace_back("inner_cross");
      }
      return names;
    }
  }
  return {};
}

// Appends `,"<value_key>":[...],"grad":[[...]]` to a reply.
void append_value_grad(OutgoingMessage& reply, const char* value_key,
                       const Vector& value, const Matrix& grad,
                       MatrixEncoding encoding) {
  reply += fmt::format(R"(,"{}":)", value_key);
  append_vector(reply, value, encoding);
  reply += R"(,"grad":)";
  append_matrix(reply, grad, encoding);
}

class ExternalRun final : public Run {
 public:
  ExternalRun(const Oracle& oracle, TaskKind kind, const State& initial,
              std::uint64_t seed, std::vector<std::string> command,
              std::string kind_name, Json args)
      : oracle_(oracle),
        kind_(kind),
        kind_name_(std::move(kind_name)),
        command_(std::move(command)),
        args_(std::move(args)),
        seed_(seed),
        offered_(oracles_of(oracle, kind)) {
    state_.points = initial.points;
    state_.inner = initial.inner;
  }

  void begin(const RunLimits& limits) override {
    limits_ = limits;
    process_.emplace(command_, std::string(kWho));
    std::string start = fmt::format(
        R"({{"type":"start","protocol":{},"role":"algorithm","kind":"{}",)"
        R"("dim":{},"n_points":{},"oracles":{},"budget":{},"seed":{},)"
        R"("timeout_seconds":{},"params":{},"encodings":{},"initial":)",
        kProtocolVersion, kind_name_, oracle_.dim(), state_.points.rows(),
        Json(offered_).dump(), limits.budget.dump(), seed_,
        limits.timeout_seconds, args_.dump(), kOfferedEncodings);
    append_matrix_json(start, state_.points);
    if (kind_ == TaskKind::bilevel) {
      start +=
          fmt::format(R"(,"dim_y":{},"initial_inner":)", state_.inner.cols());
      append_matrix_json(start, state_.inner);
    }
    start += '}';
    process_->send(start, limits_.deadline);
    const Json ready = receive();
    const std::string type = message_type(ready, kWho);
    if (type != "ready")
      fail_protocol("unexpected_message",
                    fmt::format("it answered the start message with {}; "
                                "expected a 'ready' message",
                                quote_message(ready)));
    if (const std::string mismatch = protocol_mismatch(ready);
        !mismatch.empty())
      fail_protocol("protocol_version", mismatch);
    try {
      encoding_ = requested_encoding(ready, kWho);
    } catch (const std::runtime_error& e) {
      fail_protocol("encoding", e.what());
    }
    diagnostics_["encoding"] = encoding_name(encoding_);
    if (ready.contains("name") && ready["name"].is_string())
      diagnostics_["name"] = ready["name"];
    if (ready.contains("chains")) read_chains(ready["chains"]);
  }

  void step() override {
    if (!process_)
      throw std::logic_error("external algorithm: step() before begin()");
    ++iteration_;
    const Counters& c = oracle_.counters();
    step_start_grad_evals_ = c.grad_evals;
    step_start_oracle_calls_ = c.oracle_calls;
    process_->send(
        fmt::format(
            R"({{"type":"step","iteration":{},"grad_evals":{},"value_evals":{},)"
            R"("hvp_evals":{}}})",
            iteration_, c.grad_evals, c.value_evals, c.hvp_evals),
        limits_.deadline);
    for (;;) {
      const Json message = receive();
      const std::string type = message_type(message, kWho);
      if (type == "request") {
        serve(message);
      } else if (type == "state") {
        if (!message.contains("points"))
          fail_protocol("bad_state", "its state message has no \"points\"");
        try {
          // null (a non-finite coordinate) is a state like any other: the
          // runner's divergence check ends the cell as `diverged`.
          state_.points =
              read_matrix(message["points"], state_.points.rows(),
                          state_.points.cols(), "its state points", true);
          if (kind_ == TaskKind::bilevel) read_bilevel_state(message);
        } catch (const std::runtime_error& e) {
          fail_protocol("bad_state", e.what());
        }
        record_history();
        return;
      } else {
        fail_protocol("unexpected_message",
                      fmt::format("during a step it wrote {}; expected a "
                                  "'request' or a 'state' message",
                                  quote_message(message)));
      }
    }
  }

  void end() override {
    if (!process_) return;
    const auto now = LineProcess::Clock::now();
    // A few seconds for its last words, never beyond the cell's time.
    const auto deadline =
        std::min(limits_.deadline, now + std::chrono::seconds(10));
    if (now < deadline) {
      try {
        process_->send(R"({"type":"stop"})", deadline);
        const Json final_message = receive(deadline);
        if (message_type(final_message, kWho) == "final" &&
            final_message.contains("diagnostics"))
          diagnostics_["reported"] =
              without_frames(final_message["diagnostics"]);
      } catch (const std::exception& e) {
        diagnostics_["stop"] = e.what();
      }
    }
    diagnostics_["exit"] = process_->finish(std::max(
        deadline, LineProcess::Clock::now() + std::chrono::milliseconds(100)));
    const std::string tail = process_->stderr_tail();
    if (!tail.empty()) diagnostics_["stderr"] = tail;
  }

  const State& state() const override { return state_; }
  void limit_history(long long max_draws) override {
    max_history_draws_ = max_draws;
  }
  Json diagnostics() const override {
    Json out = diagnostics_;
    out["protocol"] = kProtocolVersion;
    out["requests"] = requests_;
    // As the native chain samplers: the interval the bounded history was
    // thinned to, when it was.
    if (history_ && history_->stride() != chains_->record_every)
      out["history_stride"] = history_->stride();
    return out;
  }

 private:
  Json receive(std::optional<LineProcess::Clock::time_point> deadline = {}) {
    Json message =
        receive_message(*process_, deadline.value_or(limits_.deadline), kWho);
    throw_if_reported_error(message, kWho, process_->stderr_note());
    return message;
  }

  // Tells the process why it is being ended (best effort), then ends the
  // cell with the same words.
  [[noreturn]] void fail_protocol(const std::string& code,
                                  const std::string& text) {
    try {
      // Never waits: a process that does not read is ended anyway.
      process_->send(
          Json({{"type", "error"}, {"code", code}, {"message", text}}).dump(),
          LineProcess::Clock::now());
    } catch (const std::exception&) {
    }
    throw std::runtime_error(
        fmt::format("{}: {}{}", kWho, text, process_->stderr_note()));
  }

  // The runner starts no step once the budget is spent, and the step that
  // crosses it finishes, as a native step does. A request is refused only
  // when the budget is spent and the step alone has already used as much
  // as the whole budget: a step that never ends its requests.
  void check_budget(const std::string& oracle_name) {
    const Counters& c = oracle_.counters();
    const auto spent = [&](const char* name, long long count,
                           long long at_step_start,
                           const std::optional<long long>& limit) {
      if (limit && count >= *limit && count - at_step_start >= *limit)
        fail_protocol(
            "budget_exhausted",
            fmt::format("it asked for '{}' at iteration {} after the budget "
                        "{} = {} was spent, {} of it within this one step; "
                        "a step may not cost more than the whole budget",
                        oracle_name, iteration_, name, *limit,
                        count - at_step_start));
    };
    spent("max_grad_evals", c.grad_evals, step_start_grad_evals_,
          limits_.max_grad_evals);
    spent("max_oracle_calls", c.oracle_calls, step_start_oracle_calls_,
          limits_.max_oracle_calls);
  }

  void serve(const Json& request) {
    ++requests_;
    if (!request.contains("oracle") || !request["oracle"].is_string())
      fail_protocol("bad_request", "a request has no \"oracle\" name");
    const std::string name = request["oracle"];
    if (std::find(offered_.begin(), offered_.end(), name) == offered_.end())
      fail_protocol("unknown_oracle",
                    fmt::format("it asked for '{}', which this task does not "
                                "offer; it offers: {}",
                                name, fmt::join(offered_, ", ")));
    check_budget(name);
    Matrix x;
    try {
      if (!request.contains("points"))
        throw std::runtime_error("the request has no \"points\"");
      x = read_matrix(request["points"], -1, oracle_.dim(),
                      fmt::format("the points of its '{}' request", name),
                      false);
    } catch (const std::runtime_error& e) {
      fail_protocol("bad_request", e.what());
    }
    OutgoingMessage reply(R"({"type":"reply")");
    switch (kind_) {
      case TaskKind::distribution: {
        const auto& o = static_cast<const DistributionOracle&>(oracle_);
        if (name == "log_prob_grad") {
          Vector logp;
          Matrix grad;
          o.log_prob_grad(x, logp, grad);
          append_value_grad(reply, "log_prob", logp, grad, encoding_);
        } else if (name == "log_prob") {
          reply += R"(,"log_prob":)";
          append_vector(reply, o.log_prob(x), encoding_);
        } else {
          Matrix v;
          try {
            v = read_matrix(request.value("vectors", Json()), x.rows(),
                            x.cols(), "the vectors of its request", false);
          } catch (const std::runtime_error& e) {
            fail_protocol("bad_request", e.what());
          }
          reply += R"(,"hessian_vector":)";
          append_matrix(reply, o.log_prob_hessian_vector(x, v), encoding_);
        }
        break;
      }
      case TaskKind::objective: {
        const auto& o = static_cast<const ObjectiveOracle&>(oracle_);
        if (name == "value_grad") {
          Vector f;
          Matrix grad;
          o.value_grad(x, f, grad);
          append_value_grad(reply, "value", f, grad, encoding_);
        } else {
          reply += R"(,"value":)";
          append_vector(reply, o.value(x), encoding_);
        }
        break;
      }
      case TaskKind::saddle_point: {
        const auto& o = static_cast<const SaddlePointOracle&>(oracle_);
        reply += R"(,"operator":)";
        append_matrix(reply, o.operator_value(x), encoding_);
        break;
      }
      case TaskKind::bilevel:
        serve_bilevel(request, name, x, reply);
        break;
    }
    reply.send_to(*process_, limits_.deadline);
  }

  // A sampler whose rows are Markov chains says so in its ready message,
  // "chains": {"warmup": W, "record_every": R}: its states after the
  // warm-up, every R-th, are then its chains' history, which the chain
  // metrics (R-hat, ESS) read, as a native chain sampler's.
  void read_chains(const Json& chains) {
    const auto setting = [&](const char* key, long long fallback,
                             long long least) {
      const Json value =
          chains.is_object() ? chains.value(key, Json(fallback)) : Json();
      if (!value.is_number_integer() || value.get<long long>() < least)
        fail_protocol(
            "unexpected_message",
            fmt::format("its ready message's \"chains\" must be an object "
                        "{{\"warmup\": integer >= 0, \"record_every\": "
                        "integer >= 1}}; got {}",
                        quote_message(chains)));
      return value.get<long long>();
    };
    if (kind_ != TaskKind::distribution)
      fail_protocol("unexpected_message",
                    "only a sampler's rows can be chains (\"chains\" in its "
                    "ready message)");
    chains_ =
        ChainRecording{setting("warmup", 0, 0), setting("record_every", 1, 1)};
    if (max_history_draws_ > 0)
      history_.emplace(chains_->warmup, chains_->record_every,
                       max_history_draws_);
    diagnostics_["chains"] = {{"warmup", chains_->warmup},
                              {"record_every", chains_->record_every}};
  }

  void record_history() {
    if (!history_ || max_history_draws_ == 0) return;
    history_->record(iteration_, state_.points, state_.history);
  }

  // The inner iterate y (required) and the hypergradient estimate
  // (optional) of a bilevel state message.
  void read_bilevel_state(const Json& message) {
    if (!message.contains("inner"))
      throw std::runtime_error(
          "a bilevel state needs \"inner\", the inner iterate y");
    state_.inner = read_matrix(message["inner"], state_.inner.rows(),
                               state_.inner.cols(), "its state inner", true);
    // An estimate not sent with this state is none (not the last one sent,
    // which belonged to another x).
    state_.hypergradient =
        message.contains("hypergradient")
            ? read_matrix(message["hypergradient"], state_.points.rows(),
                          state_.points.cols(), "its state hypergradient", true)
            : Matrix();
  }

  // A bilevel request: x in "points", y in "inner" (a row per row of x),
  // and for the second-order products v in "vectors" (dim_y columns).
  void serve_bilevel(const Json& request, const std::string& name,
                     const Matrix& x, OutgoingMessage& reply) {
    const auto& o = static_cast<const BilevelOracle&>(oracle_);
    const auto matrix = [&](const char* key, Index cols) {
      try {
        return read_matrix(
            request.value(key, Json()), x.rows(), cols,
            fmt::format("the \"{}\" of its '{}' request", key, name), false);
      } catch (const std::runtime_error& e) {
        fail_protocol("bad_request", e.what());
      }
    };
    const Matrix y = matrix("inner", o.dim_y());
    if (name == "outer_value" || name == "inner_value") {
      reply += R"(,"value":)";
      append_vector(
          reply,
          name == "outer_value" ? o.outer_value(x, y) : o.inner_value(x, y),
          encoding_);
    } else if (name == "outer_grad" || name == "inner_grad") {
      Matrix gx, gy;
      if (name == "outer_grad")
        o.outer_grad(x, y, gx, gy);
      else
        o.inner_grad(x, y, gx, gy);
      reply += R"(,"grad_x":)";
      append_matrix(reply, gx, encoding_);
      reply += R"(,"grad_y":)";
      append_matrix(reply, gy, encoding_);
    } else {
      const Matrix v = matrix("vectors", o.dim_y());
      if (name == "inner_hvp_yy") {
        reply += R"(,"hvp":)";
        append_matrix(reply, o.inner_hvp_yy(x, y, v), encoding_);
      } else {
        reply += R"(,"cross":)";
        append_matrix(reply, o.inner_cross(x, y, v), encoding_);
      }
    }
  }

  const Oracle& oracle_;
  const TaskKind kind_;
  const std::string kind_name_;
  const std::vector<std::string> command_;
  const Json args_;
  const std::uint64_t seed_;
  const std::vector<std::string> offered_;
  State state_;
  RunLimits limits_;
  std::optional<LineProcess> process_;
  MatrixEncoding encoding_ = MatrixEncoding::json;  // of replies, as asked
  long long iteration_ = 0, requests_ = 0;
  struct ChainRecording {
    long long warmup, record_every;
  };
  std::optional<ChainRecording> chains_;
  std::optional<ChainHistory> history_;
  long long max_history_draws_ = kDefaultMaxHistoryDraws;  // 0: none
  long long step_start_grad_evals_ = 0, step_start_oracle_calls_ = 0;
  Json diagnostics_ = Json::object();
};

class ExternalAlgorithm final : public Algorithm {
 public:
  static constexpr const char* kName = "external";
  // Its `kind` parameter says which kind it is (kKind only files it).
  static constexpr TaskKind kKind = TaskKind::distribution;
  static constexpr bool kKindIsParameter = true;
  static constexpr const char* kDescription =
      "an algorithm in any language, run as a child process that speaks "
      "vibench's line protocol (docs/PROTOCOL.md); its kind (sampler, "
      "optimizer, saddle, bilevel) is a parameter, its oracle calls are "
      "counted like native code's";

  static ParamSpecs params() {
    ParamSpec kind = ParamSpec::of_type(
        ParamType::string, "kind", Json(),
        "which tasks it runs on: sampler (distributions), optimizer "
        "(objectives), saddle (saddle-point problems) or bilevel (bilevel "
        "problems); required");
    kind.choices = kind_names();
    return {
        ParamSpec::of_type(ParamType::string_list, "command", Json(),
                           "the program and its arguments, e.g. [\"python3\", "
                           "\"my_sampler.py\"]; argv[0] is searched in PATH; "
                           "required"),
        std::move(kind),
        ParamSpec::integer("n_points", Json(),
                           "rows of its state: the particles or chains of a "
                           "sampler (required for one); 1 for an optimizer "
                           "or a saddle solver, which have one iterate")
            .at_least(1),
        ParamSpec::of_type(ParamType::object, "args", Json::object(),
                           "its own parameters, passed on untouched in the "
                           "start message as \"params\" and recorded"),
    };
  }

  explicit ExternalAlgorithm(const Params& p) : args_(p.object("args")) {
    if (!p.has("command"))
      throw ConfigError("command",
                        "external: give the program to run as \"command\", "
                        "e.g. [\"python3\", \"my_sampler.py\"]");
    command_ = p.string_list("command");
    if (!p.has("kind"))
      throw ConfigError("kind",
                        fmt::format("external: give its \"kind\": one of {}",
                                    fmt::join(kind_names(), ", ")));
    kind_name_ = p.string("kind");
    for (const auto& k : kKinds)
      if (kind_name_ == k.name) kind_ = k.kind;
    if (kind_ == TaskKind::distribution) {
      if (!p.has("n_points"))
        throw ConfigError("n_points",
                          "external: a sampler needs n_points, the number of "
                          "particles or chains it moves");
      n_points_ = static_cast<Index>(p.integer("n_points"));
    } else if (p.has("n_points") && p.integer("n_points") != 1) {
      throw ConfigError("n_points",
                        fmt::format("external: kind '{}' has one iterate; "
                                    "n_points must be 1 (or left out)",
                                    kind_name_));
    }
  }

  TaskKind kind() const override { return kind_; }
  Index num_points() const override { return n_points_; }
  // A sampler may declare its rows chains only in its ready message, so
  // before the run the bound is taken: a draw per iteration from the
  // first, at most max_draws (its warm-up and record_every can only lower
  // it).
  double history_bytes(Index dim, long long max_iterations,
                       long long max_draws) const override {
    if (kind_ != TaskKind::distribution) return 0;
    const long long draws =
        ChainHistory::draws_for(0, 1, max_draws, max_iterations);
    return static_cast<double>(draws) * static_cast<double>(n_points_) *
           static_cast<double>(dim) * static_cast<double>(sizeof(double));
  }

  std::unique_ptr<Run> start(const Oracle& oracle, const State& initial,
                             Rng rng) const override {
    // The process's own randomness comes from the cell's algorithm stream,
    // like a native algorithm's.
    return std::make_unique<ExternalRun>(oracle, kind_, initial, rng.next_u64(),
                                         command_, kind_name_, args_);
  }

 private:
  std::vector<std::string> command_;
  std::string kind_name_;
  TaskKind kind_ = TaskKind::distribution;
  Index n_points_ = 1;
  Json args_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(ExternalAlgorithm);

}  // namespace vibench
