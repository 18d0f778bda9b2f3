#include "view/page.hpp"

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string_view>

#include "report/html.hpp"
#include "view/page_assets.hpp"

namespace pyheap::view {

namespace {

// JSON for a <script type="application/json"> block: besides JSON's own escapes, '<' is written
// as \u003c so that no text of the script (a comment saying "</script>") can end the block.
class Json {
 public:
  Json& raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  Json& str(std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out_ += '"';
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"') out_ += "\\\"";
      else if (c == '\\') out_ += "\\\\";
      else if (c == '\n') out_ += "\\n";
      else if (c < 0x20 || c == '<') {
        out_ += "\\u00";
        out_ += hex[c >> 4];
        out_ += hex[c & 15];
      } else out_ += ch;  // UTF-8 passes through
    }
    out_ += '"';
    return *this;
  }
  Json& num(long long v) { return raw(std::to_string(v)); }
  Json& num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return raw(buf);
  }
  template <class T, class Fn>
  Json& list(const std::vector<T>& items, Fn&& each) {
    out_ += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out_ += ',';
      each(items[i]);
    }
    out_ += ']';
    return *this;
  }
  Json& ids(const std::vector<std::uint32_t>& v) {
    return list(v, [&](std::uint32_t id) { num(static_cast<long long>(id)); });
  }
  Json& key(std::string_view k) {
    if (!out_.empty() && out_.back() != '{' && out_.back() != '[') out_ += ',';
    str(k);
    out_ += ':';
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void edge_triple(Json& j, const Edge& e) {
  j.raw("[").num(static_cast<long long>(e.from)).raw(",").num(static_cast<long long>(e.slot)).raw(",").num(static_cast<long long>(e.to)).raw("]");
}

// The changes that turn `from` into `to` (both sorted, as pictures are).
void picture_delta(Json& j, const Picture& from, const Picture& to) {
  j.raw("{");
  std::vector<const ObjectState*> changed;
  std::vector<std::uint32_t> gone;
  for (const ObjectState& o : to.objects)
    if (const ObjectState* old = from.find(o.id); !old || !(*old == o)) changed.push_back(&o);
  for (const ObjectState& o : from.objects)
    if (!to.find(o.id)) gone.push_back(o.id);
  std::vector<Edge> added, removed;
  std::set_difference(to.edges.begin(), to.edges.end(), from.edges.begin(), from.edges.end(), std::back_inserter(added));
  std::set_difference(from.edges.begin(), from.edges.end(), to.edges.begin(), to.edges.end(), std::back_inserter(removed));
  std::vector<Binding> bound;
  std::vector<std::uint32_t> unbound;
  std::set_difference(to.bindings.begin(), to.bindings.end(), from.bindings.begin(), from.bindings.end(), std::back_inserter(bound));
  for (const Binding& b : from.bindings) {
    const bool kept = std::any_of(to.bindings.begin(), to.bindings.end(), [&](const Binding& t) { return t.var == b.var; });
    if (!kept) unbound.push_back(b.var);
  }
  if (!changed.empty()) {
    j.key("o").list(changed, [&](const ObjectState* o) {
      j.raw("[").num(static_cast<long long>(o->id)).raw(",").num(static_cast<long long>(o->refcount)).raw(",");
      j.num(static_cast<long long>(o->generation)).raw(o->finalized ? ",1]" : ",0]");
    });
  }
  if (!gone.empty()) j.key("x").ids(gone);
  if (!added.empty()) j.key("e").list(added, [&](const Edge& e) { edge_triple(j, e); });
  if (!removed.empty()) j.key("ex").list(removed, [&](const Edge& e) { edge_triple(j, e); });
  if (!bound.empty()) {
    j.key("b").list(bound, [&](const Binding& b) {
      j.raw("[").num(static_cast<long long>(b.var)).raw(",").num(static_cast<long long>(b.object)).raw("]");
    });
  }
  if (!unbound.empty()) j.key("bx").ids(unbound);
  if (to.too_many) j.key("many").num(static_cast<long long>(to.too_many));
  j.raw("}");
}

void box(Json& j, std::uint32_t id, const Box& b) {
  j.raw("[").num(static_cast<long long>(id)).raw(",").num(b.x).raw(",").num(b.y).raw(",").num(b.w).raw(",").num(b.h).raw("]");
}

void collection(Json& j, const CollectionRecord& c, const Picture& before_step) {
  j.raw("{");
  j.key("g").num(static_cast<long long>(c.generation));
  j.key("pic");
  picture_delta(j, before_step, c.before);
  j.key("ex").ids(c.examined);
  j.key("refs").list(c.gc_refs, [&](const auto& p) {
    j.raw("[").num(static_cast<long long>(p.first)).raw(",").num(static_cast<long long>(p.second)).raw("]");
  });
  j.key("r").ids(c.reachable);
  j.key("u").ids(c.unreachable);
  j.key("wg").ids(c.weak_in_garbage);
  j.key("wo").ids(c.weak_outside);
  j.key("wc").ids(c.weak_called);
  j.key("fin").ids(c.finalized);
  j.key("res").ids(c.resurrected);
  j.key("free").ids(c.freed);
  j.key("wf").num(static_cast<long long>(c.weakrefs_freed));
  j.key("n").num(static_cast<long long>(c.collected));
  j.raw("}");
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // the final newline
  return lines;
}

// Fills the template's markers, which appear in this order: text inserted for one marker is never
// searched for the next.
std::string fill(std::string_view page, std::initializer_list<std::pair<std::string_view, std::string_view>> parts) {
  std::string out;
  std::size_t pos = 0;
  for (const auto& [marker, text] : parts) {
    const auto at = page.find(marker, pos);
    if (at == std::string_view::npos) throw std::logic_error("view: the page template lacks " + std::string(marker));
    out.append(page.substr(pos, at - pos)).append(text);
    pos = at + marker.size();
  }
  out.append(page.substr(pos));
  return out;
}

}  // namespace

std::string page_data_json(const PageInput& in) {
  const Recorder& rec = *in.recording;
  const Camera& camera = rec.camera();
  const auto& steps = rec.steps();
  Json j;
  j.raw("{");
  j.key("title").str(in.title);
  j.key("source").list(lines_of(in.source), [&](std::string_view l) { j.str(l); });
  j.key("objects").list(camera.objects().all(), [&](const std::string& s) { j.str(s); });
  std::vector<std::uint32_t> kinds;
  for (std::uint32_t id = 0; id < camera.objects().all().size(); ++id) kinds.push_back(static_cast<std::uint32_t>(camera.kind(id)));
  j.key("kinds").ids(kinds);
  j.key("variables").list(camera.variables().all(), [&](const std::string& s) { j.str(s); });

  j.key("scenes").list(in.layout->scenes, [&](const Scene& s) {
    j.raw("{");
    j.key("w").num(s.width);
    j.key("h").num(s.height);
    j.key("o").raw("[");
    bool first = true;
    for (const auto& [id, b] : s.objects) {
      if (!first) j.raw(",");
      first = false;
      box(j, id, b);
    }
    j.raw("]");
    j.key("v").raw("[");
    first = true;
    for (const auto& [id, b] : s.variables) {
      if (!first) j.raw(",");
      first = false;
      box(j, id, b);
    }
    j.raw("]");
    j.key("r").list(s.routes, [&](const Route& r) {
      j.raw("[").num(static_cast<long long>(r.edge.from)).raw(",").num(static_cast<long long>(r.edge.slot)).raw(",");
      j.num(static_cast<long long>(r.edge.to)).raw(",").str(r.path).raw(",").num(r.label_x).raw(",").num(r.label_y).raw("]");
    });
    j.raw("}");
  });

  const Picture empty;
  std::vector<const DeathChain*> chains(steps.size(), nullptr);
  for (const Frame& f : *in.frames)
    if (f.phase == Phase::Statement) chains[f.step] = &f.chain;
  j.key("steps").raw("[");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const StepRecord& s = steps[i];
    const Picture& before = i > 0 ? steps[i - 1].picture : empty;
    if (i) j.raw(",");
    j.raw("{");
    j.key("line").num(static_cast<long long>(s.line));
    j.key("scene").num(static_cast<long long>(in.layout->scene_of_step.at(i)));
    j.key("out").list(lines_of(s.output), [&](std::string_view l) { j.str(l); });
    if (!s.error.empty()) j.key("error").str(s.error);
    j.key("d");
    picture_delta(j, before, s.picture);
    if (!s.collections.empty()) j.key("c").list(s.collections, [&](const CollectionRecord& c) { collection(j, c, before); });
    if (const DeathChain* c = chains[i]; c && !c->order.empty()) {
      j.key("chain").raw("{");
      j.key("order").ids(c->order);
      j.key("links").list(c->links, [&](const Edge& e) { edge_triple(j, e); });
      j.key("vars").ids(c->dropped_variables);
      j.raw("}");
    }
    j.raw("}");
  }
  j.raw("]");
  j.key("frames").list(*in.frames, [&](const Frame& f) {
    j.raw("[").num(static_cast<long long>(f.step)).raw(",").str(phase_name(f.phase)).raw(",");
    j.num(static_cast<long long>(f.collection)).raw(",").str(f.text).raw("]");
  });
  j.raw("}");
  return j.take();
}

std::string page_html(const PageInput& in) {
  const std::string title = report::escape(in.title);
  const std::string data = page_data_json(in);
  return fill(assets::kPageHtml, {{"{{TITLE}}", title}, {"/*{{CSS}}*/", assets::kPageCss}, {"{{DATA}}", data},
                                  {"/*{{JS}}*/", assets::kPageJs}});
}

}  // namespace pyheap::view
