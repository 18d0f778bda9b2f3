#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "alloc/size_class.hpp"
#include "pyheap/small_object_allocator.hpp"

using pyheap::SmallObjectAllocator;
using pyheap::alloc::class_capacity;

namespace {

// A minimal JSON recogniser (objects, arrays, strings without escapes, integers), enough
// to prove that format_stats_json() emits well-formed JSON.
struct JsonChecker {
  const std::string& s;
  std::size_t i = 0;
  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  bool lit(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  bool string() {
    if (!lit('"')) return false;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' || static_cast<unsigned char>(s[i]) < 0x20) return false;
      ++i;
    }
    return lit('"');
  }
  bool number() {
    ws();
    const std::size_t b = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > b;
  }
  bool value() {
    ws();
    if (i >= s.size()) return false;
    if (s[i] == '{') return object();
    if (s[i] == '[') return array();
    if (s[i] == '"') return string();
    return number();
  }
  bool object() {
    if (!lit('{')) return false;
    if (lit('}')) return true;
    do {
      if (!string() || !lit(':') || !value()) return false;
    } while (lit(','));
    return lit('}');
  }
  bool array() {
    if (!lit('[')) return false;
    if (lit(']')) return true;
    do {
      if (!value()) return false;
    } while (lit(','));
    return lit(']');
  }
  bool document() {
    if (!value()) return false;
    ws();
    return i == s.size();
  }
};

bool valid_json(const std::string& s) { return JsonChecker{s}.document(); }

}  // namespace

TEST(AllocStats, CountsAreExactAfterAKnownSequence) {
  SmallObjectAllocator a;
  void* a1 = a.allocate(10);
  void* a2 = a.allocate(10);
  void* a3 = a.allocate(10);
  void* b1 = a.allocate(100);
  void* b2 = a.allocate(112);
  void* l1 = a.allocate(600);
  void* l2 = a.allocate(5000);

  auto s = a.stats();
  const auto& c16 = s.size_classes[0];
  EXPECT_EQ(c16.block_size, 16u);
  EXPECT_EQ(c16.pools_in_use, 1u);
  EXPECT_EQ(c16.blocks_in_use, 3u);
  EXPECT_EQ(c16.blocks_free, class_capacity(0) - 3);
  EXPECT_EQ(c16.bytes_requested, 30u);
  EXPECT_EQ(c16.bytes_held, 48u);
  const auto& c112 = s.size_classes[6];
  EXPECT_EQ(c112.block_size, 112u);
  EXPECT_EQ(c112.blocks_in_use, 2u);
  EXPECT_EQ(c112.bytes_requested, 212u);
  EXPECT_EQ(c112.bytes_held, 224u);
  EXPECT_EQ(s.size_classes[1].pools_in_use, 0u);
  EXPECT_EQ(s.pools_in_use, 2u);
  EXPECT_EQ(s.blocks_in_use, 5u);
  EXPECT_EQ(s.bytes_requested, 242u);
  EXPECT_EQ(s.bytes_held, 272u);
  EXPECT_EQ(s.blocks_free, class_capacity(0) - 3 + class_capacity(6) - 2);
  EXPECT_EQ(s.arenas_mapped, 1u);
  EXPECT_EQ(s.arenas_mapped_total, 1u);
  EXPECT_EQ(s.arenas_mapped_peak, 1u);
  EXPECT_EQ(s.bytes_mapped, 1024u * 1024u);
  EXPECT_EQ(s.pools_committed, 2u);
  EXPECT_EQ(s.large_count, 2u);
  EXPECT_EQ(s.large_bytes, 5600u);
  EXPECT_EQ(s.large_count_total, 2u);

  a.deallocate(a2, 10);
  a.deallocate(l1, 600);
  a.deallocate(b1, 100);
  a.deallocate(b2, 112);  // its pool, the head of its class, empties: kept for the next allocation
  s = a.stats();
  EXPECT_EQ(s.size_classes[0].blocks_in_use, 2u);
  EXPECT_EQ(s.size_classes[0].bytes_requested, 20u);
  EXPECT_EQ(s.size_classes[6].pools_in_use, 1u);
  EXPECT_EQ(s.size_classes[6].blocks_in_use, 0u);
  EXPECT_EQ(s.size_classes[6].blocks_free, class_capacity(6));
  EXPECT_EQ(s.pools_in_use, 2u);
  EXPECT_EQ(s.pools_retired, 0u);
  EXPECT_EQ(s.pools_committed, 2u);
  EXPECT_EQ(s.large_count, 1u);
  EXPECT_EQ(s.large_bytes, 5000u);
  EXPECT_EQ(s.large_count_total, 2u);
  EXPECT_EQ(s.large_bytes_total, 5600u);

  a.deallocate(a1, 10);
  a.deallocate(a3, 10);
  a.deallocate(l2, 5000);
  s = a.stats();
  EXPECT_EQ(s.blocks_in_use, 0u);
  EXPECT_EQ(s.large_count, 0u);
  EXPECT_EQ(s.arenas_mapped, 1u);
  EXPECT_EQ(s.pools_committed, 2u) << "a free gives nothing back to the OS";
  EXPECT_EQ(s.madvise_calls, 0u);
  a.purge();
  s = a.stats();
  EXPECT_EQ(s.arenas_mapped, 1u);  // the reserve
  EXPECT_EQ(s.pools_in_use, 0u);
  EXPECT_EQ(s.pools_committed, 0u);
  EXPECT_EQ(s.pools_decommitted, 2u);
  EXPECT_EQ(s.madvise_calls, 1u) << "pools 1 and 2 of the arena, contiguous: one call";
  EXPECT_EQ(s.purges, 1u);
  a.trim();
  s = a.stats();
  EXPECT_EQ(s.arenas_mapped, 0u);
  EXPECT_EQ(s.arenas_unmapped_total, 1u);
  EXPECT_EQ(s.pools_decommitted, 0u);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocStats, TableAndJsonCarryEveryField) {
  SmallObjectAllocator a;
  void* p = a.allocate(24);
  void* q = a.allocate(700);
  const std::string table = a.format_stats_table();
  const std::string json = a.format_stats_json();
  std::printf("%s%s", table.c_str(), json.substr(0, 400).c_str());
#define CHECK_NAME(name, description)                                   \
  EXPECT_NE(table.find(#name), std::string::npos) << #name;             \
  EXPECT_NE(json.find("\"" #name "\": "), std::string::npos) << #name;
  PYHEAP_ALLOCATOR_STATS(CHECK_NAME, CHECK_NAME)
#undef CHECK_NAME
  EXPECT_TRUE(valid_json(json)) << json;
  EXPECT_NE(json.find("\"large_bytes\": 700"), std::string::npos);
  EXPECT_NE(json.find("{\"block_size\": 32, \"pools_in_use\": 1, \"blocks_in_use\": 1,"), std::string::npos);
  // Row of class 32 in the table, right-aligned under its header.
  EXPECT_NE(table.find("32"), std::string::npos);
  EXPECT_FALSE(valid_json(json.substr(0, json.size() / 2)));  // the checker can fail
  a.deallocate(p, 24);
  a.deallocate(q, 700);
}
