// Text in HTML and SVG: the characters that would be read as markup.
#pragma once

#include <string>
#include <string_view>

namespace vibench {

// & < > " ' as character references, so that any label, message or file
// name is shown as it is, in element text and in quoted attributes alike.
std::string html_escape(std::string_view text);

}  // namespace vibench
