#include "introspect/json_cursor.hpp"

#include <charconv>

namespace pyheap {

namespace {
void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}
}  // namespace

std::runtime_error JsonCursor::error(const std::string& what) const {
  return std::runtime_error("bad JSON at byte " + std::to_string(pos_) + ": " + what);
}

void JsonCursor::skip_space() noexcept {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    ++pos_;
  }
}

char JsonCursor::peek() {
  skip_space();
  return pos_ < text_.size() ? text_[pos_] : '\0';
}

void JsonCursor::expect(char c) {
  if (peek() != c) throw error(std::string("'") + c + "' expected");
  ++pos_;
}

std::int64_t JsonCursor::read_int() {
  skip_space();
  std::int64_t v = 0;
  const char* first = text_.data() + pos_;
  const char* last = text_.data() + text_.size();
  const auto r = std::from_chars(first, last, v);
  if (r.ec != std::errc()) throw error("an integer expected");
  pos_ += static_cast<std::size_t>(r.ptr - first);
  if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E'))
    throw error("an integer expected, not a fraction");
  return v;
}

bool JsonCursor::read_bool() {
  skip_space();
  if (text_.substr(pos_, 4) == "true") {
    pos_ += 4;
    return true;
  }
  if (text_.substr(pos_, 5) == "false") {
    pos_ += 5;
    return false;
  }
  throw error("true or false expected");
}

std::string JsonCursor::read_string() {
  expect('"');
  std::string out;
  for (;;) {
    // Copy the run up to the next quote or escape at once.
    std::size_t end = pos_;
    while (end < text_.size() && text_[end] != '"' && text_[end] != '\\') ++end;
    out.append(text_.substr(pos_, end - pos_));
    pos_ = end;
    if (pos_ >= text_.size()) throw error("unterminated string");
    if (text_[pos_++] == '"') return out;
    if (pos_ >= text_.size()) throw error("unterminated escape");
    const char e = text_[pos_++];
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        auto hex4 = [&]() {
          if (pos_ + 4 > text_.size()) throw error("short \\u escape");
          std::uint32_t v = 0;
          const auto r = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, v, 16);
          if (r.ec != std::errc() || r.ptr != text_.data() + pos_ + 4) throw error("bad \\u escape");
          pos_ += 4;
          return v;
        };
        std::uint32_t cp = hex4();
        if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
          const std::size_t save = pos_;
          pos_ += 2;
          const std::uint32_t low = hex4();
          if (low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else {
            pos_ = save;  // a lone high surrogate, then another escape
          }
        }
        // A lone surrogate (Python strings may hold one) has no UTF-8 form: U+FFFD stands in.
        if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
        append_utf8(out, cp);
        break;
      }
      default:
        throw error("bad escape");
    }
  }
}

void JsonCursor::skip_value() {
  switch (peek()) {
    case '{':
      for_each_member([&](const std::string&) { skip_value(); });
      return;
    case '[':
      for_each_element([&] { skip_value(); });
      return;
    case '"':
      (void)read_string();
      return;
    case 't':
    case 'f':
      (void)read_bool();
      return;
    case 'n':
      if (text_.substr(pos_, 4) != "null") throw error("a value expected");
      pos_ += 4;
      return;
    default: {
      // A number: anything that can be part of one.
      const std::size_t start = pos_;
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
          ++pos_;
        } else {
          break;
        }
      }
      if (pos_ == start) throw error("a value expected");
    }
  }
}

}  // namespace pyheap
