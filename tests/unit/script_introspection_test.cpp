// The heap-script extensions `why`, `growth`, `snapshot` and `pyheap run --snapshot`.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "run/script_runner.hpp"

namespace {

using pyheap::script::RunOptions;
using pyheap::script::run_script;

std::string run(const std::string& text, RunOptions options = {}, int expect_status = 0) {
  std::ostringstream out, err;
  EXPECT_EQ(run_script(text, "t.heap", options, out, err), expect_status) << err.str();
  return out.str() + err.str();
}

TEST(ScriptIntrospection, WhyNamesVariablesFieldsAndGarbage) {
  EXPECT_EQ(run("new a\nnew b\nset a.3 b\ndel b\nwhy b\nwhy a\n"),
            "| why b: (script variables).a -> Node a.3 -> Node b\n| why a: (script variables).a -> Node a\n");
  EXPECT_EQ(run("new x\nset x.0 x\ndel x\nwhy x\ncollect\nwhy x\n"),
            "| why x: not reachable from a root: only a reference cycle holds it (garbage the collector will "
            "free)\ncollected 1\n| why x: no live object is labelled x\n");
  EXPECT_EQ(run("new t\nweak w t\ndel w\nnew h\nset h.1 t\nwhy t\n"),
            "| why t: (script variables).t -> Node t\n");
  EXPECT_NE(run("why 1bad\n", {}, 2).find("t.heap:1: error: bad label"), std::string::npos);
}

TEST(ScriptIntrospection, GrowthListsTypesThatGrew) {
  EXPECT_EQ(run("growth\nnew a\nnew b\nweak w a\ngrowth\ngrowth\nnew c\ngrowth\n"),
            "| no growth\n| Node                 2        +2\n| LabelledWeak         1        +1\n| no growth\n"
            "| Node         3        +1\n");
}

TEST(ScriptIntrospection, SnapshotsHaveScriptVariablesAsRoots) {
  const std::string path = ::testing::TempDir() + "pyheap_script_snapshot.heapsnapshot";
  RunOptions options;
  options.snapshot = path;
  EXPECT_EQ(run("new a\nnew b\nset a.0 b\nlet c b\n", options), "");
  std::ifstream in(path);
  const auto doc = nlohmann::json::parse(in);
  const auto& strings = doc["strings"];
  EXPECT_EQ(strings[doc["nodes"][7 + 1].get<int>()], "(script variables)");
  EXPECT_EQ(doc["nodes"][7 + 4], 3);  // a, b, c
  std::remove(path.c_str());

  // The statement form, and fuzzing's guard against writing files.
  EXPECT_EQ(run("new a\nsnapshot " + path + "\n"), "");
  std::ifstream again(path);
  EXPECT_TRUE(again.good());
  std::remove(path.c_str());
  options = {};
  options.allow_file_output = false;
  EXPECT_NE(run("snapshot " + path + "\n", options, 2).find("writing files is turned off"), std::string::npos);
}

TEST(ScriptIntrospection, OtherStatementsPrintWhatTheyPrintedBefore) {
  EXPECT_EQ(run("new a\nnew b\nset a.0 b\nset b.0 a\ndel a\ndel b\ncollect\nlive\n"), "collected 2\nlive\n");
}

}  // namespace
