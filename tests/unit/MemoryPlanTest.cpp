//===- MemoryPlanTest.cpp - static placement of tensors in the arena ------===//
//
// Small graphs are lowered node by node (lowerNode) and planned; the expected
// blocks, live ranges and offsets are worked out by hand in the comments.
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

std::vector<Lowering> lowerAll(const Graph &g) {
  std::vector<Lowering> lowerings;
  for (const Node *n : g.nodes()) {
    auto l = lowerNode(*n);
    REQUIRE(l);
    lowerings.push_back(std::move(*l));
  }
  return lowerings;
}

Planned planText(llvm::StringRef text, const PlanOptions &opts = {}) {
  Planned p;
  p.graph = parse(text);
  REQUIRE(p.graph);
  auto plan = planMemory(*p.graph, lowerAll(*p.graph), opts);
  REQUIRE_MESSAGE(bool(plan), errorOf(plan.takeError()));
  p.plan = std::move(*plan);
  CHECK(errorOf(validatePlan(*p.graph, p.plan)) == "");
  return p;
}

// A chain of four elementwise ops on 20-byte tensors (f32[1,5]): each writes
// over its input, which dies there, so all five values share one block.
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

TEST_CASE("elementwise ops write over an input that dies there") {
  Planned p = planText(kChain);
  for (const char *v : {"x", "a", "b", "c", "d"}) {
    INFO(v);
    CHECK(p.of(v).offset == 0);
  }
  const Value *x = p.graph->findValue("x");
  CHECK(p.of("x").aliasOf == nullptr);
  CHECK(p.of("d").aliasOf == x);
  CHECK(p.of("a").firstStep == 0);
  CHECK(p.of("a").lastStep == 1);
  CHECK(p.of("x").lastStep == 0);
  CHECK(p.plan.lowerBound == 20);
  CHECK(p.plan.arenaSize == 32);
}

TEST_CASE("no live tensors overlap, offsets are aligned, the bound counts shared blocks once") {
  // a = Relu(x) and b = Abs(w) work in place (x and w die there). The Concat
  // cannot take its inputs' blocks (they hold graph inputs) and copies; the
  // Slice is not a view (it would keep c alive past its last use) and d
  // works in place over s. Blocks: x/a 12 B [0,4] (a is an output), w/b 28 B
  // [0,2], c 52 B [2,3], s/d 20 B [3,4]. At step 2: 12 + 28 + 52 = 92.
  // Packing a, w and c with 16-byte alignment needs 16 + 32 + 52 = 100.
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
  CHECK(plan.alignment() == 16);
  CHECK(plan.arenaSize == 112);
  CHECK(plan.lowerBound == 92);
  CHECK(plan.peakStep == 2);
  CHECK(p.of("a").lastStep == 4);
  CHECK(p.of("d").offset == p.of("s").offset);
  CHECK(plan.elidedSteps.empty());
  std::vector<std::string> names;
  for (const Placement &t : plan.tensors)
    names.push_back(t.name);
  CHECK(names == std::vector<std::string>{"x", "w", "a", "b", "c", "s", "d"});
}

TEST_CASE("a Reshape is a view that shares its input's storage") {
  // y = Add(v, v) reads v twice, so it does not write over it.
  Planned p = planText(R"(graph @g {
  input %x: f32[2,3]
  const %shape: i64[1] = [6]
  const %k: f32[2,3] = [1, 2, 3, 4, 5, 6]
  %a = Add "add"(%x, %k): f32[2,3]
  %v = Reshape "rs"(%a, %shape): f32[6]
  %y = Add "twice"(%v, %v): f32[6]
  output %y
}
)");
  const Placement &a = p.of("a"), &v = p.of("v");
  CHECK(v.offset == a.offset);
  CHECK(v.aliasOf == p.graph->findValue("x"));
  CHECK(a.lastStep == 1);
  CHECK(v.lastStep == 2);
  CHECK(p.of("y").offset != v.offset);
  CHECK(p.plan.lowerBound == 48);
  CHECK(p.plan.arenaSize == 64);
}

TEST_CASE("graph outputs stay live to the last step") {
  // x is read at steps 0 and 1: a cannot take it; b can (x dies at 1), and c
  // takes b's. a, an output computed first, keeps its own block.
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
  CHECK(b.offset == c.offset);
  CHECK(c.aliasOf == p.graph->findValue("x"));
  CHECK(p.of("x").lastStep == 1);
}

TEST_CASE("Concat inputs are produced in their slices of the output") {
  // Two 32-byte results feed a Concat on axis 1 with batch 1: each is
  // written at its offset in the 64-byte output and the Concat has no code.
  // (x is also an output, so nothing writes over it.)
  Planned p = planText(R"(graph @g {
  input %x: f32[1,8]
  const %k: f32[1,8] = [1, 1, 1, 1, 1, 1, 1, 1]
  %a = Add "add1"(%x, %k): f32[1,8]
  %b = Mul "mul1"(%x, %k): f32[1,8]
  %c = Concat "cat"(%a, %b) {axis = 1}: f32[1,16]
  %y = Neg "n"(%c): f32[1,16]
  output %y
  output %x
}
)");
  const Placement &a = p.of("a"), &b = p.of("b"), &c = p.of("c");
  CHECK(a.offset == c.offset);
  CHECK(b.offset == c.offset + 32);
  CHECK(p.plan.elidedSteps.count(2) == 1);
  CHECK(p.of("y").offset == c.offset);
  // x (32 B) and the 64-byte concat block are live together at step 1.
  CHECK(p.plan.lowerBound == 96);
}

TEST_CASE("a model that does not fit names the peak and the tensors live there") {
  auto g = parse(kChain);
  REQUIRE(g);
  PlanOptions opts;
  opts.regions[0].size = 16;
  auto plan = planMemory(*g, lowerAll(*g), opts);
  CHECK(errorOf(plan.takeError()) ==
        "the model needs 20 B of RAM at its peak, more than the 16 B of region 'ram'; at "
        "step 0, node 'r1' (Relu) these tensors are live: x f32[1,5] (20 B)");
}

TEST_CASE("blocks that overflow the fast region spill to the next, largest first") {
  // With in-place work disabled by two readers, x (32 B) and a (16 B) are
  // live together; a 16-byte fast region keeps the small one.
  PlanOptions opts;
  opts.regions = {RegionSpec{"dtcm", 16, 16}, RegionSpec{"sram", -1, 16}};
  Planned p = planText(R"(graph @g {
  input %x: f32[8]
  const %st: i64[1] = [0]
  const %en: i64[1] = [4]
  %a = Slice "s"(%x, %st, %en): f32[4]
  %y = Add "twice"(%a, %a): f32[4]
  output %y
}
)",
                       opts);
  CHECK(p.plan.regions[0].spec.name == "dtcm");
  CHECK(p.of("x").region == 1);
  CHECK(p.plan.regions[0].used <= 16);
}

TEST_CASE("the plan is deterministic") {
  Planned p1 = planText(kChain), p2 = planText(kChain);
  REQUIRE(p1.plan.tensors.size() == p2.plan.tensors.size());
  for (size_t i = 0; i < p1.plan.tensors.size(); ++i) {
    const Placement &a = p1.plan.tensors[i], &b = p2.plan.tensors[i];
    CHECK(a.name == b.name);
    CHECK(a.offset == b.offset);
    CHECK(a.size == b.size);
    CHECK(a.firstStep == b.firstStep);
    CHECK(a.lastStep == b.lastStep);
  }
  CHECK(p1.plan.arenaSize == p2.plan.arenaSize);
  CHECK(p1.plan.lowerBound == p2.plan.lowerBound);
}
