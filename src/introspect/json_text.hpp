// introspect/json_text.hpp — a string as a JSON string literal (the writers of this module).
#pragma once

#include <ostream>
#include <string_view>

namespace pyheap {

// Quotes s, escaping '"', '\\' and control characters; other bytes (UTF-8) pass through.
void write_json_string(std::ostream& out, std::string_view s);

}  // namespace pyheap
