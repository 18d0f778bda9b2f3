// Heap: object creation lives inline in heap.hpp; this file holds the slow paths — destruction
// (finalizer, weak references, trashcan), immortals and teardown.
#include "pyheap/heap.hpp"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iterator>

#include "alloc/arena.hpp"
#include "object/leak_report.hpp"
#include "pyheap/static_ref.hpp"
#include "pyheap/internal/alloc_fast.hpp"
#include "pyheap/internal/check.hpp"
#include "trace/trace_state.hpp"

namespace pyheap {

namespace detail {
constinit thread_local ObjectHeader pending_header __attribute__((tls_model("initial-exec"))) = kNoHeapHeader;

// The heap from the object: a small block's arena header names its allocator (one mask, one load),
// whose user data is the Heap; only a large block needs the size to tell (owner_of).
void release(Object* o) noexcept {
  const TypeInfo& ti = type_of(*o);
  if (ti.plain_release) [[likely]] {
    // A small block: any address inside it is in its arena.
    SmallObjectAllocator* a = alloc::ArenaHeader::of(o)->owner;
    PYHEAP_ASSERT(a != nullptr && a->user_data() != nullptr && a == &Heap::of(o).allocator());
    static_cast<Heap*>(a->user_data())->release_plain(o, ti);
    return;
  }
  Heap::of(o).deallocate(o);
}
}  // namespace detail

namespace {
// The program's definitions against the library's (heap.hpp, detail::BuildFlags).
void check_build_flags(detail::BuildFlags program) noexcept {
  const detail::BuildFlags library = detail::kBuildFlags;
  if (program.debug_level == library.debug_level && program.asan == library.asan) [[likely]] return;
  PYHEAP_FATAL("this program was compiled with PYHEAP_DEBUG_LEVEL=%d PYHEAP_ASAN=%d and its pyheap library with "
               "PYHEAP_DEBUG_LEVEL=%d PYHEAP_ASAN=%d, so their inline and out-of-line paths disagree about the heap's "
               "blocks (%s): compile the program with -DPYHEAP_DEBUG_LEVEL=%d -DPYHEAP_ASAN=%d, as the CMake targets "
               "and `pkg-config --cflags pyheap` do (with -fsanitize=address or without), or link a library built "
               "for it",
               program.debug_level, program.asan, library.debug_level, library.asan,
               program.asan != library.asan ? "which are poisoned for AddressSanitizer" : "which checks run",
               library.debug_level, library.asan);
}
}  // namespace

Heap::Heap(detail::BuildFlags program) : gc_(*this), owner_(std::this_thread::get_id()) {
  check_build_flags(program);
  detail::AllocatorAccess::set_user_data(alloc_, this);
}

namespace detail {
void ref_from_this_without_count(const Object* o) noexcept {
  const std::uint16_t id = o->type_id();
  const char* type = id != 0 && type_table[id] != nullptr ? type_table[id]->qualified_name.c_str() : "an object";
  PYHEAP_FATAL("ref_from_this on %s with no count: called from its destructor (the count is 0 there), on an "
               "object that no Heap made (on the stack, a member), or from a constructor whose "
               "pyheap::Object base was constructed after a base that made a heap object of its own "
               "(list pyheap::Object first among the bases)",
               type);
}
}  // namespace detail

Heap& Heap::of(const Object* o) noexcept {
  const TypeInfo& ti = type_of(*o);
  const char* block = reinterpret_cast<const char*>(o) - ti.header_offset();
  SmallObjectAllocator* a = SmallObjectAllocator::owner_of(block, detail::block_request(o));
  PYHEAP_ASSERT(a != nullptr && a->user_data() != nullptr);
  return *static_cast<Heap*>(a->user_data());
}

std::size_t Heap::allocated_size(const Object* o) noexcept {
  return SmallObjectAllocator::block_size_for(detail::block_request(o));
}

namespace detail {
void check_object_block(const Object* o, std::size_t block_size, std::size_t offset) noexcept {
  if constexpr (kDebugLevel >= 1) {
    PYHEAP_ASSERT(type_table[o->type_id()] != nullptr);
    PYHEAP_ASSERT(type_of(*o).header_offset() == offset);
    PYHEAP_ASSERT(SmallObjectAllocator::block_size_for(block_request(o)) == block_size);
  }
  (void)o, (void)block_size, (void)offset;
}
}  // namespace detail

std::vector<Ref<Object>> Heap::all_objects() const {
  std::vector<Ref<Object>> out;
  out.reserve(live_);
  for_each_object([&](Object& o) { out.push_back(Ref<Object>::borrow(&o)); });
  return out;
}

void Heap::check_owner() const noexcept {
  PYHEAP_CHECK(std::this_thread::get_id() == owner_, "a Heap was used from a thread that does not own it");
}

namespace detail {
std::size_t next_extension_slot() noexcept {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace detail

void* Heap::install_extension(std::size_t slot, void* state, void (*destroy)(void*) noexcept) {
  PYHEAP_ASSERT(slot >= extensions_.size() || extensions_[slot].state == nullptr);
  try {
    if (slot >= extensions_.size()) extensions_.resize(slot + 1);
  } catch (...) {
    destroy(state);
    throw;
  }
  extensions_[slot] = Extension{state, destroy};
  return state;
}

void Heap::report_unraisable(std::exception_ptr error, std::string where, const Object* o) noexcept {
  try {
    UnraisableInfo info{error, std::move(where), o};
    if (unraisable_hook_) {
      unraisable_hook_(info);
      return;
    }
    std::string what = "unknown exception";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::fprintf(stderr, "Exception ignored in %s: %s\n", info.where.c_str(), what.c_str());
  } catch (...) {
    // A hook that throws has nowhere left to report to.
    std::fprintf(stderr, "Exception ignored in the unraisable hook\n");
  }
}

void Heap::make_immortal(Object* o) noexcept {
  if (o->is_immortal()) return;
  try {
    immortals_.push_back(o);
  } catch (...) {
    return;  // stays mortal: correct, only less cheap
  }
  o->ob_.flags |= detail::kFlagImmortal;
  o->ob_.refcnt += detail::kImmortalBase;
}

void* Heap::allocate_object(std::size_t bytes, unsigned tag, bool container) {
  try {
    return detail::AllocatorAccess::allocate_tagged(alloc_, bytes, tag);
  } catch (const std::bad_alloc&) {
    // Over the memory limit, or refused by the OS: the emergency collection (heap.hpp).
    return allocate_after_failure(bytes, tag, container);
  }
}

void Heap::abandon(Object* o, char* block, std::size_t bytes, bool container, ObjectHeader prepared) noexcept {
  // Whether T's Object base was constructed, and so took the header make prepared: not when T's
  // construction threw before it (a base listed before Object), and then the block holds what the
  // previous object there left. A dead object's header has count 0 and no kGcConstructing (a
  // finished object's make cleared it; an abandoned one's is cleared below), so the two cannot
  // be mistaken. Read after T's unwinding, which destroyed the bases and members constructed so
  // far: ~Object is trivial, so the Object base's header lives until the block is freed below.
  const ObjectHeader h = o->ob_;
  const bool took = h.type_id == prepared.type_id && h.refcnt != 0 && (h.gc_state & detail::kGcConstructing) != 0;
  if (took) {
    const TypeInfo& ti = detail::type_info(prepared.type_id);
    if (o->ob_.flags & detail::kFlagImmortal) {
      // make_immortal(this) in the constructor: the base count it added is not a reference.
      for (auto it = immortals_.rbegin(); it != immortals_.rend(); ++it) {
        if (*it == o) {
          immortals_.erase(std::next(it).base());
          break;
        }
      }
      o->ob_.flags &= static_cast<std::uint8_t>(~detail::kFlagImmortal);
      o->ob_.refcnt -= detail::kImmortalBase;
    }
    if (o->ob_.refcnt != 1) {
      PYHEAP_FATAL("%s's constructor threw after handing out %u reference%s to the object, still held: "
                   "they would point at an object that was never made. Hand ref_from_this(this) out "
                   "after everything in the constructor that can throw, or drop what was handed out "
                   "before the exception leaves the constructor",
                   ti.qualified_name.c_str(), o->ob_.refcnt - 1, o->ob_.refcnt == 2 ? "" : "s");
    }
    if (o->ob_.flags & detail::kFlagHasWeakrefs) {
      // Weak references made by the constructor and handed out: cleared, with their callbacks,
      // as at any death (the referent is gone when they run).
      o->ob_.refcnt = 0;
      std::vector<WeakReference*> callbacks;
      clear_weakrefs(o, &callbacks, nullptr);
      run_weakref_callbacks(callbacks);
    }
  }
  if (prepared.flags & detail::kFlagTraced) tracing_.forget(o, bytes);
  o->ob_ = detail::kNoHeapHeader;
  alloc_.deallocate(block, bytes);
  if (container) gc_.on_container_freed();
}

// Inline: release_plain and destroy, both below, are its only callers.
inline __attribute__((always_inline)) void Heap::free_block(void* block, std::size_t bytes) noexcept {
  if constexpr (detail::kInlineFastPaths) {
    if (bytes <= SmallObjectAllocator::kMaxSmallSize) [[likely]] {
      if (alloc::PoolHot* pool = detail::AllocatorAccess::hot(alloc_).push_free(block, bytes)) [[unlikely]]
        detail::AllocatorAccess::finish_free(alloc_, pool);
      return;
    }
  }
  alloc_.deallocate(block, bytes);
}

void* Heap::allocate_after_failure(std::size_t bytes, unsigned tag, bool container) {
  try {
    if (gc_.is_collecting()) throw;  // a finalizer's allocation: no collection inside one
    ++emergency_collections_;
    gc_.collect(kNumGenerations - 1);
    return detail::AllocatorAccess::allocate_tagged(alloc_, bytes, tag);
  } catch (...) {
    if (container) gc_.on_container_freed();  // nothing was made after all
    throw;
  }
}

// Reached when a count drops to zero.
void Heap::deallocate(Object* o) noexcept {
  if (o->ob_.flags & detail::kFlagImmortal) {
    // An immortal's count never really reaches zero; restore it (balanced use cannot get here).
    o->ob_.refcnt = detail::kImmortalBase;
    return;
  }
  check_thread();
  if (dealloc_depth_ >= kTrashcanDepth) {
    try {
      deferred_.push_back(o);
      ++trashcan_.deferred;
      if (deferred_.size() > trashcan_.longest_backlog) trashcan_.longest_backlog = deferred_.size();
      // A collection may run before the drain (a finalizer further up the cascade can start
      // one): it must not find an object whose count is zero, or it would free it a second
      // time. CPython's trashcan likewise takes only untracked objects. Garbage being freed in
      // bulk stays listed: no collection can start during one, and the drain comes before the
      // collector looks at its slot again.
      if (!gc_.frees_in_bulk(o)) gc_.untrack(o);
      return;
    } catch (...) {
      // No room to defer: recurse instead (correct, only deeper).
    }
  }
  ++dealloc_depth_;
  destroy(o);
  --dealloc_depth_;
  if (dealloc_depth_ == 0) drain_deferred();
}

// What Heap::deallocate and destroy do, minus every branch that cannot apply: the caller checked
// ti.plain_release (no finalizer, fixed size, small tagged block), and the flags tested here rule
// out weak references, tracing and immortality; garbage the collector is freeing in bulk takes the
// full path too (its block is recorded, not freed: Collector::frees_in_bulk).
void Heap::release_plain(Object* o, const TypeInfo& ti) noexcept {
  constexpr std::uint8_t kSlow = detail::kFlagImmortal | detail::kFlagHasWeakrefs | detail::kFlagTraced;
  if ((o->ob_.flags & kSlow) != 0 || dealloc_depth_ >= kTrashcanDepth || gc_.frees_in_bulk(o)) [[unlikely]] {
    deallocate(o);
    return;
  }
  check_thread();
  PYHEAP_ASSERT(o->ob_.refcnt == 0 && !ti.finalize && !ti.trailing_bytes);
  ++dealloc_depth_;
  if (ti.tracked) {
    gc_.untrack(o);
    gc_.on_container_freed();
  }
  ti.destroy(o);
  --live_;
  free_block(reinterpret_cast<char*>(o) - ti.header_offset(), ti.prefix + ti.size);
  if (--dealloc_depth_ == 0 && !deferred_.empty()) [[unlikely]] drain_deferred();
}

// The outermost release drains what deeper ones deferred; each of those may defer more, and is
// itself limited to kTrashcanDepth nested levels.
void Heap::drain_deferred() noexcept {
  while (!deferred_.empty()) {
    Object* d = deferred_.back();
    deferred_.pop_back();
    // Depth 2, not 1: CPython's _PyTrash_thread_destroy_chain raises the nesting to 1 and the
    // deferred object's own dealloc raises it again, so chains drained from here defer one
    // level earlier. Which objects are deferred decides whether a weak reference dies before
    // its referent, i.e. whether its callback runs.
    dealloc_depth_ += 2;
    destroy(d);
    dealloc_depth_ -= 2;
  }
}

void Heap::destroy(Object* o) noexcept {
  const TypeInfo& ti = type_of(*o);
  PYHEAP_ASSERT(o->ob_.refcnt == 0);
  if (ti.finalize && !(o->ob_.flags & detail::kFlagFinalized)) {
    // PEP 442: finalize once, with the object alive (count 1) and tracked in generation 0 as
    // CPython re-tracks it, so a collection run by the finalizer sees a live, externally held object.
    o->ob_.flags |= detail::kFlagFinalized;
    o->ob_.refcnt = 1;
    if (ti.tracked) {
      gc_.untrack(o);
      try {
        gc_.track(o);
      } catch (...) {
      }
    }
    try {
      ti.finalize(o);
    } catch (...) {
      report_unraisable(std::current_exception(), "finalizer of " + ti.name, o);
    }
    if (--o->ob_.refcnt != 0) return;  // resurrected: it lives on, and will not be finalized again
  }
  // Untrack before anything else runs: a collection started by a weak reference callback must
  // not find an object whose count is zero. Garbage the collector is clearing keeps its slot in
  // the working list and has its block freed by the collector, with the rest (frees_in_bulk).
  // (The collector word records the block's offset in 8 bits: an Object placed further into its
  // block, behind a large base, dies the usual way.)
  const bool bulk = ti.tracked && ti.header_offset() < 0x100 && gc_.frees_in_bulk(o);
  if (ti.tracked) {
    if (bulk) gc_.leave_for_bulk_free(o);
    else gc_.untrack(o);
    gc_.on_container_freed();
  }
  if (o->ob_.flags & detail::kFlagHasWeakrefs) {
    std::vector<WeakReference*> callbacks;
    clear_weakrefs(o, &callbacks, nullptr);
    run_weakref_callbacks(callbacks);
  }
  const std::size_t bytes = detail::block_request(o);  // a variable-size length dies with ~T()
  // Forgotten before ~T(): a snapshot taken from a destructor must not find a half-destroyed
  // object, and before the free: the next object at this address must find its slot empty.
  if (o->ob_.flags & detail::kFlagTraced) [[unlikely]] tracing_.forget(o, bytes);
  if (ti.header_offset() > detail::kMaxTaggedHeaderOffset) [[unlikely]] far_objects_.erase(o);
  // ~T() is about to drop these references; in a large heap each is a cache miss, and asking for
  // all of them first overlaps the misses.
  detail::prefetch_referents(o, ti);
  ti.destroy(o);
  --live_;
  char* block = detail::block_of(o, ti);
  if (bulk) gc_.free_in_bulk(o, bytes, static_cast<std::size_t>(reinterpret_cast<char*>(o) - block));
  else free_block(block, bytes);
}

Heap::~Heap() {
  // References in static storage first (static_ref.hpp), as CPython clears module globals before
  // its last collection. Releasing one may run code that sets another: until none is left.
  while (detail::StaticRoot* r = static_roots_) {
    Object* o = r->object;
    static_roots_ = r->next;
    if (static_roots_) static_roots_->prev = nullptr;
    *r = detail::StaticRoot{};
    o->decref();
  }
  // Immortals become mortal again; the base count they were given is taken back.
  std::vector<Object*> immortals = std::move(immortals_);
  for (Object* o : immortals) {
    o->ob_.flags &= static_cast<std::uint8_t>(~detail::kFlagImmortal);
    o->ob_.refcnt -= detail::kImmortalBase;
    if (o->ob_.refcnt == 0) deallocate(o);
  }
  gc_.release_all_for_teardown();
  if (live_ != 0) {
    std::string what;
    try {
      what = detail::describe_leaked_objects(*this);  // the types, and who holds them (leak_report.hpp)
    } catch (...) {
      what = std::to_string(live_) + " objects still referenced from outside the heap";
    }
    report_unraisable(std::make_exception_ptr(std::runtime_error(what)), "heap destruction", nullptr);
  }
  // Extensions hold no counts but may be read by the destructors above (a Str leaving the
  // intern table): they go last.
  for (Extension& e : extensions_) {
    if (e.state != nullptr) e.destroy(e.state);
  }
}

}  // namespace pyheap
