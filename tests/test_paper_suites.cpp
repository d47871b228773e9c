// The paper suites in suites/papers/ are valid, and the results checked in
// under results/papers/ were produced by the suites as they are now (same
// suite hash, every cell present, none failed), so the README's numbers can
// be regenerated from the files in the repository.
#include <doctest/doctest.h>

#include <filesystem>

#include "runner/suite.hpp"
#include "test_helpers.hpp"

using namespace vibench;

TEST_CASE("paper suites: valid, with matching checked-in results") {
  const std::filesystem::path root(VIBENCH_SOURCE_DIR);
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(root / "suites" / "papers")) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().string());
    const Suite suite = load_suite(entry.path().string());
    CHECK(!suite.canonical.value("description", std::string()).empty());
    const auto results_path =
        root / "results" / "papers" / entry.path().filename();
    REQUIRE(std::filesystem::exists(results_path));
    const Json results = testing::read_json(results_path);
    CHECK(results["suite_hash"] == suite.hash);
    CHECK(results["cells"].size() == expand_cells(suite).size());
    for (const auto& cell : results["cells"]) {
      INFO(cell["id"]);
      CHECK(cell["status"] != "failed");
    }
    CHECK(std::filesystem::file_size(results_path) < 3'000'000);
    ++checked;
  }
  CHECK(checked >= 2);
}
