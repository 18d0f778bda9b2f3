// Which objects are the program's own, as against the interpreter's and the libraries' (a
// CPython heap holds about 30,000 objects of its own before a script makes any: module
// namespaces, the import system's tables, code objects). Advice about those, or naming them as
// the holders of memory, is noise to the program's author: nothing the program can change.
//
// The program's modules are __main__ and every module whose file is outside the interpreter's
// library (the directory of os.py) and outside the installed packages (site-packages,
// dist-packages); the dumper (pyheap_advise.py, also run as a __main__ by its launcher) is not one. Its objects are what a breadth-first walk reaches
// from those modules' globals and from the locals of the frames that were running when the heap
// was read (the dumper's pyheap_advise._frames), over strong references, never entering a module,
// the namespace of a module the program does not own, or a class defined in one: the program's
// instances of a library's class are the program's, the class and what it holds are not.
#include <algorithm>
#include <deque>

#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
constexpr std::string_view kModulePrefix = "module ";
constexpr std::string_view kClassPrefix = "class ";
constexpr std::string_view kDumper = "pyheap_advise";
constexpr std::string_view kDumperFile = "/pyheap_advise.py";

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
}  // namespace

std::uint32_t Context::property(std::uint32_t holder, std::string_view name) const {
  for (const auto& e : g.edges_of(holder))
    if (e.kind == EdgeKind::Property && g.strings()[e.name] == name) return e.to;
  return kNone;
}

std::uint32_t Context::class_dict(std::uint32_t cls) const {
  // A class's referents start with its __dict__ (type_traverse visits tp_dict first).
  for (const auto& e : g.edges_of(cls))
    if (e.kind == EdgeKind::Element && role(e.to) == Role::Dict) return e.to;
  return kNone;
}

std::uint32_t Context::class_mro(std::uint32_t cls) const {
  // tp_mro is the tuple of classes whose first item is the class itself (tp_bases is not).
  for (const auto& e : g.edges_of(cls)) {
    if (e.kind != EdgeKind::Element || role(e.to) != Role::Tuple) continue;
    const auto items = g.edges_of(e.to);
    if (!items.empty() && items.front().to == cls) return e.to;
  }
  return kNone;
}

std::string Context::class_name(std::uint32_t cls) const {
  const std::string& n = g.name(cls);
  return starts_with(n, kClassPrefix) ? n.substr(kClassPrefix.size()) : n;
}

std::string Context::class_module(std::uint32_t cls) const {
  const std::uint32_t dict = class_dict(cls);
  const std::uint32_t m = dict == kNone ? kNone : property(dict, "__module__");
  return m != kNone && role(m) == Role::Str ? g.name(m) : std::string();
}

bool Context::owns_module(const std::string& module) const {
  if (g.runtime() != Runtime::CPython) return true;
  return std::binary_search(program_modules_.begin(), program_modules_.end(), module);
}

void Context::find_program() {
  const auto& nodes = g.nodes();
  const auto n = static_cast<std::uint32_t>(nodes.size());
  program_.assign(n, 0);
  type_owned_.assign(g.types().size(), 1);
  class_node_.assign(g.types().size(), kNone);
  for (std::uint32_t v = 0; v < n; ++v)
    for (const auto& e : g.edges_of(v))
      if (e.kind == EdgeKind::Internal && e.name == class_edge_name && class_node_[nodes[v].type] == kNone)
        class_node_[nodes[v].type] = e.to;
  if (g.runtime() != Runtime::CPython) {
    std::fill(program_.begin(), program_.end(), 1);
    for (std::uint32_t v = 0; v < n; ++v)
      if (is_object(v)) program_bytes += nodes[v].bytes;
    return;
  }

  // The modules, their namespaces and files.
  struct Module {
    std::string name;
    std::uint32_t dict = kNone;
    std::string file;
  };
  std::vector<Module> modules;
  std::vector<std::uint8_t> module_dict(n, 0);
  std::string library;  // the interpreter's library directory, from os.py
  for (std::uint32_t v = 0; v < n; ++v) {
    if (role(v) != Role::Module || !starts_with(g.name(v), kModulePrefix)) continue;
    Module m{g.name(v).substr(kModulePrefix.size()), own_dict(v), {}};
    if (m.dict != kNone) {
      module_dict[m.dict] = 1;
      const std::uint32_t file = property(m.dict, "__file__");
      if (file != kNone && role(file) == Role::Str) m.file = g.name(file);
      if (m.name == kDumper) frames_ = property(m.dict, "_frames");
    }
    if (m.name == "os" && m.file.size() > 6 && m.file.compare(m.file.size() - 6, 6, "/os.py") == 0)
      library = m.file.substr(0, m.file.size() - 5);
    modules.push_back(std::move(m));
  }
  if (frames_ != kNone && role(frames_) != Role::Dict) frames_ = kNone;
  auto library_file = [&](const std::string& file) {
    return (!library.empty() && starts_with(file, library)) || file.find("/site-packages/") != std::string::npos ||
           file.find("/dist-packages/") != std::string::npos;
  };
  std::vector<std::uint32_t> starts;
  for (const Module& m : modules) {
    // The dumper's launcher ran as a __main__ too before it handed the name to the script.
    const bool dumper = m.name == kDumper || (m.file.size() >= kDumperFile.size() &&
                                              m.file.compare(m.file.size() - kDumperFile.size(), kDumperFile.size(), kDumperFile) == 0);
    const bool own = !dumper && (m.name == "__main__" || (!m.file.empty() && !library_file(m.file)));
    if (!own) continue;
    program_modules_.push_back(m.name);
    if (m.dict != kNone) starts.push_back(m.dict);
  }
  std::sort(program_modules_.begin(), program_modules_.end());
  for (std::uint32_t t = 0; t < g.types().size(); ++t) {
    const auto& type = g.types()[t];
    type_owned_[t] = type.role != Role::Synthetic && type.module != "builtins" &&
                     (owns_module(type.module) ||
                      std::none_of(modules.begin(), modules.end(), [&](const Module& m) { return m.name == type.module; }));
  }
  if (frames_ != kNone)
    for (const auto& e : g.edges_of(frames_))
      if (e.kind == EdgeKind::Property) starts.push_back(e.to);

  // The walk. A class is entered when the program's module defined it.
  std::deque<std::uint32_t> queue;
  for (std::uint32_t s : starts)
    if (!program_[s]) {
      program_[s] = 1;
      queue.push_back(s);
    }
  while (!queue.empty()) {
    const std::uint32_t u = queue.front();
    queue.pop_front();
    for (std::uint32_t k = fwd_first[u]; k < fwd_first[u + 1]; ++k) {
      const std::uint32_t w = fwd[k];
      if (program_[w] || !is_object(w) || role(w) == Role::Module || module_dict[w]) continue;
      if (role(w) == Role::Type && !owns_module(class_module(w))) continue;
      program_[w] = 1;
      queue.push_back(w);
    }
  }
  // Garbage is the program's too, for the heap's account: only it makes cycles in such numbers.
  for (std::uint32_t v = 0; v < n; ++v)
    if (program_[v] || (is_object(v) && is_garbage(v))) program_bytes += nodes[v].bytes;
}

}  // namespace pyheap::advise_detail
