//===- PlannerPropertyTest.cpp - random graphs, planned and run in the arena ===//
//
// Random graphs (chains, diamonds, concats, in-place chains, views, outer
// slices and splits) are scheduled, planned, checked by the independent
// validator, and then run the way the generated code runs them: every tensor
// at its planned offset in one arena, elided nodes and calls skipped. The
// outputs must equal the evaluator's, which gives every value its own buffer.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "ir/ShapeInference.h"
#include "passes/Evaluator.h"
#include "passes/Kernel.h"
#include "passes/MemoryPlan.h"
#include "passes/Schedule.h"
#include "ir/Verifier.h"
#include <cstring>
#include <random>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

std::vector<uint8_t> floats(const std::vector<float> &v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<uint8_t> ints(const std::vector<int64_t> &v) {
  std::vector<uint8_t> b(v.size() * 8);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

/// Builds a random graph of f32[1,C,4] tensors (C in 1..4).
std::unique_ptr<Graph> randomGraph(std::mt19937 &rng, int numNodes) {
  auto g = std::make_unique<Graph>();
  std::vector<Value *> pool;
  auto pick = [&]() { return pool[rng() % pool.size()]; };
  int inputs = 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < inputs; ++i) {
    Value *x = g->addValue("in" + std::to_string(i), DType::F32, {1, 1 + int64_t(rng() % 4), 4});
    g->inputs().push_back(x);
    pool.push_back(x);
  }
  for (int k = 0; k < numNodes; ++k) {
    std::string name = "n" + std::to_string(k);
    Value *a = pick();
    Node *n = nullptr;
    Value *y = g->addValue(name, DType::F32, {});
    switch (rng() % 8) {
    case 0:
    case 1: {
      static const OpKind unary[] = {OpKind::Relu, OpKind::Neg, OpKind::Abs, OpKind::Sigmoid};
      n = g->addNode(unary[rng() % 4], name, {a}, {y});
      break;
    }
    case 2: {
      // Add with an operand of the same shape if there is one, else a constant.
      Value *b = nullptr;
      for (Value *v : pool)
        if (v != a && v->shape() == a->shape() && rng() % 2)
          b = v;
      if (!b) {
        std::vector<float> c(static_cast<size_t>(a->numElements()));
        for (float &f : c)
          f = static_cast<float>(rng() % 7) - 3.0f;
        b = g->addConstant(name + "_c", DType::F32, a->shape(), floats(c));
      }
      n = g->addNode(rng() % 2 ? OpKind::Add : OpKind::Mul, name, {a, b}, {y});
      break;
    }
    case 3: {
      // Concat of two or three values along the channel axis.
      std::vector<Value *> ins = {a, pick()};
      if (rng() % 2)
        ins.push_back(pick());
      n = g->addNode(OpKind::Concat, name, ins, {y});
      n->setAttr("axis", int64_t(1));
      break;
    }
    case 4: {
      // A reshape view to [C, 4] and back through a unary op later.
      Value *shape = g->addConstant(name + "_s", DType::I64, {2},
                                    ints({a->shape()[1], 4}));
      n = g->addNode(OpKind::Reshape, name, {a, shape}, {y});
      if (inferNode(*n))
        return nullptr;
      Value *z = g->addValue(name + "_back", DType::F32, {});
      Value *shape3 = g->addConstant(name + "_s3", DType::I64, {3},
                                     ints({1, a->shape()[1], 4}));
      n = g->addNode(OpKind::Reshape, name + "_back", {y, shape3}, {z});
      y = z;
      break;
    }
    case 5: {
      // Slice of the channels [s, e).
      int64_t c = a->shape()[1];
      int64_t s = static_cast<int64_t>(rng() % c), e = s + 1 + static_cast<int64_t>(rng() % (c - s));
      Value *st = g->addConstant(name + "_st", DType::I64, {1}, ints({s}));
      Value *en = g->addConstant(name + "_en", DType::I64, {1}, ints({e}));
      Value *ax = g->addConstant(name + "_ax", DType::I64, {1}, ints({1}));
      n = g->addNode(OpKind::Slice, name, {a, st, en, ax}, {y});
      break;
    }
    case 6: {
      // Split of the last axis into halves, one half kept.
      Value *y2 = g->addValue(name + "_b", DType::F32, {});
      n = g->addNode(OpKind::Split, name, {a}, {y, y2});
      n->setAttr("axis", int64_t(2));
      if (inferNode(*n))
        return nullptr;
      Value *z = g->addValue(name + "_cat", DType::F32, {});
      n = g->addNode(OpKind::Concat, name + "_cat", {y2, y}, {z});
      n->setAttr("axis", int64_t(2));
      y = z;
      break;
    }
    default: {
      n = g->addNode(OpKind::Clip, name, {a}, {y});
      break;
    }
    }
    if (inferNode(*n))
      return nullptr;
    pool.push_back(y);
  }
  // Outputs: the last value and, sometimes, an earlier one.
  g->outputs().push_back(pool.back());
  if (rng() % 2 && !g->isGraphInput(pool[pool.size() / 2]))
    g->outputs().push_back(pool[pool.size() / 2]);
  return g;
}

/// Runs the graph as the generated code does: in one arena per region.
std::vector<Buffer> runInArena(const Graph &g, const std::vector<Lowering> &lowerings,
                               const MemoryPlan &plan, const std::vector<Buffer> &inputs) {
  std::vector<std::vector<uint8_t>> arenas;
  for (const PlannedRegion &r : plan.regions)
    arenas.emplace_back(static_cast<size_t>(r.used) + 16, 0xCD);
  auto at = [&](const Placement &p) { return arenas[p.region].data() + p.offset; };
  for (size_t i = 0; i < g.inputs().size(); ++i)
    std::memcpy(at(plan.of(g.inputs()[i])), inputs[i].data(), inputs[i].size());
  std::vector<Node *> nodes = g.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (lowerings[i].isView || plan.elidedSteps.count(static_cast<int>(i)))
      continue;
    for (size_t c = 0; c < lowerings[i].calls.size(); ++c) {
      if (plan.elidedCalls.count({static_cast<int>(i), static_cast<int>(c)}))
        continue;
      const KernelCall &call = lowerings[i].calls[c];
      std::vector<void *> ptrs;
      for (size_t a = 0; a < call.args.size(); ++a) {
        const KernelArg &arg = call.args[a];
        if (arg.kind == KernelArg::Kind::Null)
          ptrs.push_back(nullptr);
        else if (arg.kind == KernelArg::Kind::Scratch)
          ptrs.push_back(at(plan.scratch(ScratchKey{static_cast<int>(i), static_cast<int>(c),
                                                    static_cast<int>(a)})));
        else if (arg.value->isConstant())
          ptrs.push_back(const_cast<uint8_t *>(arg.value->bytes().data()));
        else
          ptrs.push_back(at(plan.of(arg.value)));
      }
      call.run(ptrs);
    }
  }
  std::vector<Buffer> out;
  for (const Value *v : g.outputs()) {
    const uint8_t *p = at(plan.of(v));
    out.emplace_back(p, p + v->byteSize());
  }
  return out;
}

} // namespace

TEST_CASE("random graphs: the plan is valid and the arena run matches the evaluator") {
  std::mt19937 rng(20261123);
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    auto g = randomGraph(rng, 3 + static_cast<int>(rng() % 12));
    if (!g)
      continue;
    INFO("trial " << trial << "\n" << graphToString(*g));
    REQUIRE(errorOf(verify(*g)) == "");
    std::vector<Lowering> lowerings;
    for (const Node *n : g->nodes()) {
      auto l = lowerNode(*n);
      REQUIRE(l);
      lowerings.push_back(std::move(*l));
    }
    PlanOptions opts;
    if (trial % 3 == 0) // a small fast region in front of an unlimited one
      opts.regions = {RegionSpec{"fast", 64, 16}, RegionSpec{"slow", -1, 8}};
    auto tried = scheduleForMemory(*g, lowerings, opts);
    REQUIRE(tried);
    REQUIRE(errorOf(verify(*g)) == "");
    auto plan = planMemory(*g, lowerings, opts);
    REQUIRE(plan);
    CHECK(errorOf(validatePlan(*g, *plan)) == "");
    CHECK(plan->arenaSize >= plan->lowerBound);
    std::vector<Buffer> inputs;
    for (const Value *v : g->inputs()) {
      std::vector<float> x(static_cast<size_t>(v->numElements()));
      for (float &f : x)
        f = static_cast<float>(static_cast<int>(rng() % 17) - 8) * 0.25f;
      inputs.push_back(floats(x));
    }
    auto want = evaluateGraph(*g, inputs);
    REQUIRE(want);
    std::vector<Buffer> got = runInArena(*g, lowerings, *plan, inputs);
    REQUIRE(got.size() == want->size());
    for (size_t o = 0; o < got.size(); ++o)
      CHECK(got[o] == (*want)[o]);
    ++checked;
  }
  CHECK(checked > 280);
}
