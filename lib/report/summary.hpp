// The summary that `vibench run` prints: one table per task kind, one row per
// (task, algorithm), the final value of each metric as mean ± sd over seeds.
#pragma once

#include <string>

#include "core/params.hpp"

namespace vibench {

std::string summary_table(const Json& results);

// Mean and sample standard deviation (0 for fewer than two values).
struct MeanSd {
  double mean = 0, sd = 0;
  size_t count = 0;
};
MeanSd mean_sd(const std::vector<double>& values);

// "1.23e-04 ± 5.6e-05" style: 3 significant digits.
std::string format_mean_sd(const MeanSd& value);

}  // namespace vibench
