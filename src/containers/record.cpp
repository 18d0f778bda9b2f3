#include "pyheap/record.hpp"

#include <new>
#include <stdexcept>

#include "pyheap/edge_namer.hpp"

namespace pyheap {

static_assert(sizeof(Record) == 16, "header and type pointer; values follow inline");

RecordType::Handle RecordType::make(std::initializer_list<std::string_view> fields) {
  std::vector<std::string> names;
  names.reserve(fields.size());
  for (std::string_view f : fields) names.emplace_back(f);
  return make(names);
}

RecordType::Handle RecordType::make(const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].empty()) throw std::invalid_argument("pyheap::RecordType: empty field name");
    for (std::size_t j = 0; j < i; ++j) {
      if (fields[j] == fields[i]) throw std::invalid_argument("pyheap::RecordType: repeated field " + fields[i]);
    }
  }
  return Handle(new RecordType(fields));
}

void RecordType::release() const noexcept {
  // acq_rel: every use of the type by other threads happens before it is deleted.
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

std::ptrdiff_t RecordType::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

std::size_t RecordType::index(std::string_view name) const {
  const std::ptrdiff_t i = find(name);
  if (i < 0) throw std::out_of_range("pyheap::Record: no field " + std::string(name));
  return static_cast<std::size_t>(i);
}

Ref<Record> Record::make(Heap& heap, const RecordType::Handle& type, SourceLocation site) {
  if (!type) throw std::invalid_argument("pyheap::Record: null type");
  return heap.make_var_at<Record>(site, type->size() * sizeof(Ref<Object>), Private{}, type.get());
}

Ref<Record> Record::make(Heap& heap, const RecordType::Handle& type, std::initializer_list<Ref<Object>> values,
                         SourceLocation site) {
  if (!type) throw std::invalid_argument("pyheap::Record: null type");
  if (values.size() != type->size()) throw std::invalid_argument("pyheap::Record: wrong number of values");
  Ref<Record> r = make(heap, type, site);
  Ref<Object>* dst = r->values();
  for (const Ref<Object>& v : values) *dst++ = v;
  return r;
}

Record::Record(Private, const RecordType* type) noexcept : type_(type) {
  type_->retain();
  Ref<Object>* v = values();
  for (std::size_t i = 0; i < type_->size(); ++i) ::new (static_cast<void*>(v + i)) Ref<Object>();
}

Record::~Record() {
  // Last to first, as a tuple's items; the type goes after, since trailing_bytes() reads it.
  Ref<Object>* v = values();
  for (std::size_t i = type_->size(); i-- > 0;) v[i].~Ref<Object>();
  type_->release();
}

Ref<Object> Record::get(std::size_t i) const {
  if (i >= size()) throw std::out_of_range("pyheap::Record::get");
  return values()[i];
}

void Record::set(std::size_t i, Ref<Object> value) {
  if (i >= size()) throw std::out_of_range("pyheap::Record::set");
  Ref<Object> old = std::exchange(values()[i], std::move(value));
}

void Record::trace(Tracer& t) {
  Ref<Object>* v = values();
  for (std::size_t i = 0; i < size(); ++i) t.trace_one(v[i]);
}

void Record::name_edges(EdgeNamer& n) const {
  const Ref<Object>* v = values();
  for (std::size_t i = 0; i < size(); ++i) n.property(type_->name(i), v[i]);
}

}  // namespace pyheap
