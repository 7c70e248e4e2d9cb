//===- MemoryPlanTest.cpp - static placement of tensors in the arena ------===//
//
// Small graphs are lowered node by node (lowerNode) and planned. The greedy
// planner sorts by size (largest first), then first step, then name, so the
// offsets below are worked out by hand from that order.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "passes/Kernel.h"
#include "passes/MemoryPlan.h"

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

struct Planned {
  std::unique_ptr<Graph> graph;
  MemoryPlan plan;

  const Placement &of(llvm::StringRef name) const {
    const Value *v = graph->findValue(name);
    REQUIRE(v);
    return plan.of(v);
  }
};

Planned planText(llvm::StringRef text) {
  Planned p;
  p.graph = parse(text);
  REQUIRE(p.graph);
  std::vector<Lowering> lowerings;
  for (const Node *n : p.graph->nodes()) {
    auto l = lowerNode(*n);
    REQUIRE(l);
    lowerings.push_back(std::move(*l));
  }
  p.plan = planMemory(*p.graph, lowerings);
  return p;
}

/// Two placements overlap in both bytes and steps.
bool conflict(const Placement &a, const Placement &b) {
  bool bytes = a.offset < b.offset + b.size && b.offset < a.offset + a.size;
  bool steps = a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;
  return bytes && steps && a.size > 0 && b.size > 0;
}

// A chain of four elementwise ops on 20-byte tensors (f32[1,5]):
//   x live [0,0], a [0,1], b [1,2], c [2,3], d [3,3] (d is the output).
// All the same size, so the order is by first step, then name: a, x, b, c, d.
//   a -> 0; x overlaps a -> align(20) = 32; b overlaps a -> 32;
//   c overlaps b only -> 0; d overlaps c only -> 32.
// The most bytes live at one step is 40; the arena is align(52) = 64.
const char *kChain = R"(graph @g {
  input %x: f32[1,5]
  %a = Relu "r1"(%x): f32[1,5]
  %b = Neg "n1"(%a): f32[1,5]
  %c = Abs "a1"(%b): f32[1,5]
  %d = Relu "r2"(%c): f32[1,5]
  output %d
}
)";

} // namespace

TEST_CASE("tensors with disjoint lifetimes share offsets") {
  Planned p = planText(kChain);
  CHECK(p.of("x").offset == 32);
  CHECK(p.of("a").offset == 0);
  CHECK(p.of("b").offset == 32);
  CHECK(p.of("c").offset == 0);
  CHECK(p.of("d").offset == 32);
  CHECK(p.of("a").firstStep == 0);
  CHECK(p.of("a").lastStep == 1);
  CHECK(p.of("x").lastStep == 0);
  CHECK(p.plan.lowerBound == 40);
  CHECK(p.plan.arenaSize == 64);
}

TEST_CASE("every offset is 16-byte aligned, the arena too, and no live tensors overlap") {
  // Sizes 12, 28, 12, 28, 52, 20 and 20 bytes.
  Planned p = planText(R"(graph @g {
  input %x: f32[3]
  input %w: f32[7]
  const %st: i64[1] = [2]
  const %en: i64[1] = [7]
  %a = Relu "r"(%x): f32[3]
  %b = Abs "abs"(%w): f32[7]
  %c = Concat "cat"(%a, %b, %a) {axis = 0}: f32[13]
  %s = Slice "s"(%c, %st, %en): f32[5]
  %d = Neg "n"(%s): f32[5]
  output %d
  output %a
}
)");
  const MemoryPlan &plan = p.plan;
  CHECK(plan.alignment == 16);
  CHECK(plan.arenaSize % 16 == 0);
  REQUIRE(plan.tensors.size() == 7);
  for (const Placement &t : plan.tensors) {
    INFO(t.value->name() << " at " << t.offset);
    CHECK(t.offset % 16 == 0);
    CHECK(t.offset + t.size <= plan.arenaSize);
  }
  for (size_t i = 0; i < plan.tensors.size(); ++i)
    for (size_t j = i + 1; j < plan.tensors.size(); ++j) {
      INFO(plan.tensors[i].value->name() << " and " << plan.tensors[j].value->name());
      CHECK_FALSE(conflict(plan.tensors[i], plan.tensors[j]));
    }
  // Live ranges: x [0,0], w [0,1], a [0,4] (a graph output), b [1,2],
  // c [2,3], s [3,4], d [4,4]. At step 2 (the Concat) a, b and c are live:
  // 12 + 28 + 52 = 92, more than at any other step.
  CHECK(p.of("a").lastStep == 4);
  CHECK(plan.lowerBound == 92);
  CHECK(plan.arenaSize >= plan.lowerBound);
  // Graph inputs first, then node outputs in schedule order.
  std::vector<std::string> names;
  for (const Placement &t : plan.tensors)
    names.push_back(t.value->name());
  CHECK(names == std::vector<std::string>{"x", "w", "a", "b", "c", "s", "d"});
}

TEST_CASE("a Reshape is a view that shares its input's offset") {
  Planned p = planText(R"(graph @g {
  input %x: f32[2,3]
  const %shape: i64[1] = [6]
  %a = Relu "r"(%x): f32[2,3]
  %v = Reshape "rs"(%a, %shape): f32[6]
  %y = Neg "n"(%v): f32[6]
  output %y
}
)");
  const Placement &a = p.of("a"), &v = p.of("v");
  CHECK(v.offset == a.offset);
  CHECK(v.aliasOf == p.graph->findValue("a"));
  CHECK(a.aliasOf == nullptr);
  // The storage lives until the view's last reader (step 2).
  CHECK(a.lastStep == 2);
  CHECK(v.lastStep == 2);
  CHECK(p.of("y").offset != a.offset);
  // x [0,0], a/v [0,2], y [2,2], 24 bytes each: at most 48 live at once
  CHECK(p.plan.lowerBound == 48);
  CHECK(p.plan.arenaSize == 64);
}

TEST_CASE("graph outputs stay live to the last step") {
  // a is an output computed first; b and c come after and must not reuse it.
  Planned p = planText(R"(graph @g {
  input %x: f32[4]
  %a = Relu "r"(%x): f32[4]
  %b = Neg "n"(%x): f32[4]
  %c = Abs "ab"(%b): f32[4]
  output %a
  output %c
}
)");
  const Placement &a = p.of("a"), &b = p.of("b"), &c = p.of("c");
  CHECK(a.firstStep == 0);
  CHECK(a.lastStep == 2);
  CHECK(c.lastStep == 2);
  CHECK(a.offset != b.offset);
  CHECK(a.offset != c.offset);
  CHECK(b.offset != c.offset);
  // x is read at step 1, so it is live [0,1] and cannot take c's place either
  CHECK(p.of("x").lastStep == 1);
}

TEST_CASE("the plan is deterministic") {
  Planned p1 = planText(kChain), p2 = planText(kChain);
  REQUIRE(p1.plan.tensors.size() == p2.plan.tensors.size());
  for (size_t i = 0; i < p1.plan.tensors.size(); ++i) {
    const Placement &a = p1.plan.tensors[i], &b = p2.plan.tensors[i];
    CHECK(a.value->name() == b.value->name());
    CHECK(a.offset == b.offset);
    CHECK(a.size == b.size);
    CHECK(a.firstStep == b.firstStep);
    CHECK(a.lastStep == b.lastStep);
  }
  CHECK(p1.plan.arenaSize == p2.plan.arenaSize);
  CHECK(p1.plan.lowerBound == p2.plan.lowerBound);
}
