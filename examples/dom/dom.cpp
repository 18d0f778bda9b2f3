// A small DOM on pyheap. Nodes are polymorphic (a virtual destructor, virtual render and tag
// methods, an abstract base, a three-level hierarchy), and every child points back at its parent
// with a strong Ref, so a document is a web of reference cycles that only the cycle collector can
// free. Shows: Ref<Base> holding a Derived, a derived trace hook extending its base's,
// ref_from_this, dynamic_ref_cast, the collector freeing a dropped document, a finalizer declared
// in the base, and a memory limit that the emergency collection keeps by freeing old documents.
// Exits non-zero if anything is not as printed.
#include <pyheap/heap.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace dom {

using pyheap::Ref;

struct Element;

// Counts what happened to nodes, to check that each one was destroyed once, through its own type.
struct Tally {
  int made = 0, destroyed = 0, finalized = 0;
};
inline Tally tally;

struct Node : pyheap::Object {
  Node() { ++tally.made; }
  virtual ~Node() { ++tally.destroyed; }
  virtual std::string render(int depth) const = 0;
  // Derived classes with references of their own extend this hook (Element::trace).
  virtual void trace(pyheap::Tracer& t) { t(parent); }
  // Declared once, here: runs for every node, whatever its type, before it is destroyed.
  void finalize() { ++tally.finalized; }

  // "html > body > p": up the parent back-pointers.
  std::string path() const;

  Ref<Element> parent;  // strong: parent <-> child is a cycle
};

struct Text final : Node {
  explicit Text(std::string s) : text(std::move(s)) {}
  std::string render(int depth) const override { return std::string(2 * depth, ' ') + text + "\n"; }
  std::string text;
};

struct Element : Node {
  explicit Element(std::string t) : tag(std::move(t)) {}
  virtual std::string attributes() const { return ""; }
  std::string render(int depth) const override {
    const std::string pad(2 * depth, ' ');
    std::string out = pad + "<" + tag + attributes() + ">\n";
    for (const Ref<Node>& child : children) out += child->render(depth + 1);
    return out + pad + "</" + tag + ">\n";
  }
  void trace(pyheap::Tracer& t) override {
    Node::trace(t);
    t(children);
  }
  // Adopts a child and returns this element, so that calls chain; the child's back-pointer is a
  // Ref to this element, made from `this`.
  Ref<Element> add(Ref<Node> child) {
    child->parent = pyheap::ref_from_this(this);
    children.push_back(std::move(child));
    return pyheap::ref_from_this(this);
  }

  std::string tag;
  std::vector<Ref<Node>> children;
};

struct Link final : Element {
  explicit Link(std::string h) : Element("a"), href(std::move(h)) {}
  std::string attributes() const override { return " href=\"" + href + "\""; }
  std::string href;
};

std::string Node::path() const {
  const auto* e = dynamic_cast<const Element*>(this);
  std::string self = e != nullptr ? e->tag : "#text";
  return parent ? parent->path() + " > " + self : self;
}

// The first node below `root` (depth first) that is a T.
template <class T>
Ref<T> find(const Ref<Node>& root) {
  if (Ref<T> hit = pyheap::dynamic_ref_cast<T>(root)) return hit;
  if (Ref<Element> e = pyheap::dynamic_ref_cast<Element>(root)) {
    for (const Ref<Node>& child : e->children)
      if (Ref<T> hit = find<T>(child)) return hit;
  }
  return {};
}

Ref<Element> document(pyheap::Heap& heap, const std::string& title) {
  Ref<Element> body = heap.make<Element>("body");
  body->add(heap.make<Element>("h1")->add(heap.make<Text>(title)));
  body->add(heap.make<Element>("p")
                ->add(heap.make<Text>("Cycles are freed by"))
                ->add(heap.make<Link>("https://docs.python.org/3/library/gc.html")->add(heap.make<Text>("the collector"))));
  return heap.make<Element>("html")->add(body);
}

}  // namespace dom

int main() {
  using namespace dom;
  bool ok = true;
  auto check = [&](bool c, const char* what) {
    if (!c) std::printf("FAILED: %s\n", what);
    ok = ok && c;
  };

  pyheap::Heap heap;
  heap.gc().disable();  // only explicit and emergency collections: what frees what is visible
  {
    Ref<Node> doc = document(heap, "pyheap");  // Ref<Node> holding an Element
    std::printf("%s", doc->render(0).c_str());
    Ref<Link> link = find<Link>(doc);
    check(link && link->href.find("gc.html") != std::string::npos, "find<Link>");
    std::printf("the link sits at: %s\n", link->path().c_str());
    std::printf("its text sits at: %s\n", link->children.front()->path().c_str());
    std::printf("nodes: %zu\n", heap.live_objects());
  }
  const std::size_t live = heap.live_objects();
  std::printf("after dropping the document: %zu nodes still alive (parent <-> child cycles)\n", live);
  const std::size_t collected = heap.gc().collect();
  std::printf("collected %zu; alive now: %zu\n", collected, heap.live_objects());
  check(live == 8 && collected == 8 && heap.live_objects() == 0, "the collector frees the whole document");
  check(tally.made == 8 && tally.destroyed == 8 && tally.finalized == 8, "each node finalized and destroyed once");

  // Under a memory limit of a few documents, with automatic collection still off: each new node
  // that would pass the limit makes the heap collect first (the emergency collection), which
  // frees the documents dropped so far.
  heap.set_memory_limit(8 * 1024);
  for (int i = 0; i < 200; ++i) (void)document(heap, "page " + std::to_string(i));
  std::printf("200 documents made and dropped under an 8 KiB limit: %s\n",
              heap.emergency_collections() > 0 && heap.allocator().held_bytes() <= 8 * 1024 ? "kept by emergency collections"
                                                                                            : "NOT KEPT");
  check(heap.emergency_collections() > 0, "emergency collections ran");
  heap.gc().collect();
  check(heap.live_objects() == 0 && tally.destroyed == tally.made && tally.finalized == tally.made,
        "every node of every document destroyed once");
  std::printf("%s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
