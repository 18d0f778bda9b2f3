// report/html.hpp — text made safe for HTML, and a builder of self-contained HTML pages.
//
// A report is one file a person can mail or archive: CSS is inline, charts are inline SVG, and
// nothing is fetched from the network (no scripts at all), so it renders the same offline and
// years later. Every piece of text passed in is escaped here; only Document::raw() and the
// chart renderers' output (which escape their own text) are inserted as markup.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pyheap::report {

// Replaces & < > " ' by entities: safe in element content and in quoted attribute values.
std::string escape(std::string_view text);

// Writes text to path (replacing it); throws std::runtime_error naming the path if it cannot.
void write_text_file(const std::string& path, std::string_view text);

// A table of text cells; columns listed in numeric_columns are right-aligned (figures line up).
struct TableData {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> numeric_columns;
  std::string caption;  // optional
};

class Document {
 public:
  explicit Document(std::string title);

  // Text blocks (escaped). level is clamped to 1..4.
  Document& heading(std::string_view text, int level = 2);
  Document& paragraph(std::string_view text);
  Document& table(const TableData& data);
  // A chart (markup from one of the renderers) with an escaped caption below it.
  Document& figure(std::string svg_markup, std::string_view caption = {});
  // Trusted markup, inserted as is.
  Document& raw(std::string markup);

  // The whole page: <!DOCTYPE html> ... </html>.
  std::string html() const;
  // Writes html() to path; throws std::runtime_error naming the path if it cannot.
  void write_file(const std::string& path) const;

 private:
  std::string title_;
  std::string body_;
};

}  // namespace pyheap::report
