//===- MemoryPlan.h - static placement of every tensor in memory regions --===//
//
// The planner gives every byte the generated code touches at run time a fixed
// place: graph inputs, intermediate tensors, graph outputs and kernel scratch
// all live in one arena per memory region of the target, at offsets known at
// compile time. See MemoryPlan.cpp for the algorithm.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_PASSES_MEMORYPLAN_H
#define TINYMLC_PASSES_MEMORYPLAN_H

#include "ir/Graph.h"
#include "passes/Kernel.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Error.h"
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace tinymlc {

/// A memory region the target offers, in order of preference (fastest first).
struct RegionSpec {
  std::string name = "ram";
  int64_t size = -1; ///< bytes available; -1: no limit
  int64_t alignment = 16;
};

struct PlanOptions {
  /// At least one region; tensors go to the first that has room.
  std::vector<RegionSpec> regions = {RegionSpec{}};
  /// Steps of the improving search after the greedy placement (0: greedy only).
  /// The search is deterministic: it depends on the graph only, never on time.
  int searchRounds = 64;
};

/// Where one tensor lives. Tensors that share storage (views, in-place
/// results, inputs written straight into a Concat's output) name the root of
/// their storage in `aliasOf`. Kernel scratch has no value: `name` names it
/// ("<node>.scratch<k>").
struct Placement {
  const Value *value; ///< null for scratch
  std::string name;
  size_t region;   ///< index into MemoryPlan::regions
  int64_t offset;  ///< bytes from the start of the region's arena
  int64_t size;
  int firstStep, lastStep; ///< schedule steps the tensor itself is live
  const Value *aliasOf;    ///< null if the tensor owns its storage
  bool view = false;       ///< no kernel writes it: it reads bytes another tensor holds
};

/// Identifies one scratch argument: node step, call index, argument index.
struct ScratchKey {
  int step, call, arg;
  bool operator<(const ScratchKey &o) const {
    return std::tie(step, call, arg) < std::tie(o.step, o.call, o.arg);
  }
};

struct PlannedRegion {
  RegionSpec spec;
  int64_t used = 0; ///< arena bytes, a multiple of the alignment
};

struct MemoryPlan {
  std::vector<PlannedRegion> regions;
  /// All regions together.
  int64_t arenaSize = 0;
  /// The largest total of bytes live at one step, counting storage shared by
  /// views and in-place results once: no placement of this schedule with this
  /// sharing can use less.
  int64_t lowerBound = 0;
  /// The step where that peak occurs.
  int peakStep = 0;
  /// Graph inputs first, then node outputs in schedule order, then scratch.
  std::vector<Placement> tensors;
  llvm::DenseMap<const Value *, size_t> index;
  std::map<ScratchKey, size_t> scratchIndex;
  /// Steps whose node needs no code: its outputs already are where the plan
  /// put them (views, Concat inputs written in place, outer-axis slices).
  std::set<int> elidedSteps;
  /// Kernel calls (step, call) that need not run for the same reason.
  std::set<std::pair<int, int>> elidedCalls;

  const Placement &of(const Value *v) const {
    auto it = index.find(v);
    assert(it != index.end() && "value has no placement");
    return tensors[it->second];
  }
  const Placement &scratch(const ScratchKey &k) const { return tensors.at(scratchIndex.at(k)); }
  /// Alignment of every offset (the largest region alignment).
  int64_t alignment() const;
};

/// Plans memory for `g` (nodes in schedule order, one lowering per node).
/// Fails with a located error when the tensors do not fit the regions.
llvm::Expected<MemoryPlan> planMemory(const Graph &g, llvm::ArrayRef<Lowering> lowerings,
                                      const PlanOptions &opts = {});

/// Checks a plan independently of how it was made: every tensor inside its
/// region and aligned, and no two tensors with overlapping live ranges
/// overlapping in bytes unless they share storage by design. Used by tests.
llvm::Error validatePlan(const Graph &g, const MemoryPlan &plan);

/// Draws the plan as SVG: steps across, addresses up, one box per storage
/// block, the peak step marked.
std::string planSvg(const Graph &g, const MemoryPlan &plan);

} // namespace tinymlc

#endif
