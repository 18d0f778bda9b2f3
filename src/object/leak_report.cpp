// The leak message of ~Heap (leak_report.hpp). Everything here runs once, on a heap that is
// being destroyed with objects still referenced: nothing is on a hot path, and nothing may throw
// out of ~Heap (the caller catches).
#include "object/leak_report.hpp"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string_view>

#include "pyheap/heap.hpp"
#include "pyheap/type_info.hpp"

namespace pyheap::detail {

namespace {

struct Module {
  std::string path;  // as loaded; the program itself is read through /proc/self/exe
  std::uintptr_t base;
  std::vector<std::pair<std::uintptr_t, std::size_t>> hits;  // (word address, range index)
};

struct ScanContext {
  const std::vector<AddressRange>* ranges;
  const std::vector<std::size_t>* order;  // range indices sorted by begin
  std::size_t limit;
  std::size_t found = 0;
  std::vector<Module> modules;
};

// The range containing v, if any (ranges do not overlap: each is one object's block).
long find_range(const ScanContext& c, std::uintptr_t v) {
  const auto& r = *c.ranges;
  const auto& o = *c.order;
  auto it = std::upper_bound(o.begin(), o.end(), v, [&](std::uintptr_t x, std::size_t i) { return x < r[i].begin; });
  if (it == o.begin()) return -1;
  const std::size_t i = *std::prev(it);
  return v < r[i].end ? static_cast<long>(i) : -1;
}

// The words of other modules' globals are read as they are, redzones between them included, so
// neither AddressSanitizer nor ThreadSanitizer instruments this (no memcpy either: ASan checks it).
__attribute__((no_sanitize("address", "thread"))) std::uintptr_t read_word(std::uintptr_t a) noexcept {
  return *reinterpret_cast<const volatile std::uintptr_t*>(a);
}

int scan_module(dl_phdr_info* info, std::size_t, void* data) {
  auto& c = *static_cast<ScanContext*>(data);
  Module m{info->dlpi_name != nullptr ? info->dlpi_name : "", info->dlpi_addr, {}};
  for (int i = 0; i < info->dlpi_phnum && c.found < c.limit; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) == 0) continue;
    auto begin = (info->dlpi_addr + ph.p_vaddr + 7) & ~std::uintptr_t{7};
    const auto end = info->dlpi_addr + ph.p_vaddr + ph.p_memsz;
    for (auto a = begin; a + sizeof(std::uintptr_t) <= end && c.found < c.limit; a += sizeof(std::uintptr_t)) {
      const long r = find_range(c, read_word(a));
      if (r >= 0) {
        m.hits.emplace_back(a, static_cast<std::size_t>(r));
        ++c.found;
      }
    }
  }
  if (!m.hits.empty()) c.modules.push_back(std::move(m));
  return c.found < c.limit ? 0 : 1;
}

// The symbol of the file's symbol table (or, stripped, its dynamic one) whose object covers each
// offset from the load base; empty when none does.
std::vector<std::string> symbols_covering(const std::string& path, const std::vector<std::uintptr_t>& offsets) {
  std::vector<std::string> out(offsets.size());
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  struct stat st{};
  void* map = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && static_cast<std::size_t>(st.st_size) >= sizeof(ElfW(Ehdr)))
    map = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return out;
  const auto* bytes = static_cast<const unsigned char*>(map);
  const auto size = static_cast<std::size_t>(st.st_size);
  const auto* eh = reinterpret_cast<const ElfW(Ehdr)*>(bytes);
  const bool ok = std::memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_shentsize == sizeof(ElfW(Shdr)) &&
                  eh->e_shoff + std::size_t{eh->e_shnum} * sizeof(ElfW(Shdr)) <= size;
  if (ok) {
    const auto* sh = reinterpret_cast<const ElfW(Shdr)*>(bytes + eh->e_shoff);
    for (unsigned want : {unsigned{SHT_SYMTAB}, unsigned{SHT_DYNSYM}}) {
      for (unsigned s = 0; s < eh->e_shnum; ++s) {
        if (sh[s].sh_type != want || sh[s].sh_link >= eh->e_shnum) continue;
        const ElfW(Shdr)& strtab = sh[sh[s].sh_link];
        if (sh[s].sh_offset + sh[s].sh_size > size || strtab.sh_offset + strtab.sh_size > size) continue;
        const auto* syms = reinterpret_cast<const ElfW(Sym)*>(bytes + sh[s].sh_offset);
        const std::size_t n = sh[s].sh_size / sizeof(ElfW(Sym));
        for (std::size_t k = 0; k < n; ++k) {
          const ElfW(Sym)& sym = syms[k];
          if (ELF64_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_size == 0 || sym.st_name >= strtab.sh_size) continue;
          for (std::size_t j = 0; j < offsets.size(); ++j) {
            if (out[j].empty() && offsets[j] >= sym.st_value && offsets[j] < sym.st_value + sym.st_size) {
              const char* name = reinterpret_cast<const char*>(bytes + strtab.sh_offset + sym.st_name);
              out[j] = demangle(name);
            }
          }
        }
      }
      if (std::none_of(out.begin(), out.end(), [](const std::string& x) { return x.empty(); })) break;
    }
  }
  ::munmap(map, size);
  return out;
}

std::string display_path(const std::string& path) {
  if (!path.empty()) return path;
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("the program");
}

}  // namespace

std::vector<StaticHolder> find_static_holders(const std::vector<AddressRange>& ranges, std::size_t limit) {
  std::vector<std::size_t> order(ranges.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ranges[a].begin < ranges[b].begin; });
  ScanContext c{&ranges, &order, limit};
  if (!ranges.empty()) dl_iterate_phdr(&scan_module, &c);
  std::vector<StaticHolder> out;
  for (const Module& m : c.modules) {
    std::vector<std::uintptr_t> offsets;
    for (const auto& h : m.hits) offsets.push_back(h.first - m.base);
    const std::string shown = display_path(m.path);
    const std::vector<std::string> names = symbols_covering(m.path.empty() ? "/proc/self/exe" : m.path, offsets);
    for (std::size_t j = 0; j < m.hits.size(); ++j) {
      std::string name = names[j];
      if (name.empty()) {
        char off[32];
        std::snprintf(off, sizeof off, "+0x%zx", static_cast<std::size_t>(offsets[j]));
        const std::size_t slash = shown.rfind('/');
        name = shown.substr(slash == std::string::npos ? 0 : slash + 1) + off;
      }
      out.push_back(StaticHolder{m.hits[j].second, std::move(name), shown});
    }
  }
  return out;
}

std::string describe_leaked_objects(const Heap& heap) {
  // Per type: how many, tracked or not; and every object's block, for the static scan.
  struct Count {
    std::size_t objects = 0;
    bool tracked = false;
  };
  std::map<std::string, Count> by_type;
  std::vector<AddressRange> ranges;
  std::vector<const TypeInfo*> range_type;
  heap.for_each_object([&](Object& o) {
    const TypeInfo& ti = type_of(o);
    Count& c = by_type[ti.name];
    ++c.objects;
    c.tracked = ti.tracked;
    const auto* start = reinterpret_cast<const char*>(&o) - ti.object_offset;  // the T
    const auto begin = reinterpret_cast<std::uintptr_t>(start);
    ranges.push_back(AddressRange{begin, begin + ti.size});
    range_type.push_back(&ti);
  });
  std::vector<std::pair<std::string, Count>> types(by_type.begin(), by_type.end());
  std::stable_sort(types.begin(), types.end(), [](const auto& a, const auto& b) { return a.second.objects > b.second.objects; });
  std::string out = std::to_string(heap.live_objects()) + " objects still referenced from outside the heap: ";
  constexpr std::size_t kTypesShown = 8;
  bool untracked = false;
  for (std::size_t i = 0; i < types.size() && i < kTypesShown; ++i) {
    if (i) out += ", ";
    out += std::to_string(types[i].second.objects) + " " + types[i].first +
           (types[i].second.tracked ? " (tracked)" : " (untracked)");
    untracked |= !types[i].second.tracked;
  }
  if (types.size() > kTypesShown) out += ", and " + std::to_string(types.size() - kTypesShown) + " other types";
  constexpr std::size_t kHoldersShown = 8;
  const std::vector<StaticHolder> holders = find_static_holders(ranges, kHoldersShown + 1);
  if (!holders.empty()) {
    out += ". Held from static storage by ";
    for (std::size_t i = 0; i < holders.size() && i < kHoldersShown; ++i) {
      if (i) out += ", ";
      out += "`" + holders[i].variable + "` (" + range_type[holders[i].range]->name + ", " + holders[i].module + ")";
    }
    if (holders.size() > kHoldersShown) out += ", ...";
    out += ": reset such references before the heap is destroyed, or hold them in pyheap::StaticRef<T>, "
           "which the heap resets when it is destroyed";
  } else {
    out += ". Every Ref into a heap must be gone before the heap is (one in static storage: hold it in "
           "pyheap::StaticRef<T>, which the heap resets when it is destroyed)";
  }
  if (untracked) {
    out += "; an untracked type has no trace hook (or one pyheap was told reports nothing), so the collector "
           "cannot free a cycle through it";
  }
  return out;
}

}  // namespace pyheap::detail
