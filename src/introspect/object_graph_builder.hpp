// introspect/object_graph_builder.hpp — how the captures and the reader fill an ObjectGraph.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "pyheap/object_graph.hpp"

namespace pyheap {

class ObjectGraph::Builder {
 public:
  Builder(Runtime runtime, std::string description) {
    g_.runtime_ = runtime;
    g_.runtime_description_ = std::move(description);
  }

  // Interned: equal texts get one index.
  std::uint32_t string(std::string_view s) {
    if (!indexed_) index_strings();
    auto it = string_ids_.find(std::string(s));
    if (it != string_ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(g_.strings_.size());
    g_.strings_.emplace_back(s);
    string_ids_.emplace(g_.strings_.back(), id);
    return id;
  }
  // The reader takes a file's strings table as it is (its indexes are the file's); it is indexed
  // for string() only if string() is called.
  void set_strings(std::vector<std::string> strings) {
    g_.strings_ = std::move(strings);
    string_ids_.clear();
    indexed_ = false;
  }
  std::uint32_t type(const std::string& name, const std::string& module, Role role) {
    auto key = std::make_tuple(name, module, role);
    auto it = type_ids_.find(key);
    if (it != type_ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(g_.types_.size());
    g_.types_.push_back(Type{name, module, role});
    type_ids_.emplace(std::move(key), id);
    return id;
  }
  std::uint32_t site(const std::string& text) {
    if (text.empty()) return 0;
    auto [it, fresh] = site_ids_.emplace(text, static_cast<std::uint32_t>(g_.sites_.size()));
    if (fresh) g_.sites_.push_back(text);
    return it->second;
  }
  void add_site(std::string text) { g_.sites_.push_back(std::move(text)); }

  std::vector<Node>& nodes() noexcept { return g_.nodes_; }
  std::vector<Edge>& edges() noexcept { return g_.edges_; }
  std::vector<Type>& types() noexcept { return g_.types_; }
  std::size_t site_count() const noexcept { return g_.sites_.size(); }
  std::size_t string_count() const noexcept { return g_.strings_.size(); }

  // Checks the invariants of object_graph.hpp (throws std::runtime_error) and sums the bytes.
  ObjectGraph finish();

 private:
  ObjectGraph g_;
  void index_strings() {
    string_ids_.clear();
    for (std::uint32_t i = 0; i < g_.strings_.size(); ++i) string_ids_.emplace(g_.strings_[i], i);
    indexed_ = true;
  }
  bool indexed_ = true;
  std::unordered_map<std::string, std::uint32_t> string_ids_;
  std::map<std::tuple<std::string, std::string, Role>, std::uint32_t> type_ids_;
  std::unordered_map<std::string, std::uint32_t> site_ids_;
};

}  // namespace pyheap
