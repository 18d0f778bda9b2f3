#include "gc/garbage_summary.hpp"

#include <algorithm>
#include <tuple>

#include "pyheap/tracing.hpp"
#include "pyheap/type_info.hpp"

namespace pyheap {

namespace detail {

void GarbageSummaryBuilder::add(const Object* o) {
  const std::size_t bytes = block_request(o);
  Tally& t = types_[o->type_id()];
  ++t.count;
  t.bytes += bytes;
  ++objects_;
  bytes_ += bytes;
  const std::uint32_t id = tracing_.site_id(o);
  if (id == 0) {
    ++untraced_;
    return;
  }
  auto [it, fresh] = sites_.try_emplace(id);
  if (fresh) {
    const AllocationSite& site = tracing_.site(id);
    it->second.type = site.type;
    it->second.site = site.location();
  }
  ++it->second.tally.count;
  it->second.tally.bytes += bytes;
}

GarbageSummary GarbageSummaryBuilder::finish() const {
  GarbageSummary s;
  s.objects = objects_;
  s.bytes = bytes_;
  s.untraced = untraced_;
  for (const auto& [id, t] : types_) s.by_type.push_back({type_info(id).name, {}, t.count, t.bytes});
  for (const auto& [id, st] : sites_) s.by_site.push_back({st.type, st.site, st.tally.count, st.tally.bytes});
  // The maps are unordered: sort fully (ties by name) so the output is deterministic.
  auto order = [](const GarbageSummary::Row& a, const GarbageSummary::Row& b) {
    return std::tie(b.bytes, b.count, a.type, a.site) < std::tie(a.bytes, a.count, b.type, b.site);
  };
  std::sort(s.by_type.begin(), s.by_type.end(), order);
  std::sort(s.by_site.begin(), s.by_site.end(), order);
  return s;
}

}  // namespace detail

namespace {
std::string objects_and_bytes(std::size_t count, std::size_t bytes) {
  return std::to_string(count) + (count == 1 ? " object, " : " objects, ") + std::to_string(bytes) + " bytes";
}
}  // namespace

std::string GarbageSummary::format(std::string_view prefix) const {
  std::string out;
  out.append(prefix).append("garbage: ").append(objects_and_bytes(objects, bytes)).push_back('\n');
  for (const Row& r : by_type)
    out.append(prefix).append("  ").append(r.type).append(": ").append(objects_and_bytes(r.count, r.bytes)).push_back('\n');
  for (const Row& r : by_site) {
    out.append(prefix).append("  at ").append(r.site).append(" [").append(r.type).append("]: ");
    out.append(objects_and_bytes(r.count, r.bytes)).push_back('\n');
  }
  if (!by_site.empty() && untraced != 0)
    out.append(prefix).append("  (").append(std::to_string(untraced)).append(" without a recorded site)\n");
  return out;
}

}  // namespace pyheap
