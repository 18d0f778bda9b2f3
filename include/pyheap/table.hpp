// pyheap/table.hpp — Table, many records with the same fields stored column by column.
//
// Concept. 100,000 records of (id, name, score) as objects cost a record block and two boxes
// each; a table keeps one column per field instead: numbers unboxed in an Array (8 bytes a row,
// no header), objects (strings...) in a List of references. The table itself is a small
// variable-size object naming its columns through a shared RecordType:
//
//   Table: [ collector word | header | RecordType* | rows | column 0 | column 1 | ... ]
//                                                            |           |
//                           Array<int64_t>: [ 1, 2, 3, ... ]    List: [ Str*, Str*, ... ]
//
// Column kinds: Int64 (Array<int64_t>), Float64 (Array<double>), Object (List, never null). The
// kind is the column object's own type, so nothing else is stored per column.
//
// Invariants:
//   - every column holds rows() values; append_row() checks the whole row first and undoes the
//     columns already appended if one fails to grow (std::bad_alloc), so a row is all or nothing;
//   - columns are handed out for reading and in-place updates; changing a column's length from
//     outside breaks the alignment of rows (not checked);
//   - always tracked. The table has no Clear step (as Tuple): the only way back to it is through
//     an Object column, a List, whose clear breaks the cycle; so the columns stay readable by
//     finalizers of the same garbage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <variant>

#include "pyheap/internal/export.hpp"
#include "pyheap/array.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/list.hpp"
#include "pyheap/object.hpp"
#include "pyheap/record.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/tracer.hpp"

namespace pyheap {

class PYHEAP_API Table : public Object {
  struct Private {
    explicit Private() = default;
  };

 public:
  enum class Kind : std::uint8_t { Int64, Float64, Object };
  struct Column {
    std::string_view name;
    Kind kind;
  };
  // One row value; its alternative must match the column's kind.
  using Cell = std::variant<std::int64_t, double, Ref<Object>>;

  // Throws std::invalid_argument for an empty or repeated name.
  // The column objects (Arrays, Lists) are made here too and record the same site: the
  // caller's line made them.
  static Ref<Table> make(Heap& heap, std::initializer_list<Column> columns,
                         SourceLocation site = SourceLocation::current());

  std::size_t rows() const noexcept { return rows_; }
  std::size_t columns() const noexcept { return type_->size(); }
  const RecordType& schema() const noexcept { return *type_; }
  Kind kind(std::size_t column) const;

  // Throws std::invalid_argument (wrong count, wrong kind, null object), std::bad_alloc; the
  // table is unchanged when it throws.
  void append_row(std::span<const Cell> row);
  void append_row(std::initializer_list<Cell> row) { append_row(std::span<const Cell>(row.begin(), row.size())); }
  // Throws std::out_of_range (row or name).
  Cell get(std::size_t row, std::string_view column) const;

  // The column objects. Throw std::out_of_range for an unknown name, std::invalid_argument for
  // another kind.
  Ref<Array<std::int64_t>> ints(std::string_view column) const;
  Ref<Array<double>> floats(std::string_view column) const;
  Ref<List> objects(std::string_view column) const;

  // Collector hook.
  void trace(Tracer& t);
  // Introspection: each column object as a Property edge named by its column.
  void name_edges(EdgeNamer& n) const;

  // Used by Heap::make_var only.
  Table(Private, const RecordType* type, std::span<Ref<Object>> columns) noexcept;
  ~Table();
  std::size_t trailing_bytes() const noexcept { return type_->size() * sizeof(Ref<Object>); }

 private:
  const Ref<Object>* cols() const noexcept { return reinterpret_cast<const Ref<Object>*>(this + 1); }
  Ref<Object>* cols() noexcept { return reinterpret_cast<Ref<Object>*>(this + 1); }
  const Ref<Object>& column(std::string_view name, Kind kind) const;

  RecordType::Handle type_;
  std::size_t rows_ = 0;
};

}  // namespace pyheap
