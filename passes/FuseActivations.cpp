//===- FuseActivations.cpp - folds activations into their producer --------===//
//
// Conv, Gemm and MatMul apply an activation to each result before storing it,
// which saves a pass over the tensor and its memory. The pattern:
//   %t = Conv(...)            %y = Conv(...) {fused_activation = "Relu"}
//   %y = Relu(%t)        =>
// when %t has no other reader and is not a graph output.
//
//===----------------------------------------------------------------------===//
#include "passes/Pass.h"
#include "llvm/ADT/DenseSet.h"
#include <cmath>

namespace tinymlc {

namespace {

class FuseActivationsPass : public Pass {
public:
  llvm::StringRef name() const override { return "fuse-activations"; }
  llvm::StringRef summary() const override {
    return "fuses Relu, Clip, LeakyRelu, Sigmoid, Tanh, HardSigmoid and HardSwish into the "
           "Conv, Gemm or MatMul that produces their input";
  }

  llvm::Error run(Graph &g, PassContext &ctx) override {
    llvm::DenseSet<const Node *> fused;
    std::vector<std::pair<Node *, Value *>> rewires;
    for (Node *act : g.nodes()) {
      Value *x = act->input(0);
      if (!x)
        continue;
      Node *p = x->producer();
      // Precondition: a float Conv/Gemm/MatMul without an activation yet.
      if (!p || (p->kind() != OpKind::Conv && p->kind() != OpKind::Gemm &&
                 p->kind() != OpKind::MatMul))
        continue;
      if (p->hasAttr("fused_activation") || !isFloat(x->dtype()))
        continue;
      // Precondition: the activation is the only reader.
      if (g.numUses(x) != 1)
        continue;
      // Precondition: an activation the kernels can apply.
      float alpha = 0, beta = 0;
      std::string kind;
      switch (act->kind()) {
      case OpKind::Relu:
      case OpKind::Sigmoid:
      case OpKind::Tanh:
      case OpKind::HardSwish:
        kind = opName(act->kind()).str();
        break;
      case OpKind::LeakyRelu:
        kind = "LeakyRelu";
        alpha = act->getFloat("alpha", 0.01f);
        break;
      case OpKind::HardSigmoid:
        kind = "HardSigmoid";
        alpha = act->getFloat("alpha", 0.2f);
        beta = act->getFloat("beta", 0.5f);
        break;
      case OpKind::Clip: {
        Value *lo = act->input(1), *hi = act->input(2);
        if ((lo && !lo->isConstant()) || (hi && !hi->isConstant()))
          continue;
        // Precondition: the bounds survive the kernels' float parameters.
        double l = lo ? lo->doubleValues()[0] : -HUGE_VAL, h = hi ? hi->doubleValues()[0] : HUGE_VAL;
        if (static_cast<double>(static_cast<float>(l)) != l ||
            static_cast<double>(static_cast<float>(h)) != h)
          continue;
        kind = "Clip";
        alpha = static_cast<float>(l);
        beta = static_cast<float>(h);
        break;
      }
      default:
        continue;
      }
      p->setAttr("fused_activation", kind);
      if (alpha != 0 || kind == "Clip")
        p->setAttr("fused_alpha", alpha);
      if (beta != 0 || kind == "Clip")
        p->setAttr("fused_beta", beta);
      fused.insert(act);
      rewires.push_back({p, act->output(0)});
    }
    g.eraseNodes([&](const Node &n) { return fused.count(&n) != 0; });
    for (auto &[p, y] : rewires)
      g.setNodeOutput(p, 0, y);
    g.removeUnusedValues();
    ctx.stats["fuse-activations.fused"] += fused.size();
    return llvm::Error::success();
  }
};

} // namespace

std::unique_ptr<Pass> createFuseActivationsPass() {
  return std::make_unique<FuseActivationsPass>();
}

} // namespace tinymlc
