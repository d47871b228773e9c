// Text from outside (an external process's stderr, a line it wrote that is
// not JSON) made fit for a result record: JSON strings must be UTF-8, and
// one invalid byte in a message would make the record unwritable.
#pragma once

#include <string>
#include <string_view>

namespace vibench {

// `text` with every byte that does not begin a well-formed UTF-8 sequence
// (a stray continuation byte, an overlong form, a surrogate, a code point
// beyond U+10FFFF, a sequence cut short) replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

}  // namespace vibench
