#include "introspect/json_text.hpp"

namespace pyheap {

void write_json_string(std::ostream& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out << '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\r': out << "\\r"; break;
      case '\t': out << "\\t"; break;
      default:
        if (c < 0x20) {
          out << "\\u00" << hex[c >> 4] << hex[c & 15];
        } else {
          out << ch;  // UTF-8 passes through: Str and the graph readers hold only valid UTF-8
        }
    }
  }
  out << '"';
}

}  // namespace pyheap
