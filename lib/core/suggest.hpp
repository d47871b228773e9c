// "Did you mean ...?" suggestions for misspelled names.
#pragma once

#include <string>
#include <vector>

namespace vibench {

// Edit distance (insertions, deletions, substitutions) between two names.
int edit_distance(const std::string& a, const std::string& b);

// The closest candidate when it is close enough to be a plausible typo
// (distance at most max(2, length/3)), else an empty string.
std::string closest_name(const std::string& name,
                         const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "", ready to append to an error message.
std::string did_you_mean(const std::string& name,
                         const std::vector<std::string>& candidates);

// "'a', 'b', 'c'": for "allowed: ..." messages.
std::string quoted_list(const std::vector<std::string>& names);

}  // namespace vibench
