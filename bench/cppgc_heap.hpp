// V8's cppgc (Oilpan) as a standalone garbage-collected heap for the benchmark programs
// (trees_cppgc.cpp, gc_cppgc.cpp, shapes/shapes_cppgc.cpp). Its headers and library come from
// Debian 12's libnode-dev and libnode108, which scripts/bench.sh unpacks into the build tree
// (they conflict with the machine's other nodejs packages); bench/CMakeLists.txt compiles these
// programs with -fno-rtti, as V8 itself is built.
//
// Setup, in the order V8 asks for it: V8's default platform (cppgc::DefaultPlatform wraps one) is
// given to v8::V8::InitializePlatform, then cppgc::InitializeProcess gets its page allocator, then
// the heap is made. The heap marks atomically (there is no event loop here to run incremental
// marking tasks, so a standalone program without one gets its collections atomic in practice)
// and sweeps atomically; it scans the stack conservatively, so locals are raw pointers. Its
// collections start when its growth heuristics say (allocation), as a program's would.
#pragma once

#include <cppgc/default-platform.h>
#include <cppgc/heap.h>
#include <cppgc/platform.h>
#include <v8-initialization.h>

#include <memory>
#include <utility>

namespace bench {

class CppgcHeap {
 public:
  CppgcHeap() : platform_(std::make_shared<cppgc::DefaultPlatform>()) {
    v8::V8::InitializePlatform(platform_->GetV8Platform());
    cppgc::InitializeProcess(platform_->GetPageAllocator());
    cppgc::Heap::HeapOptions options = cppgc::Heap::HeapOptions::Default();
    options.marking_support = cppgc::Heap::MarkingType::kAtomic;
    options.sweeping_support = cppgc::Heap::SweepingType::kAtomic;
    heap_ = cppgc::Heap::Create(platform_, std::move(options));
  }
  CppgcHeap(const CppgcHeap&) = delete;
  CppgcHeap& operator=(const CppgcHeap&) = delete;

  cppgc::Heap& heap() { return *heap_; }
  cppgc::AllocationHandle& allocation_handle() { return heap_->GetAllocationHandle(); }

  // A full atomic collection that trusts only the persistent handles (nothing on the stack).
  void collect_precisely() {
    heap_->ForceGarbageCollectionSlow("bench", "collector figure", cppgc::EmbedderStackState::kNoHeapPointers);
  }

 private:
  std::shared_ptr<cppgc::DefaultPlatform> platform_;
  std::unique_ptr<cppgc::Heap> heap_;
};

}  // namespace bench
