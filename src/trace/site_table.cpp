#include "trace/site_table.hpp"

#include <cstring>
#include <limits>
#include <new>

#include "pyheap/type_info.hpp"

namespace pyheap::trace {

std::uint32_t SiteTable::intern(const SourceLocation& where, std::uint16_t type_id,
                                const std::uintptr_t* frames, std::size_t nframes) noexcept {
  try {
    // The content key: every field of the site, NUL-separated, frames as raw bytes at the end.
    std::string key;
    const char* file = where.file_name();
    const char* function = where.function_name();
    key.reserve(std::strlen(file) + std::strlen(function) + 24 + nframes * sizeof(std::uintptr_t));
    key.append(file).push_back('\0');
    key.append(function).push_back('\0');
    key.append(std::to_string(where.line())).push_back(':');
    key.append(std::to_string(where.column())).push_back(':');
    key.append(std::to_string(type_id)).push_back('\0');
    key.append(reinterpret_cast<const char*>(frames), nframes * sizeof(std::uintptr_t));
    if (auto it = ids_.find(key); it != ids_.end()) return it->second;
    if (sites_.size() >= std::numeric_limits<std::uint32_t>::max() - 1) return 0;

    AllocationSite s;
    s.file = file;
    s.function = function;
    s.line = where.line();
    s.column = where.column();
    s.type = detail::type_info(type_id).name;
    s.qualified_type = detail::type_info(type_id).qualified_name;
    s.frames.assign(frames, frames + nframes);
    sites_.push_back(std::move(s));
    const auto id = static_cast<std::uint32_t>(sites_.size());
    try {
      ids_.emplace(std::move(key), id);
    } catch (...) {
      sites_.pop_back();
      throw;
    }
    return id;
  } catch (const std::bad_alloc&) {
    return 0;
  }
}

}  // namespace pyheap::trace
