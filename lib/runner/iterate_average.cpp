#include "runner/iterate_average.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace vibench {

double AveragingRule::weight(long long k) const {
  const double t = static_cast<double>(k);
  switch (kind) {
    case Kind::uniform:
      return 1.0 / t;
    case Kind::polynomial:
      return (1.0 + gamma) / (t + gamma);
    case Kind::ema:
      return 1.0 - decay;
  }
  return 1.0;
}

AveragingRule AveragingRule::from_json(const Json& json,
                                       const std::string& path) {
  const std::vector<std::string> kinds = {"uniform", "polynomial", "ema"};
  const std::vector<std::string> keys = {"kind", "gamma", "decay"};
  if (!json.is_object())
    throw ConfigError(path,
                      fmt::format("'averaging' must be an object {{\"kind\": "
                                  "one of {}, ...}}, got {}",
                                  quoted_list(kinds), json.dump()));
  for (const auto& [key, value] : json.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      throw ConfigError(
          path + "/" + key,
          fmt::format("unknown key '{}' of 'averaging'{}; "
                      "allowed: {}",
                      key, did_you_mean(key, keys), quoted_list(keys)));
  AveragingRule rule;
  const std::string kind = json.value("kind", std::string("uniform"));
  if (kind == "polynomial") {
    rule.kind = Kind::polynomial;
  } else if (kind == "ema") {
    rule.kind = Kind::ema;
  } else if (kind != "uniform") {
    throw ConfigError(
        path + "/kind",
        fmt::format("unknown averaging '{}'{}; allowed: {}", kind,
                    did_you_mean(kind, kinds), quoted_list(kinds)));
  }
  if (json.contains("gamma")) {
    if (!json["gamma"].is_number() || !(json["gamma"].get<double>() >= 0))
      throw ConfigError(path + "/gamma",
                        "gamma must be a number >= 0 (DoG's averager: 8)");
    rule.gamma = json["gamma"];
  }
  if (json.contains("decay")) {
    if (!json["decay"].is_number() || !(json["decay"].get<double>() >= 0) ||
        !(json["decay"].get<double>() < 1))
      throw ConfigError(path + "/decay", "decay must be a number in [0, 1)");
    rule.decay = json["decay"];
  }
  return rule;
}

Json AveragingRule::to_json() const {
  switch (kind) {
    case Kind::uniform:
      return {{"kind", "uniform"}};
    case Kind::polynomial:
      return {{"kind", "polynomial"}, {"gamma", gamma}};
    case Kind::ema:
      return {{"kind", "ema"}, {"decay", decay}};
  }
  return {};
}

}  // namespace vibench
