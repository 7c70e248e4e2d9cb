//===- Schedule.cpp - an operator order that lowers peak memory -----------===//
#include "passes/Schedule.h"
#include "llvm/ADT/DenseMap.h"
#include <algorithm>
#include <functional>

namespace tinymlc {

namespace {

/// Bytes a node's outputs add to the live set (views add nothing).
int64_t outputBytes(const Node *n, const Lowering &l) {
  if (l.isView)
    return 0;
  int64_t b = 0;
  for (const Value *v : n->outputs())
    b += static_cast<int64_t>(v->byteSize());
  return b;
}

std::vector<size_t> greedyOrder(const Graph &g, const std::vector<Node *> &nodes,
                                const std::vector<Lowering> &lowerings) {
  size_t n = nodes.size();
  llvm::DenseMap<const Node *, size_t> index;
  for (size_t i = 0; i < n; ++i)
    index[nodes[i]] = i;
  // Remaining readers of each value, and unscheduled producers of each node.
  llvm::DenseMap<const Value *, int> readers;
  std::vector<int> waiting(n, 0);
  std::vector<std::vector<size_t>> consumers(n);
  for (size_t i = 0; i < n; ++i) {
    llvm::SmallVector<const Node *, 4> seen;
    for (const Value *in : nodes[i]->inputs()) {
      if (!in || in->isConstant())
        continue;
      ++readers[in];
      const Node *p = in->producer();
      if (p && !llvm::is_contained(seen, p)) {
        seen.push_back(p);
        ++waiting[i];
        consumers[index[p]].push_back(i);
      }
    }
  }
  std::vector<size_t> order;
  std::vector<bool> done(n, false);
  for (size_t step = 0; step < n; ++step) {
    size_t best = n;
    int64_t bestDelta = 0;
    for (size_t i = 0; i < n; ++i) {
      if (done[i] || waiting[i] != 0)
        continue;
      int64_t delta = outputBytes(nodes[i], lowerings[i]);
      llvm::SmallVector<const Value *, 4> counted;
      for (const Value *in : nodes[i]->inputs()) {
        if (!in || in->isConstant() || g.isGraphOutput(in) || llvm::is_contained(counted, in))
          continue;
        counted.push_back(in);
        int uses = 0;
        for (const Value *x : nodes[i]->inputs())
          uses += x == in;
        if (readers[in] == uses)
          delta -= static_cast<int64_t>(in->byteSize());
      }
      if (best == n || delta < bestDelta) {
        best = i;
        bestDelta = delta;
      }
    }
    assert(best < n && "the graph has a cycle");
    done[best] = true;
    order.push_back(best);
    for (const Value *in : nodes[best]->inputs())
      if (in && !in->isConstant())
        --readers[in];
    for (size_t c : consumers[best])
      --waiting[c];
  }
  return order;
}

std::vector<size_t> depthFirstOrder(const Graph &g, const std::vector<Node *> &nodes,
                                    const std::vector<Lowering> &lowerings) {
  llvm::DenseMap<const Node *, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i)
    index[nodes[i]] = i;
  // need(n): a rough peak of computing n's inputs then n.
  llvm::DenseMap<const Node *, int64_t> need;
  std::function<int64_t(const Node *)> needOf = [&](const Node *n) -> int64_t {
    auto it = need.find(n);
    if (it != need.end())
      return it->second;
    need[n] = 0; // cut cycles through shared subgraphs
    int64_t held = 0, peak = 0;
    for (const Value *in : n->inputs())
      if (in && in->producer()) {
        peak = std::max(peak, held + needOf(in->producer()));
        held += static_cast<int64_t>(in->byteSize());
      }
    peak = std::max(peak, held + outputBytes(n, lowerings[index[n]]));
    need[n] = peak;
    return peak;
  };
  std::vector<size_t> order;
  std::vector<bool> visited(nodes.size(), false);
  std::function<void(const Node *)> visit = [&](const Node *n) {
    size_t i = index[n];
    if (visited[i])
      return;
    visited[i] = true;
    std::vector<const Node *> producers;
    for (const Value *in : n->inputs())
      if (in && in->producer() && !llvm::is_contained(producers, in->producer()))
        producers.push_back(in->producer());
    std::stable_sort(producers.begin(), producers.end(), [&](const Node *a, const Node *b) {
      return needOf(a) > needOf(b);
    });
    for (const Node *p : producers)
      visit(p);
    order.push_back(i);
  };
  for (const Value *out : g.outputs())
    if (out->producer())
      visit(out->producer());
  for (const Node *n : nodes) // nodes no output needs (kept by dce rules)
    visit(n);
  return order;
}

} // namespace

llvm::Expected<int> scheduleForMemory(Graph &g, std::vector<Lowering> &lowerings,
                                      const PlanOptions &opts) {
  std::vector<Node *> nodes = g.nodes();
  assert(nodes.size() == lowerings.size() && "one lowering per node");
  std::vector<size_t> identity(nodes.size());
  for (size_t i = 0; i < identity.size(); ++i)
    identity[i] = i;
  std::vector<std::vector<size_t>> candidates = {identity, greedyOrder(g, nodes, lowerings),
                                                 depthFirstOrder(g, nodes, lowerings)};
  size_t best = 0;
  int64_t bestSize = -1;
  int tried = 0;
  for (size_t c = 0; c < candidates.size(); ++c) {
    const std::vector<size_t> &order = candidates[c];
    if (c > 0 && order == identity)
      continue;
    std::vector<Node *> ordered;
    std::vector<Lowering> ls;
    for (size_t i : order) {
      ordered.push_back(nodes[i]);
      ls.push_back(lowerings[i]);
    }
    g.reorderNodes(ordered);
    auto plan = planMemory(g, ls, opts);
    ++tried;
    if (!plan) {
      // A candidate that does not fit is no candidate; the imported order's
      // error is the one reported if none fits.
      llvm::consumeError(plan.takeError());
      continue;
    }
    if (bestSize < 0 || plan->arenaSize < bestSize) {
      bestSize = plan->arenaSize;
      best = c;
    }
  }
  std::vector<Node *> ordered;
  std::vector<Lowering> ls;
  for (size_t i : candidates[best]) {
    ordered.push_back(nodes[i]);
    ls.push_back(std::move(lowerings[i]));
  }
  g.reorderNodes(ordered);
  lowerings = std::move(ls);
  return tried;
}

} // namespace tinymlc
