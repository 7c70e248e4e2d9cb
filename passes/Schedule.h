//===- Schedule.h - an operator order that lowers peak memory -------------===//
#ifndef TINYMLC_PASSES_SCHEDULE_H
#define TINYMLC_PASSES_SCHEDULE_H

#include "passes/MemoryPlan.h"

namespace tinymlc {

/// Reorders the nodes of `g` (and `lowerings`, parallel to them) into the
/// topological order whose memory plan is smallest among a few candidates:
/// - the order as imported;
/// - greedy list scheduling: among the ready nodes, the one that adds the
///   fewest bytes to what is live (outputs made minus inputs freed);
/// - depth first from the outputs, each node's inputs computed largest
///   working set first, so one branch finishes before the next starts.
/// Each candidate is planned for real; ties keep the earlier candidate, so the
/// result is deterministic and never worse than the imported order.
/// Returns the number of candidates that were tried.
llvm::Expected<int> scheduleForMemory(Graph &g, std::vector<Lowering> &lowerings,
                                      const PlanOptions &opts);

} // namespace tinymlc

#endif
