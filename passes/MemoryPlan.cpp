//===- MemoryPlan.cpp - static placement of every tensor in one arena -----===//
//
// - Step i is node i of the schedule; graph inputs are live from step 0,
//   graph outputs until the last step.
// - A view (Reshape, Squeeze, ...) joins its input's storage group; a group is
//   live from its first definition to its last use.
// - Groups are placed largest first at the lowest aligned offset where they
//   overlap no placed group whose live range intersects theirs.
//
//===----------------------------------------------------------------------===//
#include "passes/MemoryPlan.h"
#include <algorithm>
#include <map>

namespace tinymlc {

namespace {
int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

struct Group {
  std::vector<const Value *> members; ///< the root first; empty for scratch
  std::string name;                   ///< the root's name, or the scratch's
  int64_t size = 0;
  int first = 0, last = 0;
  int64_t offset = -1;
};
} // namespace

MemoryPlan planMemory(const Graph &g, llvm::ArrayRef<Lowering> lowerings) {
  MemoryPlan plan;
  std::vector<Node *> nodes = g.nodes();
  assert(nodes.size() == lowerings.size() && "one lowering per node");
  int lastStep = nodes.empty() ? 0 : static_cast<int>(nodes.size()) - 1;

  // Storage groups: every non-constant value belongs to one, and so does
  // every kernel scratch argument.
  std::vector<Group> groups;
  std::vector<std::pair<ScratchKey, size_t>> scratchKeys;
  llvm::DenseMap<const Value *, size_t> groupOf;
  auto newGroup = [&](const Value *v, int step) {
    groupOf[v] = groups.size();
    Group gr;
    gr.members.push_back(v);
    gr.name = v->name();
    gr.size = static_cast<int64_t>(v->byteSize());
    gr.first = gr.last = step;
    groups.push_back(gr);
  };
  for (const Value *v : g.inputs())
    newGroup(v, 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node *n = nodes[i];
    int step = static_cast<int>(i);
    for (const Value *in : n->inputs())
      if (in && !in->isConstant())
        groups[groupOf[in]].last = std::max(groups[groupOf[in]].last, step);
    for (unsigned o = 0; o < n->numOutputs(); ++o) {
      const Value *out = n->output(o);
      if (o == 0 && lowerings[i].isView) {
        size_t gi = groupOf[n->input(0)];
        groupOf[out] = gi;
        groups[gi].members.push_back(out);
        groups[gi].size = std::max(groups[gi].size, static_cast<int64_t>(out->byteSize()));
        continue;
      }
      newGroup(out, step);
    }
    // Kernel scratch: live during this step only.
    for (size_t c = 0; c < lowerings[i].calls.size(); ++c) {
      const KernelCall &call = lowerings[i].calls[c];
      for (size_t a = 0; a < call.args.size(); ++a) {
        if (call.args[a].kind != KernelArg::Kind::Scratch)
          continue;
        Group gr;
        gr.name = n->name() + ".scratch" + std::to_string(scratchKeys.size());
        gr.size = call.args[a].scratchBytes;
        gr.first = gr.last = step;
        scratchKeys.push_back({ScratchKey{step, static_cast<int>(c), static_cast<int>(a)},
                               groups.size()});
        groups.push_back(gr);
      }
    }
  }
  for (const Value *v : g.outputs())
    if (!v->isConstant())
      groups[groupOf[v]].last = lastStep;

  // Lower bound: the most bytes live at any one step.
  for (int s = 0; s <= lastStep; ++s) {
    int64_t live = 0;
    for (const Group &gr : groups)
      if (gr.first <= s && s <= gr.last)
        live += gr.size;
    plan.lowerBound = std::max(plan.lowerBound, live);
  }

  // Greedy first fit, largest first.
  std::vector<size_t> order(groups.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Group &ga = groups[a], &gb = groups[b];
    if (ga.size != gb.size)
      return ga.size > gb.size;
    if (ga.first != gb.first)
      return ga.first < gb.first;
    return ga.name < gb.name;
  });
  std::vector<size_t> placed;
  for (size_t gi : order) {
    Group &gr = groups[gi];
    if (gr.size == 0) {
      gr.offset = 0;
      continue;
    }
    // Intervals taken by placed groups live at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t pi : placed) {
      const Group &o = groups[pi];
      if (o.first <= gr.last && gr.first <= o.last)
        busy.push_back({o.offset, o.offset + o.size});
    }
    std::sort(busy.begin(), busy.end());
    int64_t at = 0;
    for (auto [lo, hi] : busy) {
      if (at + gr.size <= lo)
        break;
      at = std::max(at, alignUp(hi, plan.alignment));
    }
    gr.offset = at;
    plan.arenaSize = std::max(plan.arenaSize, at + gr.size);
    placed.push_back(gi);
  }
  plan.arenaSize = alignUp(plan.arenaSize, plan.alignment);

  // Placements in a stable order: graph inputs, then node outputs.
  auto add = [&](const Value *v) {
    if (plan.index.count(v))
      return;
    const Group &gr = groups[groupOf[v]];
    Placement p{v, gr.offset, static_cast<int64_t>(v->byteSize()), gr.first, gr.last,
                gr.members[0] == v ? nullptr : gr.members[0]};
    plan.index[v] = plan.tensors.size();
    plan.tensors.push_back(p);
  };
  for (const Value *v : g.inputs())
    add(v);
  for (const Node *n : nodes)
    for (const Value *v : n->outputs())
      add(v);
  for (const auto &[key, gi] : scratchKeys) {
    const Group &gr = groups[gi];
    plan.scratchIndex[key] = plan.tensors.size();
    plan.tensors.push_back({nullptr, gr.offset, gr.size, gr.first, gr.last, nullptr, gr.name});
  }
  return plan;
}

} // namespace tinymlc
