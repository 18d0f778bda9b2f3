#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "report/html.hpp"
#include "report_xml_check.hpp"

using namespace pyheap::report;

TEST(ReportHtml, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(escape("plain text, é"), "plain text, é");
  EXPECT_EQ(escape(""), "");
  // Escaping twice escapes the ampersands of the first pass: callers escape exactly once.
  EXPECT_EQ(escape("&lt;"), "&amp;lt;");
}

TEST(ReportHtml, DocumentEscapesEveryTextAndKeepsFigureMarkup) {
  Document doc("Title <script>alert(1)</script>");
  doc.heading("H & H", 2).paragraph("1 < 2").figure("<svg class=\"x\"></svg>\n", "caption \"q\"");
  TableData t;
  t.header = {"name", "bytes"};
  t.rows = {{"<b>", "1,024"}};
  t.numeric_columns = {1};
  t.caption = "cap & cap";
  doc.table(t);
  const std::string html = doc.html();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("<title>Title &lt;script&gt;alert(1)&lt;/script&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("<h2>H &amp; H</h2>"), std::string::npos);
  EXPECT_NE(html.find("<p>1 &lt; 2</p>"), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"x\"></svg>"), std::string::npos);
  EXPECT_NE(html.find("<figcaption>caption &quot;q&quot;</figcaption>"), std::string::npos);
  EXPECT_NE(html.find("<td>&lt;b&gt;</td><td class=\"num\">1,024</td>"), std::string::npos);
  EXPECT_NE(html.find("<caption>cap &amp; cap</caption>"), std::string::npos);
  // Self-contained: no external resources of any kind.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
}

TEST(ReportHtml, BodyIsWellFormed) {
  Document doc("t");
  doc.heading("a", 1).heading("b", 9).paragraph("<&>");
  const std::string html = doc.html();
  const std::size_t b = html.find("<body>"), e = html.find("</body>");
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(report_test::xml_problem(html.substr(b, e + 7 - b)), "");
  EXPECT_NE(html.find("<h4>b</h4>"), std::string::npos);  // level clamped
}

TEST(ReportHtml, WriteFileWritesThePageAndReportsFailure) {
  Document doc("file");
  const std::string path = ::testing::TempDir() + "report_html_test.html";
  doc.write_file(path);
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), doc.html());
  std::remove(path.c_str());
  EXPECT_THROW(doc.write_file("/nonexistent-dir/x.html"), std::runtime_error);
}
