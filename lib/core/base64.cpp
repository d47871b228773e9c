#include "core/base64.hpp"

#include <array>
#include <cstdint>

namespace vibench {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Each character's 6-bit value, or -1 outside the alphabet.
constexpr std::array<int, 256> decoding_table() {
  std::array<int, 256> table{};
  for (int& v : table) v = -1;
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}
constexpr std::array<int, 256> kDecoding = decoding_table();

}  // namespace

void append_base64(std::string& out, const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  const size_t start = out.size();
  out.resize(start + (size + 2) / 3 * 4);
  char* to = out.data() + start;  // written in place: no growth per char
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) |
                            (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    *to++ = kAlphabet[(v >> 18) & 63];
    *to++ = kAlphabet[(v >> 12) & 63];
    *to++ = kAlphabet[(v >> 6) & 63];
    *to++ = kAlphabet[v & 63];
  }
  if (const size_t rest = size - i; rest > 0) {
    std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    if (rest == 2) v |= std::uint32_t{bytes[i + 1]} << 8;
    *to++ = kAlphabet[(v >> 18) & 63];
    *to++ = kAlphabet[(v >> 12) & 63];
    *to++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    *to++ = '=';
  }
}

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  char* to = out.data();
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int padding = 0;
    std::uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      int digit = kDecoding[static_cast<unsigned char>(c)];
      if (c == '=') {
        // Only the last one or two characters of the last group.
        if (!last || k < 2) return std::nullopt;
        digit = 0;
        ++padding;
      } else if (digit < 0 || padding > 0) {
        return std::nullopt;
      }
      v = (v << 6) | static_cast<std::uint32_t>(digit);
    }
    *to++ = static_cast<char>((v >> 16) & 255);
    if (padding < 2) *to++ = static_cast<char>((v >> 8) & 255);
    if (padding < 1) *to++ = static_cast<char>(v & 255);
  }
  out.resize(static_cast<size_t>(to - out.data()));
  return out;
}

}  // namespace vibench
