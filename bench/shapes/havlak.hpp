// Havlak's loop finder on a control-flow graph, in the shape of R. Hundt's "Loop Recognition in
// C++/Java/Go/Scala" (2011) benchmark: a synthetic CFG of nested loops and diamonds (basic blocks
// linked both ways: each lists its successors and its predecessors), and Havlak's algorithm
// ("Nesting of reducible and irreducible loops", TOPLAS 1997): a depth-first numbering, the
// back and non-back predecessors of every block, a union-find over the blocks, and a loop
// structure graph whose loops know their parent and their children. find_loops builds a new
// loop structure graph each time, and drops it.
//
// A run: the base loop alone, its loops found kDummyRounds times; then the CFG grown to kTrees
// trees of kOuter sequences of kInner base loops each (about 50,000 blocks), its loops found
// kRounds times. The checksum sums, over every find_loops, the loops found and every loop's
// nesting level and depth.
//
// Ownership: the CFG owns its blocks (a vector); edges are Back links (pyheap: Refs, cycles
// along every loop of the graph; shared_ptr: weak_ptr, locked to be followed); the loop structure
// graph owns its loops, a loop owns its children and reaches its parent through a Back link; the
// union-find nodes are values in a vector, as in the original.
#pragma once

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

namespace shapes {

template <class P>
struct Havlak {
  template <class T>
  using Ptr = typename P::template Ptr<T>;
  template <class T>
  using Back = typename P::template Back<T>;
  template <class T>
  using Vec = typename P::template Vec<T>;
  using Tracer = typename P::Tracer;

  static constexpr int kDummyRounds = 8000;
  static constexpr int kTrees = 2;
  static constexpr int kOuter = 100;
  static constexpr int kInner = 25;
  static constexpr int kRounds = 24;

  struct BasicBlock : P::template Base<BasicBlock> {
    explicit BasicBlock(int n) : name(n) {}
    int name;
    Vec<Back<BasicBlock>> in_edges, out_edges;
    void trace(Tracer& t) { t(in_edges, out_edges); }
  };
  using BlockP = Ptr<BasicBlock>;

  struct Cfg {
    Vec<BlockP> blocks;  // by name
    BlockP create_node(int name) {
      const auto i = static_cast<std::size_t>(name);
      if (i >= blocks.size()) blocks.resize(i + 1);
      if (!blocks[i]) blocks[i] = P::template make<BasicBlock>(name);
      return blocks[i];
    }
    int num_nodes() const { return static_cast<int>(blocks.size()); }
    ~Cfg() {
      if constexpr (P::kByHand)
        for (BasicBlock* b : blocks) P::destroy(b);
    }
  };

  struct SimpleLoop : P::template Base<SimpleLoop> {
    explicit SimpleLoop(int c) : counter(c) {}
    Vec<BlockP> basic_blocks;
    Vec<Ptr<SimpleLoop>> children;
    Back<SimpleLoop> parent{};
    BlockP header{};
    bool is_root = false;
    bool is_reducible = true;
    int counter;
    int nesting_level = 0;
    int depth_level = 0;
    void trace(Tracer& t) { t(basic_blocks, children, parent, header); }

    void set_parent(const Ptr<SimpleLoop>& p) {
      parent = p;
      p->children.push_back(P::self(this));
    }
  };
  using LoopP = Ptr<SimpleLoop>;

  struct LoopStructureGraph {
    LoopP root{};
    Vec<LoopP> loops;
    int loop_counter = 0;
    LoopStructureGraph() {
      root = create_new_loop();
      root->is_root = true;
      loops.push_back(root);
    }
    ~LoopStructureGraph() {
      if constexpr (P::kByHand)
        for (SimpleLoop* l : loops) P::destroy(l);
    }
    LoopP create_new_loop() { return P::template make<SimpleLoop>(loop_counter++); }

    void calculate_nesting_level() {
      for (const LoopP& l : loops)
        if (!l->is_root && !P::follow(l->parent)) l->set_parent(root);
      calculate_nesting_level_rec(root, 0);
    }
    static void calculate_nesting_level_rec(const LoopP& l, int depth) {
      l->depth_level = depth;
      for (const LoopP& child : l->children) {
        calculate_nesting_level_rec(child, depth + 1);
        l->nesting_level = std::max(l->nesting_level, 1 + child->nesting_level);
      }
    }
    std::uint64_t checksum() const {
      std::uint64_t sum = loops.size();
      for (const LoopP& l : loops) sum += static_cast<std::uint64_t>(l->nesting_level * 3 + l->depth_level);
      return sum;
    }
  };

  // The CFG's shapes (Hundt's builders): straight runs, diamonds, and the base loop.
  struct Builder {
    Cfg& cfg;
    void connect(int from, int to) {
      BlockP a = cfg.create_node(from), b = cfg.create_node(to);
      a->out_edges.push_back(b);
      b->in_edges.push_back(a);
    }
    int straight(int start, int n) {
      for (int i = 0; i < n; ++i) connect(start + i, start + i + 1);
      return start + n;
    }
    int diamond(int start) {
      connect(start, start + 1);
      connect(start, start + 2);
      connect(start + 1, start + 3);
      connect(start + 2, start + 3);
      return start + 3;
    }
    int base_loop(int from) {
      const int header = straight(from, 1);
      const int diamond1 = diamond(header);
      const int d11 = straight(diamond1, 1);
      const int diamond2 = diamond(d11);
      int footer = straight(diamond2, 1);
      connect(diamond2, d11);
      connect(diamond1, header);
      connect(footer, from);
      footer = straight(footer, 1);
      return footer;
    }
  };

  // A union-find node per block, in a plain vector as the original has them.
  struct UnionFindNode {
    UnionFindNode* parent = nullptr;
    BlockP bb{};
    LoopP loop{};
    int dfs_number = 0;

    void init(const BlockP& b, int dfs) {
      parent = this;
      bb = b;
      dfs_number = dfs;
    }
    // The set's representative, with path compression.
    UnionFindNode* find_set() {
      std::vector<UnionFindNode*> path;
      UnionFindNode* node = this;
      while (node != node->parent) {
        if (node->parent != node->parent->parent) path.push_back(node);
        node = node->parent;
      }
      for (UnionFindNode* n : path) n->parent = node->parent;
      return node;
    }
  };

  enum BlockType { kNonHeader, kReducible, kSelf, kIrreducible, kDead };
  static constexpr int kUnvisited = -1;
  static constexpr std::size_t kMaxNonBackPreds = 32 * 1024;

  static bool is_ancestor(int w, int v, const std::vector<int>& last) {
    return w <= v && v <= last[static_cast<std::size_t>(w)];
  }

  // Depth-first numbering from the start block (preorder), with last[k] = the highest number in
  // k's subtree. Iterative: the CFG's straight runs are deeper than a thread's stack.
  static void number_blocks(const Cfg& cfg, Vec<UnionFindNode>& nodes, std::vector<int>& number,
                            std::vector<int>& last) {
    struct Frame {
      BlockP block{};
      std::size_t next_edge;
    };
    std::vector<Frame> stack;
    int current = 0;
    const BlockP& start = cfg.blocks[0];
    nodes[0].init(start, 0);
    number[static_cast<std::size_t>(start->name)] = 0;
    stack.push_back({start, 0});
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next_edge < f.block->out_edges.size()) {
        auto target = P::follow(f.block->out_edges[f.next_edge++]);
        if (number[static_cast<std::size_t>(target->name)] == kUnvisited) {
          ++current;
          nodes[static_cast<std::size_t>(current)].init(target, current);
          number[static_cast<std::size_t>(target->name)] = current;
          stack.push_back({std::move(target), 0});
        }
      } else {
        last[static_cast<std::size_t>(number[static_cast<std::size_t>(f.block->name)])] = current;
        stack.pop_back();
      }
    }
  }

  static int find_loops(const Cfg& cfg, LoopStructureGraph& lsg) {
    if (cfg.blocks.empty()) return 0;
    const auto size = static_cast<std::size_t>(cfg.num_nodes());
    std::vector<std::set<int>> non_back_preds(size);
    std::vector<std::vector<int>> back_preds(size);
    std::vector<int> header(size, 0), type(size, kNonHeader), last(size, 0), number(size, kUnvisited);
    Vec<UnionFindNode> nodes(size);

    number_blocks(cfg, nodes, number, last);

    // Back and non-back predecessors of every block.
    for (std::size_t w = 0; w < size; ++w) {
      const BlockP& node_w = nodes[w].bb;
      if (!node_w) {
        type[w] = kDead;
        continue;
      }
      for (const auto& pred : node_w->in_edges) {
        const int v = number[static_cast<std::size_t>(P::follow(pred)->name)];
        if (v == kUnvisited) continue;
        if (is_ancestor(static_cast<int>(w), v, last)) back_preds[w].push_back(v);
        else non_back_preds[w].insert(v);
      }
    }
    header[0] = 0;

    // Bottom-up: every block's loop body, found through the union-find.
    for (std::size_t wi = size; wi-- > 0;) {
      const int w = static_cast<int>(wi);
      const BlockP node_w = nodes[wi].bb;
      if (!node_w) continue;
      std::vector<UnionFindNode*> node_pool;
      for (int v : back_preds[wi]) {
        if (v != w) node_pool.push_back(nodes[static_cast<std::size_t>(v)].find_set());
        else type[wi] = kSelf;
      }
      std::vector<UnionFindNode*> work_list = node_pool;
      if (!node_pool.empty()) type[wi] = kReducible;
      while (!work_list.empty()) {
        UnionFindNode* x = work_list.front();
        work_list.erase(work_list.begin());
        const auto& preds = non_back_preds[static_cast<std::size_t>(x->dfs_number)];
        if (preds.size() > kMaxNonBackPreds) return 0;
        for (int iter : preds) {
          UnionFindNode* ydash = nodes[static_cast<std::size_t>(iter)].find_set();
          if (!is_ancestor(w, ydash->dfs_number, last)) {
            type[wi] = kIrreducible;
            non_back_preds[wi].insert(ydash->dfs_number);
          } else if (ydash->dfs_number != w &&
                     std::find(node_pool.begin(), node_pool.end(), ydash) == node_pool.end()) {
            work_list.push_back(ydash);
            node_pool.push_back(ydash);
          }
        }
      }
      if (!node_pool.empty() || type[wi] == kSelf) {
        LoopP loop = lsg.create_new_loop();
        loop->header = node_w;
        loop->is_reducible = type[wi] != kIrreducible;
        nodes[wi].loop = loop;
        for (UnionFindNode* node : node_pool) {
          header[static_cast<std::size_t>(node->dfs_number)] = w;
          node->parent = &nodes[wi];
          if (node->loop) node->loop->set_parent(loop);
          else loop->basic_blocks.push_back(node->bb);
        }
        lsg.loops.push_back(std::move(loop));
      }
    }
    return static_cast<int>(lsg.loops.size());
  }

  static std::uint64_t find_and_sum(const Cfg& cfg) {
    LoopStructureGraph lsg;
    find_loops(cfg, lsg);
    lsg.calculate_nesting_level();
    return lsg.checksum();
  }

  static std::uint64_t run(int scale) {
    Cfg cfg;
    Builder b{cfg};
    cfg.create_node(0);
    b.base_loop(0);
    cfg.create_node(1);
    b.connect(0, 2);
    std::uint64_t total = 0;
    for (int i = 0; i < kDummyRounds * scale; ++i) total += find_and_sum(cfg);

    int n = 2;
    for (int tree = 0; tree < kTrees; ++tree) {
      cfg.create_node(n + 1);
      b.connect(2, n + 1);
      n += 1;
      for (int i = 0; i < kOuter; ++i) {
        const int top = n;
        n = b.straight(n, 1);
        for (int j = 0; j < kInner; ++j) n = b.base_loop(n);
        const int bottom = b.straight(n, 1);
        b.connect(n, top);
        n = bottom;
      }
      b.connect(n, 1);
    }
    for (int i = 0; i < kRounds * scale; ++i) total += find_and_sum(cfg);
    return total;
  }
};

}  // namespace shapes
