#include "view/recorder.hpp"

#include "pyheap/heap.hpp"

namespace pyheap::view {

void Recorder::statement(const script::StatementRecord& record) {
  StepRecord step;
  step.line = record.line;
  step.statement = std::string(record.statement);
  step.output = std::string(record.output);
  step.error = std::string(record.error);
  step.picture = camera_.take(heap_, record.variables);
  step.collections = std::move(pending_);
  pending_.clear();
  steps_.push_back(std::move(step));
}

void Recorder::examined(int generation, std::span<Object* const> objects) {
  CollectionRecord c;
  c.generation = generation;
  // A collection runs inside a statement (`collect`, or an automatic one while `new` or `weak`
  // allocates), before the statement binds anything: the variables are the previous step's.
  c.before = camera_.take(heap_, {});
  if (!steps_.empty() && !c.before.too_many) c.before.bindings = steps_.back().picture.bindings;
  c.examined = camera_.ids_of(objects);
  pending_.push_back(std::move(c));
}

void Recorder::gc_refs(std::span<Object* const> objects, std::span<const std::int32_t> gc_refs) {
  auto& refs = current().gc_refs;
  for (std::size_t i = 0; i < objects.size(); ++i)
    if (Camera::draws(objects[i])) refs.emplace_back(camera_.id_of(objects[i]), gc_refs[i]);
}

void Recorder::partitioned(std::span<Object* const> reachable, std::span<Object* const> unreachable) {
  current().reachable = camera_.ids_of(reachable);
  current().unreachable = camera_.ids_of(unreachable);
}

void Recorder::weakrefs(const Weakrefs& cleared) {
  current().weak_in_garbage = camera_.ids_of(cleared.in_garbage);
  current().weak_outside = camera_.ids_of(cleared.outside);
  current().weak_called = camera_.ids_of(cleared.callbacks);
}

void Recorder::finalizing(std::span<Object* const> objects) { current().finalized = camera_.ids_of(objects); }

void Recorder::resurrected(std::span<Object* const> objects) { current().resurrected = camera_.ids_of(objects); }

void Recorder::freeing(std::span<Object* const> garbage, std::size_t weakrefs_freed) {
  current().freed = camera_.ids_of(garbage);
  current().weakrefs_freed = weakrefs_freed;
}

void Recorder::finished(std::size_t collected) { current().collected = collected; }

}  // namespace pyheap::view
