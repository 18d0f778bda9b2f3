// Str: canonical encodings, hashing, interning, exact sizes.
// CPython 3.11 for comparison: sys.getsizeof('hello') == 54, 'héllo' == 78 (PEP 393 keeps a UTF-8
// copy only on demand; Latin-1 text costs 1 byte per character there too, plus a 72-byte header).
#include <gtest/gtest.h>

#include <string>

#include "pyheap/heap.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"

#include "container_test_support.hpp"

using pyheap::Heap;
using pyheap::Ref;
using pyheap::Str;

namespace {

using pyheap::testing::held;

TEST(StrTest, AsciiIsStoredAsGivenWithItsLengthAndHash) {
  Heap heap;
  const auto before = held(heap);
  Ref<Str> s = Str::make(heap, "hello");
  EXPECT_EQ(s->kind(), Str::Kind::Ascii);
  EXPECT_EQ(s->length(), 5u);
  EXPECT_EQ(s->byte_size(), 5u);
  EXPECT_EQ(s->storage(), "hello");
  EXPECT_EQ(s->storage().data()[5], '\0');
  EXPECT_EQ(s->utf8(), "hello");
  EXPECT_EQ(s->at(1), U'e');
  EXPECT_TRUE(s->equals("hello"));
  EXPECT_FALSE(s->equals("hell"));
  // 8 header + 8 hash + 8 sizes + 5 characters + NUL = 30, in a 32-byte block.
  EXPECT_EQ(sizeof(Str), 24u);
  EXPECT_EQ(pyheap::getsizeof(s), 32u);
  EXPECT_EQ(held(heap) - before, pyheap::getsizeof(s));
  EXPECT_FALSE(heap.gc().is_tracked(s.get()));
  s.reset();
  EXPECT_EQ(held(heap), before);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(StrTest, LatinOneTextTakesOneBytePerCharacter) {
  Heap heap;
  Ref<Str> s = Str::make(heap, "h\xc3\xa9llo");  // "héllo": 6 bytes of UTF-8
  EXPECT_EQ(s->kind(), Str::Kind::Latin1);
  EXPECT_EQ(s->length(), 5u);
  EXPECT_EQ(s->byte_size(), 5u);
  EXPECT_EQ(s->at(1), char32_t{0xE9});
  EXPECT_EQ(s->utf8(), "h\xc3\xa9llo");
  EXPECT_TRUE(s->equals("h\xc3\xa9llo"));
  EXPECT_FALSE(s->equals("h\xc3\xa9ll"));
  EXPECT_FALSE(s->equals("h\xc3\xa9lloo"));
  EXPECT_FALSE(s->equals("hello"));
  EXPECT_EQ(pyheap::getsizeof(s), 32u);  // 24 + 5 + 1
  Ref<Str> all = Str::make(heap, "\xc2\x80\xc3\xbf");  // U+0080 U+00FF, both ends of the range
  EXPECT_EQ(all->kind(), Str::Kind::Latin1);
  EXPECT_EQ(all->storage(), "\x80\xff");
}

TEST(StrTest, WiderTextKeepsItsUtf8Bytes) {
  Heap heap;
  Ref<Str> s = Str::make(heap, "\xe6\x97\xa5\xe6\x9c\xac");  // 日本
  EXPECT_EQ(s->kind(), Str::Kind::Utf8);
  EXPECT_EQ(s->length(), 2u);
  EXPECT_EQ(s->byte_size(), 6u);
  EXPECT_EQ(s->at(0), char32_t{0x65E5});
  EXPECT_EQ(s->at(1), char32_t{0x672C});
  EXPECT_THROW((void)s->at(2), std::out_of_range);
  EXPECT_EQ(s->utf8(), "\xe6\x97\xa5\xe6\x9c\xac");
  Ref<Str> emoji = Str::make(heap, "a\xf0\x9f\x98\x80");  // a😀
  EXPECT_EQ(emoji->length(), 2u);
  EXPECT_EQ(emoji->at(1), char32_t{0x1F600});
}

TEST(StrTest, EqualityNeedsTheSameKindNotJustTheSameBytes) {
  Heap heap;
  // Latin-1 "\xC4\x80" (Ä and U+0080) and UTF-8 "Ā" (U+0100) store the same two bytes.
  Ref<Str> latin = Str::make(heap, "\xc3\x84\xc2\x80");
  Ref<Str> wide = Str::make(heap, "\xc4\x80");
  ASSERT_EQ(latin->storage(), wide->storage());
  EXPECT_FALSE(*latin == *wide);
  EXPECT_NE(Str::intern(heap, "\xc3\x84\xc2\x80").get(), Str::intern(heap, "\xc4\x80").get());
  EXPECT_TRUE(*Str::make(heap, "\xc4\x80") == *wide);
  EXPECT_EQ(Str::make(heap, "\xc4\x80")->hash(), wide->hash());
}

TEST(StrTest, HashIsFixedAtCreationAndFollowsTheText) {
  Heap heap;
  Ref<Str> a = Str::make(heap, "spam");
  Ref<Str> b = Str::make(heap, "spam");
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(a->hash(), b->hash());
  EXPECT_TRUE(*a == *b);
  EXPECT_NE(a->hash(), Str::make(heap, "spam!")->hash());
  EXPECT_NE(Str::make(heap, "")->hash(), Str::make(heap, std::string_view("\0", 1))->hash());
}

TEST(StrTest, EmptyAndEmbeddedNul) {
  Heap heap;
  Ref<Str> e = Str::make(heap, "");
  EXPECT_TRUE(e->empty());
  EXPECT_EQ(pyheap::getsizeof(e), 32u);  // 24 + NUL = 25
  Ref<Str> z = Str::make(heap, std::string_view("a\0b", 3));
  EXPECT_EQ(z->length(), 3u);
  EXPECT_EQ(z->at(1), U'\0');
}

TEST(StrTest, MalformedUtf8IsRejectedAndLeavesTheHeapAsItWas) {
  Heap heap;
  const auto before = held(heap);
  const char* bad[] = {
      "\x80",              // continuation byte first
      "\xc0\x80",          // overlong NUL
      "\xe0\x80\xaf",      // overlong '/'
      "\xed\xa0\x80",      // surrogate U+D800
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xe6\x97",          // truncated
      "ok\xff",            // never valid
  };
  for (const char* b : bad) {
    EXPECT_THROW(Str::make(heap, b), std::invalid_argument) << b;
    EXPECT_THROW(Str::intern(heap, b), std::invalid_argument) << b;
  }
  EXPECT_EQ(heap.live_objects(), 0u);
  EXPECT_EQ(held(heap), before);
  EXPECT_EQ(Str::interned_count(heap), 0u);
}

TEST(StrTest, LongStringsGoToTheLargeAllocatorWithTheRightSize) {
  Heap heap;
  const auto before = held(heap);
  const std::string text(1000, 'x');
  Ref<Str> s = Str::make(heap, text);
  EXPECT_EQ(pyheap::getsizeof(s), 24u + 1000 + 1);  // large blocks are counted as requested
  EXPECT_EQ(heap.allocator().stats().large_count, 1u);
  EXPECT_EQ(held(heap) - before, pyheap::getsizeof(s));
  EXPECT_EQ(&Heap::of(s.get()), &heap);
  s.reset();
  EXPECT_EQ(heap.allocator().stats().large_count, 0u);
  EXPECT_EQ(held(heap), before);
  // Every small size class boundary: freed with the size it was allocated with.
  for (std::size_t n = 0; n < 600; ++n) {
    Ref<Str> t = Str::make(heap, std::string(n, 'a'));
    EXPECT_EQ(held(heap) - before, pyheap::getsizeof(t)) << n;
    EXPECT_EQ(pyheap::getsizeof(t), pyheap::SmallObjectAllocator::block_size_for(24 + n + 1)) << n;
  }
  EXPECT_EQ(held(heap), before);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(StrTest, InternReturnsOneObjectPerText) {
  Heap heap;
  Ref<Str> a = Str::intern(heap, "name");
  Ref<Str> b = Str::intern(heap, "name");
  EXPECT_EQ(a.get(), b.get());
  EXPECT_TRUE(a->is_interned());
  EXPECT_EQ(Str::interned_count(heap), 1u);
  Ref<Str> plain = Str::make(heap, "name");
  EXPECT_FALSE(plain->is_interned());
  EXPECT_NE(plain.get(), a.get());
  EXPECT_TRUE(*plain == *a);
  EXPECT_EQ(Str::intern(heap, "n\xc3\xa9").get(), Str::intern(heap, "n\xc3\xa9").get());
  EXPECT_EQ(Str::interned_count(heap), 1u);  // the temporary "né" died with its last Ref
}

TEST(StrTest, InternedStringsAreMortal) {
  Heap heap;
  {
    Ref<Str> a = Str::intern(heap, "temporary");
    EXPECT_EQ(a->refcount(), 1u);  // the table holds no count
    EXPECT_EQ(Str::interned_count(heap), 1u);
  }
  EXPECT_EQ(Str::interned_count(heap), 0u);
  EXPECT_EQ(heap.live_objects(), 0u);
  Ref<Str> again = Str::intern(heap, "temporary");
  EXPECT_EQ(Str::interned_count(heap), 1u);
  EXPECT_EQ(again->utf8(), "temporary");
}

TEST(StrTest, HeapsInternSeparately) {
  Heap h1;
  Heap h2;
  Ref<Str> a = Str::intern(h1, "x");
  Ref<Str> b = Str::intern(h2, "x");
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(&Heap::of(a.get()), &h1);
  EXPECT_EQ(&Heap::of(b.get()), &h2);
}

TEST(StrTest, InternedStringStillHeldAtTeardownIsNotALeakOfTheTable) {
  int reports = 0;
  {
    Heap heap;
    heap.set_unraisable_hook([&](const pyheap::UnraisableInfo&) { ++reports; });
    Ref<Str> keep = Str::intern(heap, "kept");
    (void)keep.release();  // deliberately leaked: the heap reports it, and must not crash on the table
  }
  EXPECT_EQ(reports, 1);
}

}  // namespace
