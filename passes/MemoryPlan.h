//===- MemoryPlan.h - static placement of every tensor in one arena -------===//
#ifndef TINYMLC_PASSES_MEMORYPLAN_H
#define TINYMLC_PASSES_MEMORYPLAN_H

#include "ir/Graph.h"
#include "passes/Kernel.h"
#include "llvm/ADT/DenseMap.h"
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace tinymlc {

/// Where one tensor lives. Views share their source's storage. Kernel scratch
/// has no value: `scratchName` names it ("<node>.scratch<k>").
struct Placement {
  const Value *value;
  int64_t offset;
  int64_t size;
  int firstStep, lastStep; ///< schedule steps (node indices) the bytes are live
  const Value *aliasOf;    ///< the tensor whose storage a view reuses; null if none
  std::string scratchName; ///< for kernel scratch (value is null)
};

/// Identifies one scratch argument: node step, call index, argument index.
struct ScratchKey {
  int step, call, arg;
  bool operator<(const ScratchKey &o) const {
    return std::tie(step, call, arg) < std::tie(o.step, o.call, o.arg);
  }
};

struct MemoryPlan {
  int64_t arenaSize = 0;
  int64_t alignment = 16;
  /// The largest total of bytes live at one step: no plan of this schedule
  /// can use less.
  int64_t lowerBound = 0;
  /// Every arena tensor: graph inputs first, then node outputs in schedule order.
  std::vector<Placement> tensors;
  llvm::DenseMap<const Value *, size_t> index;
  /// Scratch arguments -> index into `tensors`.
  std::map<ScratchKey, size_t> scratchIndex;

  const Placement &of(const Value *v) const {
    auto it = index.find(v);
    assert(it != index.end() && "value has no placement");
    return tensors[it->second];
  }
};

/// Plans the arena for `g` (nodes in schedule order, lowerings parallel to
/// them): liveness per tensor, views merged with their source, then offsets by
/// greedy first fit over tensors sorted by size (largest first; ties by first
/// step, then name, so the plan is deterministic).
MemoryPlan planMemory(const Graph &g, llvm::ArrayRef<Lowering> lowerings);

} // namespace tinymlc

#endif
