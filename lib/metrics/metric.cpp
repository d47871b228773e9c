#include "metrics/metric.hpp"

namespace vibench {

bool takes_iterate_setting(const MetricEntry& entry) {
  return !entry.of_run && !entry.kinds.count(TaskKind::distribution) &&
         (entry.kinds.count(TaskKind::objective) ||
          entry.kinds.count(TaskKind::saddle_point));
}

const MetricEntry* find_metric(const std::string& name, std::string* renamed) {
  const auto& registry = MetricRegistry::instance();
  if (const MetricEntry* entry = registry.find(name)) return entry;
  for (const MetricEntry* entry : registry.all())
    for (const auto& former : entry->former_names)
      if (former == name) {
        if (renamed)
          *renamed = "metric '" + name + "' is now called '" + entry->name +
                     "'; the old name stays valid, and the values are "
                     "recorded as '" +
                     entry->name + "'";
        return entry;
      }
  return nullptr;
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
