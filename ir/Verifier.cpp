//===- Verifier.cpp - structural and type checks of a Graph ---------------===//
#include "ir/Verifier.h"
#include "ir/Diagnostic.h"
#include "ir/ShapeInference.h"
#include "llvm/ADT/DenseSet.h"

namespace tinymlc {

llvm::Error verify(const Graph &g) {
  llvm::DenseSet<const Value *> defined;
  for (const Value *v : g.inputs()) {
    if (v->isConstant())
      return makeError("input '" + v->name() + "'", "a graph input cannot be a constant");
    if (v->producer())
      return makeError("input '" + v->name() + "'", "a graph input cannot have a producer");
    if (!defined.insert(v).second)
      return makeError("input '" + v->name() + "'", "listed twice as a graph input");
  }
  for (Node *n : g.nodes()) {
    for (const Value *in : n->inputs())
      if (in && !in->isConstant() && !defined.count(in))
        return nodeError(*n, "input '" + in->name() +
                                 "' is used before it is defined (or never defined)");
    for (const Value *out : n->outputs()) {
      if (!out)
        return nodeError(*n, "has a missing output");
      if (out->isConstant())
        return nodeError(*n, "output '" + out->name() + "' is a constant");
      if (out->producer() != n)
        return nodeError(*n, "output '" + out->name() + "' names another producer");
      if (!defined.insert(out).second)
        return nodeError(*n, "output '" + out->name() + "' is defined twice");
    }
    // Re-run inference on the node and compare with the recorded types.
    std::vector<std::pair<DType, Shape>> recorded;
    for (const Value *out : n->outputs())
      recorded.push_back({out->dtype(), Shape(out->shape().begin(), out->shape().end())});
    if (llvm::Error e = inferNode(*n)) {
      for (unsigned i = 0; i < n->numOutputs(); ++i)
        n->output(i)->setType(recorded[i].first, recorded[i].second);
      return e;
    }
    for (unsigned i = 0; i < n->numOutputs(); ++i) {
      Value *out = n->output(i);
      std::string inferred = out->typeString();
      out->setType(recorded[i].first, recorded[i].second);
      if (inferred != out->typeString())
        return nodeError(*n, "output '" + out->name() + "' is recorded as " +
                                 out->typeString() + " but the op gives " + inferred);
    }
  }
  for (const Value *v : g.outputs())
    if (!v->isConstant() && !defined.count(v))
      return makeError("output '" + v->name() + "'", "graph output is never defined");
  return llvm::Error::success();
}

} // namespace tinymlc
