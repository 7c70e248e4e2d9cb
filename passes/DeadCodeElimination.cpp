//===- DeadCodeElimination.cpp - removes nodes nobody reads ---------------===//
#include "passes/Pass.h"
#include "llvm/ADT/DenseSet.h"
#include <map>

namespace tinymlc {

namespace {

class DeadCodeEliminationPass : public Pass {
public:
  llvm::StringRef name() const override { return "dce"; }
  llvm::StringRef summary() const override {
    return "removes nodes whose outputs are neither read nor graph outputs";
  }

  llvm::Error run(Graph &g, PassContext &ctx) override {
    // Walk backwards from the graph outputs, marking what they need.
    llvm::DenseSet<const Value *> needed(g.outputs().begin(), g.outputs().end());
    llvm::DenseSet<const Node *> dead;
    std::vector<Node *> nodes = g.nodes();
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      Node *n = *it;
      bool used = false;
      for (const Value *o : n->outputs())
        used |= needed.count(o) != 0;
      if (!used) {
        dead.insert(n);
        continue;
      }
      for (const Value *in : n->inputs())
        if (in)
          needed.insert(in);
    }
    g.eraseNodes([&](const Node &n) { return dead.count(&n) != 0; });
    g.removeUnusedValues();
    ctx.stats["dce.removed"] += dead.size();
    return llvm::Error::success();
  }
};

class MaterializeOutputsPass : public Pass {
public:
  llvm::StringRef name() const override { return "materialize-outputs"; }
  llvm::StringRef summary() const override {
    return "copies constant graph outputs into the arena with an Identity node";
  }

  llvm::Error run(Graph &g, PassContext &ctx) override {
    std::map<Value *, Value *> copies; // a constant listed twice is copied once
    for (Value *&out : g.outputs()) {
      if (!out->isConstant())
        continue;
      if (Value *y = copies[out]) {
        out = y;
        continue;
      }
      // The graph output keeps its name; the constant is renamed.
      Value *c = out;
      std::string name = c->name();
      g.renameValue(c, name + "_const");
      Value *y = g.addValue(name, c->dtype(), c->shape());
      g.addNode(OpKind::Identity, name, {c}, {y});
      copies[c] = y;
      out = y;
      ++ctx.stats["materialize-outputs.copies"];
    }
    return llvm::Error::success();
  }
};

} // namespace

std::unique_ptr<Pass> createDeadCodeEliminationPass() {
  return std::make_unique<DeadCodeEliminationPass>();
}
std::unique_ptr<Pass> createMaterializeOutputsPass() {
  return std::make_unique<MaterializeOutputsPass>();
}

} // namespace tinymlc
