#include "tool_paths.hpp"

#include <cstdlib>
#include <system_error>

namespace pyheap::tools {

std::filesystem::path data_file(std::string_view name) {
  namespace fs = std::filesystem;
  if (const char* dir = std::getenv("PYHEAP_DATA_DIR"); dir && *dir) return fs::path(dir) / name;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::path(name);
  const fs::path bin = exe.parent_path();
  const fs::path in_build = bin / "share" / "pyheap" / name;
  const fs::path installed = bin.parent_path() / "share" / "pyheap" / name;
  if (fs::exists(in_build, ec)) return in_build;
  return installed;
}

}  // namespace pyheap::tools
