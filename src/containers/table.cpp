#include "pyheap/table.hpp"

#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "pyheap/edge_namer.hpp"

namespace pyheap {

static_assert(sizeof(Table) % alignof(Ref<Object>) == 0, "columns follow the object, aligned");

Ref<Table> Table::make(Heap& heap, std::initializer_list<Column> columns, SourceLocation site) {
  std::vector<std::string> names;
  for (const Column& c : columns) names.emplace_back(c.name);
  RecordType::Handle type = RecordType::make(names);
  std::vector<Ref<Object>> cols;
  cols.reserve(columns.size());
  for (const Column& c : columns) {
    switch (c.kind) {
      // The columns are part of this make: they record the caller's site too.
      case Kind::Int64: cols.push_back(Array<std::int64_t>::make(heap, site)); break;
      case Kind::Float64: cols.push_back(Array<double>::make(heap, site)); break;
      case Kind::Object: cols.push_back(List::make(heap, site)); break;
      default: throw std::invalid_argument("pyheap::Table: bad column kind");
    }
  }
  return heap.make_var_at<Table>(site, cols.size() * sizeof(Ref<Object>), Private{}, type.get(), std::span<Ref<Object>>(cols));
}

Table::Table(Private, const RecordType* type, std::span<Ref<Object>> columns) noexcept : type_(type) {
  Ref<Object>* dst = cols();
  for (std::size_t i = 0; i < columns.size(); ++i) ::new (static_cast<void*>(dst + i)) Ref<Object>(std::move(columns[i]));
}

Table::~Table() {
  Ref<Object>* c = cols();
  for (std::size_t i = type_->size(); i-- > 0;) c[i].~Ref<Object>();
}

Table::Kind Table::kind(std::size_t column) const {
  if (column >= columns()) throw std::out_of_range("pyheap::Table::kind");
  const Object* c = cols()[column].get();
  if (Heap::is_a<Array<std::int64_t>>(c)) return Kind::Int64;
  if (Heap::is_a<Array<double>>(c)) return Kind::Float64;
  return Kind::Object;
}

void Table::append_row(std::span<const Cell> row) {
  const std::size_t n = columns();
  if (row.size() != n) throw std::invalid_argument("pyheap::Table::append_row: wrong number of values");
  for (std::size_t i = 0; i < n; ++i) {
    const Kind k = kind(i);
    const bool ok = (k == Kind::Int64 && std::holds_alternative<std::int64_t>(row[i])) ||
                    (k == Kind::Float64 && std::holds_alternative<double>(row[i])) ||
                    (k == Kind::Object && std::holds_alternative<Ref<Object>>(row[i]) &&
                     std::get<Ref<Object>>(row[i]));
    if (!ok) throw std::invalid_argument("pyheap::Table::append_row: bad value for " + type_->name(i));
  }
  std::size_t done = 0;
  try {
    for (; done < n; ++done) {
      Object* c = cols()[done].get();
      switch (kind(done)) {
        case Kind::Int64: static_cast<Array<std::int64_t>*>(c)->append(std::get<std::int64_t>(row[done])); break;
        case Kind::Float64: static_cast<Array<double>*>(c)->append(std::get<double>(row[done])); break;
        case Kind::Object: static_cast<List*>(c)->append(std::get<Ref<Object>>(row[done])); break;
      }
    }
  } catch (...) {
    // Only a growth can fail; undo the columns already extended so rows stay aligned.
    while (done-- > 0) {
      Object* c = cols()[done].get();
      switch (kind(done)) {
        case Kind::Int64: static_cast<Array<std::int64_t>*>(c)->pop_back(); break;
        case Kind::Float64: static_cast<Array<double>*>(c)->pop_back(); break;
        case Kind::Object: (void)static_cast<List*>(c)->pop(); break;
      }
    }
    throw;
  }
  ++rows_;
}

Table::Cell Table::get(std::size_t row, std::string_view name) const {
  const std::size_t i = type_->index(name);
  if (row >= rows_) throw std::out_of_range("pyheap::Table::get: row");
  const Object* c = cols()[i].get();
  switch (kind(i)) {
    case Kind::Int64: return static_cast<const Array<std::int64_t>*>(c)->at(row);
    case Kind::Float64: return static_cast<const Array<double>*>(c)->at(row);
    case Kind::Object: return static_cast<const List*>(c)->at(row);
  }
  return {};
}

const Ref<Object>& Table::column(std::string_view name, Kind k) const {
  const std::size_t i = type_->index(name);
  if (kind(i) != k) throw std::invalid_argument("pyheap::Table: column " + std::string(name) + " is of another kind");
  return cols()[i];
}

Ref<Array<std::int64_t>> Table::ints(std::string_view name) const {
  return Ref<Array<std::int64_t>>::borrow(static_cast<Array<std::int64_t>*>(column(name, Kind::Int64).get()));
}
Ref<Array<double>> Table::floats(std::string_view name) const {
  return Ref<Array<double>>::borrow(static_cast<Array<double>*>(column(name, Kind::Float64).get()));
}
Ref<List> Table::objects(std::string_view name) const {
  return Ref<List>::borrow(static_cast<List*>(column(name, Kind::Object).get()));
}

void Table::name_edges(EdgeNamer& n) const {
  const Ref<Object>* c = cols();
  for (std::size_t i = 0; i < columns(); ++i) n.property(type_->name(i), c[i]);
}

void Table::trace(Tracer& t) {
  // Visit only (see the header): an Object column's own clear breaks any cycle.
  if (t.mode() != Tracer::Mode::Visit) return;
  Ref<Object>* c = cols();
  for (std::size_t i = 0; i < columns(); ++i) t.trace_one(c[i]);
}

}  // namespace pyheap
