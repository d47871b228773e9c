// Wall-clock timestamps for provenance records.
#pragma once

#include <string>

namespace vibench {

// UTC time as ISO 8601, e.g. 2026-11-21T22:45:08Z.
std::string utc_now();

}  // namespace vibench
