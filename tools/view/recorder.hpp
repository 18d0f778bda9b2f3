// view/recorder.hpp — records a heap script's run for the viewer: the picture after every
// statement, what the statement printed, and every collection it ran, phase by phase, as the
// collector reported it (CollectionObserver).
//
// Register it as the heap's collection observer from RunOptions::on_start and remove it in
// on_finish; feed it every statement from RunOptions::on_statement. It only reads the heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pyheap/collector.hpp"
#include "run/script_runner.hpp"
#include "view/picture.hpp"

namespace pyheap::view {

// One collection, in the collector's own figures (ids, not pointers).
struct CollectionRecord {
  int generation = 0;
  Picture before;  // the heap when the collection started (variables: as after the last statement)
  std::vector<std::uint32_t> examined;
  std::vector<std::pair<std::uint32_t, std::int32_t>> gc_refs;  // after the internal references were subtracted
  std::vector<std::uint32_t> reachable, unreachable;
  std::vector<std::uint32_t> weak_in_garbage, weak_outside, weak_called;
  std::vector<std::uint32_t> finalized, resurrected, freed;
  std::size_t weakrefs_freed = 0;  // weak reference objects that died in their own callback
  std::size_t collected = 0;
};

struct StepRecord {
  std::size_t line = 0;
  std::string statement;
  std::string output;  // what the statement printed
  std::string error;   // why the script stopped here, or empty
  Picture picture;     // after the statement
  std::vector<CollectionRecord> collections;  // in the order they ran during the statement
};

class Recorder final : public CollectionObserver {
 public:
  explicit Recorder(Heap& heap) : heap_(heap) {}

  void statement(const script::StatementRecord& record);

  const std::vector<StepRecord>& steps() const noexcept { return steps_; }
  const Camera& camera() const noexcept { return camera_; }

  // CollectionObserver
  void examined(int generation, std::span<Object* const> objects) override;
  void gc_refs(std::span<Object* const> objects, std::span<const std::int32_t> gc_refs) override;
  void partitioned(std::span<Object* const> reachable, std::span<Object* const> unreachable) override;
  void weakrefs(const Weakrefs& cleared) override;
  void finalizing(std::span<Object* const> objects) override;
  void resurrected(std::span<Object* const> objects) override;
  void freeing(std::span<Object* const> garbage, std::size_t weakrefs_freed) override;
  void finished(std::size_t collected) override;

 private:
  CollectionRecord& current() { return pending_.back(); }

  Heap& heap_;
  Camera camera_;
  std::vector<StepRecord> steps_;
  std::vector<CollectionRecord> pending_;  // collections of the statement running now
};

}  // namespace pyheap::view
