// pyheap/heap.hpp — a Heap: one runtime of objects, confined to one thread.
//
// A Heap owns a SmallObjectAllocator, a cycle Collector, an AllocationTracing (tracing.hpp: off
// unless started; make records its caller's file:line when on) and every object made with make<T>().
// Several heaps may live side by side, each on its own thread (counts are not atomic; debug
// builds check the owning thread on the slow paths).
//
//   Ref<T> make<T>(args...)                 a T with a count of one (see MakeOverloads for the
//   Ref<T> make_var<T>(trailing, args...)   spellings; make_at/make_var_at take the site explicitly)
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
// A heap must outlive every Ref into it. Its destructor resets the StaticRefs into it
// (static_ref.hpp), collects everything it can and reports objects still held from outside (a
// leak in the program) through the unraisable hook: how many of each type, whether each type is
// tracked, and which references in static storage hold them. A heap may itself have static
// storage duration (a global): nothing it reads at exit is destroyed before it.
//
// Where collections run. Only when an object is made (make, make_var, and the containers'
// factories that call them; CPython's gc_alloc), explicitly (gc().collect()), and when the heap
// is destroyed; never inside a container's storage allocation (a List or Dict growing), so a
// finalizer never sees a container half-changed (CPython's PyMem_Malloc never collects either).
//   - automatically: a container's make may run a generational collection (collector.hpp);
//   - memory limits (set_memory_limit, memory_limit.hpp) and running out of memory: when the
//     allocation of a new object would pass the limit, or the OS refuses it (or fail_after fires),
//     the heap runs one full collection, unless one is already running, and tries once more
//     (Lua's emergency collection), even with automatic collection disabled; if that fails too,
//     make throws (MemoryLimitExceeded or std::bad_alloc) and nothing was made. A container's
//     storage allocation over the limit throws MemoryLimitExceeded at once, without collecting,
//     and the container is left as it was.
//
// The Heap knows only the core (allocator, objects, weak references, collector, tracing). Higher
// layers keep per-heap state of their own in an extension (extension<E>(): the containers' intern
// table and small-int cache), and explain the heap with free functions over it (why_alive.hpp,
// dominators.hpp, heap_snapshot.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "pyheap/collector.hpp"
#include "pyheap/internal/alloc_fast.hpp"  // PYHEAP_ASAN
#include "pyheap/internal/check.hpp"       // PYHEAP_DEBUG_LEVEL
#include "pyheap/internal/export.hpp"
#include "pyheap/internal/make_overloads.hpp"
#include "pyheap/memory_limit.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/small_object_allocator.hpp"
#include "pyheap/source_location.hpp"
#include "pyheap/tracer.hpp"
#include "pyheap/tracing.hpp"
#include "pyheap/type_info.hpp"
#include "pyheap/weakref.hpp"

namespace pyheap {

// Passed to the unraisable hook when an exception escapes a finalizer, a weak reference callback
// or a collector callback (sys.unraisablehook's job).
struct UnraisableInfo {
  std::exception_ptr error;
  std::string where;            // "finalizer of Node", "weakref callback", ...
  const Object* object = nullptr;
};

namespace detail {
// How a translation unit was compiled, as far as the inline fast paths care (the debug level and
// whether free blocks are poisoned: internal/check.hpp, internal/alloc_fast.hpp). Heap's inline
// constructor passes the program's, and the library compares them with its own.
struct BuildFlags {
  int debug_level;
  int asan;
};
inline constexpr BuildFlags kBuildFlags{PYHEAP_DEBUG_LEVEL, PYHEAP_ASAN};

struct StaticRoot;  // pyheap/static_ref.hpp
PYHEAP_API void set_static_root(StaticRoot* r, Object* o) noexcept;

// A process-wide number for each extension type (Heap::extension), handed out on first use.
PYHEAP_API std::size_t next_extension_slot() noexcept;
template <class E>
PYHEAP_API std::size_t extension_slot() noexcept {
  static const std::size_t slot = next_extension_slot();
  return slot;
}
}  // namespace detail

class PYHEAP_API Heap : public detail::MakeOverloads<Heap> {
 public:
  static constexpr int kTrashcanDepth = 50;

  // Stops the program (fatal_error.hpp), saying what to compile with, if it was compiled with
  // other PYHEAP_DEBUG_LEVEL or PYHEAP_ASAN definitions than the library: its inline make would
  // disagree with the library about the blocks (checks, poisoning).
  Heap() : Heap(detail::kBuildFlags) {}
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  // make<T>(args...) and make_var<T>(trailing, args...) come from MakeOverloads: they create a T
  // in this heap with a count of one, and capture the call site for allocation tracing (when
  // tracing is off, the site is one pointer-sized value passed along and not looked at). They
  // throw std::bad_alloc (heap unchanged) or whatever T's constructor throws.
  // make_var<T> is for a variable-size T (one with a `trailing_bytes()` hook) followed by
  // `trailing` bytes of inline storage, which T's constructor fills. After construction,
  // trailing_bytes() must report exactly `trailing`: the block is freed with the size the hook
  // reports then.
  // make_at and make_var_at take the allocation site explicitly, for factories that pass their
  // own caller's site along, and any number of arguments.
  template <class T, class... Args>
  Ref<T> make_at(SourceLocation site, Args&&... args);
  template <class T, class... Args>
  Ref<T> make_var_at(SourceLocation site, std::size_t trailing, Args&&... args);

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

  // The allocator's memory limit (0: none, the default); see "Where collections run" above.
  void set_memory_limit(std::size_t bytes) noexcept { alloc_.set_memory_limit(bytes); }
  std::size_t memory_limit() const noexcept { return alloc_.memory_limit(); }
  // Full collections run because an object's allocation failed (see above).
  std::size_t emergency_collections() const noexcept { return emergency_collections_; }

  // What the trashcan did (the top of this file): how many releases it deferred because the
  // cascade was kTrashcanDepth deep, and the longest its backlog of deferred objects grew. A
  // chain of n objects defers about n / kTrashcanDepth of them with a backlog of one: the work per
  // object is constant and the stack never holds more than kTrashcanDepth nested destructions.
  struct TrashcanStats {
    std::uint64_t deferred = 0;
    std::size_t longest_backlog = 0;
  };
  TrashcanStats trashcan_stats() const noexcept { return trashcan_; }

  // Enumeration of every live object, tracked by the collector or not (Str, Int, untracked
  // tuples...), which the collector's lists alone cannot give. fn(Object&) is called once per
  // object whose count is above zero (objects inside their destruction are skipped), in
  // allocator order (pool by pool, then large objects), not creation order.
  // How: the heap allocates every object block with an allocator tag that says where the header
  // sits in the block (1 + header offset / 8: the collector's word and, for polymorphic types,
  // what comes before the Object base), and nothing else with those tags; so the tagged blocks
  // are exactly the objects, and the walk is the allocator's read-only for_each_block. Nothing is
  // recorded per object: the hot paths pay nothing.
  // fn must not create or destroy objects of this heap (taking and dropping extra Refs to live
  // objects is fine: collect Refs first if you need to mutate). An object whose constructor is
  // still running (a collection started by a make inside it, a constructor that walks its heap)
  // is not listed: it is listed from the moment make returns it.
  template <class Fn>
  void for_each_object(Fn&& fn) const;
  // Refs to every live object, in for_each_object's order; safe to mutate the heap afterwards.
  std::vector<Ref<Object>> all_objects() const;

  // The per-heap state of type E, made (default-constructed) on first use and destroyed with the
  // heap, after every object is gone: how a higher layer keeps tables of its own per heap (the
  // containers' intern table and small-int cache) without the Heap knowing them. E must not
  // hold counts (it is destroyed after the objects). A lookup is an index and a load.
  template <class E>
  E& extension();

  // Number of weak reference objects currently pointing at o.
  std::size_t weakref_count(const Object* o) const noexcept;

  // The heap an object lives in.
  static Heap& of(const Object* o) noexcept;
  // Exact type test.
  template <class T>
  static bool is_a(const Object* o) {
    return o && o->type_id() == detail::type_id_of<std::remove_cv_t<T>>();
  }
  // Bytes the object occupies in the allocator (header, collector word and padding included).
  static std::size_t allocated_size(const Object* o) noexcept;

  using UnraisableHook = std::function<void(const UnraisableInfo&)>;
  // The default hook prints "Exception ignored in <where>: <what>" to stderr.
  void set_unraisable_hook(UnraisableHook hook) { unraisable_hook_ = std::move(hook); }
  void report_unraisable(std::exception_ptr error, std::string where, const Object* o) noexcept;

 private:
  explicit Heap(detail::BuildFlags program);
  // The one path that makes objects: make (trailing == 0) and make_var share it.
  template <class T, class... Args>
  Ref<T> construct(SourceLocation site, std::size_t trailing, Args&&... args);
  // construct's way out when T's constructor threw: undoes what the constructor did to the
  // header it was given (`prepared`: weak references, immortality, tracing) and frees the block;
  // stops the program if references the constructor handed out are still held (object.hpp).
  void abandon(Object* o, char* block, std::size_t bytes, bool container, ObjectHeader prepared) noexcept;
  friend void detail::release(Object*) noexcept;
  friend class Collector;
  friend class WeakReference;
  friend Ref<WeakReference> detail::make_weak_reference(Object*, WeakReference::Callback);
  friend void detail::set_static_root(detail::StaticRoot*, Object*) noexcept;

  // Called while handling the failure of an object's allocation: one full collection (unless one
  // is running: then the failure is rethrown), then one more try. Undoes the container count of
  // on_container_allocated when it throws.
  void* allocate_after_failure(std::size_t bytes, unsigned tag, bool container);
  // make's allocation when the inline fast path cannot serve it (alloc_fast.hpp): the allocator's
  // out-of-line path, then the emergency collection on failure.
  void* allocate_object(std::size_t bytes, unsigned tag, bool container);
  // The block's free, inline in the common case.
  void free_block(void* block, std::size_t bytes) noexcept;
  void deallocate(Object* o) noexcept;
  // deallocate and destroy for a type with plain_release, when the object has no weak
  // references, is not traced or immortal and the trashcan need not defer it.
  void release_plain(Object* o, const TypeInfo& ti) noexcept;
  void drain_deferred() noexcept;
  void destroy(Object* o) noexcept;
  // Clears every weak reference to o; those with a callback (and not skipped) are appended to
  // *callbacks with a count held, for run_weakref_callbacks.
  void clear_weakrefs(Object* o, std::vector<WeakReference*>* callbacks,
                      bool (*skip_callback)(const WeakReference*)) noexcept;
  void run_weakref_callbacks(std::vector<WeakReference*>& wrs) noexcept;
  void link_weakref(WeakReference* wr, Object* referent);
  void unlink_weakref(WeakReference* wr) noexcept;
  void check_thread() const noexcept {
    if constexpr (kDebugLevel >= 1) check_owner();
  }
  void check_owner() const noexcept;

  struct Extension {
    void* state = nullptr;
    void (*destroy)(void*) noexcept = nullptr;
  };
  void* install_extension(std::size_t slot, void* state, void (*destroy)(void*) noexcept);

  SmallObjectAllocator alloc_;  // first member: destroyed last, after every object is gone
  AllocationTracing tracing_;   // before every member that can own objects: freed ones forget here
  Collector gc_;
  std::unordered_map<const Object*, WeakReference*> weak_heads_;
  std::vector<Object*> immortals_;
  std::vector<Object*> deferred_;  // the trashcan
  TrashcanStats trashcan_;
  // Live objects whose header sits too far into their block for an allocator tag to say where
  // (detail::object_tag): for_each_object lists them from here.
  std::unordered_set<Object*> far_objects_;
  int dealloc_depth_ = 0;
  std::size_t live_ = 0;
  std::size_t emergency_collections_ = 0;
  std::thread::id owner_;
  UnraisableHook unraisable_hook_;
  // Higher layers' per-heap state, by extension slot; destroyed by ~Heap after the objects.
  std::vector<Extension> extensions_;
  // The StaticRefs holding objects of this heap (static_ref.hpp), reset first by ~Heap.
  detail::StaticRoot* static_roots_ = nullptr;
};

namespace detail {
// Debug check of for_each_object: a tagged block holds a registered type of matching size.
PYHEAP_API void check_object_block(const Object* o, std::size_t block_size, std::size_t offset) noexcept;
}  // namespace detail

}  // namespace pyheap

#include "pyheap/internal/make.hpp"
