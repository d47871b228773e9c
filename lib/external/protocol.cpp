#include "external/protocol.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>

#include "core/valid_utf8.hpp"

namespace vibench {

namespace {

void append_number(std::string& out, double x) {
  // fmt's shortest round-trip form (Dragonbox); JSON has no NaN or inf.
  if (std::isfinite(x))
    fmt::format_to(std::back_inserter(out), "{}", x);
  else
    out += "null";
}

// A number of a matrix or list; `where` names it in the error.
template <class Where>
double read_entry(const Json& x, bool allow_null, const Where& where) {
  // (1e999 reads as infinity: not finite, like null.)
  if (x.is_number() && (allow_null || std::isfinite(x.get<double>())))
    return x.get<double>();
  if (x.is_null() && allow_null)
    return std::numeric_limits<double>::quiet_NaN();
  throw std::runtime_error(
      fmt::format("{} is {}; expected a finite number", where(),
                  x.is_null() || x.is_number() ? "not finite (" + x.dump() + ")"
                                               : x.dump()));
}

}  // namespace

void append_matrix_json(std::string& out, const Matrix& m) {
  out += '[';
  for (Index i = 0; i < m.rows(); ++i) {
    out += i ? ",[" : "[";
    for (Index j = 0; j < m.cols(); ++j) {
      if (j) out += ',';
      append_number(out, m(i, j));
    }
    out += ']';
  }
  out += ']';
}

void append_vector_json(std::string& out, const Vector& v) {
  out += '[';
  for (Index i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    append_number(out, v(i));
  }
  out += ']';
}

Json parse_message(const std::string& line, const std::string& who) {
  Json message;
  try {
    message = Json::parse(line);
  } catch (const Json::parse_error& e) {
    // Quoted as valid UTF-8 (it goes into the cell's record), cut short.
    throw std::runtime_error(fmt::format(
        "{} wrote a line that is not JSON ({}): '{}'", who, e.what(),
        valid_utf8(line.size() > 200 ? line.substr(0, 200) + "..." : line)));
  }
  if (!message.is_object())
    throw std::runtime_error(
        fmt::format("{} wrote {} where a message (a JSON object) was expected",
                    who, message.type_name()));
  return message;
}

std::string message_type(const Json& message, const std::string& who) {
  if (!message.contains("type") || !message["type"].is_string())
    throw std::runtime_error(
        fmt::format("{} wrote a message without a \"type\": {}", who,
                    valid_utf8(message.dump().substr(0, 200))));
  return message["type"].get<std::string>();
}

Matrix read_matrix(const Json& value, Index rows, Index cols,
                   const std::string& what, bool allow_null) {
  if (!value.is_array() || value.empty())
    throw std::runtime_error(
        fmt::format("{} must be a non-empty list of rows", what));
  const Index n = static_cast<Index>(value.size());
  if (rows >= 0 && n != rows)
    throw std::runtime_error(
        fmt::format("{} has {} rows; expected {}", what, n, rows));
  Matrix m(n, cols);
  for (Index i = 0; i < n; ++i) {
    const Json& row = value[static_cast<size_t>(i)];
    if (!row.is_array())
      throw std::runtime_error(fmt::format("{}: row {} is {}, not a list", what,
                                           i, row.type_name()));
    if (static_cast<Index>(row.size()) != cols)
      throw std::runtime_error(
          fmt::format("{}: row {} has {} entries; expected {} (the dimension)",
                      what, i, row.size(), cols));
    for (Index j = 0; j < cols; ++j)
      m(i, j) = read_entry(row[static_cast<size_t>(j)], allow_null, [&] {
        return fmt::format("{}: entry ({}, {})", what, i, j);
      });
  }
  return m;
}

Vector read_vector(const Json& value, Index size, const std::string& what,
                   bool allow_null) {
  if (!value.is_array())
    throw std::runtime_error(fmt::format("{} must be a list of numbers", what));
  if (static_cast<Index>(value.size()) != size)
    throw std::runtime_error(fmt::format("{} has {} entries; expected {}", what,
                                         value.size(), size));
  Vector v(size);
  for (Index i = 0; i < size; ++i)
    v(i) = read_entry(value[static_cast<size_t>(i)], allow_null,
                      [&] { return fmt::format("{}: entry {}", what, i); });
  return v;
}

}  // namespace vibench
