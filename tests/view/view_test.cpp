// The viewer's pieces (tools/view/): what the recorder keeps of a run, the chains and sentences it
// tells, how dot's answer is read, how steps are cut into scenes, and the page's data.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pyheap/heap.hpp"
#include "run/script_runner.hpp"
#include "view/layout.hpp"
#include "view/page.hpp"
#include "view/recorder.hpp"
#include "view/story.hpp"

namespace pyheap::view {
namespace {

// Runs a script with a Recorder attached as `pyheap run --view` attaches it (without the page).
struct ScriptRun {
  std::unique_ptr<Recorder> recorder;
  std::string out, err;
  int status = -1;

  explicit ScriptRun(const std::string& script) {
    script::RunOptions options;
    options.echo = true;
    options.on_start = [this](Heap& heap) {
      recorder = std::make_unique<Recorder>(heap);
      heap.gc().set_observer(recorder.get());
    };
    options.on_statement = [this](Heap&, const script::StatementRecord& r) { recorder->statement(r); };
    options.on_finish = [](Heap& heap) { heap.gc().set_observer(nullptr); };
    std::ostringstream o, e;
    status = script::run_script(script, "test.heap", options, o, e);
    out = o.str();
    err = e.str();
  }
  const Camera& camera() const { return recorder->camera(); }
  std::uint32_t id(const std::string& label) const { return camera().objects().at(label); }
  std::string label(std::uint32_t id) const { return camera().objects().all()[id]; }
  std::map<std::string, std::uint32_t> counts(std::size_t step) const {
    std::map<std::string, std::uint32_t> m;
    for (const ObjectState& o : recorder->steps()[step].picture.objects) m[label(o.id)] = o.refcount;
    return m;
  }
  std::vector<std::string> labels(const std::vector<std::uint32_t>& ids) const {
    std::vector<std::string> v;
    for (auto i : ids) v.push_back(label(i));
    std::sort(v.begin(), v.end());
    return v;
  }
};

using Names = std::vector<std::string>;

TEST(ViewRecorder, KeepsEachStatementsPictureOutputAndVariables) {
  ScriptRun run("new a\nnew b   # two nodes\nset a.0 b\nweak w b callback\ndel b\nlive\n");
  ASSERT_EQ(run.status, 0);
  const auto& steps = run.recorder->steps();
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps[1].line, 2u);
  EXPECT_EQ(steps[1].statement, "new b   # two nodes");
  EXPECT_EQ(steps[5].output, "> live\nlive a b\n");  // the statement's own output, echo included
  EXPECT_EQ(run.counts(4), (std::map<std::string, std::uint32_t>{{"a", 1}, {"b", 1}, {"w", 1}}));
  const Picture& p = steps[4].picture;
  const std::vector<Edge> edges{{run.id("a"), 0, run.id("b")}, {run.id("w"), kWeakSlot, run.id("b")}};
  EXPECT_EQ(p.edges, edges);
  ASSERT_EQ(p.bindings.size(), 2u);  // a and w; b was deleted
  EXPECT_EQ(run.camera().variables().all()[p.bindings[0].var], "a");
  EXPECT_EQ(p.objects[0].generation, 0);
  EXPECT_EQ(run.camera().kind(run.id("w")), Kind::WeakWithCallback);
}

TEST(ViewRecorder, RecordsACollectionPhaseByPhase) {
  ScriptRun run("new a final\nnew b\nset a.0 b\nset b.0 a\nweak w a callback\nnew keep\ndel a\ndel b\ncollect\n");
  ASSERT_EQ(run.status, 0);
  const auto& step = run.recorder->steps().back();
  ASSERT_EQ(step.collections.size(), 1u);
  const CollectionRecord& c = step.collections[0];
  EXPECT_EQ(c.generation, 2);
  EXPECT_EQ(run.labels(c.examined), (Names{"a", "b", "keep", "w"}));
  std::map<std::string, int> refs;
  for (auto [id, n] : c.gc_refs) refs[run.label(id)] = n;
  EXPECT_EQ(refs, (std::map<std::string, int>{{"a", 0}, {"b", 0}, {"keep", 1}, {"w", 1}}));
  EXPECT_EQ(run.labels(c.reachable), (Names{"keep", "w"}));
  EXPECT_EQ(run.labels(c.unreachable), (Names{"a", "b"}));
  EXPECT_EQ(run.labels(c.weak_outside), (Names{"w"}));
  EXPECT_EQ(run.labels(c.weak_called), (Names{"w"}));
  EXPECT_EQ(run.labels(c.finalized), (Names{"a"}));
  EXPECT_TRUE(c.resurrected.empty());
  EXPECT_EQ(run.labels(c.freed), (Names{"a", "b"}));
  EXPECT_EQ(c.collected, 2u);
  // The picture the collection started from: the cycle still there, variables as before.
  EXPECT_EQ(c.before.objects.size(), 4u);
  EXPECT_EQ(c.before.bindings, run.recorder->steps()[step.line - 2].picture.bindings);
  EXPECT_NE(step.output.find("callback w\nfinal a\ncollected 2\n"), std::string::npos);

  const std::vector<Frame> frames = tell(run.recorder->steps(), run.camera());
  std::vector<std::string> phases;
  for (const Frame& f : frames)
    if (f.step == run.recorder->steps().size() - 1) phases.push_back(phase_name(f.phase));
  EXPECT_EQ(phases, (Names{"examined", "gc_refs", "reachable", "unreachable", "weakrefs", "finalizers", "freed", "statement"}));
  const std::string& weak = frames[frames.size() - 4].text;
  EXPECT_NE(weak.find("w is alive, so its callback runs"), std::string::npos) << weak;
  EXPECT_NE(frames[frames.size() - 2].text.find("a and b are freed"), std::string::npos) << frames[frames.size() - 2].text;
  EXPECT_NE(frames[frames.size() - 2].text.find("collect returns 2"), std::string::npos);
}

TEST(ViewRecorder, AutomaticCollectionsAreRecordedInTheStatementThatAllocated) {
  ScriptRun run("gc threshold 3\ngc enable\nnew a\nset a.0 a\ndel a\nnew b\nnew c\nnew d\n");
  ASSERT_EQ(run.status, 0);
  std::size_t collections = 0;
  for (const auto& s : run.recorder->steps()) collections += s.collections.size();
  ASSERT_GE(collections, 1u);
  const std::vector<Frame> frames = tell(run.recorder->steps(), run.camera());
  bool automatic = false;
  for (const Frame& f : frames) automatic |= f.text.find("An automatic collection starts") == 0;
  EXPECT_TRUE(automatic);
}

TEST(ViewDeathChain, FollowsCountsReachingZeroFromTheDroppedVariable) {
  ScriptRun run("new n1\nnew n2\nnew n3\nset n1.0 n2\nset n2.0 n3\nset n1.1 n3\ndel n2\ndel n3\nnew other\ndel n1\n");
  ASSERT_EQ(run.status, 0);
  const auto& steps = run.recorder->steps();
  const DeathChain chain = explain_deaths(steps.back(), steps[steps.size() - 2].picture, run.camera());
  // n3 is held by n1 and n2: its count reaches 0 only after both are gone.
  EXPECT_EQ(chain.text, "drop of n1 → n1 reaches 0 → n2 reaches 0 → n3 reaches 0");
  EXPECT_EQ(run.labels(chain.order), (Names{"n1", "n2", "n3"}));
  EXPECT_EQ(chain.order.front(), run.id("n1"));
  EXPECT_EQ(chain.order.back(), run.id("n3"));
  EXPECT_EQ(chain.links.size(), 3u);  // n1.0, n1.1, n2.0
  ASSERT_EQ(chain.dropped_variables.size(), 1u);
  EXPECT_EQ(run.camera().variables().all()[chain.dropped_variables[0]], "n1");
  // Nothing died at `new other`: no chain.
  EXPECT_TRUE(explain_deaths(steps[8], steps[7].picture, run.camera()).text.empty());
}

TEST(ViewDeathChain, NamesAFieldThatWasOverwrittenAndLeavesCollectedObjectsToTheCollection) {
  ScriptRun run("new a\nnew b\nset a.0 b\ndel b\nset a.0 none\nnew r\nset r.0 r\nnew tail\nset r.1 tail\ndel tail\ndel r\ncollect\n");
  ASSERT_EQ(run.status, 0);
  const auto& steps = run.recorder->steps();
  EXPECT_EQ(explain_deaths(steps[4], steps[3].picture, run.camera()).text, "drop of a.0 → b reaches 0");
  // What only the garbage held is garbage too (tail): the collection frees it, no chain does.
  EXPECT_EQ(run.labels(steps.back().collections.at(0).freed), (Names{"r", "tail"}));
  const DeathChain c = explain_deaths(steps.back(), steps[steps.size() - 2].picture, run.camera());
  EXPECT_TRUE(c.text.empty()) << c.text;
  EXPECT_TRUE(c.order.empty());
}

TEST(ViewLayout, ReadsDotsPlainOutput) {
  ScriptRun run("new a\nnew b\nset a.0 b\nweak w b\n");
  SceneGraph g;
  g.objects = {run.id("a"), run.id("b"), run.id("w")};
  g.variables = {0};
  g.edges = {{run.id("a"), 0, run.id("b")}, {run.id("w"), kWeakSlot, run.id("b")}, {0, kBindingSlot, run.id("a")}};
  const std::string a = "o" + std::to_string(run.id("a")), b = "o" + std::to_string(run.id("b")),
                    w = "o" + std::to_string(run.id("w"));
  const std::string dot = to_dot(g, 0, run.camera());
  EXPECT_NE(dot.find(a + " -> " + b + " [label=\"0\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find(w + " -> " + b + " [style=dashed]"), std::string::npos);
  EXPECT_NE(dot.find("{ rank=source; v0"), std::string::npos);
  // What dot answers for such a graph (inches, y up), trimmed to three decimals.
  const std::string plain =
      "graph 1 4.000 2.000\n"
      "node v0 0.250 1.500 0.500 0.333 \"\" solid box black lightgrey\n"
      "node " + a + " 1.500 1.500 1.167 0.556 \"\" solid box black lightgrey\n"
      "node " + b + " 3.000 1.000 1.167 0.556 \"\" solid box black lightgrey\n"
      "node " + w + " 1.500 0.500 1.167 0.556 \"\" solid box black lightgrey\n"
      "edge v0 " + a + " 4 0.500 1.500 0.700 1.500 0.800 1.500 0.900 1.500 solid black\n"
      "edge " + a + " " + b + " 4 2.100 1.500 2.300 1.400 2.400 1.200 2.400 1.100 0 2.250 1.450 solid black\n"
      "edge " + w + " " + b + " 4 2.100 0.500 2.300 0.600 2.400 0.800 2.400 0.900 dashed black\n"
      "stop\n";
  const std::vector<Scene> scenes = read_plain(plain, {g}, run.camera());
  ASSERT_EQ(scenes.size(), 1u);
  const Scene& s = scenes[0];
  EXPECT_DOUBLE_EQ(s.objects.at(run.id("a")).x, 1.5 * 72 + 24);
  EXPECT_DOUBLE_EQ(s.objects.at(run.id("a")).y, (2.0 - 1.5) * 72 + 24);  // y flipped, page y down
  EXPECT_DOUBLE_EQ(s.objects.at(run.id("a")).w, object_box("a", Kind::Node).w);
  ASSERT_EQ(s.routes.size(), 3u);
  EXPECT_EQ(s.routes[0].edge, (Edge{0, kBindingSlot, run.id("a")}));
  EXPECT_EQ(s.routes[1].edge, (Edge{run.id("a"), 0, run.id("b")}));
  EXPECT_DOUBLE_EQ(s.routes[1].label_x, 2.25 * 72 + 24);
  EXPECT_EQ(s.routes[1].path, "M175.2,60.0 C189.6,67.2 196.8,81.6 196.8,88.8");
  EXPECT_EQ(s.routes[2].edge, (Edge{run.id("w"), kWeakSlot, run.id("b")}));
  EXPECT_THROW(read_plain("graph 1 1 1\nnode x1 0 0 1 1\nstop\n", {g}, run.camera()), std::runtime_error);
  EXPECT_THROW(read_plain("", {g}, run.camera()), std::runtime_error);
}

TEST(ViewLayout, CutsScenesWhenTheObjectsTurnOver) {
  // Ten objects at a time, 200 made in all: the scenes stay within the limits, each step is in
  // one, and consecutive steps share a scene until the turnover fills it.
  std::string script;
  for (int i = 0; i < 200; ++i) {
    script += "new n" + std::to_string(i) + "\n";
    if (i >= 10) script += "del n" + std::to_string(i - 10) + "\n";
  }
  ScriptRun run(script);
  std::vector<std::size_t> scene_of_step;
  const auto graphs = cut_scenes(run.recorder->steps(), scene_of_step);
  EXPECT_GT(graphs.size(), 2u);
  EXPECT_LT(graphs.size(), 20u);
  for (const auto& g : graphs) EXPECT_LE(g.objects.size() + g.variables.size(), kMaxSceneObjects);
  ASSERT_EQ(scene_of_step.size(), run.recorder->steps().size());
  for (std::size_t i = 1; i < scene_of_step.size(); ++i) EXPECT_LE(scene_of_step[i] - scene_of_step[i - 1], 1u);
  // A short script is one scene.
  ScriptRun small("new a\nnew b\nset a.0 b\ndel b\n");
  EXPECT_EQ(cut_scenes(small.recorder->steps(), scene_of_step).size(), 1u);
}

// The page's data: each step's picture is rebuilt from the changes exactly, and no text of the
// script can close the data block.
TEST(ViewPage, DataRebuildsEveryPictureAndEscapesTheScript) {
  ScriptRun run("new a   # </script><b>\nnew b\nset a.0 b\nset b.0 a\nweak w a callback\ndel a\ndel b\ncollect\nlive\n");
  Layout layout;
  std::vector<SceneGraph> graphs = cut_scenes(run.recorder->steps(), layout.scene_of_step);
  layout.scenes.resize(graphs.size());
  const std::vector<Frame> frames = tell(run.recorder->steps(), run.camera());
  PageInput in{"t", "new a   # </script><b>\nnew b\n", run.recorder.get(), &layout, &frames};
  const std::string json = page_data_json(in);
  EXPECT_EQ(json.find("</"), std::string::npos);
  const auto data = nlohmann::json::parse(json);
  EXPECT_EQ(data["source"][0], "new a   # </script><b>");
  ASSERT_EQ(data["steps"].size(), run.recorder->steps().size());
  std::map<std::uint32_t, std::array<int, 3>> objects;
  std::set<std::array<int, 3>> edges;
  std::map<std::uint32_t, std::uint32_t> bindings;
  for (std::size_t i = 0; i < data["steps"].size(); ++i) {
    const auto& d = data["steps"][i]["d"];
    for (const auto& x : d.value("x", nlohmann::json::array())) objects.erase(x.get<std::uint32_t>());
    for (const auto& o : d.value("o", nlohmann::json::array())) objects[o[0]] = {o[1].get<int>(), o[2].get<int>(), o[3].get<int>()};
    for (const auto& e : d.value("ex", nlohmann::json::array())) edges.erase({e[0].get<int>(), e[1].get<int>(), e[2].get<int>()});
    for (const auto& e : d.value("e", nlohmann::json::array())) edges.insert({e[0].get<int>(), e[1].get<int>(), e[2].get<int>()});
    for (const auto& v : d.value("bx", nlohmann::json::array())) bindings.erase(v.get<std::uint32_t>());
    for (const auto& b : d.value("b", nlohmann::json::array())) bindings[b[0]] = b[1];
    const Picture& p = run.recorder->steps()[i].picture;
    ASSERT_EQ(objects.size(), p.objects.size()) << "step " << i;
    for (const ObjectState& o : p.objects)
      EXPECT_EQ(objects[o.id], (std::array<int, 3>{static_cast<int>(o.refcount), o.generation, o.finalized ? 1 : 0}));
    ASSERT_EQ(edges.size(), p.edges.size()) << "step " << i;
    for (const Edge& e : p.edges) EXPECT_TRUE(edges.count({static_cast<int>(e.from), e.slot, static_cast<int>(e.to)}));
    ASSERT_EQ(bindings.size(), p.bindings.size());
    for (const Binding& b : p.bindings) EXPECT_EQ(bindings[b.var], b.object);
  }
  const auto& collect = data["steps"][7]["c"][0];
  EXPECT_EQ(collect["n"], 2);
  EXPECT_EQ(collect["free"].size(), 2u);
  EXPECT_EQ(data["frames"].size(), frames.size());
}

}  // namespace
}  // namespace pyheap::view
