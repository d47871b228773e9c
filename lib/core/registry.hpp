// A name → entry registry that components join from their own file with one
// registration line (google/benchmark style static registration).
#pragma once

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace vibench {

template <class Entry>
class Registry {
 public:
  static Registry& instance() {
    static Registry registry;
    return registry;
  }
  // Returns true so that `static const bool x = ...add(...)` registers at
  // start-up; a duplicate name is a programming error.
  bool add(Entry entry) {
    const std::string name = entry.name;
    if (!entries_.emplace(name, std::move(entry)).second)
      throw std::logic_error("duplicate registration of '" + name + "'");
    return true;
  }
  const Entry* find(const std::string& name) const {
    const auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }
  // Sorted by name: stable output for `vibench list`.
  std::vector<const Entry*> all() const {
    std::vector<const Entry*> out;
    for (const auto& [name, entry] : entries_) out.push_back(&entry);
    return out;
  }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace vibench
