#include "tour/figures.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace pyheap::tour {

double Figures::number(const std::string& key) const {
  const auto it = numbers.find(key);
  if (it == numbers.end()) throw std::runtime_error(side + " figures have no '" + key + "'");
  return it->second;
}

namespace {

struct Parser {
  const std::string& s;
  std::size_t i = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("bad JSON from the CPython side at offset " + std::to_string(i) + ": " + what);
  }
  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::string string() {
    if (!eat('"')) fail("expected a string");
    std::string out;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c == '\\') {
        if (i >= s.size()) break;
        const char e = s[i++];
        switch (e) {
          case '"': case '\\': case '/': c = e; break;
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          default: fail("unsupported escape");  // cpython_side.py prints only plain ASCII keys
        }
      }
      out += c;
    }
    if (i >= s.size()) fail("unterminated string");
    ++i;
    return out;
  }
  double number() {
    ws();
    const char* begin = s.c_str() + i;
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin) fail("expected a number or a string");
    i += static_cast<std::size_t>(end - begin);
    return v;
  }
};

}  // namespace

Figures parse_flat_json(const std::string& text, std::string side) {
  Figures f;
  f.side = std::move(side);
  Parser p{text};
  if (!p.eat('{')) p.fail("expected '{'");
  if (!p.eat('}')) {
    do {
      std::string key = p.string();
      if (!p.eat(':')) p.fail("expected ':'");
      p.ws();
      if (p.i < text.size() && text[p.i] == '"')
        f.strings[key] = p.string();
      else
        f.numbers[key] = p.number();
    } while (p.eat(','));
    if (!p.eat('}')) p.fail("expected ',' or '}'");
  }
  p.ws();
  if (p.i != text.size()) p.fail("text after the object");
  return f;
}

}  // namespace pyheap::tour
