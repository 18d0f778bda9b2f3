// Str: canonical encoding, hashing and interning.
#include "pyheap/str.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

#include "containers/cache.hpp"

namespace pyheap {

namespace {

std::uint64_t fnv1a(std::string_view bytes) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Decodes one code point starting at s[i]; advances i. Returns -1 for anything that is not
// well-formed UTF-8 (RFC 3629: shortest form only, no surrogates, nothing above U+10FFFF).
long decode_one(std::string_view s, std::size_t& i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int extra;
  long cp;
  long min;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (i + static_cast<std::size_t>(extra) >= s.size()) return -1;  // truncated
  for (int k = 1; k <= extra; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

// The canonical form of a text: its kind, its bytes in that kind (in *latin1 when converted) and
// its length in code points.
struct Canonical {
  Str::Kind kind = Str::Kind::Ascii;
  std::string latin1;
  std::string_view bytes;
  std::size_t length = 0;
  std::uint64_t hash = 0;
};

Canonical canonicalize(std::string_view utf8) {
  Canonical c;
  long max_cp = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    const long cp = decode_one(utf8, i);
    if (cp < 0) throw std::invalid_argument("pyheap::Str: malformed UTF-8");
    if (cp > max_cp) max_cp = cp;
    ++c.length;
  }
  if (c.length > Str::kMaxLength || utf8.size() > 0xFFFFFFFEu) throw std::length_error("pyheap::Str: text too long");
  if (max_cp < 0x80) {
    c.kind = Str::Kind::Ascii;
    c.bytes = utf8;
  } else if (max_cp < 0x100) {
    c.kind = Str::Kind::Latin1;
    c.latin1.reserve(c.length);
    for (std::size_t i = 0; i < utf8.size();) c.latin1.push_back(static_cast<char>(decode_one(utf8, i)));
    c.bytes = c.latin1;
  } else {
    c.kind = Str::Kind::Utf8;
    c.bytes = utf8;
  }
  c.hash = fnv1a(c.bytes);
  return c;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

Str::Str(Private, Kind kind, std::string_view bytes, std::size_t length, std::uint64_t hash) noexcept
    : hash_(hash),
      nbytes_(static_cast<std::uint32_t>(bytes.size())),
      length_(static_cast<std::uint32_t>(length)),
      kind_(static_cast<std::uint32_t>(kind)),
      interned_(0) {
  if (!bytes.empty()) std::memcpy(data(), bytes.data(), bytes.size());
  data()[bytes.size()] = '\0';
}

Str::~Str() {
  if (interned_) detail::container_cache(Heap::of(this)).interned.erase(this);
}

Ref<Str> Str::make(Heap& heap, std::string_view utf8, SourceLocation site) {
  return make_impl(heap, utf8, false, site);
}

Ref<Str> Str::intern(Heap& heap, std::string_view utf8, SourceLocation site) {
  return make_impl(heap, utf8, true, site);
}

Ref<Str> Str::make_impl(Heap& heap, std::string_view utf8, bool intern, const SourceLocation& site) {
  const Canonical c = canonicalize(utf8);
  if (!intern) return heap.make_var_at<Str>(site, c.bytes.size() + 1, Private{}, c.kind, c.bytes, c.length, c.hash);
  auto& table = detail::container_cache(heap).interned;
  if (auto it = table.find(detail::StrKey{c.kind, c.bytes, c.hash}); it != table.end()) {
    return Ref<Str>::borrow(*it);
  }
  Ref<Str> s = heap.make_var_at<Str>(site, c.bytes.size() + 1, Private{}, c.kind, c.bytes, c.length, c.hash);
  table.insert(s.get());  // on bad_alloc the new string dies unflagged, the table unchanged
  s->interned_ = 1;
  return s;
}

std::size_t Str::interned_count(Heap& heap) { return detail::container_cache(heap).interned.size(); }

std::string Str::utf8() const {
  if (kind() != Kind::Latin1) return std::string(storage());
  std::string out;
  out.reserve(nbytes_ * 2);
  for (unsigned char c : storage()) append_utf8(out, c);
  return out;
}

char32_t Str::at(std::size_t i) const {
  if (i >= length_) throw std::out_of_range("pyheap::Str::at");
  if (kind() != Kind::Utf8) return static_cast<unsigned char>(data()[i]);
  const std::string_view s = storage();
  std::size_t pos = 0;
  for (std::size_t k = 0; k < i; ++k) decode_one(s, pos);
  return static_cast<char32_t>(decode_one(s, pos));
}

bool Str::equals(std::string_view utf8) const noexcept {
  if (kind() != Kind::Latin1) return storage() == utf8;
  // Compare without allocating: decode the argument and match byte by byte.
  std::size_t k = 0;
  for (std::size_t i = 0; i < utf8.size(); ++k) {
    const long cp = decode_one(utf8, i);
    if (cp < 0 || k >= nbytes_ || static_cast<unsigned char>(data()[k]) != cp) return false;
  }
  return k == nbytes_;
}

}  // namespace pyheap
