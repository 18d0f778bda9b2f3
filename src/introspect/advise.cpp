// advise(): runs every finding over one analysis of the graph, ranks them, and prints them.
#include "pyheap/advise.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "introspect/advise_context.hpp"
#include "introspect/json_text.hpp"
#include "pyheap/heap.hpp"

namespace pyheap {

using namespace advise_detail;

const char* finding_kind_name(FindingKind kind) noexcept {
  switch (kind) {
    case FindingKind::FixedLayout: return "fixed-layout";
    case FindingKind::Columns: return "columns";
    case FindingKind::TypedArray: return "typed-array";
    case FindingKind::PackedTuples: return "packed-tuples";
    case FindingKind::AdjacencySets: return "adjacency-sets";
    case FindingKind::PrefilledLists: return "prefilled-lists";
    case FindingKind::InternStrings: return "intern-strings";
    case FindingKind::ShareTuples: return "share-tuples";
    case FindingKind::SpareCapacity: return "spare-capacity";
    case FindingKind::CyclicGarbage: return "cyclic-garbage";
    case FindingKind::Dominators: return "dominators";
  }
  return "?";
}

namespace {

std::string units_text(Runtime runtime) {
  if (runtime == Runtime::CPython)
    return "as tracemalloc counts them (each allocation as requested; pymalloc hands out those of up to 512 bytes "
           "in 16-byte steps). To check a saving: tracemalloc.start() first thing in the program, then where the "
           "heap was read gc.collect() and tracemalloc.get_traced_memory()[0], once as it is and once with the "
           "change: the difference is the saving.";
  return "the allocator's blocks. To check a saving: heap.allocator().stats().bytes_held + large_bytes where the "
         "heap was read, once as it is and once with the change.";
}

// A CPython heap whose program holds next to nothing: read after the data was gone.
std::string empty_heap_note(const Context& c) {
  return "the program's own objects hold " + bytes_text(c.program_bytes) + " of the heap's " +
         bytes_text(c.heap_bytes) + ": it looks like an empty interpreter's, read after the program's data was "
         "gone (a function's locals go when it returns: data kept in main() is freed before a script ends). "
         "Read it where the data is alive: call pyheap_advise.dump() there, or name the line: pyheap advise "
         "--at FILE:LINE --python SCRIPT.";
}

}  // namespace

Advice advise(const ObjectGraph& graph, const AdviseOptions& options) {
  Context c(graph, options);
  Advice a;
  a.runtime = graph.runtime_description();
  a.objects = graph.object_count();
  a.heap_bytes = c.heap_bytes;
  a.program_bytes = c.program_bytes;
  a.units = units_text(graph.runtime());
  if (graph.runtime() == Runtime::CPython && c.program_bytes * 10 < c.heap_bytes) a.notes.push_back(empty_heap_note(c));

  find_fixed_layouts(c, a.findings);
  find_columns(c, a.findings);
  find_typed_arrays(c, a.findings);
  find_packed_tuples(c, a.findings);
  find_adjacency_sets(c, a.findings);
  find_duplicate_strings(c, a.findings);
  find_duplicate_tuples(c, a.findings);
  find_spare_capacity(c, a.findings);
  find_prefilled_lists(c, a.findings);
  find_cyclic_garbage(c, a.findings);
  std::stable_sort(a.findings.begin(), a.findings.end(),
                   [](const Finding& x, const Finding& y) { return x.saving > y.saving; });
  a.findings.push_back(find_dominators(c));
  return a;
}

Advice advise(const Heap& heap, const AdviseOptions& options, std::span<const NamedRoot> named_roots,
              std::string named_group) {
  return advise(ObjectGraph::capture(heap, named_roots, std::move(named_group)), options);
}

namespace advise_detail {

Finding make_finding(FindingKind kind, std::string type, std::size_t count, std::uint64_t now, std::uint64_t after) {
  Finding f;
  f.kind = kind;
  f.type_name = std::move(type);
  f.count = count;
  f.bytes = now;
  f.saving = now - after;
  return f;
}

std::string count_text(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string bytes_text(std::uint64_t n) {
  if (n < 1024) return std::to_string(n) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = -1;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

std::string python_names(const std::vector<std::string>& names) {
  std::string out = "(";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", '" : "'") + names[i] + "'";
  return out + (names.size() == 1 ? ",)" : ")");
}

std::string cpp_names(const std::vector<std::string>& names) {
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", \"" : "\"") + names[i] + "\"";
  return out + "}";
}

std::string names_list(const std::vector<std::string>& names, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > max) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

}  // namespace advise_detail

namespace {
std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, share >= 0.1 ? "%.0f%%" : share >= 0.01 ? "%.1f%%" : "%.2f%%", share * 100);
  return buf;
}
}  // namespace

std::string format_advice(const Advice& advice, std::size_t top) {
  std::ostringstream out;
  out << "pyheap advise: " << count_text(advice.objects) << " objects, " << bytes_text(advice.heap_bytes) << " ("
      << advice.runtime << " heap";
  if (advice.program_bytes != advice.heap_bytes) out << "; the program's own objects: " << bytes_text(advice.program_bytes);
  out << ")\n";
  for (const std::string& note : advice.notes) out << "\nnote: " << note << '\n';
  const std::size_t shown = std::min(top, advice.findings.size() - (advice.findings.empty() ? 0 : 1));
  std::size_t number = 0;
  auto print = [&](const Finding& f) {
    out << '\n' << ++number << ". [" << finding_kind_name(f.kind) << "] " << f.title << '\n';
    out << "   saves:   " << bytes_text(f.saving) << " (" << percent(f.share) << " of the heap): " << f.estimate << '\n';
    out << "   Python:  " << f.change_python << '\n';
    out << "   C++:     " << f.change_cpp << '\n';
    const char* label = f.kind == FindingKind::Dominators ? "   held:    "
                        : f.origins_are_sites             ? "   made at: "
                                                          : "   held by: ";
    for (std::size_t i = 0; i < f.origins.size(); ++i) {
      const auto& o = f.origins[i];
      out << (i ? "            " : label) << o.where << "  (" << count_text(o.count)
          << (o.count == 1 ? " object, " : " objects, ") << bytes_text(o.bytes) << ")\n";
    }
  };
  for (std::size_t i = 0; i < shown; ++i) print(advice.findings[i]);
  if (!advice.findings.empty()) print(advice.findings.back());
  if (!advice.units.empty()) out << "\nBytes: " << advice.units << '\n';
  return out.str();
}

std::string advice_json(const Advice& advice) {
  std::ostringstream out;
  out << "{\"runtime\":";
  write_json_string(out, advice.runtime);
  out << ",\"objects\":" << advice.objects << ",\"heap_bytes\":" << advice.heap_bytes
      << ",\"program_bytes\":" << advice.program_bytes << ",\"units\":";
  write_json_string(out, advice.units);
  out << ",\"notes\":[";
  for (std::size_t i = 0; i < advice.notes.size(); ++i) {
    if (i) out << ',';
    write_json_string(out, advice.notes[i]);
  }
  out << "],\"findings\":[";
  for (std::size_t i = 0; i < advice.findings.size(); ++i) {
    const Finding& f = advice.findings[i];
    out << (i ? ",\n" : "\n") << "{\"kind\":\"" << finding_kind_name(f.kind) << "\",\"title\":";
    write_json_string(out, f.title);
    out << ",\"type\":";
    write_json_string(out, f.type_name);
    out << ",\"count\":" << f.count << ",\"bytes\":" << f.bytes << ",\"saving\":" << f.saving
        << ",\"share\":" << f.share << ",\"estimate\":";
    write_json_string(out, f.estimate);
    out << ",\"python\":";
    write_json_string(out, f.change_python);
    out << ",\"cpp\":";
    write_json_string(out, f.change_cpp);
    out << ",\"origins_are_sites\":" << (f.origins_are_sites ? "true" : "false") << ",\"origins\":[";
    for (std::size_t k = 0; k < f.origins.size(); ++k) {
      out << (k ? "," : "") << "{\"where\":";
      write_json_string(out, f.origins[k].where);
      out << ",\"count\":" << f.origins[k].count << ",\"bytes\":" << f.origins[k].bytes << '}';
    }
    out << "]}";
  }
  out << "]}\n";
  return out.str();
}

}  // namespace pyheap
