// libFuzzer target: result files as the report commands read them —
// read_result_document and the checks of make_result_set (compare, table,
// profile), load_results_file (merge, export) and the journal reader
// (run --resume) — and then the reports themselves on what was accepted:
// compare (the file against itself), compare --exact, table, series,
// profile, the HTML report, merge and export. Bad input must end as a
// ConfigError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "report/compare.hpp"
#include "report/exact_diff.hpp"
#include "report/export.hpp"
#include "report/html_report.hpp"
#include "report/merge.hpp"
#include "report/profiles.hpp"
#include "report/results_set.hpp"
#include "report/series.hpp"
#include "report/table.hpp"
#include "runner/results_file.hpp"

namespace {

using namespace vibench;

// Reports per metric are the costly part; a few metrics reach the code.
constexpr size_t kMaxMetrics = 3;

void reports(const ResultSet& set, uint8_t choice) {
  fuzz::expect_config_errors("report", [&] {
    ReportOptions options;
    if (choice & 0x40) {
      const std::vector<std::string> names = set.metric_names();
      if (!names.empty()) options.select_by = names.front();
    }
    (void)html_report(set, options);
  });
  fuzz::expect_config_errors("compare", [&] {
    const CompareOptions options;
    const Comparison comparison = compare_results(set, set, options);
    // A file is no regression of itself.
    if (comparison.regression_count() != 0)
      fuzz::fail("compare: a result file regresses against itself");
    (void)compare_report(comparison, options);
    (void)benchmark_action_json(comparison, true).dump();
    (void)benchmark_action_json(comparison, false).dump();
    (void)comparison.regression_lines();
  });
  const std::vector<std::string> names = set.metric_names();
  for (size_t k = 0; k < names.size() && k < kMaxMetrics; ++k) {
    fuzz::expect_config_errors("table", [&] {
      TableOptions options;
      options.metric = names[k];
      // Every option from one byte of the input's hash, so that each input
      // tries one combination and the corpus covers them all.
      options.format = static_cast<TableFormat>((choice + k) % 4);
      options.stat = static_cast<TableStat>((choice / 3 + k) % 3);
      options.transpose = (choice & 0x10) != 0;
      options.standalone = options.format == TableFormat::latex;
      if (choice & 0x20) options.select_by = names[0];
      switch ((choice / 64 + k) % 3) {
        case 0:
          options.at = TracePoint::parse("final", "--at");
          break;
        case 1:
          options.at = TracePoint::parse("best", "--at");
          break;
        default:
          options.at = TracePoint::parse("grad_evals=1000", "--at");
      }
      (void)make_table(set, options);
    });
    fuzz::expect_config_errors("series", [&] {
      SeriesOptions options;
      options.metric = names[k];
      options.x = (choice & 1) ? "iterations" : "grad_evals";
      options.stat =
          (choice & 4) ? SeriesStat::mean_ci : SeriesStat::median_iqr;
      if (choice & 0x20) options.select_by = names[0];
      (void)series_json(build_series(set, options)).dump();
    });
    fuzz::expect_config_errors("profile", [&] {
      ProfileOptions options;
      options.metric = names[k];
      options.cost = (choice & 1) ? "iterations" : "grad_evals";
      options.format =
          (choice & 2) ? ProfileFormat::csv : ProfileFormat::markdown;
      (void)format_profiles(compute_profiles(set, options), options.format);
    });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInputBytes) return -1;
  static fuzz::InputFile file(".json");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string& path = file.write(text);
  uint8_t choice = 0;
  for (size_t i = 0; i < size; ++i) choice = choice * 31 + data[i];

  // compare, table, profile.
  fuzz::expect_config_errors("read_result_document", [&] {
    const Json document = read_result_document(path);
    const ResultSet set = make_result_set({document}, {"fuzz.json"});
    fuzz::expect_config_errors("compare --exact", [&] {
      if (exact_differences(document, document).count != 0)
        fuzz::fail("compare --exact: values moved between a file and itself");
    });
    reports(set, choice);
  });

  // merge, export.
  fuzz::expect_config_errors("load_results_file", [&] {
    const std::vector<ResultsInput> inputs = {load_results_file(path)};
    fuzz::expect_config_errors("merge", [&] {
      (void)merge_results(inputs, "vibench merge fuzz.json").dump(1);
    });
    fuzz::expect_config_errors("export", [&] {
      if (export_row_count(inputs) > 100000) return;  // bounded per input
      (void)export_results(inputs, ExportFormat::csv);
      (void)export_results(inputs, ExportFormat::jsonl);
    });
  });

  // run --resume: the same bytes as a journal (JSON lines). The suite hash
  // is fixed so that inputs whose header names it reach the records.
  fuzz::expect_config_errors("Journal::read", [&] {
    (void)Journal::read(path, "fuzz", /*other_build=*/true);
  });
  return 0;
}
