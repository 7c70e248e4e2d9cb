//===- MemoryPlan.cpp - static placement of every tensor in memory regions ===//
//
// 1. Storage. Every non-constant value gets a slot: a storage block and a byte
//    offset in it. Values share a block when the schedule allows it:
//    - views (Reshape, Flatten, Squeeze, Unsqueeze, Identity) take their
//      input's slot;
//    - Slice and Split along the outermost non-unit axis take a slice of
//      their input's slot (no copy);
//    - an elementwise op, activation, Clip, Cast between same-size types,
//      BatchNormalization or softmax writes over an input of its own size
//      whose block dies at that step (in place);
//    - a Concat along the outermost non-unit axis has its inputs produced
//      directly in their slices of its output, when each input owns a block
//      of exactly its size that nothing else will join.
//    Kernel scratch gets a block of its own, live for its step.
// 2. Liveness. A block is live from the first step one of its values is
//    defined (graph inputs: step 0) to the last step one is read (graph
//    outputs: the last step). The lower bound is the largest total of live
//    block bytes at one step.
// 3. Offsets, per region. Blocks are placed first-fit at the lowest aligned
//    offset free over their whole live range, largest first (ties: earlier
//    first step, then name): the greedy plan. A deterministic search then
//    tries other orders (by first step, by live length, by size x length,
//    and seeded shuffles), keeping a plan only if it is smaller; it stops at
//    the lower bound.
// 4. Regions. All blocks start in the first region; while a region overflows,
//    its largest blocks move to the next one (small blocks stay in the fast
//    region). When the last region overflows the model does not fit: the
//    error names the peak step and the tensors live there.
//
//===----------------------------------------------------------------------===//
#include "passes/MemoryPlan.h"
#include "ir/Diagnostic.h"
#include "llvm/ADT/DenseSet.h"
#include <algorithm>
#include <cstdio>
#include <numeric>

namespace tinymlc {

int64_t MemoryPlan::alignment() const {
  int64_t a = 1;
  for (const PlannedRegion &r : regions)
    a = std::max(a, r.spec.alignment);
  return a;
}

namespace {

int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

std::string withCommas(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return s;
}

struct Block {
  std::string name; ///< its first member's name, or the scratch's
  int64_t size = 0;
  int first = 0, last = 0;
  size_t region = 0;
  int64_t offset = -1;
  bool holdsInput = false; ///< a graph input lives in it (a Concat may not absorb it)
};

struct Slot {
  size_t block;
  int64_t offset;
};

/// Ops whose single kernel reads element i of an input before writing
/// element i of the output, so the output may overwrite that input.
bool inPlaceKind(OpKind k) {
  switch (k) {
  case OpKind::Abs: case OpKind::Acos: case OpKind::Acosh: case OpKind::Asin:
  case OpKind::Asinh: case OpKind::Atan: case OpKind::Atanh: case OpKind::Ceil:
  case OpKind::Celu: case OpKind::Cos: case OpKind::Cosh: case OpKind::Elu:
  case OpKind::Erf: case OpKind::Exp: case OpKind::Floor: case OpKind::HardSigmoid:
  case OpKind::HardSwish: case OpKind::LeakyRelu: case OpKind::Log: case OpKind::Neg:
  case OpKind::Not: case OpKind::Reciprocal: case OpKind::Relu: case OpKind::Round:
  case OpKind::Selu: case OpKind::Shrink: case OpKind::Sigmoid: case OpKind::Sign:
  case OpKind::Sin: case OpKind::Sinh: case OpKind::Softplus: case OpKind::Softsign:
  case OpKind::Sqrt: case OpKind::Tan: case OpKind::Tanh: case OpKind::ThresholdedRelu:
  case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div:
  case OpKind::Clip: case OpKind::Cast: case OpKind::BatchNormalization:
  case OpKind::Softmax: case OpKind::LogSoftmax: case OpKind::Hardmax:
  case OpKind::Mod: case OpKind::Pow: case OpKind::PRelu: case OpKind::BitShift:
  case OpKind::And: case OpKind::Or: case OpKind::Xor: case OpKind::Where:
    return true;
  default:
    return false;
  }
}

/// The byte offset of a contiguous slice that starts at index `start` of
/// axis `axis` of `shape`, if slicing that axis keeps the data contiguous
/// (every dim before it is 1); -1 otherwise.
int64_t outerSliceOffset(llvm::ArrayRef<int64_t> shape, int64_t axis, int64_t start,
                         size_t elemSize) {
  for (int64_t d = 0; d < axis; ++d)
    if (shape[d] != 1)
      return -1;
  return start * numElements(shape.drop_front(axis + 1)) * static_cast<int64_t>(elemSize);
}

class Planner {
public:
  Planner(const Graph &g, llvm::ArrayRef<Lowering> lowerings, const PlanOptions &opts)
      : g(g), nodes(g.nodes()), lowerings(lowerings), opts(opts) {}

  llvm::Expected<MemoryPlan> run();

private:
  void computeLastUses();
  void assignSlots();
  size_t newBlock(const Value *v, int step);
  void join(const Value *v, const Value *into, int64_t offset, bool view = false);
  bool tryInPlace(int step);
  bool tryOuterSlice(int step);
  void tryConcatInPlace(int step);
  void addScratch(int step);
  void computeLiveness();
  int64_t placeOrder(const std::vector<size_t> &order, size_t region,
                     std::vector<int64_t> &offsets) const;
  int64_t placeRegion(size_t region);
  llvm::Error assignRegions();
  llvm::Error doesNotFit(size_t region) const;
  MemoryPlan finish();

  const Graph &g;
  std::vector<Node *> nodes;
  llvm::ArrayRef<Lowering> lowerings;
  const PlanOptions &opts;
  int lastStep = 0;

  llvm::DenseMap<const Value *, int> lastUse, defStep;
  std::vector<Block> blocks;
  llvm::DenseMap<const Value *, Slot> slots;
  llvm::DenseSet<const Value *> views; ///< values no kernel writes
  std::vector<const Value *> order; ///< values in placement-record order
  std::vector<std::pair<ScratchKey, size_t>> scratch;
  std::set<int> elidedSteps;
  std::set<std::pair<int, int>> elidedCalls;
  std::vector<PlannedRegion> regions;
  int64_t lowerBound = 0;
  int peakStep = 0;
};

void Planner::computeLastUses() {
  for (const Value *v : g.inputs()) {
    defStep[v] = 0;
    lastUse[v] = 0;
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const Value *in : nodes[i]->inputs())
      if (in && !in->isConstant())
        lastUse[in] = std::max(lastUse.lookup(in), static_cast<int>(i));
    for (const Value *out : nodes[i]->outputs()) {
      defStep[out] = static_cast<int>(i);
      if (!lastUse.count(out))
        lastUse[out] = static_cast<int>(i);
    }
  }
  for (const Value *v : g.outputs())
    if (!v->isConstant())
      lastUse[v] = lastStep;
}

size_t Planner::newBlock(const Value *v, int step) {
  Block b;
  b.name = v->name();
  b.size = static_cast<int64_t>(v->byteSize());
  b.first = step;
  b.holdsInput = g.isGraphInput(v);
  blocks.push_back(b);
  slots[v] = Slot{blocks.size() - 1, 0};
  order.push_back(v);
  return blocks.size() - 1;
}

void Planner::join(const Value *v, const Value *into, int64_t offset, bool view) {
  if (view)
    views.insert(v);
  Slot s = slots.lookup(into);
  slots[v] = Slot{s.block, s.offset + offset};
  order.push_back(v);
}

/// The last step any value in block `b` is read (values joined so far).
static int blockLastUse(const std::vector<const Value *> &members,
                        const llvm::DenseMap<const Value *, int> &lastUse) {
  int last = 0;
  for (const Value *v : members)
    last = std::max(last, lastUse.lookup(v));
  return last;
}

bool Planner::tryInPlace(int step) {
  const Node *n = nodes[step];
  const Lowering &l = lowerings[step];
  // Precondition: a kernel known to read each element before writing it.
  if (!inPlaceKind(n->kind()) || l.calls.size() != 1 || n->numOutputs() != 1)
    return false;
  const Value *y = n->output(0);
  for (const Value *x : n->inputs()) {
    // Precondition: a non-constant input of the output's size and element
    // size, not a graph output, whose whole block dies at this step.
    if (!x || x->isConstant() || x->byteSize() != y->byteSize() ||
        dtypeSize(x->dtype()) != dtypeSize(y->dtype()) || g.isGraphOutput(x))
      continue;
    Slot s = slots.lookup(x);
    std::vector<const Value *> members;
    for (const auto &[v, slot] : slots)
      if (slot.block == s.block)
        members.push_back(v);
    bool outputInBlock = false;
    for (const Value *m : members)
      outputInBlock |= g.isGraphOutput(m);
    if (outputInBlock || blockLastUse(members, lastUse) != step)
      continue;
    // Precondition: x is read once here (a kernel may read an operand twice).
    unsigned reads = 0;
    for (const Value *in : n->inputs())
      reads += in == x;
    if (reads != 1)
      continue;
    join(y, x, 0);
    return true;
  }
  return false;
}

bool Planner::tryOuterSlice(int step) {
  const Node *n = nodes[step];
  const Value *x = n->input(0);
  if (!x || x->isConstant())
    return false;
  if (n->kind() == OpKind::Slice) {
    // Precondition: only one axis is cut, with step 1, and every dim before
    // it is 1, so the result is one contiguous run of the input.
    const Value *y = n->output(0);
    int64_t cut = -1, start = 0;
    for (int64_t d = 0; d < x->rank(); ++d) {
      if (x->shape()[d] == y->shape()[d])
        continue;
      if (cut >= 0)
        return false;
      cut = d;
    }
    if (cut < 0)
      cut = 0;
    // Find the start: the node's starts/axes/steps inputs are constant.
    std::vector<int64_t> starts = n->input(1)->intValues();
    std::vector<int64_t> axes;
    if (n->input(3))
      axes = n->input(3)->intValues();
    else
      for (size_t i = 0; i < starts.size(); ++i)
        axes.push_back(static_cast<int64_t>(i));
    std::vector<int64_t> steps(starts.size(), 1);
    if (n->input(4))
      steps = n->input(4)->intValues();
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t a = axes[i] < 0 ? axes[i] + x->rank() : axes[i];
      if (steps[i] != 1 && x->shape()[a] != 1)
        return false;
      if (a == cut) {
        int64_t dim = x->shape()[a];
        int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
        start = std::clamp<int64_t>(s, 0, dim);
      }
    }
    int64_t off = outerSliceOffset(x->shape(), cut, start, dtypeSize(x->dtype()));
    if (off < 0)
      return false;
    // Precondition: the view does not keep much more of the input alive than
    // a copy would hold.
    if (lastUse.lookup(y) > lastUse.lookup(x) && 2 * y->byteSize() < x->byteSize())
      return false;
    join(y, x, off, /*view=*/true);
    elidedSteps.insert(step);
    return true;
  }
  if (n->kind() == OpKind::Split) {
    int64_t axis = n->getInt("axis", 0);
    if (axis < 0)
      axis += x->rank();
    int64_t at = 0;
    if (outerSliceOffset(x->shape(), axis, 0, dtypeSize(x->dtype())) < 0)
      return false;
    for (const Value *y : n->outputs()) {
      join(y, x, outerSliceOffset(x->shape(), axis, at, dtypeSize(x->dtype())), /*view=*/true);
      at += y->shape()[axis];
    }
    elidedSteps.insert(step);
    return true;
  }
  return false;
}

void Planner::tryConcatInPlace(int step) {
  const Node *n = nodes[step];
  const Value *y = n->output(0);
  int64_t axis = n->getInt("axis", 0);
  if (axis < 0)
    axis += y->rank();
  if (outerSliceOffset(y->shape(), axis, 0, dtypeSize(y->dtype())) < 0) {
    newBlock(y, step); // the inputs are interleaved in the output: copy them
    return;
  }
  // The lowering copies each non-empty input with one call, in input order;
  // map inputs to their calls (and give up if the lowering is not that).
  const std::vector<KernelCall> &calls = lowerings[step].calls;
  std::vector<int> callOf(n->numInputs(), -1);
  size_t next = 0;
  for (unsigned i = 0; i < n->numInputs(); ++i) {
    const Value *x = n->input(i);
    if (!x || x->byteSize() == 0)
      continue;
    if (next >= calls.size() || calls[next].args.empty() || calls[next].args[0].value != x) {
      newBlock(y, step);
      return;
    }
    callOf[i] = static_cast<int>(next++);
  }
  // Which inputs can move into the output: those whose block holds exactly
  // them (with their views and in-place predecessors, all the same bytes),
  // and no graph input. Their whole block moves into the output's.
  std::vector<bool> moves(n->numInputs(), false);
  std::set<size_t> taken;
  for (unsigned i = 0; i < n->numInputs(); ++i) {
    const Value *x = n->input(i);
    if (!x || x->isConstant() || g.isGraphInput(x) || x->byteSize() == 0)
      continue;
    Slot s = slots.lookup(x);
    const Block &b = blocks[s.block];
    if (b.holdsInput || s.offset != 0 || b.size != static_cast<int64_t>(x->byteSize()) ||
        taken.count(s.block))
      continue;
    taken.insert(s.block);
    moves[i] = true;
  }
  size_t out = newBlock(y, step);
  int64_t offset = 0;
  for (unsigned i = 0; i < n->numInputs(); ++i) {
    const Value *x = n->input(i);
    if (moves[i]) {
      size_t from = slots.lookup(x).block;
      for (auto &[v, slot] : slots)
        if (slot.block == from) {
          slot.block = out;
          slot.offset += offset;
        }
      blocks[out].first = std::min(blocks[out].first, blocks[from].first);
      blocks[from].size = 0; // emptied
      elidedCalls.insert({step, callOf[i]});
    }
    offset += static_cast<int64_t>(x ? x->byteSize() : 0);
  }
  bool all = true;
  for (size_t c = 0; c < calls.size(); ++c)
    all &= elidedCalls.count({step, static_cast<int>(c)}) != 0;
  if (all)
    elidedSteps.insert(step);
}

void Planner::addScratch(int step) {
  const Node *n = nodes[step];
  for (size_t c = 0; c < lowerings[step].calls.size(); ++c) {
    const KernelCall &call = lowerings[step].calls[c];
    for (size_t a = 0; a < call.args.size(); ++a) {
      if (call.args[a].kind != KernelArg::Kind::Scratch)
        continue;
      Block b;
      b.name = n->name() + ".scratch" + std::to_string(scratch.size());
      b.size = call.args[a].scratchBytes;
      b.first = b.last = step;
      blocks.push_back(b);
      scratch.push_back({ScratchKey{step, static_cast<int>(c), static_cast<int>(a)},
                         blocks.size() - 1});
    }
  }
}

void Planner::assignSlots() {
  for (const Value *v : g.inputs())
    newBlock(v, 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    int step = static_cast<int>(i);
    const Node *n = nodes[i];
    const Lowering &l = lowerings[i];
    if (l.isView) {
      join(n->output(0), n->input(0), 0, /*view=*/true);
      for (unsigned o = 1; o < n->numOutputs(); ++o)
        newBlock(n->output(o), step);
      elidedSteps.insert(step);
    } else if ((n->kind() == OpKind::Slice || n->kind() == OpKind::Split) &&
               tryOuterSlice(step)) {
    } else if (n->kind() == OpKind::Concat) {
      tryConcatInPlace(step);
    } else if (!tryInPlace(step)) {
      for (const Value *out : n->outputs())
        newBlock(out, step);
    } else {
      for (unsigned o = 1; o < n->numOutputs(); ++o)
        newBlock(n->output(o), step);
    }
    addScratch(step);
  }
}

void Planner::computeLiveness() {
  for (const auto &[v, slot] : slots) {
    Block &b = blocks[slot.block];
    b.first = std::min(b.first, defStep.lookup(v));
    b.last = std::max(b.last, lastUse.lookup(v));
  }
  for (int s = 0; s <= lastStep; ++s) {
    int64_t live = 0;
    for (const Block &b : blocks)
      if (b.first <= s && s <= b.last)
        live += b.size;
    if (live > lowerBound) {
      lowerBound = live;
      peakStep = s;
    }
  }
}

int64_t Planner::placeOrder(const std::vector<size_t> &ord, size_t region,
                            std::vector<int64_t> &offsets) const {
  int64_t align = regions[region].spec.alignment;
  int64_t top = 0;
  std::vector<size_t> placed;
  std::vector<std::pair<int64_t, int64_t>> busy;
  for (size_t bi : ord) {
    const Block &b = blocks[bi];
    if (b.size == 0) {
      offsets[bi] = 0;
      continue;
    }
    busy.clear();
    for (size_t pi : placed) {
      const Block &o = blocks[pi];
      if (o.first <= b.last && b.first <= o.last)
        busy.push_back({offsets[pi], offsets[pi] + o.size});
    }
    std::sort(busy.begin(), busy.end());
    int64_t at = 0;
    for (auto [lo, hi] : busy) {
      if (at + b.size <= lo)
        break;
      at = std::max(at, alignUp(hi, align));
    }
    offsets[bi] = at;
    top = std::max(top, at + b.size);
    placed.push_back(bi);
  }
  return alignUp(top, align);
}

int64_t Planner::placeRegion(size_t region) {
  std::vector<size_t> members;
  int64_t bound = 0;
  for (size_t i = 0; i < blocks.size(); ++i)
    if (blocks[i].region == region)
      members.push_back(i);
  for (int s = 0; s <= lastStep; ++s) {
    int64_t live = 0;
    for (size_t i : members)
      if (blocks[i].first <= s && s <= blocks[i].last)
        live += blocks[i].size;
    bound = std::max(bound, live);
  }
  bound = alignUp(bound, regions[region].spec.alignment);
  auto byName = [&](size_t a, size_t b) { return blocks[a].name < blocks[b].name; };
  auto sorted = [&](auto key) {
    std::vector<size_t> o = members;
    std::stable_sort(o.begin(), o.end(), [&](size_t a, size_t b) {
      auto ka = key(blocks[a]), kb = key(blocks[b]);
      if (ka != kb)
        return ka > kb;
      if (blocks[a].first != blocks[b].first)
        return blocks[a].first < blocks[b].first;
      return byName(a, b);
    });
    return o;
  };
  std::vector<std::vector<size_t>> candidates = {
      sorted([](const Block &b) { return b.size; }),
      sorted([](const Block &b) { return -b.first; }),
      sorted([](const Block &b) { return b.last - b.first; }),
      sorted([](const Block &b) { return b.size * (b.last - b.first + 1); }),
  };
  std::vector<int64_t> best(blocks.size(), 0), trial(blocks.size(), 0);
  int64_t bestSize = -1;
  auto consider = [&](const std::vector<size_t> &o) {
    int64_t size = placeOrder(o, region, trial);
    if (bestSize < 0 || size < bestSize) {
      bestSize = size;
      for (size_t i : members)
        best[i] = trial[i];
    }
  };
  for (const auto &o : candidates) {
    consider(o);
    if (bestSize <= bound)
      break;
  }
  // Improving search: perturb the greedy order with a fixed-seed generator.
  uint64_t state = 0x9E3779B97F4A7C15ull ^ members.size();
  auto next = [&]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int rounds = members.size() > 400 ? opts.searchRounds / 8 : opts.searchRounds;
  std::vector<size_t> o = candidates[0];
  for (int r = 0; r < rounds && bestSize > bound && o.size() > 1; ++r) {
    // Swap a few neighbours (keeps the largest-first shape mostly).
    std::vector<size_t> p = o;
    for (int k = 0; k < 3; ++k) {
      size_t i = next() % (p.size() - 1);
      std::swap(p[i], p[i + 1]);
    }
    int64_t before = bestSize;
    consider(p);
    if (bestSize < before)
      o = p;
  }
  for (size_t i : members)
    blocks[i].offset = best[i];
  regions[region].used = bestSize < 0 ? 0 : bestSize;
  return regions[region].used;
}

llvm::Error Planner::doesNotFit(size_t region) const {
  const RegionSpec &r = regions[region].spec;
  // The tensors live at the peak step, largest first.
  std::vector<std::pair<int64_t, std::string>> live;
  for (const auto &[v, slot] : slots) {
    const Block &b = blocks[slot.block];
    if (slot.offset == 0 && b.name == v->name() && b.first <= peakStep && peakStep <= b.last)
      live.push_back({b.size, v->name() + " " + v->typeString()});
  }
  for (const Block &b : blocks)
    if (b.first == b.last && b.first == peakStep && b.name.find(".scratch") != std::string::npos)
      live.push_back({b.size, b.name});
  std::sort(live.begin(), live.end(), [](const auto &a, const auto &b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::string list;
  for (size_t i = 0; i < live.size() && i < 8; ++i)
    list += (i ? ", " : "") + live[i].second + " (" + withCommas(live[i].first) + " B)";
  if (live.size() > 8)
    list += ", and " + std::to_string(live.size() - 8) + " more";
  std::string where =
      nodes.empty() ? std::string("the inputs")
                    : "step " + std::to_string(peakStep) + ", " + nodeSubject(*nodes[peakStep]);
  return makeError("the model needs " + withCommas(lowerBound) +
                   " B of RAM at its peak, more than the " + withCommas(r.size) +
                   " B of region '" + r.name + "'" +
                   (regions.size() > 1 ? " and the regions before it" : "") + "; at " + where +
                   " these tensors are live: " + list);
}

llvm::Error Planner::assignRegions() {
  for (size_t r = 0; r < regions.size(); ++r) {
    while (true) {
      int64_t used = placeRegion(r);
      const RegionSpec &spec = regions[r].spec;
      if (spec.size < 0 || used <= spec.size)
        break;
      if (r + 1 == regions.size())
        return doesNotFit(r);
      // Move the largest block to the next region (small ones stay fast).
      size_t pick = blocks.size();
      for (size_t i = 0; i < blocks.size(); ++i)
        if (blocks[i].region == r && blocks[i].size > 0 &&
            (pick == blocks.size() || blocks[i].size > blocks[pick].size ||
             (blocks[i].size == blocks[pick].size && blocks[i].name < blocks[pick].name)))
          pick = i;
      if (pick == blocks.size())
        return doesNotFit(r);
      blocks[pick].region = r + 1;
    }
  }
  return llvm::Error::success();
}

MemoryPlan Planner::finish() {
  MemoryPlan plan;
  plan.regions = regions;
  for (const PlannedRegion &r : regions)
    plan.arenaSize += r.used;
  plan.lowerBound = lowerBound;
  plan.peakStep = peakStep;
  plan.elidedSteps = elidedSteps;
  plan.elidedCalls = elidedCalls;
  // A block's root: the value the block was made for.
  std::map<size_t, const Value *> roots;
  for (const Value *v : order) {
    Slot s = slots.lookup(v);
    if (!roots.count(s.block) && blocks[s.block].name == v->name())
      roots[s.block] = v;
  }
  auto add = [&](const Value *v) {
    if (plan.index.count(v))
      return;
    assert(slots.count(v) && "a value was given no storage");
    Slot s = slots.lookup(v);
    const Block &b = blocks[s.block];
    const Value *root = roots.count(s.block) ? roots[s.block] : nullptr;
    Placement p{v,        v->name(), b.region, b.offset + s.offset,
                static_cast<int64_t>(v->byteSize()), defStep.lookup(v), lastUse.lookup(v),
                root == v ? nullptr : root, views.count(v) != 0};
    plan.index[v] = plan.tensors.size();
    plan.tensors.push_back(p);
  };
  for (const Value *v : g.inputs())
    add(v);
  for (const Node *n : nodes)
    for (const Value *v : n->outputs())
      add(v);
  for (const auto &[key, bi] : scratch) {
    const Block &b = blocks[bi];
    plan.scratchIndex[key] = plan.tensors.size();
    plan.tensors.push_back(
        {nullptr, b.name, b.region, b.offset, b.size, b.first, b.last, nullptr, false});
  }
  return plan;
}

llvm::Expected<MemoryPlan> Planner::run() {
  assert(nodes.size() == lowerings.size() && "one lowering per node");
  assert(!opts.regions.empty() && "at least one region");
  lastStep = nodes.empty() ? 0 : static_cast<int>(nodes.size()) - 1;
  for (const RegionSpec &r : opts.regions)
    regions.push_back(PlannedRegion{r, 0});
  computeLastUses();
  assignSlots();
  computeLiveness();
  if (auto e = assignRegions())
    return e;
  return finish();
}

} // namespace

llvm::Expected<MemoryPlan> planMemory(const Graph &g, llvm::ArrayRef<Lowering> lowerings,
                                      const PlanOptions &opts) {
  return Planner(g, lowerings, opts).run();
}

llvm::Error validatePlan(const Graph &g, const MemoryPlan &plan) {
  // Storage roots: a tensor's own name, or the root it aliases.
  auto rootOf = [](const Placement &p) { return p.aliasOf ? p.aliasOf : p.value; };
  for (const Placement &p : plan.tensors) {
    const PlannedRegion &r = plan.regions[p.region];
    if (p.offset % r.spec.alignment != 0 && p.size > 0 && !p.aliasOf)
      return makeError("tensor '" + p.name + "' at offset " + llvm::Twine(p.offset) +
                       " breaks the alignment of region '" + r.spec.name + "'");
    if (p.offset < 0 || p.offset + p.size > r.used)
      return makeError("tensor '" + p.name + "' lies outside region '" + r.spec.name + "'");
  }
  for (size_t i = 0; i < plan.tensors.size(); ++i)
    for (size_t j = i + 1; j < plan.tensors.size(); ++j) {
      const Placement &a = plan.tensors[i], &b = plan.tensors[j];
      if (a.region != b.region || a.size == 0 || b.size == 0)
        continue;
      bool bytes = a.offset < b.offset + b.size && b.offset < a.offset + a.size;
      bool steps = a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;
      if (!bytes || !steps)
        continue;
      // Shared storage by design: one range inside the other in the same
      // block (a view, a Concat input), one tensor ending at the step the
      // other starts (in place), or two views reading the same bytes.
      bool sameRoot = a.value && b.value && rootOf(a) == rootOf(b);
      bool nested = (a.offset <= b.offset && b.offset + b.size <= a.offset + a.size) ||
                    (b.offset <= a.offset && a.offset + a.size <= b.offset + b.size);
      bool handover = a.lastStep == b.firstStep || b.lastStep == a.firstStep;
      if (sameRoot && (nested || handover || (a.view && b.view)))
        continue;
      return makeError("tensors '" + a.name + "' and '" + b.name +
                       "' overlap in memory while both are live");
    }
  (void)g;
  return llvm::Error::success();
}

std::string planSvg(const Graph &g, const MemoryPlan &plan) {
  // Layout: one panel per region, steps across (16 px each), bytes up,
  // scaled so the region's arena is 240 px tall.
  int steps = std::max<int>(1, static_cast<int>(g.numNodes()));
  const int stepW = std::max(4, std::min(16, 960 / steps)), panelH = 240, margin = 40;
  int width = margin * 2 + steps * stepW;
  int height = margin + static_cast<int>(plan.regions.size()) * (panelH + margin);
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                "font-family=\"monospace\" font-size=\"10\">\n",
                width, height);
  s += buf;
  for (size_t r = 0; r < plan.regions.size(); ++r) {
    const PlannedRegion &reg = plan.regions[r];
    int y0 = margin + static_cast<int>(r) * (panelH + margin);
    double scale = reg.used > 0 ? double(panelH) / double(reg.used) : 0.0;
    std::snprintf(buf, sizeof(buf),
                  "<text x=\"%d\" y=\"%d\">region %s: %lld B used (steps across, addresses "
                  "up; the dashed line is the peak)</text>\n",
                  margin, y0 - 8, reg.spec.name.c_str(), static_cast<long long>(reg.used));
    s += buf;
    std::snprintf(buf, sizeof(buf),
                  "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                  "stroke=\"black\"/>\n",
                  margin, y0, steps * stepW, panelH);
    s += buf;
    for (const Placement &p : plan.tensors) {
      if (p.region != r || p.size == 0 || p.aliasOf)
        continue;
      // Storage blocks: the root tensor's box spans the block's live range.
      int first = p.firstStep, last = p.lastStep;
      for (const Placement &q : plan.tensors)
        if (q.aliasOf && q.aliasOf == p.value) {
          first = std::min(first, q.firstStep);
          last = std::max(last, q.lastStep);
        }
      double top = double(p.offset + p.size) * scale, bottom = double(p.offset) * scale;
      unsigned hue = 0;
      for (char c : p.name)
        hue = hue * 31 + static_cast<unsigned char>(c);
      std::string name;
      for (char c : p.name)
        name += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;")
                                                : c == '"' ? std::string("&quot;")
                                                           : std::string(1, c);
      std::snprintf(buf, sizeof(buf),
                    "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
                    "fill=\"hsl(%u,60%%,75%%)\" stroke=\"black\" stroke-width=\"0.5\">"
                    "<title>%s: %lld B at %lld, steps %d-%d</title></rect>\n",
                    margin + first * stepW, y0 + panelH - top, (last - first + 1) * stepW,
                    std::max(0.5, top - bottom), hue % 360, name.c_str(),
                    static_cast<long long>(p.size), static_cast<long long>(p.offset), first,
                    last);
      s += buf;
    }
    std::snprintf(buf, sizeof(buf),
                  "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"red\" "
                  "stroke-dasharray=\"4,2\"/>\n",
                  margin + plan.peakStep * stepW + stepW / 2, y0,
                  margin + plan.peakStep * stepW + stepW / 2, y0 + panelH);
    s += buf;
  }
  s += "</svg>\n";
  return s;
}

} // namespace tinymlc
