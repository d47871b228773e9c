#include "tasks/gradient_noise.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace vibench {

void GradientNoise::add(Matrix& g, Rng& rng) const {
  // Row by row, like every other draw of vibench, so the first rows do not
  // depend on how many points the call has.
  for (Index i = 0; i < g.rows(); ++i)
    for (Index j = 0; j < g.cols(); ++j) {
      double xi = 0.0;
      switch (kind) {
        case Kind::none:
          return;
        case Kind::gaussian:
          xi = rng.normal();
          break;
        case Kind::student_t: {
          // t_ν = Z / √(χ²_ν/ν), χ²_ν = 2·Gamma(ν/2).
          const double z = rng.normal();
          const double chi2 = 2.0 * std::exp(log_gamma_variate(rng, dof / 2));
          xi = z / std::sqrt(chi2 / dof);
          break;
        }
        case Kind::pareto: {
          const double u = 1.0 - rng.uniform();  // (0, 1]
          const double sign = rng.uniform() < 0.5 ? -1.0 : 1.0;
          xi = sign * (std::pow(u, -1.0 / tail_index) - 1.0);
          break;
        }
      }
      g(i, j) += scale * xi;
    }
}

GradientNoise GradientNoise::from_json(const Json& json,
                                       const std::string& path) {
  const std::vector<std::string> kinds = {"gaussian", "student_t", "pareto"};
  const std::vector<std::string> keys = {"kind", "scale", "dof", "tail_index"};
  if (!json.is_object() || !json.contains("kind") || !json["kind"].is_string())
    throw ConfigError(path, fmt::format("'noise' must be an object {{\"kind\": "
                                        "one of {}, \"scale\": σ, ...}}",
                                        quoted_list(kinds)));
  for (const auto& [key, value] : json.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      throw ConfigError(
          path + "/" + key,
          fmt::format("unknown key '{}' of 'noise'{}; allowed: {}", key,
                      did_you_mean(key, keys), quoted_list(keys)));
  GradientNoise noise;
  const std::string kind = json["kind"];
  if (kind == "gaussian") {
    noise.kind = Kind::gaussian;
  } else if (kind == "student_t") {
    noise.kind = Kind::student_t;
  } else if (kind == "pareto") {
    noise.kind = Kind::pareto;
  } else {
    throw ConfigError(
        path + "/kind",
        fmt::format("unknown noise '{}'{}; allowed: {}", kind,
                    did_you_mean(kind, kinds), quoted_list(kinds)));
  }
  auto positive = [&](const char* key, double& out, double lower,
                      const char* what) {
    if (!json.contains(key)) return;
    const Json& v = json[key];
    if (!v.is_number() || !(v.get<double>() > lower) ||
        !std::isfinite(v.get<double>()))
      throw ConfigError(path + "/" + key,
                        fmt::format("{} must be a number > {}, got {}", what,
                                    lower, v.dump()));
    out = v.get<double>();
  };
  positive("scale", noise.scale, 0.0, "scale σ");
  positive("dof", noise.dof, 0.0, "dof ν of student_t");
  positive("tail_index", noise.tail_index, 1.0,
           "tail_index α of pareto (mean zero needs α > 1)");
  if (json.contains("dof") && noise.kind != Kind::student_t)
    throw ConfigError(path + "/dof", "'dof' is a setting of student_t noise");
  if (json.contains("tail_index") && noise.kind != Kind::pareto)
    throw ConfigError(path + "/tail_index",
                      "'tail_index' is a setting of pareto noise");
  return noise;
}

Json GradientNoise::to_json() const {
  switch (kind) {
    case Kind::none:
      return nullptr;
    case Kind::gaussian:
      return {{"kind", "gaussian"}, {"scale", scale}};
    case Kind::student_t:
      return {{"kind", "student_t"}, {"scale", scale}, {"dof", dof}};
    case Kind::pareto:
      return {{"kind", "pareto"}, {"scale", scale}, {"tail_index", tail_index}};
  }
  return nullptr;
}

}  // namespace vibench
