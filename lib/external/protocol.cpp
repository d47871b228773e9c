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
    for (Index j = 0; j < cols; ++j) {
      const Json& x = row[static_cast<size_t>(j)];
      if (x.is_number() && (allow_null || std::isfinite(x.get<double>()))) {
        // (1e999 reads as infinity: not finite, like null.)
        m(i, j) = x.get<double>();
      } else if (x.is_null() && allow_null) {
        m(i, j) = std::numeric_limits<double>::quiet_NaN();
      } else {
        throw std::runtime_error(fmt::format(
            "{}: entry ({}, {}) is {}; expected a finite number", what, i, j,
            x.is_null() || x.is_number() ? "not finite (" + x.dump() + ")"
                                         : x.dump()));
      }
    }
  }
  return m;
}

}  // namespace vibench
