// The line protocol's messages (docs/PROTOCOL.md): one JSON object per
// line. Numbers are written in the shortest form that reads back to the
// same double, so a value crosses the protocol exactly; a non-finite number
// (which JSON cannot hold) is written as null and read back as NaN.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/params.hpp"
#include "core/types.hpp"
#include "external/line_process.hpp"

namespace vibench {

// The version this vibench speaks; a peer with another one is refused at
// the handshake.
inline constexpr int kProtocolVersion = 1;

// How vibench writes matrices to a peer: as JSON lists of numbers; when the
// peer's ready message asks for it ("encoding": "base64"), as
// {"shape": [rows, cols], "f64": "<base64>"}: the row-major float64 values'
// little-endian bytes, exact and non-finite values included; or ("encoding":
// "frames") as {"shape": [rows, cols], "frame": k}, whose bytes follow the
// message's line as its k-th raw frame, the message listing every frame's
// length in "frame_bytes" (docs/PROTOCOL.md). The binary forms are exact;
// frames spare both sides base64 and the scan of a long JSON string, which
// were most of a large message's cost (README, Performance). vibench reads
// every form in anything it is sent.
enum class MatrixEncoding { json, base64, frames };

// The start message's "encodings": what vibench offers.
inline constexpr const char* kOfferedEncodings =
    R"(["json","base64","frames"])";

// The encoding a ready message asks for (json when it names none);
// std::runtime_error naming `who` for one vibench does not offer.
MatrixEncoding requested_encoding(const Json& ready, const std::string& who);
// Its name in the protocol and in records ("json", "base64", "frames").
const char* encoding_name(MatrixEncoding encoding);

// A message being written: the JSON object's text and, in the frames
// encoding, the raw frames that follow its line.
class OutgoingMessage {
 public:
  explicit OutgoingMessage(std::string opening) : line_(std::move(opening)) {}
  OutgoingMessage& operator+=(std::string_view text) {
    line_ += text;
    return *this;
  }
  // Appends a frame's bytes and returns its index.
  size_t add_frame(const void* data, size_t bytes);
  // The finished line: the text, the frames' lengths when there are any
  // (,"frame_bytes":[...]) and the closing brace.
  std::string line() const;
  const std::string& frames() const { return frames_; }
  // Writes the message (its line and frames) to `process`.
  void send_to(LineProcess& process, LineProcess::Clock::time_point deadline);

 private:
  std::string line_, frames_;
  std::vector<size_t> frame_sizes_;
};

// Appends `m` (or `v`, a list or shape [n]) in `encoding`.
void append_matrix(OutgoingMessage& out, const Matrix& m,
                   MatrixEncoding encoding);
void append_vector(OutgoingMessage& out, const Vector& v,
                   MatrixEncoding encoding);

// Appends `m` as a JSON list of rows ([[1,2],[3,4]]), non-finite as null.
void append_matrix_json(std::string& out, const Matrix& m);
// Appends `v` as a JSON list, non-finite as null.
void append_vector_json(std::string& out, const Vector& v);

// A message as a JSON object. Throws std::runtime_error, naming `who` (the
// sender) and quoting the start of the line, when it is not one.
Json parse_message(const std::string& line, const std::string& who);

// The total length of the frames that follow `message`'s line, from its
// "frame_bytes" (0 without the key). Throws std::runtime_error naming `who`
// when the key is not a list of byte counts, each a multiple of 8, adding
// up to at most LineProcess::kMaxLineBytes.
size_t frame_bytes(const Json& message, const std::string& who);
// Gives each matrix {"shape": [...], "frame": k} of `message` the k-th of
// the `frames` (their bytes, as frame_bytes() counted them) as its "f64"
// (a JSON binary value), so that read_matrix reads it. Throws
// std::runtime_error naming `who` for a frame index the message does not
// list.
void attach_frames(Json& message, std::string_view frames,
                   const std::string& who);
// The next message from `process`, with its frames attached.
Json receive_message(LineProcess& process,
                     LineProcess::Clock::time_point deadline,
                     const std::string& who);

// `value` with each frame attach_frames gave it (a JSON binary value) as
// the string "<frame of N bytes>": for quoting and recording, where the
// bytes would print as a list of numbers several times their size.
Json without_frames(const Json& value);

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
// number ≥ 1), in any encoding. Throws std::runtime_error naming `what`
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
