//===- ConstantFolding.cpp - evaluates nodes whose inputs are constant ----===//
#include "passes/ConstantFolding.h"
#include "passes/Evaluator.h"
#include "passes/Pass.h"
#include "llvm/ADT/DenseSet.h"

namespace tinymlc {

llvm::Expected<bool> foldNode(Node &node) {
  // Precondition: not a DequantizeLinear. Its constant input is an int8/uint8
  // weight that the QDQ pass turns into an integer op; folding it would put
  // four times the bytes in flash and hide the pattern.
  if (node.kind() == OpKind::DequantizeLinear)
    return false;
  // Precondition: all inputs known at compile time.
  bool typeOnly = node.kind() == OpKind::Shape || node.kind() == OpKind::Size;
  size_t inBytes = 0, outBytes = 0;
  for (const Value *v : node.inputs()) {
    if (!v)
      continue;
    if (!typeOnly && !v->isConstant())
      return false;
    if (v->isConstant())
      inBytes += v->byteSize();
  }
  // Precondition: folding does not turn a small computation into a big table.
  for (const Value *v : node.outputs())
    outBytes += v ? v->byteSize() : 0;
  if (outBytes > std::max<size_t>(inBytes, 64 * 1024))
    return false;

  std::vector<const uint8_t *> ins;
  for (const Value *v : node.inputs())
    ins.push_back(v && v->isConstant() ? v->bytes().data() : nullptr);
  std::vector<Buffer> results;
  std::vector<uint8_t *> outs;
  for (const Value *v : node.outputs())
    results.emplace_back(v ? v->byteSize() : 0, 0);
  for (Buffer &b : results)
    outs.push_back(b.data());
  if (auto e = evaluateNode(node, ins, outs))
    return e;
  for (unsigned i = 0; i < node.numOutputs(); ++i)
    if (Value *v = node.output(i))
      v->setConstant(std::move(results[i]));
  return true;
}

namespace {

class ConstantFoldingPass : public Pass {
public:
  llvm::StringRef name() const override { return "fold-constants"; }
  llvm::StringRef summary() const override {
    return "evaluates nodes whose inputs are all constants with the runtime-min kernels";
  }
  llvm::Error run(Graph &g, PassContext &ctx) override {
    llvm::DenseSet<const Node *> folded;
    for (Node *n : g.nodes()) {
      auto ok = foldNode(*n);
      if (!ok)
        return ok.takeError();
      if (*ok)
        folded.insert(n);
    }
    g.eraseNodes([&](const Node &n) { return folded.count(&n) != 0; });
    g.removeUnusedValues();
    ctx.stats["fold-constants.folded"] += folded.size();
    return llvm::Error::success();
  }
};

} // namespace

std::unique_ptr<Pass> createConstantFoldingPass() {
  return std::make_unique<ConstantFoldingPass>();
}

} // namespace tinymlc
