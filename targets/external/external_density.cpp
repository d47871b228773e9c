// `external_density`: a density whose oracles another program serves over
// the line protocol (docs/PROTOCOL.md, the serving role), in any language:
// a model in Python, or a Stan model through BridgeStan. Every native
// sampler runs on it, its calls counted like a native task's. Ground truth
// is optional and comes from a file of reference draws (CSV, or
// posteriordb's reference_draws.json), used by the metrics that compare
// with draws of the target.
#include <fmt/format.h>

#include <filesystem>

#include "core/error.hpp"
#include "external/protocol.hpp"
#include "reference/given_reference.hpp"
#include "reference/reference_draws_file.hpp"
#include "served_task.hpp"
#include "tasks/distribution.hpp"
#include "tasks/warm_up.hpp"

namespace vibench {
namespace {

class ExternalDensityTask final : public Distribution,
                                  public GivenReferenceDraws,
                                  public WarmUp {
 public:
  static constexpr const char* kName = "external_density";
  static constexpr const char* kDescription =
      "a density served by another program over vibench's line protocol "
      "(docs/PROTOCOL.md): log π̃ and ∇log π of any model, in any language; "
      "ground truth from an optional file of reference draws";
  static constexpr const char* kDimensionRule = "dim (the program's)";

  static ParamSpecs params() {
    ParamSpecs specs = served_task::params(
        R"(["python3", "python/examples/gaussian_density.py"])");
    specs.push_back(ParamSpec::of_type(
        ParamType::string_list, "coordinate_names", Json(),
        "names of the d coordinates, matched against the columns of the "
        "reference draws (default x1..xd)"));
    specs.push_back(ParamSpec::of_type(
        ParamType::string, "reference_draws_file", Json(),
        "reference draws of the target: a CSV under a header of coordinate "
        "names, or posteriordb's reference_draws.json (a path relative to "
        "where vibench runs); the metrics that compare with draws of the "
        "target use them"));
    specs.push_back(ParamSpec::boolean(
        "hessian_vector", false,
        "the program also serves log_prob_hessian_vector (∇²log π·v), for "
        "the samplers that need it"));
    return specs;
  }

  explicit ExternalDensityTask(const Params& p)
      : servers_(served_task::spec(p, kName, "density", required(p))),
        hessian_vector_(p.boolean("hessian_vector")) {
    const Index d = servers_.spec().dim;
    if (p.has("coordinate_names")) {
      names_ = p.string_list("coordinate_names");
      if (static_cast<Index>(names_.size()) != d)
        throw ConfigError("coordinate_names",
                          fmt::format("external_density: {} coordinate names "
                                      "for dim = {}",
                                      names_.size(), d));
    } else {
      names_ = Distribution::coordinate_names();
    }
    if (p.has("reference_draws_file")) {
      const std::filesystem::path path = p.string("reference_draws_file");
      if (!std::filesystem::is_regular_file(path))
        throw ConfigError(
            "reference_draws_file",
            fmt::format("external_density: no file '{}'", path.string()));
      // (The class is final: the virtual calls the reader makes on *this,
      // coordinate_names() among them, are this class's.)
      ReferenceDrawsFile file = read_reference_draws_file(path, *this, kName);
      reference_ = std::move(file.draws);
      provenance_ = {{"file", path.string()},
                     {"format", file.format},
                     {"matched", file.matched},
                     {"content_hash", file.content_hash},
                     {"draws", reference_.rows()}};
    }
  }

  Index dim() const override { return servers_.spec().dim; }
  Capabilities capabilities() const override {
    Capabilities c;
    if (reference_.size() > 0) c.insert(Capability::reference);
    if (hessian_vector_) c.insert(Capability::hessian_vector);
    return c;
  }
  std::vector<std::string> coordinate_names() const override { return names_; }

  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    servers_.call("log_prob_grad", x, nullptr, [&](const Json& reply) {
      logp = read_vector(field(reply, "log_prob"), x.rows(),
                         what("log_prob_grad", "log_prob"), true);
      grad = read_matrix(field(reply, "grad"), x.rows(), dim(),
                         what("log_prob_grad", "grad"), true);
    });
  }

  Vector log_prob(const Matrix& x) const override {
    Vector logp;
    servers_.call("log_prob", x, nullptr, [&](const Json& reply) {
      logp = read_vector(field(reply, "log_prob"), x.rows(),
                         what("log_prob", "log_prob"), true);
    });
    return logp;
  }

  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    if (!hessian_vector_) return Distribution::log_prob_hessian_vector(x, v);
    Matrix hv;
    servers_.call("log_prob_hessian_vector", x, &v, [&](const Json& reply) {
      hv = read_matrix(field(reply, "hessian_vector"), x.rows(), dim(),
                       what("log_prob_hessian_vector", "hessian_vector"), true);
    });
    return hv;
  }

  void warm_up() const override { servers_.warm_up(); }

  const Matrix& given_draws() const override { return reference_; }
  Json given_draws_provenance() const override { return provenance_; }

 private:
  static std::vector<std::string> required(const Params& p) {
    std::vector<std::string> oracles = {"log_prob_grad", "log_prob"};
    if (p.boolean("hessian_vector"))
      oracles.emplace_back("log_prob_hessian_vector");
    return oracles;
  }
  const Json& field(const Json& reply, const char* key) const {
    return served_task::field(reply, key, servers_.spec());
  }
  std::string what(const char* oracle, const char* key) const {
    return served_task::what(servers_.spec(), oracle, key);
  }

  OracleServers servers_;
  bool hessian_vector_ = false;
  std::vector<std::string> names_;
  Matrix reference_;
  Json provenance_ = Json::object();
};

}  // namespace

VIBENCH_REGISTER_TASK(ExternalDensityTask);

}  // namespace vibench
