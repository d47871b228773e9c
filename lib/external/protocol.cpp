#include "external/protocol.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

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
  // Base64 text, or a frame's bytes (attach_frames).
  const Json f64 = value.value("f64", Json());
  std::optional<std::string> decoded;
  std::string_view bytes;
  if (f64.is_string()) {
    decoded = decode_base64(f64.get_ref<const std::string&>());
    if (decoded) bytes = *decoded;
  } else if (f64.is_binary()) {
    const auto& binary = f64.get_binary();
    bytes = std::string_view(reinterpret_cast<const char*>(binary.data()),
                             binary.size());
  }
  if (!decoded && !f64.is_binary())
    throw std::runtime_error(fmt::format(
        "{}: {}", what,
        value.contains("frame") ? std::string("\"frame\" refers to no frame "
                                              "(the message lists none)")
                                : std::string("\"f64\" must be base64 text")));
  // Compared by division: rows × cols may not fit in 64 bits.
  const size_t count = bytes.size() / sizeof(double);
  const auto columns = static_cast<size_t>(cols_read);
  if (bytes.size() % sizeof(double) != 0 || columns == 0 ||
      count % columns != 0 || count / columns != static_cast<size_t>(rows_read))
    throw std::runtime_error(fmt::format(
        "{}: {} holds {} bytes; shape {} needs {:.0f}", what,
        f64.is_binary() ? "its frame" : "\"f64\"", bytes.size(), shape.dump(),
        static_cast<double>(rows_read) * static_cast<double>(cols_read) *
            static_cast<double>(sizeof(double))));
  std::vector<double> values(count);
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

}  // namespace

MatrixEncoding requested_encoding(const Json& ready, const std::string& who) {
  const Json encoding = ready.value("encoding", Json("json"));
  for (const auto known :
       {MatrixEncoding::json, MatrixEncoding::base64, MatrixEncoding::frames})
    if (encoding == encoding_name(known)) return known;
  throw std::runtime_error(fmt::format(
      "{} asked for the encoding {}; vibench offers {}", who,
      valid_utf8(encoding.dump().substr(0, 100)), kOfferedEncodings));
}

const char* encoding_name(MatrixEncoding encoding) {
  switch (encoding) {
    case MatrixEncoding::json:
      return "json";
    case MatrixEncoding::base64:
      return "base64";
    case MatrixEncoding::frames:
      return "frames";
  }
  return "json";
}

size_t OutgoingMessage::add_frame(const void* data, size_t bytes) {
  frames_.append(static_cast<const char*>(data), bytes);
  frame_sizes_.push_back(bytes);
  return frame_sizes_.size() - 1;
}

std::string OutgoingMessage::line() const {
  std::string out = line_;
  if (!frame_sizes_.empty())
    out += fmt::format(R"(,"frame_bytes":[{}])", fmt::join(frame_sizes_, ","));
  out += '}';
  return out;
}

void OutgoingMessage::send_to(LineProcess& process,
                              LineProcess::Clock::time_point deadline) {
  process.send(line(), deadline, frames_);
}

namespace {

// `data` (`count` doubles, row-major) in a binary encoding, after the
// opening `{"shape":[...]`.
void append_binary(OutgoingMessage& out, const double* data, size_t count,
                   MatrixEncoding encoding) {
  const size_t bytes = count * sizeof(double);
  if (encoding == MatrixEncoding::frames) {
    out += fmt::format(R"(,"frame":{}}})", out.add_frame(data, bytes));
    return;
  }
  std::string text = R"(,"f64":")";
  append_base64(text, data, bytes);
  text += "\"}";
  out += text;
}

}  // namespace

void append_matrix(OutgoingMessage& out, const Matrix& m,
                   MatrixEncoding encoding) {
  if (encoding == MatrixEncoding::json) {
    std::string text;
    append_matrix_json(text, m);
    out += text;
    return;
  }
  // Row-major, as the JSON form.
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>
      row_major = m;
  out += fmt::format(R"({{"shape":[{},{}])", m.rows(), m.cols());
  append_binary(out, row_major.data(), static_cast<size_t>(row_major.size()),
                encoding);
}

void append_vector(OutgoingMessage& out, const Vector& v,
                   MatrixEncoding encoding) {
  if (encoding == MatrixEncoding::json) {
    std::string text;
    append_vector_json(text, v);
    out += text;
    return;
  }
  out += fmt::format(R"({{"shape":[{}])", v.size());
  append_binary(out, v.data(), static_cast<size_t>(v.size()), encoding);
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

size_t frame_bytes(const Json& message, const std::string& who) {
  if (!message.contains("frame_bytes")) return 0;
  const Json& sizes = message["frame_bytes"];
  size_t total = 0;
  const bool valid =
      sizes.is_array() &&
      std::all_of(sizes.begin(), sizes.end(), [&](const Json& n) {
        if (!n.is_number_unsigned()) return false;
        const auto bytes = n.get<std::uint64_t>();
        if (bytes % sizeof(double) != 0 ||
            bytes > LineProcess::kMaxLineBytes - total)
          return false;
        total += static_cast<size_t>(bytes);
        return true;
      });
  if (!valid)
    throw std::runtime_error(fmt::format(
        "{} wrote \"frame_bytes\": {}; expected a list of byte counts, each "
        "a multiple of 8, at most {} in all",
        who, quote_message(sizes), LineProcess::kMaxLineBytes));
  return total;
}

namespace {

void attach_frames_to(Json& value, const std::vector<std::string_view>& frames,
                      const std::string& who) {
  if (value.is_array()) {
    for (Json& item : value)
      if (item.is_structured()) attach_frames_to(item, frames, who);
    return;
  }
  if (!value.is_object()) return;
  if (value.contains("shape") && value.contains("frame")) {
    const Json& index = value["frame"];
    if (!index.is_number_unsigned() ||
        index.get<std::uint64_t>() >= frames.size())
      throw std::runtime_error(fmt::format(
          "{} wrote a matrix of frame {}; its message has {} frame{}", who,
          quote_message(index), frames.size(), frames.size() == 1 ? "" : "s"));
    if (value.contains("f64"))
      throw std::runtime_error(fmt::format(
          "{} wrote a matrix with both \"frame\" and \"f64\"", who));
    const std::string_view frame = frames[index.get<size_t>()];
    value["f64"] = Json::binary(std::vector<std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(frame.data()),
        reinterpret_cast<const std::uint8_t*>(frame.data()) + frame.size()));
    return;
  }
  for (auto& item : value.items())
    if (item.value().is_structured())
      attach_frames_to(item.value(), frames, who);
}

}  // namespace

void attach_frames(Json& message, std::string_view frames,
                   const std::string& who) {
  const size_t total = frame_bytes(message, who);
  if (frames.size() != total)
    throw std::logic_error(
        "attach_frames: the frames' length is not the "
        "message's");
  std::vector<std::string_view> views;
  size_t offset = 0;
  if (message.contains("frame_bytes"))
    for (const Json& n : message["frame_bytes"]) {
      const auto bytes = n.get<size_t>();
      views.push_back(frames.substr(offset, bytes));
      offset += bytes;
    }
  attach_frames_to(message, views, who);
}

Json receive_message(LineProcess& process,
                     LineProcess::Clock::time_point deadline,
                     const std::string& who) {
  Json message = parse_message(process.receive(deadline), who);
  if (message.contains("frame_bytes"))
    attach_frames(message,
                  process.receive_bytes(frame_bytes(message, who), deadline),
                  who);
  return message;
}

Json without_frames(const Json& value) {
  if (value.is_binary())
    return fmt::format("<frame of {} bytes>", value.get_binary().size());
  if (!value.is_structured()) return value;
  Json out = value;
  for (auto& item : out.items())
    if (item.value().is_structured() || item.value().is_binary())
      item.value() = without_frames(item.value());
  return out;
}

std::string quote_message(const Json& message) {
  const std::string text = without_frames(message).dump();
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
    const Matrix m =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic,
                                       Eigen::RowMajor>>(values.data(), n,
                                                         cols);
    if (!allow_null && !m.allFinite())
      for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < cols; ++j)
          if (!std::isfinite(m(i, j)))
            throw std::runtime_error(fmt::format(
                "{}: entry ({}, {}) is not finite ({}); expected a finite "
                "number",
                what, i, j, m(i, j)));
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
