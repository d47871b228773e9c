#include "external/protocol.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/base64.hpp"
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

// The binary form's bytes are little-endian IEEE doubles, the host's own
// on every machine vibench is built for.
static_assert(std::endian::native == std::endian::little,
              "the protocol's binary matrices assume a little-endian host");

// A binary matrix {"shape": [...], "f64": "..."}: its values, row-major,
// after checking the shape against `rows` (< 0: any ≥ 1) and `cols`
// (< 0: a vector, shape [n]).
std::vector<double> read_binary(const Json& value, Index rows, Index cols,
                                const std::string& what, Index& rows_read) {
  const Json shape = value.value("shape", Json());
  const bool vector = cols < 0;
  const size_t rank = vector ? 1 : 2;
  if (!shape.is_array() || shape.size() != rank ||
      !std::all_of(shape.begin(), shape.end(), [](const Json& n) {
        // (A bound far above any line vibench reads keeps the products
        // below from overflowing.)
        return n.is_number_unsigned() && n.get<std::uint64_t>() < (1ULL << 40);
      }))
    throw std::runtime_error(fmt::format(
        "{}: a binary {} needs \"shape\", {}", what, vector ? "list" : "matrix",
        vector ? "[n]" : "[rows, cols] (unsigned integers)"));
  rows_read = shape[0].get<Index>();
  const Index cols_read = vector ? 1 : shape[1].get<Index>();
  if (!vector && cols_read != cols)
    throw std::runtime_error(
        fmt::format("{} has {} columns; expected {} (the dimension)", what,
                    cols_read, cols));
  if ((rows >= 0 && rows_read != rows) || (!vector && rows_read < 1))
    throw std::runtime_error(fmt::format(
        "{} has {} {}; expected {}", what, rows_read,
        vector ? "entries" : "rows",
        rows < 0 ? std::string("at least 1") : std::to_string(rows)));
  const Json f64 = value.value("f64", Json());
  std::optional<std::string> bytes;
  if (f64.is_string()) bytes = decode_base64(f64.get_ref<const std::string&>());
  if (!bytes)
    throw std::runtime_error(
        fmt::format("{}: \"f64\" must be base64 text", what));
  // Compared by division: rows × cols may not fit in 64 bits.
  const size_t count = bytes->size() / sizeof(double);
  const auto columns = static_cast<size_t>(cols_read);
  if (bytes->size() % sizeof(double) != 0 || columns == 0 ||
      count % columns != 0 || count / columns != static_cast<size_t>(rows_read))
    throw std::runtime_error(fmt::format(
        "{}: \"f64\" holds {} bytes; shape {} needs {:.0f}", what,
        bytes->size(), shape.dump(),
        static_cast<double>(rows_read) * static_cast<double>(cols_read) *
            static_cast<double>(sizeof(double))));
  std::vector<double> values(count);
  std::memcpy(values.data(), bytes->data(), bytes->size());
  return values;
}

}  // namespace

MatrixEncoding requested_encoding(const Json& ready, const std::string& who) {
  const Json encoding = ready.value("encoding", Json("json"));
  if (encoding == "json") return MatrixEncoding::json;
  if (encoding == "base64") return MatrixEncoding::base64;
  throw std::runtime_error(fmt::format(
      "{} asked for the encoding {}; vibench offers {}", who,
      valid_utf8(encoding.dump().substr(0, 100)), kOfferedEncodings));
}

void append_matrix(std::string& out, const Matrix& m, MatrixEncoding encoding) {
  if (encoding == MatrixEncoding::json) return append_matrix_json(out, m);
  // Row-major, as the JSON form.
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>
      row_major = m;
  out += fmt::format(R"({{"shape":[{},{}],"f64":")", m.rows(), m.cols());
  append_base64(out, row_major.data(),
                static_cast<size_t>(row_major.size()) * sizeof(double));
  out += "\"}";
}

void append_vector(std::string& out, const Vector& v, MatrixEncoding encoding) {
  if (encoding == MatrixEncoding::json) return append_vector_json(out, v);
  out += fmt::format(R"({{"shape":[{}],"f64":")", v.size());
  append_base64(out, v.data(), static_cast<size_t>(v.size()) * sizeof(double));
  out += "\"}";
}

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

namespace {

// The binary form's payload, `"f64":"<base64>"`, lifted out of a line before
// it is parsed: nlohmann's lexer copies a string's every character twice,
// which made it most of the cost of a large binary message. The pattern
// occurs only where "f64" is a key (an unescaped quote cannot occur inside
// a JSON string), and base64 text holds no quote or backslash, so the
// payload ends at the next quote.
constexpr std::string_view kPayloadKey = R"("f64":")";

bool is_base64_text(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
  });
}

struct LiftedLine {
  std::string text;  // the line with each payload replaced by "\u0000<k>"
  std::vector<std::string_view> payloads;  // views into the line
};

LiftedLine lift_payloads(const std::string& line) {
  LiftedLine out;
  // A line that spells NUL itself could hold a value that reads like a
  // token: it is parsed as it is.
  if (line.find("\\u0000") != std::string::npos) return out;
  size_t copied = 0;
  for (size_t at = line.find(kPayloadKey); at != std::string::npos;
       at = line.find(kPayloadKey, at + 1)) {
    // Only a key "f64" of an object: right after '{' or ',' (or space), so
    // that its quote opens a string. After anything else (a backslash: an
    // escaped quote inside a key or value) it is left to the parser.
    if (at == 0 || std::string_view("{, \t\r\n").find(line[at - 1]) ==
                       std::string_view::npos)
      continue;
    const size_t begin = at + kPayloadKey.size();
    const size_t end = line.find('"', begin);
    if (end == std::string::npos) break;
    const std::string_view payload(line.data() + begin, end - begin);
    if (!is_base64_text(payload)) continue;  // left to the parser
    out.text.append(line, copied, begin - copied);
    out.text += "\\u0000" + std::to_string(out.payloads.size());
    out.payloads.push_back(payload);
    copied = end;
  }
  if (out.payloads.empty()) return out;
  out.text.append(line, copied);
  return out;
}

// Puts the lifted payloads back at their "f64" keys.
void restore_payloads(Json& value,
                      const std::vector<std::string_view>& payloads) {
  if (value.is_array()) {
    for (Json& item : value)
      if (item.is_structured()) restore_payloads(item, payloads);
    return;
  }
  if (!value.is_object()) return;
  for (auto item = value.begin(); item != value.end(); ++item) {
    Json& v = item.value();
    if (v.is_structured()) {
      restore_payloads(v, payloads);
    } else if (item.key() == "f64" && v.is_string()) {
      const std::string& token = v.get_ref<const std::string&>();
      size_t k = 0;
      if (token.size() < 2 || token[0] != '\0' ||
          std::from_chars(token.data() + 1, token.data() + token.size(), k)
                  .ptr != token.data() + token.size() ||
          k >= payloads.size())
        continue;
      v = std::string(payloads[k]);
    }
  }
}

}  // namespace

Json parse_message(const std::string& line, const std::string& who) {
  Json message;
  try {
    const LiftedLine lifted = lift_payloads(line);
    message = Json::parse(lifted.payloads.empty() ? line : lifted.text);
    if (!lifted.payloads.empty()) restore_payloads(message, lifted.payloads);
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

std::string quote_message(const Json& message) {
  const std::string text = message.dump();
  return text.size() > 200 ? valid_utf8(text.substr(0, 200)) + "..." : text;
}

void throw_if_reported_error(const Json& message, const std::string& who,
                             const std::string& note) {
  if (message.value("type", Json()) != "error") return;
  throw std::runtime_error(
      fmt::format("{} reported an error ({}): {}{}", who,
                  message.value("code", Json("no code")).dump(),
                  message.contains("message") && message["message"].is_string()
                      ? message["message"].get<std::string>()
                      : quote_message(message),
                  note));
}

std::string protocol_mismatch(const Json& ready) {
  const Json version = ready.value("protocol", Json());
  if (version == Json(kProtocolVersion)) return "";
  return fmt::format(
      "protocol version mismatch: vibench speaks version {}, the process "
      "version {}",
      kProtocolVersion, quote_message(version));
}

std::string message_type(const Json& message, const std::string& who) {
  if (!message.contains("type") || !message["type"].is_string())
    throw std::runtime_error(
        fmt::format("{} wrote a message without a \"type\": {}", who,
                    quote_message(message)));
  return message["type"].get<std::string>();
}

Matrix read_matrix(const Json& value, Index rows, Index cols,
                   const std::string& what, bool allow_null) {
  if (value.is_object()) {
    Index n = 0;
    const std::vector<double> values = read_binary(value, rows, cols, what, n);
    Matrix m(n, cols);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < cols; ++j) {
        m(i, j) = values[static_cast<size_t>(i * cols + j)];
        if (!allow_null && !std::isfinite(m(i, j)))
          throw std::runtime_error(fmt::format(
              "{}: entry ({}, {}) is not finite ({}); expected a finite "
              "number",
              what, i, j, m(i, j)));
      }
    return m;
  }
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
  if (value.is_object()) {
    Index n = 0;
    const std::vector<double> values = read_binary(value, size, -1, what, n);
    Vector v = Eigen::Map<const Vector>(values.data(), n);
    for (Index i = 0; i < n; ++i)
      if (!allow_null && !std::isfinite(v(i)))
        throw std::runtime_error(fmt::format(
            "{}: entry {} is not finite ({}); expected a finite number", what,
            i, v(i)));
    return v;
  }
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
