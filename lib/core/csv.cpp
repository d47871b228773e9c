#include "core/csv.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/error.hpp"

namespace vibench {

std::string csv_field(std::string_view value) {
  const bool needs_quotes =
      value.find_first_of(",\"\r\n") != std::string_view::npos ||
      (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!needs_quotes) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += csv_field(fields[i]);
  }
  out += '\n';
  return out;
}

std::vector<CsvRecord> parse_csv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  size_t line = 1;
  record.line = 1;
  bool in_quotes = false;
  bool was_quoted = false;  // the current field was a quoted one
  size_t quote_line = 0;
  auto end_record = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    was_quoted = false;
    const bool blank = record.fields.size() == 1 && record.fields[0].empty();
    if (!blank) records.push_back(std::move(record));
    record = CsvRecord();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == ',') {
      record.fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      ++line;
      record.line = line;
    } else if (c == '"') {
      if (!field.empty() || was_quoted)
        throw std::runtime_error(fmt::format(
            "line {}: a double quote inside an unquoted field (quote the "
            "whole field and double the quotes inside it)",
            line));
      in_quotes = true;
      was_quoted = true;
      quote_line = line;
    } else {
      if (was_quoted)
        throw std::runtime_error(fmt::format(
            "line {}: text after the closing quote of a field", line));
      field += c;
    }
  }
  if (in_quotes)
    throw std::runtime_error(
        fmt::format("line {}: a quoted field is never closed", quote_line));
  if (!field.empty() || !record.fields.empty() || was_quoted) end_record();
  return records;
}

namespace {

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// The number in `s`, or false when `s` is not exactly one number.
bool parse_number(const std::string& s, double& value) {
  const std::string t = trimmed(s);
  if (t.empty()) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && errno != ERANGE;
}

std::string expected_header(Index dim) {
  std::string names;
  for (Index k = 1; k <= std::min<Index>(dim, 3); ++k)
    names += fmt::format("{}x{}", k > 1 ? "," : "", k);
  if (dim > 3) names += fmt::format(",...,x{}", dim);
  return names;
}

}  // namespace

NumberTable read_number_table(const std::string& text, std::optional<Index> dim,
                              const std::string& file) {
  std::vector<CsvRecord> records;
  try {
    records = parse_csv(text);
  } catch (const std::runtime_error& e) {
    throw ConfigError(file, fmt::format("not valid CSV: {}", e.what()));
  }
  const std::string header_example =
      dim ? expected_header(*dim) : std::string("x1,x2,...");
  if (records.empty())
    throw ConfigError(
        file, dim ? fmt::format("the file is empty; expected a header row "
                                "({}) and one row of {} numbers per sample",
                                header_example, *dim)
                  : std::string("the file is empty; expected a header row of "
                                "column names and one row of numbers per "
                                "draw"));
  const CsvRecord& header = records.front();
  const Index columns = static_cast<Index>(header.fields.size());
  if (dim && columns != *dim)
    throw ConfigError(
        file,
        fmt::format("the header row (line {}) has {} column{}; the task has "
                    "dimension {}, so expected d = {} columns ({})",
                    header.line, columns, columns == 1 ? "" : "s", *dim, *dim,
                    header_example));
  bool header_is_numeric = true;
  for (const auto& f : header.fields) {
    double ignored;
    header_is_numeric = header_is_numeric && parse_number(f, ignored);
  }
  if (header_is_numeric)
    throw ConfigError(file, fmt::format("the first row (line {}) holds only "
                                        "numbers; the file needs a header row "
                                        "first, e.g. {}",
                                        header.line, header_example));
  if (records.size() == 1)
    throw ConfigError(file, "the file has a header row but no samples");

  NumberTable table;
  for (const auto& name : header.fields) table.names.push_back(trimmed(name));
  table.values.resize(static_cast<Index>(records.size() - 1), columns);
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& row = records[r];
    if (static_cast<Index>(row.fields.size()) != columns)
      throw ConfigError(
          file,
          fmt::format("line {} (sample {}) has {} column{}; expected {}",
                      row.line, r, row.fields.size(),
                      row.fields.size() == 1 ? "" : "s",
                      dim ? fmt::format("d = {} (the task's dimension)", *dim)
                          : fmt::format("{} (the header row's)", columns)));
    for (Index k = 0; k < columns; ++k) {
      double value = 0;
      const std::string& cell = row.fields[static_cast<size_t>(k)];
      if (!parse_number(cell, value) || !std::isfinite(value))
        throw ConfigError(
            file,
            fmt::format("line {} (sample {}), column {} ('{}'): '{}' is not a "
                        "finite number",
                        row.line, r, k + 1, header.fields[k], cell));
      table.values(static_cast<Index>(r - 1), k) = value;
    }
    table.lines.push_back(row.line);
  }
  return table;
}

Matrix read_samples_csv(const std::string& text, Index dim,
                        const std::string& file) {
  return read_number_table(text, dim, file).values;
}

Matrix read_samples_csv_file(const std::string& path, Index dim) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, "cannot open the sample file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return read_samples_csv(buffer.str(), dim, path);
}

std::string samples_csv(const Matrix& points,
                        const std::vector<std::string>& names) {
  std::vector<std::string> header = names;
  if (header.empty())
    for (Index k = 0; k < points.cols(); ++k)
      header.push_back("x" + std::to_string(k + 1));
  std::string out = csv_row(header);
  for (Index i = 0; i < points.rows(); ++i) {
    for (Index k = 0; k < points.cols(); ++k)
      out += fmt::format("{}{}", k ? "," : "", points(i, k));
    out += '\n';
  }
  return out;
}

}  // namespace vibench
