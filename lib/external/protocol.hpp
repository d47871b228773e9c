// The line protocol's messages (docs/PROTOCOL.md): one JSON object per
// line. Numbers are written in the shortest form that reads back to the
// same double, so a value crosses the protocol exactly; a non-finite number
// (which JSON cannot hold) is written as null and read back as NaN.
#pragma once

#include <string>

#include "core/params.hpp"
#include "core/types.hpp"

namespace vibench {

// The version this vibench speaks; a peer with another one is refused at
// the handshake.
inline constexpr int kProtocolVersion = 1;

// How vibench writes matrices to a peer: as JSON lists of numbers, or, when
// the peer's ready message asks for it ("encoding": "base64"), as
// {"shape": [rows, cols], "f64": "<base64>"}: the row-major float64 values'
// little-endian bytes, exact and non-finite values included, and about 8
// times cheaper per number than decimal text with a Python peer (README,
// Performance). vibench reads both
// forms in anything it is sent.
enum class MatrixEncoding { json, base64 };

// The start message's "encodings": what vibench offers.
inline constexpr const char* kOfferedEncodings = R"(["json","base64"])";

// The encoding a ready message asks for (json when it names none);
// std::runtime_error naming `who` for one vibench does not offer.
MatrixEncoding requested_encoding(const Json& ready, const std::string& who);

// Appends `m` (or `v`, a list or shape [n]) in `encoding`.
void append_matrix(std::string& out, const Matrix& m, MatrixEncoding encoding);
void append_vector(std::string& out, const Vector& v, MatrixEncoding encoding);

// Appends `m` as a JSON list of rows ([[1,2],[3,4]]), non-finite as null.
void append_matrix_json(std::string& out, const Matrix& m);
// Appends `v` as a JSON list, non-finite as null.
void append_vector_json(std::string& out, const Vector& v);

// A message as a JSON object. Throws std::runtime_error, naming `who` (the
// sender) and quoting the start of the line, when it is not one.
Json parse_message(const std::string& line, const std::string& who);

// A message quoted in an error: its JSON, cut at 200 bytes and kept valid
// UTF-8 (the cut may fall inside a character; the quote goes into a record).
std::string quote_message(const Json& message);

// When `message` is of type "error", throws std::runtime_error
// "<who> reported an error (<code>): <its message><note>"; `note` is the
// sender's stderr tail (LineProcess::stderr_note).
void throw_if_reported_error(const Json& message, const std::string& who,
                             const std::string& note);

// "" when a ready message speaks kProtocolVersion, else why not, naming
// both versions.
std::string protocol_mismatch(const Json& ready);

// The "type" of a message; throws std::runtime_error when it has none.
std::string message_type(const Json& message, const std::string& who);

// `value` as a matrix of `cols` columns and `rows` rows (rows < 0: any
// number ≥ 1), in either encoding. Throws std::runtime_error naming `what`
// for anything else: not a list of lists of numbers nor a binary matrix,
// ragged, or of another shape. Non-finite entries (null, a number such as
// 1e999 that reads as infinity, or a binary NaN or infinity) are kept (null
// as NaN) when `allow_null`, an error otherwise.
Matrix read_matrix(const Json& value, Index rows, Index cols,
                   const std::string& what, bool allow_null);

// `value` as a list of `size` numbers, with non-finite entries as for
// read_matrix.
Vector read_vector(const Json& value, Index size, const std::string& what,
                   bool allow_null);

}  // namespace vibench
