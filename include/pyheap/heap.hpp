// pyheap/heap.hpp — a Heap: one runtime of objects, confined to one thread.
//
// A Heap owns a SmallObjectAllocator, a cycle Collector, an AllocationTracing (tracing.hpp: off
// unless started; make records its caller's file:line when on) and every object made with make<T>().
// Several heaps may live side by side, each on its own thread (counts are not atomic; debug
// builds check the owning thread on the slow paths).
//
// Object lifetime, as in CPython:
//   - the moment an object's count reaches zero it is finalized (if T has a finalize() member
//     that has not run yet; a finalizer that stores a reference to the object resurrects it, and
//     it will not be finalized again), its weak references are cleared and their callbacks run,
//     then ~T() runs (releasing what it referenced, which cascades) and its block is freed;
//   - cascades deeper than kTrashcanDepth are deferred and drained iteratively by the outermost
//     release (CPython's trashcan), so destroying a chain of 10^7 objects needs no deep stack and
//     takes time linear in its length;
//   - objects in reference cycles are freed by the collector (gc()).
//
// A heap must outlive every Ref into it. Its destructor collects everything it can and reports
// objects still held from outside (a leak in the program) through the unraisable hook.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include "pyheap/source_location.hpp"
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pyheap/collector.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/small_object_allocator.hpp"
#include "pyheap/tracer.hpp"
#include "pyheap/tracing.hpp"
#include "pyheap/type_info.hpp"
#include "pyheap/weakref.hpp"

namespace pyheap {

class Str;
namespace detail {
struct ContainerCache;  // per-heap intern table and small-int cache (src/containers/)
ContainerCache& container_cache(Heap& heap);
}  // namespace detail

// Passed to the unraisable hook when an exception escapes a finalizer, a weak reference callback
// or a collector callback (sys.unraisablehook's job).
struct UnraisableInfo {
  std::exception_ptr error;
  std::string where;            // "finalizer of Node", "weakref callback", ...
  const Object* object = nullptr;
};

class Heap {
 public:
  static constexpr int kTrashcanDepth = 50;

  Heap();
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  // Creates a T in this heap with a count of one. Throws std::bad_alloc (heap unchanged) or
  // whatever T's constructor throws.
  //
  // The call site is captured for allocation tracing (tracing.hpp) by a defaulted last parameter.
  // A defaulted parameter after a deduced pack is never deduced, so there is one overload per
  // argument count, 0..8, each forwarding to make_at; a T taking more arguments is made with
  // make_at directly. (So a SourceLocation cannot be T's last constructor argument.)
  // When tracing is off, the site is one pointer-sized value passed along and not looked at.
#define PYHEAP_SITE SourceLocation site = SourceLocation::current()
#define PYHEAP_F(x) std::forward<decltype(x)>(x)
  template <class T>
  Ref<T> make(PYHEAP_SITE) {
    return make_at<T>(site);
  }
  template <class T, class A0>
  Ref<T> make(A0&& a0, PYHEAP_SITE) {
    return make_at<T>(site, PYHEAP_F(a0));
  }
  template <class T, class A0, class A1>
  Ref<T> make(A0&& a0, A1&& a1, PYHEAP_SITE) {
    return make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1));
  }
  template <class T, class A0, class A1, class A2>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, PYHEAP_SITE) {
    return make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2));
  }
  template <class T, class A0, class A1, class A2, class A3>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, PYHEAP_SITE) {
    return make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, PYHEAP_SITE) {
    return make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3), PYHEAP_F(a4));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, PYHEAP_SITE) {
    return make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                           PYHEAP_F(a4), PYHEAP_F(a5));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5, class A6>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, A6&& a6, PYHEAP_SITE) {
    return make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                           PYHEAP_F(a4), PYHEAP_F(a5), PYHEAP_F(a6));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5, class A6, class A7>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, A6&& a6, A7&& a7, PYHEAP_SITE) {
    return make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                           PYHEAP_F(a4), PYHEAP_F(a5), PYHEAP_F(a6), PYHEAP_F(a7));
  }
  // Creates a variable-size T (one with a `trailing_bytes()` hook) followed by `trailing` bytes
  // of inline storage, which T's constructor fills. After construction, trailing_bytes() must
  // report exactly `trailing`: the block is freed with the size the hook reports then.
  template <class T>
  Ref<T> make_var(std::size_t trailing, PYHEAP_SITE) {
    return make_var_at<T>(site, trailing);
  }
  template <class T, class A0>
  Ref<T> make_var(std::size_t trailing, A0&& a0, PYHEAP_SITE) {
    return make_var_at<T>(site, trailing, PYHEAP_F(a0));
  }
  template <class T, class A0, class A1>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, PYHEAP_SITE) {
    return make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1));
  }
  template <class T, class A0, class A1, class A2>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, PYHEAP_SITE) {
    return make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2));
  }
  template <class T, class A0, class A1, class A2, class A3>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, A3&& a3, PYHEAP_SITE) {
    return make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, PYHEAP_SITE) {
    return make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                           PYHEAP_F(a4));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, PYHEAP_SITE) {
    return make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                           PYHEAP_F(a4), PYHEAP_F(a5));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5, class A6>
  Ref<T> make_var(std::size_t trailing,
                  A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, A6&& a6, PYHEAP_SITE) {
    return make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                           PYHEAP_F(a4), PYHEAP_F(a5), PYHEAP_F(a6));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5, class A6, class A7>
  Ref<T> make_var(std::size_t trailing,
                  A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, A6&& a6, A7&& a7, PYHEAP_SITE) {
    return make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                           PYHEAP_F(a4), PYHEAP_F(a5), PYHEAP_F(a6), PYHEAP_F(a7));
  }
#undef PYHEAP_F
#undef PYHEAP_SITE
  // make and make_var with an explicit allocation site, for factories that pass their own
  // caller's site along, and for any number of arguments.
  template <class T, class... Args>
  Ref<T> make_at(SourceLocation site, Args&&... args);
  template <class T, class... Args>
  Ref<T> make_var_at(SourceLocation site, std::size_t trailing, Args&&... args);

  // The one Str of this heap with this UTF-8 text (containers/str.hpp). The table does not own
  // its strings: an interned string dies as any other when its last Ref goes.
  // The string is made, and its site recorded, by the first call with this text; later calls
  // return it.
  Ref<Str> intern(std::string_view text, SourceLocation site = SourceLocation::current());

  // Makes an object immortal (PEP 683): its count never reaches zero, so it is never finalized
  // or freed before the heap is destroyed. Increments and decrements stay the plain ones.
  void make_immortal(Object* o) noexcept;

  Collector& gc() noexcept { return gc_; }
  const Collector& gc() const noexcept { return gc_; }
  // Allocation tracing (tracing.hpp): off until tracing().start().
  AllocationTracing& tracing() noexcept { return tracing_; }
  const AllocationTracing& tracing() const noexcept { return tracing_; }
  // Where a live object was made, if it was made while tracing was on (tracing().site_of).
  std::optional<AllocationSite> allocation_site(const Object* o) const { return tracing_.site_of(o); }
  SmallObjectAllocator& allocator() noexcept { return alloc_; }
  const SmallObjectAllocator& allocator() const noexcept { return alloc_; }
  // For event loops: gives back to the OS the memory that has waited the allocator's purge delay
  // since it was freed (the purge rule, docs/design.md section 1), and returns how long until more
  // is due (nanoseconds::max() if nothing waits): call again after that long, or at the next idle.
  std::chrono::nanoseconds idle() noexcept { return alloc_.purge_expired(); }

  std::size_t live_objects() const noexcept { return live_; }

  // Enumeration of every live object, tracked by the collector or not (Str, Int, untracked
  // tuples...), which the collector's lists alone cannot give. fn(Object&) is called once per
  // object whose count is above zero (objects inside their destruction are skipped), in
  // allocator order (pool by pool, then large objects), not creation order.
  // How: the heap allocates every object block with an allocator tag that says where the header
  // sits in the block (kObjectTagBase + prefix / 8), and nothing else with those tags; so the
  // tagged blocks are exactly the objects, and the walk is the allocator's read-only
  // for_each_block. Nothing is recorded per object: the hot paths pay nothing.
  // fn must not create or destroy objects of this heap (taking and dropping extra Refs to live
  // objects is fine: collect Refs first if you need to mutate). Not to be called from inside a
  // heap object's constructor (that object's block has no header yet).
  template <class Fn>
  void for_each_object(Fn&& fn) const;
  // Refs to every live object, in for_each_object's order; safe to mutate the heap afterwards.
  std::vector<Ref<Object>> all_objects() const;
  // Explaining the heap (src/introspect/; the structured forms are in heap_graph.hpp,
  // why_alive.hpp, dominators.hpp, heap_snapshot.hpp, growth.hpp). Each captures the object
  // graph once (a walk of every object and edge), so they cost O(objects + references).
  // Writes a Chrome DevTools .heapsnapshot of every live object; throws std::runtime_error if
  // the file cannot be written.
  void write_snapshot(const std::string& path) const;
  // The shortest chain of references from a root to o, formatted ("(C++ references)[0] ->
  // List[3] -> Node"), or a sentence saying that no root holds it (only a cycle: garbage).
  std::string why_alive(const Object* o) const;
  // Bytes that would be freed with o: getsizeof of o and of every object o dominates (every
  // path from a root to it runs through o). 0 if o is not reachable from a root.
  std::size_t retained_size(const Object* o) const;

  // The allocator tag of object blocks whose object starts `prefix` bytes into the block.
  static constexpr unsigned kObjectTagBase = 1;
  static constexpr unsigned object_tag(std::size_t prefix) noexcept {
    return kObjectTagBase + static_cast<unsigned>(prefix / 8);
  }
  // Number of weak reference objects currently pointing at o.
  std::size_t weakref_count(const Object* o) const noexcept;

  // The heap an object lives in.
  static Heap& of(const Object* o) noexcept;
  // Exact type test.
  template <class T>
  static bool is_a(const Object* o) {
    return o && o->type_id() == detail::type_id_of<T>();
  }
  // Bytes the object occupies in the allocator (header, collector word and padding included).
  static std::size_t allocated_size(const Object* o) noexcept;

  using UnraisableHook = std::function<void(const UnraisableInfo&)>;
  // The default hook prints "Exception ignored in <where>: <what>" to stderr.
  void set_unraisable_hook(UnraisableHook hook) { unraisable_hook_ = std::move(hook); }
  void report_unraisable(std::exception_ptr error, std::string where, const Object* o) noexcept;

 private:
  // The one path that makes objects: make (trailing == 0) and make_var share it.
  template <class T, class... Args>
  Ref<T> construct(SourceLocation site, std::size_t trailing, Args&&... args);
  friend void detail::release(Object*) noexcept;
  friend class Collector;
  friend class WeakReference;
  friend Ref<WeakReference> detail::make_weak_reference(Object*, WeakReference::Callback);

  void deallocate(Object* o) noexcept;
  void destroy(Object* o) noexcept;
  // Clears every weak reference to o; those with a callback (and not skipped) are appended to
  // *callbacks with a count held, for run_weakref_callbacks.
  void clear_weakrefs(Object* o, std::vector<WeakReference*>* callbacks,
                      bool (*skip_callback)(const WeakReference*)) noexcept;
  void run_weakref_callbacks(std::vector<WeakReference*>& wrs) noexcept;
  void link_weakref(WeakReference* wr, Object* referent);
  void unlink_weakref(WeakReference* wr) noexcept;
  void check_thread() const noexcept;
  friend detail::ContainerCache& detail::container_cache(Heap&);

  SmallObjectAllocator alloc_;  // first member: destroyed last, after every object is gone
  AllocationTracing tracing_;   // before every member that can own objects: freed ones forget here
  Collector gc_;
  std::unordered_map<const Object*, WeakReference*> weak_heads_;
  std::vector<Object*> immortals_;
  std::vector<Object*> deferred_;  // the trashcan
  int dealloc_depth_ = 0;
  std::size_t live_ = 0;
  std::thread::id owner_;
  UnraisableHook unraisable_hook_;
  // Created by the containers on first use; holds no counts, so it can go last.
  std::unique_ptr<detail::ContainerCache, void (*)(detail::ContainerCache*)> containers_{nullptr, nullptr};
};

// ---- type registration ------------------------------------------------------------------------

namespace detail {
// Debug check of for_each_object: a tagged block holds a registered type of matching size.
void check_object_block(const Object* o, std::size_t block_size, std::size_t offset) noexcept;

template <class T>
TypeInfo make_type_info() {
  static_assert(std::is_base_of_v<Object, T>, "heap objects derive from pyheap::Object");
  static_assert(!std::is_polymorphic_v<T>,
                "heap objects carry no vtable; use the trace/finalize hooks instead of virtuals");
  static_assert(alignof(T) <= 16, "heap objects are at most 16-byte aligned");
  // The header must sit at the start of T: the collector's word is found just before it.
  alignas(T) static unsigned char probe[sizeof(T)];
  T* fake = reinterpret_cast<T*>(probe);
  if (static_cast<void*>(static_cast<Object*>(fake)) != static_cast<void*>(fake))
    throw std::logic_error("pyheap::Object must be the first base of a heap object type");
  TypeInfo info;
  info.name = demangle(typeid(T).name());
  info.size = sizeof(T);
  info.tracked = Traceable<T>;
  info.is_weakref = std::is_base_of_v<WeakReference, T>;
  info.prefix = info.tracked ? (alignof(T) > 8 ? 16 : 8) : 0;
  info.destroy = [](Object* o) noexcept { static_cast<T*>(o)->~T(); };
  if constexpr (Traceable<T>) {
    info.trace = [](Object* o, Tracer& t) { static_cast<T*>(o)->trace(t); };
  }
  if constexpr (Finalizable<T>) {
    info.finalize = [](Object* o) { static_cast<T*>(o)->finalize(); };
  }
  if constexpr (VarSized<T>) {
    info.trailing_bytes = [](const Object* o) noexcept { return static_cast<const T*>(o)->trailing_bytes(); };
  }
  if constexpr (OwnsBuffers<T>) {
    info.owned_bytes = [](const Object* o) noexcept { return static_cast<const T*>(o)->owned_bytes(); };
  }
  if constexpr (NamesEdges<T>) {
    info.name_edges = [](const Object* o, EdgeNamer& n) { static_cast<const T*>(o)->name_edges(n); };
  }
  if constexpr (Labelled<T>) {
    info.label = [](const Object* o) { return std::string(static_cast<const T*>(o)->label()); };
  }
  if constexpr (GcUntrackable<T>) {
    info.can_untrack = [](const Object* o, int pass) noexcept { return static_cast<const T*>(o)->gc_can_untrack(pass); };
  }
  return info;
}
}  // namespace detail

template <class T, class... Args>
Ref<T> Heap::make_at(SourceLocation site, Args&&... args) {
  static_assert(!detail::VarSized<T>, "variable-size objects are made with make_var");
  return construct<T>(site, 0, std::forward<Args>(args)...);
}

template <class T, class... Args>
Ref<T> Heap::make_var_at(SourceLocation site, std::size_t trailing, Args&&... args) {
  static_assert(detail::VarSized<T>, "make_var needs a trailing_bytes() hook to free the block");
  return construct<T>(site, trailing, std::forward<Args>(args)...);
}

template <class T, class... Args>
Ref<T> Heap::construct(SourceLocation site, std::size_t trailing, Args&&... args) {
  static const std::uint16_t id = detail::type_id_of<T>();
  static const TypeInfo& ti = detail::type_info(id);
  check_thread();
  // As CPython's gc_alloc, a collection may run before the new object exists.
  if (ti.tracked) gc_.on_container_allocated();
  const std::size_t bytes = ti.prefix + ti.size + trailing;
  char* block = static_cast<char*>(alloc_.allocate_tagged(bytes, object_tag(ti.prefix)));
  T* t;
  try {
    t = ::new (static_cast<void*>(block + ti.prefix)) T(std::forward<Args>(args)...);
  } catch (...) {
    alloc_.deallocate(block, bytes);
    if (ti.tracked) gc_.on_container_freed();
    throw;
  }
  if constexpr (detail::VarSized<T>) {
    if (t->trailing_bytes() != trailing) {
      // Freeing with another size would corrupt the allocator: a broken type, not a user error.
      std::fprintf(stderr, "pyheap: %s reports %zu trailing bytes, made with %zu\n", ti.name.c_str(),
                   t->trailing_bytes(), trailing);
      std::abort();
    }
  }
  Object* o = static_cast<Object*>(t);
  std::uint8_t flags = 0;
  // Tracing off: this load and a never-taken branch are all it costs (tracing.hpp).
  if (tracing_.state_ != nullptr) [[unlikely]] {
    if (tracing_.record(o, bytes, id, site)) flags = detail::kFlagTraced;
  }
  o->ob_ = ObjectHeader{1, id, flags, detail::kGcUntracked};
  ++live_;
  Ref<T> r = Ref<T>::adopt(t);
  if (ti.tracked) gc_.track(o);  // on bad_alloc, r's destructor frees the new object
  return r;
}

template <class Fn>
void Heap::for_each_object(Fn&& fn) const {
  using F = std::remove_reference_t<Fn>;
  for (unsigned tag = kObjectTagBase; tag < SmallObjectAllocator::kNumTags; ++tag) {
    struct Context {
      F* fn;
      std::size_t offset;
    } ctx{&fn, (tag - kObjectTagBase) * std::size_t{8}};
    alloc_.for_each_block(
        tag,
        [](void* block, std::size_t block_size, void* c) {
          auto& cx = *static_cast<Context*>(c);
          auto* o = reinterpret_cast<Object*>(static_cast<char*>(block) + cx.offset);
          detail::check_object_block(o, block_size, cx.offset);
          if (o->refcount() != 0) (*cx.fn)(*o);
        },
        &ctx);
  }
}

}  // namespace pyheap
