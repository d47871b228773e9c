// libFuzzer target: the CSV reader — RFC 4180 records (parse_csv, used for
// the bundled classification data) and the sample and reference-draw files
// on top of it (read_number_table, read_samples_csv_file for `vibench eval`)
// — and the writers' promise that what they write reads back unchanged.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/csv.hpp"
#include "fuzz_common.hpp"

namespace {

using namespace vibench;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// parse_csv reports bad CSV as std::runtime_error (documented); anything
// else escaping it is a finding.
void check_records(const std::string& text) {
  std::vector<CsvRecord> records;
  try {
    records = parse_csv(text);
  } catch (const std::runtime_error&) {
    return;
  } catch (const std::exception& e) {
    fuzz::fail(std::string("parse_csv: unexpected exception: ") + e.what());
  }
  size_t last_line = 0;
  for (const CsvRecord& record : records) {
    if (record.line <= last_line)
      fuzz::fail("parse_csv: record lines do not increase");
    last_line = record.line;
    // A first field that starts with a UTF-8 byte order mark loses it when
    // the row is read back first in a text (the mark is skipped there):
    // a field no writer produces, so not checked.
    if (!record.fields.empty() && record.fields[0].rfind(kBom, 0) == 0)
      continue;
    // csv_row quotes what needs quoting (vibench export), so one written
    // record reads back as the same fields.
    const std::string row = csv_row(record.fields);
    std::vector<CsvRecord> back;
    try {
      back = parse_csv(row);
    } catch (const std::exception& e) {
      fuzz::fail("csv_row wrote a row parse_csv refuses: " +
                 std::string(e.what()));
    }
    if (back.size() != 1 || back[0].fields != record.fields)
      fuzz::fail("csv_row(fields) does not read back as the same fields");
  }
}

// A table that was read writes (samples_csv: shortest round-trip numbers)
// and reads back to the same names and the same doubles.
void check_round_trip(const NumberTable& table) {
  // One column named "" (a header of blanks, trimmed) is written as an empty
  // line, which readers skip as blank: no name to keep, not checked.
  if (table.names.size() == 1 && table.names[0].empty()) return;
  // As for records: a first name that starts with a byte order mark.
  if (!table.names.empty() && table.names[0].rfind(kBom, 0) == 0) return;
  const std::string text = samples_csv(table.values, table.names);
  NumberTable back;
  try {
    back = read_number_table(text, std::nullopt, "round-trip.csv");
  } catch (const std::exception& e) {
    fuzz::fail("samples_csv wrote a table read_number_table refuses: " +
               std::string(e.what()));
  }
  if (back.names != table.names)
    fuzz::fail("samples_csv: the header does not read back");
  if (back.values.rows() != table.values.rows() ||
      back.values.cols() != table.values.cols() ||
      !(back.values.array() == table.values.array()).all())
    fuzz::fail("samples_csv: the numbers do not read back bit for bit");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInputBytes) return -1;
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_records(text);

  // As `vibench reference` reads draws: any number of columns.
  fuzz::expect_config_errors("read_number_table", [&] {
    check_round_trip(read_number_table(text, std::nullopt, "fuzz.csv"));
  });
  // As `vibench eval` reads samples of a task of dimension d, from a file:
  // d from the input's size, so that every width is tried.
  static fuzz::InputFile file(".csv");
  const Index dim = static_cast<Index>(size % 5) + 1;
  fuzz::expect_config_errors("read_samples_csv_file", [&] {
    const Matrix samples = read_samples_csv_file(file.write(text), dim);
    if (samples.cols() != dim)
      fuzz::fail("read_samples_csv_file: wrong number of columns");
  });
  return 0;
}
