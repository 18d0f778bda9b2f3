// pyheap/str.hpp — Str, an immutable text object with its characters inline.
//
// Concept. A Str is made from UTF-8 text and stored in the most compact of three encodings, with
// the characters directly after the fields (one allocation, no pointer):
//   Ascii   every code point < 128: the UTF-8 bytes as given, 1 byte per character;
//   Latin1  every code point < 256, some >= 128: 1 byte per character (PEP 393's idea), so "é"
//           takes 1 byte instead of UTF-8's 2;
//   Utf8    anything else: the UTF-8 bytes as given. Unlike PEP 393, there is no 2- or 4-byte
//           form: indexing such a string walks it (O(i)), and length() is counted once at creation.
// A NUL byte follows the characters, so Ascii and Utf8 strings can be passed to C as they are.
//
// Invariants:
//   - immutable: text, length and hash never change after creation;
//   - the encoding is canonical (the first of Ascii, Latin1, Utf8 that can hold the text), so two
//     Strs hold the same text exactly when their kinds and bytes are equal;
//   - hash() is computed at creation (the bytes are being copied anyway); it is FNV-1a over the
//     stored bytes, deterministic, not randomized as CPython's SipHash is;
//   - the block is exactly sizeof(Str) + byte_size() + 1 bytes (Heap::make_var), freed with the
//     size trailing_bytes() reports.
//   - at most 2^29 - 1 code points and 2^32 - 2 bytes (std::length_error beyond).
// Str is not a container (no trace hook): 8 bytes of header, never tracked by the collector.
//
// Interning: Str::intern(heap, text) returns the one interned Str of that text in the heap. The
// intern table holds no counts (CPython <= 3.11's "mortal" interned strings): an interned string
// dies like any other, and its destructor removes its entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pyheap/internal/export.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"

namespace pyheap {

class PYHEAP_API Str : public Object {
  struct Private {
    explicit Private() = default;
  };

 public:
  // Its destructor only forgets caches (tracer.hpp): dying in any order cannot be observed.
  using silent_destructor = Str;
  enum class Kind : std::uint8_t { Ascii, Latin1, Utf8 };
  static constexpr std::size_t kMaxLength = (std::size_t{1} << 29) - 1;

  // Throws std::invalid_argument for malformed UTF-8 (overlong forms, surrogates and code
  // points above U+10FFFF included), std::length_error, std::bad_alloc.
  static Ref<Str> make(Heap& heap, std::string_view utf8,
                       SourceLocation site = SourceLocation::current());
  // The one Str of this heap with this UTF-8 text (sys.intern). The table does not own its
  // strings: an interned string dies as any other when its last Ref goes. The string is made,
  // and its site recorded, by the first call with this text; later calls return it.
  static Ref<Str> intern(Heap& heap, std::string_view utf8,
                         SourceLocation site = SourceLocation::current());

  // Code points.
  std::size_t length() const noexcept { return length_; }
  bool empty() const noexcept { return length_ == 0; }
  Kind kind() const noexcept { return static_cast<Kind>(kind_); }
  std::uint64_t hash() const noexcept { return hash_; }
  bool is_interned() const noexcept { return interned_ != 0; }

  // The stored bytes, in kind()'s encoding (NUL-terminated, terminator not included).
  std::string_view storage() const noexcept { return {data(), nbytes_}; }
  std::size_t byte_size() const noexcept { return nbytes_; }
  // The text as UTF-8 (a copy; only Latin1 needs converting).
  std::string utf8() const;
  // The code point at i: O(1) for Ascii and Latin1, O(i) for Utf8. Throws std::out_of_range.
  char32_t at(std::size_t i) const;

  bool equals(std::string_view utf8) const noexcept;
  friend bool operator==(const Str& a, const Str& b) noexcept {
    return &a == &b || (a.hash_ == b.hash_ && a.kind_ == b.kind_ && a.storage() == b.storage());
  }

  // Interned strings in the heap (for tests and statistics).
  static std::size_t interned_count(Heap& heap);

  // Used by Heap::make_var only (the key keeps everyone else out).
  Str(Private, Kind kind, std::string_view bytes, std::size_t length, std::uint64_t hash) noexcept;
  ~Str();
  std::size_t trailing_bytes() const noexcept { return std::size_t{nbytes_} + 1; }

 private:
  static Ref<Str> make_impl(Heap& heap, std::string_view utf8, bool intern, const SourceLocation& site);
  const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }

  std::uint64_t hash_;
  std::uint32_t nbytes_;
  std::uint32_t length_ : 29;
  std::uint32_t kind_ : 2;
  std::uint32_t interned_ : 1;
};

}  // namespace pyheap
