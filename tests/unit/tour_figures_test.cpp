#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "tour/figures.hpp"
#include "tour/lessons.hpp"
#include "tour/subprocess.hpp"

using namespace pyheap::tour;

TEST(TourFigures, ParsesTheCPythonSidesFlatJson) {
  const Figures f = parse_flat_json(
      R"({"python.version": "3.11.7", "records.slots": 20001024, "cycle.collect_seconds": 0.072, "neg": -1.5e3})"
      "\n",
      "CPython");
  EXPECT_EQ(f.strings.at("python.version"), "3.11.7");
  EXPECT_EQ(f.number("records.slots"), 20001024);
  EXPECT_DOUBLE_EQ(f.number("cycle.collect_seconds"), 0.072);
  EXPECT_DOUBLE_EQ(f.number("neg"), -1500);
  EXPECT_EQ(parse_flat_json("{}", "x").numbers.size(), 0u);
}

TEST(TourFigures, RejectsWhatIsNotAFlatObject) {
  for (const char* bad : {"", "[]", "{\"a\": {}}", "{\"a\": 1,}", "{\"a\" 1}", "{\"a\": 1} x", "{\"a\": \"open",
                          "Traceback (most recent call last):"})
    EXPECT_THROW(parse_flat_json(bad, "CPython"), std::runtime_error) << bad;
}

TEST(TourFigures, MissingKeyNamesTheSideAndTheKey) {
  const Figures f = parse_flat_json("{\"a\": 1}", "CPython");
  try {
    f.number("records.slots");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("CPython"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("records.slots"), std::string::npos);
  }
}

TEST(TourFigures, RatioIsUndefinedAgainstZero) {
  EXPECT_DOUBLE_EQ(ratio({"x", 50, 200}), 0.25);
  EXPECT_TRUE(std::isnan(ratio({"x", 50, 0})));
}

TEST(TourSubprocess, CapturesStdoutAndExitStatus) {
  const ProcessResult ok = run_program({"sh", "-c", "printf 'hello\\n'; exit 3"});
  EXPECT_EQ(ok.out, "hello\n");
  EXPECT_EQ(ok.exit_status, 3);
  EXPECT_EQ(run_program({"/nonexistent/program"}).exit_status, 127);
}
