#include "view/story.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

namespace pyheap::view {

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::Statement: return "statement";
    case Phase::Examined: return "examined";
    case Phase::GcRefs: return "gc_refs";
    case Phase::Reachable: return "reachable";
    case Phase::Unreachable: return "unreachable";
    case Phase::Weakrefs: return "weakrefs";
    case Phase::Finalizers: return "finalizers";
    case Phase::Resurrected: return "resurrected";
    case Phase::Freed: return "freed";
  }
  return "?";
}

namespace {

std::string join_names(const std::vector<std::string>& names, std::size_t limit) {
  std::string out;
  const std::size_t shown = names.size() > limit ? limit - 1 : names.size();
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " and " : ", ";
    out += names[i];
  }
  if (shown < names.size()) out += ", … and " + std::to_string(names.size() - shown) + " more";
  return out;
}

// "1 object", "3 objects"
std::string count_of(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

// "reaches" for one subject, "reach" for several.
const char* verb_s(std::size_t n, const char* one, const char* many) { return n == 1 ? one : many; }

}  // namespace

std::string name_list(const std::vector<std::uint32_t>& ids, const Camera& camera, std::size_t limit) {
  std::vector<std::string> names;
  for (std::uint32_t id : ids) names.push_back(camera.objects().all()[id]);
  return join_names(names, limit);
}

// ---- reference-counting chains ------------------------------------------------------------------

DeathChain explain_deaths(const StepRecord& step, const Picture& before, const Camera& camera) {
  DeathChain chain;
  const Picture& after = step.picture;
  if (before.too_many || after.too_many) return chain;
  std::set<std::uint32_t> dead;
  for (const ObjectState& o : before.objects)
    if (!after.find(o.id)) dead.insert(o.id);
  if (dead.empty()) return chain;
  std::set<std::uint32_t> collected;
  for (const CollectionRecord& c : step.collections) collected.insert(c.freed.begin(), c.freed.end());

  // Who held each object that reference counting freed: dead objects (their destruction released
  // it), or references the step dropped from survivors. Weak references hold no count.
  std::map<std::uint32_t, std::vector<Edge>> held_by_dead;
  std::vector<std::string> drops;
  std::set<std::uint32_t> dropped_targets;
  bool from_garbage = false;
  for (const Binding& b : before.bindings) {
    if (!dead.count(b.object) || collected.count(b.object)) continue;
    if (std::binary_search(after.bindings.begin(), after.bindings.end(), b)) continue;
    chain.dropped_variables.push_back(b.var);
    drops.push_back(camera.variables().all()[b.var]);
    dropped_targets.insert(b.object);
  }
  for (const Edge& e : before.edges) {
    if (e.slot == kWeakSlot || !dead.count(e.to) || collected.count(e.to)) continue;
    if (dead.count(e.from)) {
      held_by_dead[e.to].push_back(e);
      if (collected.count(e.from)) from_garbage = true;
    } else if (!std::binary_search(after.edges.begin(), after.edges.end(), e)) {
      chain.links.push_back(e);
      drops.push_back(camera.objects().all()[e.from] + "." + std::to_string(e.slot));
      dropped_targets.insert(e.to);
    }
  }

  // An object's count reaches zero once every dead object that held it was destroyed: order the
  // dead in layers (Kahn), starting from those that nothing dead held.
  std::set<std::uint32_t> done(collected.begin(), collected.end());
  std::vector<std::vector<std::uint32_t>> layers;
  std::set<std::uint32_t> left;
  for (std::uint32_t id : dead)
    if (!collected.count(id)) left.insert(id);
  while (!left.empty()) {
    std::vector<std::uint32_t> layer;
    for (std::uint32_t id : left) {
      const auto it = held_by_dead.find(id);
      const bool ready = it == held_by_dead.end() ||
                         std::all_of(it->second.begin(), it->second.end(), [&](const Edge& e) { return done.count(e.from) > 0; });
      if (ready) layer.push_back(id);
    }
    if (layer.empty()) layer.assign(left.begin(), left.end());  // a cycle no collection freed: not expected
    for (std::uint32_t id : layer) {
      left.erase(id);
      chain.order.push_back(id);
      if (auto it = held_by_dead.find(id); it != held_by_dead.end())
        chain.links.insert(chain.links.end(), it->second.begin(), it->second.end());
    }
    done.insert(layer.begin(), layer.end());
    layers.push_back(std::move(layer));
  }
  if (chain.order.empty()) return chain;

  std::vector<std::string> starts;
  if (!drops.empty()) starts.push_back("drop of " + join_names(drops, 6));
  if (from_garbage) starts.push_back("the collector breaks up the garbage");
  chain.text = starts.empty() ? std::string("freed") : join_names(starts, 3);
  for (const auto& layer : layers) {
    chain.text += " → " + name_list(layer, camera, 6) + " " + verb_s(layer.size(), "reaches", "reach") + " 0";
  }
  return chain;
}

// ---- collection sub-steps -----------------------------------------------------------------------

namespace {

std::vector<std::uint32_t> with_refs(const CollectionRecord& c, bool positive) {
  std::vector<std::uint32_t> ids;
  for (const auto& [id, refs] : c.gc_refs)
    if ((refs > 0) == positive) ids.push_back(id);
  return ids;
}

std::vector<std::uint32_t> minus(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  const std::set<std::uint32_t> drop(b.begin(), b.end());
  std::vector<std::uint32_t> out;
  for (std::uint32_t id : a)
    if (!drop.count(id)) out.push_back(id);
  return out;
}

std::string_view first_word(std::string_view line) {
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  line.remove_prefix(start);
  return line.substr(0, line.find_first_of(" \t#"));
}

std::string generations_examined(int g) {
  if (g == 0) return "generation 0";
  if (g == 1) return "generations 0 and 1, merged";
  return "generations 0, 1 and 2, merged";
}

class Narrator {
 public:
  Narrator(const Camera& camera, std::vector<Frame>& frames) : camera_(camera), frames_(frames) {}

  void collection(std::size_t step, int index, const StepRecord& s) {
    const CollectionRecord& c = s.collections[static_cast<std::size_t>(index)];
    auto add = [&](Phase p, std::string text) { frames_.push_back({step, p, index, std::move(text), {}}); };
    auto names = [&](const std::vector<std::uint32_t>& ids) { return name_list(ids, camera_); };
    const int older = c.generation + 1 < 3 ? c.generation + 1 : 2;
    const bool automatic = index > 0 || first_word(s.statement) != "collect";

    std::string examined = automatic ? "An automatic collection starts (allocating passed generation 0's threshold): it examines "
                                     : "The collector examines ";
    examined += generations_examined(c.generation) + ": " + count_of(c.examined.size(), "object");
    const std::size_t others = c.before.objects.size() - std::min(c.before.objects.size(), c.examined.size());
    if (others > 0) examined += " (" + std::to_string(others) + " in older or frozen generations are left alone)";
    add(Phase::Examined, examined + ".");

    const auto outside = with_refs(c, true);
    std::string refs = "gc_refs = reference count minus the references from other examined objects: ";
    if (outside.empty()) refs += "every one drops to 0, nothing outside the set holds them.";
    else if (outside.size() == c.gc_refs.size()) refs += "every one stays above 0, all are held from outside the set.";
    else refs += names(outside) + " " + verb_s(outside.size(), "stays", "stay") + " above 0 (held from outside the set), the other " +
                 std::to_string(c.gc_refs.size() - outside.size()) + " drop to 0.";
    add(Phase::GcRefs, refs);

    const auto reached = minus(c.reachable, outside);
    std::string reachable;
    if (c.reachable.empty()) reachable = "No examined object is held from outside, so none is marked reachable.";
    else if (reached.empty()) reachable = names(c.reachable) + (c.reachable.size() == 1 ? " is" : " are") +
                                          " reachable (gc_refs > 0): survivors move on to generation " + std::to_string(older) + ".";
    else reachable = names(outside) + " (gc_refs > 0) and what " + verb_s(outside.size(), "it reaches", "they reach") + ", " +
                     names(reached) + ", are reachable: survivors move on to generation " + std::to_string(older) + ".";
    add(Phase::Reachable, reachable);

    if (c.unreachable.empty()) {
      add(Phase::Unreachable, std::string("Nothing is unreachable: this collection finds no garbage, ") +
                                  (automatic ? "it counts " : "collect returns ") + std::to_string(c.collected) + ".");
      return;
    }
    add(Phase::Unreachable, names(c.unreachable) + (c.unreachable.size() == 1 ? " is" : " are") +
                                " unreachable: only references from inside the set kept " +
                                (c.unreachable.size() == 1 ? "its count" : "their counts") + " above 0.");

    if (!c.weak_in_garbage.empty() || !c.weak_outside.empty()) {
      std::vector<std::string> parts;
      if (!c.weak_called.empty())
        parts.push_back(names(c.weak_called) + (c.weak_called.size() == 1 ? " is" : " are") +
                        " alive, so " + (c.weak_called.size() == 1 ? "its callback runs" : "their callbacks run"));
      const auto silent = minus(c.weak_outside, c.weak_called);
      if (!silent.empty()) parts.push_back(names(silent) + (silent.size() == 1 ? " has" : " have") + " no callback");
      if (!c.weak_in_garbage.empty())
        parts.push_back(names(c.weak_in_garbage) + (c.weak_in_garbage.size() == 1 ? " is" : " are") +
                        " garbage too, cleared without " + (c.weak_in_garbage.size() == 1 ? "its callback" : "callbacks"));
      std::string clauses;
      for (const auto& part : parts) clauses += (clauses.empty() ? "" : "; ") + part;
      add(Phase::Weakrefs, "Weak references to the garbage are cleared before any finalizer runs: " + clauses + ".");
    }
    if (!c.finalized.empty())
      add(Phase::Finalizers, "The " + std::string(c.finalized.size() == 1 ? "finalizer of " : "finalizers of ") +
                                 names(c.finalized) + (c.finalized.size() == 1 ? " runs" : " run") +
                                 ", once in an object's life (PEP 442), while the garbage is still intact.");
    if (!c.resurrected.empty())
      add(Phase::Resurrected, "A finalizer made " + names(c.resurrected) + " reachable again: " +
                                  (c.resurrected.size() == 1 ? "it leaves" : "they leave") +
                                  " the unreachable set and survive.");
    const std::string result = (automatic ? "the collection counts " : "collect returns ") + std::to_string(c.collected);
    std::string freed;
    if (c.freed.empty()) {
      freed = "Nothing unreachable is left to free";
    } else {
      const bool one = c.freed.size() == 1;
      freed = (c.resurrected.empty() ? "" : "What is still unreachable, ") + names(c.freed) +
              (c.resurrected.empty() ? "" : ",") + (one ? " is" : " are") + " freed: the collector clears " +
              (one ? "its references" : "their references") + " and reference counting frees " + (one ? "it" : "them");
    }
    if (c.weakrefs_freed > 0)
      freed += "; " + count_of(c.weakrefs_freed, "weak reference object") + " died in " + (c.weakrefs_freed == 1 ? "its" : "their") +
               " own callback";
    add(Phase::Freed, freed + "; " + result + ".");
  }

 private:
  const Camera& camera_;
  std::vector<Frame>& frames_;
};

}  // namespace

std::vector<Frame> tell(const std::vector<StepRecord>& steps, const Camera& camera) {
  std::vector<Frame> frames;
  Narrator narrator(camera, frames);
  const Picture empty;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    for (std::size_t k = 0; k < steps[i].collections.size(); ++k) narrator.collection(i, static_cast<int>(k), steps[i]);
    DeathChain chain = explain_deaths(steps[i], i > 0 ? steps[i - 1].picture : empty, camera);
    std::string text = chain.text;
    frames.push_back({i, Phase::Statement, -1, std::move(text), std::move(chain)});
  }
  return frames;
}

}  // namespace pyheap::view
