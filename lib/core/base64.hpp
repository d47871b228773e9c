// Base64 (RFC 4648, the standard alphabet, with '=' padding), for the line
// protocol's binary matrices (docs/PROTOCOL.md). Small enough to keep here:
// Boost's archive iterators leave the padding to the caller and Beast's
// codec is in a detail namespace.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vibench {

// Appends the encoding of `size` bytes at `data` to `out`.
void append_base64(std::string& out, const void* data, size_t size);

// The bytes `text` encodes; nullopt when it is not base64 (a character
// outside the alphabet, a length not a multiple of 4, misplaced padding).
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace vibench
