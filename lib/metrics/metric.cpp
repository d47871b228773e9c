#include "metrics/metric.hpp"

namespace vibench {

bool takes_iterate_setting(const MetricEntry& entry) {
  return !entry.of_run && !entry.kinds.count(TaskKind::distribution) &&
         (entry.kinds.count(TaskKind::objective) ||
          entry.kinds.count(TaskKind::saddle_point));
}

bool register_metric(MetricEntry entry) {
  if (takes_iterate_setting(entry))
    entry.settings.push_back(ParamSpec::string(
        kIterateSetting, "last", {"last", "average", "both"},
        "the iterate it is computed on: last, the runner's average of the "
        "iterates (suite key 'averaging'; recorded as <name>@average), or "
        "both"));
  return MetricRegistry::instance().add(std::move(entry));
}

}  // namespace vibench
