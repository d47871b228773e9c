// libFuzzer target: suite files as `vibench validate` reads them — the JSON
// structure check, the parser, and the validator with the registries of
// every task, algorithm and metric — then the expansion into cells. Nothing
// runs: only load_suite and expand_cells. The only outcome allowed for bad
// input is a ConfigError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.hpp"
#include "runner/suite.hpp"

namespace {

// Expanding a suite formats one id string per cell; validation bounds a
// suite at kMaxCells (10⁶), which would take seconds per input under the
// sanitizers without reaching new code, so bigger suites are validated only.
constexpr size_t kMaxExpandedCells = 10000;

size_t cell_count(const vibench::Suite& suite) {
  size_t cells = 0;
  for (const auto& task : suite.tasks)
    for (const auto& algorithm : suite.algorithms)
      if (task.task->kind() == algorithm.algorithm->kind()) ++cells;
  return cells * suite.replicates.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vibench;
  if (size > fuzz::kMaxInputBytes) return -1;  // -1: not added to the corpus
  static fuzz::InputFile file(".json");
  const std::string& path =
      file.write(std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::expect_config_errors("load_suite", [&] {
    const Suite suite = load_suite(path);
    // What a valid suite promises the runner and the result file.
    if (suite.hash.empty()) fuzz::fail("a valid suite without a hash");
    (void)suite.canonical.dump();
    const size_t expected = cell_count(suite);
    if (expected <= kMaxExpandedCells) {
      const auto cells = expand_cells(suite);
      if (cells.size() != expected)
        fuzz::fail("expand_cells gave " + std::to_string(cells.size()) +
                   " cells, the kinds and seeds give " +
                   std::to_string(expected));
    }
  });
  return 0;
}
