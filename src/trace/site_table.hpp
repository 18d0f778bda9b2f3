// SiteTable: interns allocation sites into dense 32-bit ids (1, 2, ...; 0 means "no site").
//
// The hot path is lookup() for site-only tracing: a direct-mapped cache keyed by what
// SourceLocation holds by pointer and value (the file-name pointer, line, column) and the
// type id, so a make call at a site already seen costs one hash and two compares. The file-name
// pointer is only a fast key: the same file may come with several pointers (one per translation
// unit), and the slow path interns by content, so those share one id. Sites with a backtrace
// always take the slow path (the backtrace costs far more than the lookup).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include "pyheap/source_location.hpp"
#include <string>
#include <unordered_map>
#include <vector>

#include "pyheap/internal/check.hpp"
#include "pyheap/tracing.hpp"

namespace pyheap::trace {

class SiteTable {
 public:
  // The id of (where, type): 0 if it could not be interned (out of memory).
  std::uint32_t lookup(const SourceLocation& where, std::uint16_t type_id) noexcept {
    const char* file = where.file_name();
    const std::uint32_t column = where.column();
    if (column > 0xFFFF) [[unlikely]] return intern(where, type_id, nullptr, 0);  // not cacheable
    const std::uint64_t key = std::uint64_t{where.line()} | (std::uint64_t{column} << 32) |
                              (std::uint64_t{type_id} << 48);
    CacheEntry& e = cache_[cache_index(file, key)];
    if (e.file == file && e.key == key) [[likely]] return e.id;
    const std::uint32_t id = intern(where, type_id, nullptr, 0);
    if (id != 0) e = CacheEntry{file, key, id};
    return id;
  }
  // The id of (where, type, frames), by content. 0 if out of memory.
  std::uint32_t intern(const SourceLocation& where, std::uint16_t type_id,
                       const std::uintptr_t* frames, std::size_t nframes) noexcept;

  const AllocationSite& site(std::uint32_t id) const noexcept {
    PYHEAP_ASSERT(id != 0 && id <= sites_.size());
    return sites_[id - 1];
  }
  std::size_t size() const noexcept { return sites_.size(); }

 private:
  struct CacheEntry {
    const char* file = nullptr;
    std::uint64_t key = 0;
    std::uint32_t id = 0;
  };
  static constexpr std::size_t kCacheBits = 10;
  static std::size_t cache_index(const char* file, std::uint64_t key) noexcept {
    const std::uint64_t h = (reinterpret_cast<std::uintptr_t>(file) ^ key) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h >> (64 - kCacheBits));
  }

  std::array<CacheEntry, std::size_t{1} << kCacheBits> cache_{};
  std::vector<AllocationSite> sites_;                   // id - 1 -> site
  std::unordered_map<std::string, std::uint32_t> ids_;  // serialized site -> id
};

}  // namespace pyheap::trace
