// A small XML well-formedness checker for the report tests: tags balance, attributes are quoted
// and unique per element, '&' only starts a known entity, '<' only starts markup. Enough to
// catch an unescaped label or a tag left open in generated SVG, without an XML library.
#pragma once

#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace report_test {

// Returns "" if well-formed, else a description of the first problem.
inline std::string xml_problem(const std::string& s) {
  std::vector<std::string> open;
  std::size_t i = 0;
  auto entity_ok = [&](std::size_t at) {
    static const char* known[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    for (const char* e : known)
      if (s.compare(at, std::char_traits<char>::length(e), e) == 0) return true;
    return false;
  };
  while (i < s.size()) {
    if (s[i] == '&') {
      if (!entity_ok(i)) return "bare '&' at " + std::to_string(i);
      ++i;
      continue;
    }
    if (s[i] == '>') return "bare '>' at " + std::to_string(i);
    if (s[i] != '<') {
      ++i;
      continue;
    }
    const bool closing = i + 1 < s.size() && s[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    std::string name;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-' || s[j] == ':')) name += s[j++];
    if (name.empty()) return "tag without a name at " + std::to_string(i);
    if (closing) {
      if (j >= s.size() || s[j] != '>') return "junk in closing tag " + name;
      if (open.empty() || open.back() != name) return "closing " + name + " but open is " + (open.empty() ? "nothing" : open.back());
      open.pop_back();
      i = j + 1;
      continue;
    }
    std::set<std::string> attrs;
    for (;;) {
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j >= s.size()) return "unterminated tag " + name;
      if (s[j] == '>') {
        open.push_back(name);
        i = j + 1;
        break;
      }
      if (s.compare(j, 2, "/>") == 0) {
        i = j + 2;
        break;
      }
      std::string attr;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-' || s[j] == ':')) attr += s[j++];
      if (attr.empty() || j >= s.size() || s[j] != '=') return "bad attribute in " + name;
      if (!attrs.insert(attr).second) return "repeated attribute " + attr + " in " + name;
      ++j;
      if (j >= s.size() || s[j] != '"') return "unquoted attribute " + attr + " in " + name;
      const std::size_t end = s.find('"', j + 1);
      if (end == std::string::npos) return "unterminated attribute " + attr;
      for (std::size_t k = j + 1; k < end; ++k) {
        if (s[k] == '<') return "'<' inside attribute " + attr;
        if (s[k] == '&' && !entity_ok(k)) return "bare '&' inside attribute " + attr;
      }
      j = end + 1;
    }
  }
  if (!open.empty()) return "unclosed " + open.back();
  return "";
}

inline std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace report_test
