// CSV: RFC 4180 fields and records (for `vibench export`), and sample files
// with one column per coordinate (for `vibench eval` and `vibench reference`).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"

namespace vibench {

// One field, quoted as RFC 4180 asks when it holds a comma, a double quote,
// a line break or leading/trailing spaces (quotes inside are doubled).
std::string csv_field(std::string_view value);

// Fields joined by commas, ending with "\n".
std::string csv_row(const std::vector<std::string>& fields);

// A parsed record and the line of the text where it starts (1-based).
struct CsvRecord {
  std::vector<std::string> fields;
  size_t line = 0;
};

// Parses RFC 4180 text (quoted fields may hold commas, doubled quotes and
// line breaks; LF or CRLF line ends; a UTF-8 byte order mark is ignored).
// Blank lines are skipped. Throws std::runtime_error for an unterminated
// quoted field or a quote inside an unquoted field, naming the line.
std::vector<CsvRecord> parse_csv(std::string_view text);

// A CSV of numbers under a header row of column names.
struct NumberTable {
  std::vector<std::string> names;  // the header's fields, trimmed
  Matrix values;                   // one row per record after the header
  std::vector<size_t> lines;       // the line of the text each row starts on
};

// Reads a header row, then rows of finite numbers, one per column of the
// header. With `dim`, the header must have exactly `dim` columns (messages
// speak of the task's dimension). ConfigError (where = `file`) naming the
// line and column of a bad cell, a missing header or a row of the wrong
// length.
NumberTable read_number_table(const std::string& text, std::optional<Index> dim,
                              const std::string& file);

// Reads a sample file: a header row, then one row per point with one number
// per coordinate. `dim` is the expected number of columns. Errors
// (ConfigError, where = `file`) say the expected column count, the line and
// column of a cell that is not a finite number, and when the header is
// missing.
Matrix read_samples_csv(const std::string& text, Index dim,
                        const std::string& file);
Matrix read_samples_csv_file(const std::string& path, Index dim);

// Writes points (one per row) under a header of `names` (default
// x1,...,xd); numbers in the shortest form that reads back to the same
// double.
std::string samples_csv(const Matrix& points,
                        const std::vector<std::string>& names = {});

}  // namespace vibench
