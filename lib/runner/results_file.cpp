#include "runner/results_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "core/error.hpp"
#include "vibench_revision.hpp"

namespace vibench {

namespace fs = std::filesystem;

namespace {
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  return "unknown";
}
}  // namespace

Json run_context(int threads, const std::string& start_time,
                 const std::string& end_time, const std::string& command_line) {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return {
      {"vibench_version", VIBENCH_VERSION},
      {"git_revision", VIBENCH_GIT_REVISION},
      {"compiler", VIBENCH_COMPILER},
      {"flags", VIBENCH_FLAGS},
      {"eigen_version", fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION,
                                    EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
      {"cpu", cpu_model()},
      {"hardware_threads", std::thread::hardware_concurrency()},
      {"threads", threads},
      {"host", host},
      {"command", command_line},
      {"start_time", start_time},
      {"end_time", end_time}};
}

std::string Journal::path_for(const std::string& results_path) {
  return results_path + ".journal.jsonl";
}

Journal::Journal(const std::string& path, const std::string& suite_hash) {
  const bool fresh = !fs::exists(path);
  const fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  out_.open(path, std::ios::app);
  if (!out_)
    throw std::runtime_error(fmt::format("cannot write journal '{}'", path));
  if (fresh) {
    out_ << Json({{"vibench_journal", kResultsSchemaVersion},
                  {"suite_hash", suite_hash}})
                .dump()
         << '\n';
    out_.flush();
  }
}

void Journal::append(const Json& record) {
  std::lock_guard<std::mutex> lock(mutex_);
  out_ << record.dump() << '\n';
  out_.flush();
}

std::vector<Json> Journal::read(const std::string& path,
                                const std::string& suite_hash) {
  std::ifstream in(path);
  std::vector<Json> records;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Json value;
    try {
      value = Json::parse(line);
    } catch (const Json::parse_error&) {
      break;  // a line cut by the interruption: everything before it counts
    }
    if (header) {
      header = false;
      if (value.value("suite_hash", std::string()) != suite_hash)
        throw ConfigError("",
                          fmt::format("journal '{}' belongs to another suite "
                                      "(or another version of this one); "
                                      "remove it or run with --force",
                                      path));
      continue;
    }
    records.push_back(std::move(value));
  }
  return records;
}

}  // namespace vibench
