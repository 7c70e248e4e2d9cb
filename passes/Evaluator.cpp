//===- Evaluator.cpp - runs graphs in the compiler with runtime-min -------===//
#include "passes/Evaluator.h"
#include "ir/Diagnostic.h"
#include "passes/Kernel.h"
#include "llvm/ADT/DenseMap.h"
#include <cstring>

namespace tinymlc {

llvm::Error evaluateNode(const Node &node, llvm::ArrayRef<const uint8_t *> inputs,
                         llvm::ArrayRef<uint8_t *> outputs) {
  // Ops whose results follow from types alone.
  if (node.kind() == OpKind::Shape || node.kind() == OpKind::Size) {
    llvm::ArrayRef<int64_t> shape = node.input(0)->shape();
    std::vector<int64_t> values;
    if (node.kind() == OpKind::Size) {
      values.push_back(numElements(shape));
    } else {
      int64_t r = static_cast<int64_t>(shape.size());
      auto clampAxis = [&](int64_t a) { return std::clamp<int64_t>(a < 0 ? a + r : a, 0, r); };
      int64_t start = clampAxis(node.getInt("start", 0)), end = clampAxis(node.getInt("end", r));
      for (int64_t i = start; i < end; ++i)
        values.push_back(shape[i]);
    }
    std::memcpy(outputs[0], values.data(), values.size() * sizeof(int64_t));
    return llvm::Error::success();
  }
  if (node.kind() == OpKind::Dropout && node.output(1))
    std::memset(outputs[1], 1, node.output(1)->byteSize());

  auto lowering = lowerNode(node);
  if (!lowering)
    return lowering.takeError();
  if (lowering->isView) {
    std::memcpy(outputs[0], inputs[0], node.output(0)->byteSize());
    return llvm::Error::success();
  }
  // Kernels may be handed an empty tensor; give it an address all the same.
  static uint64_t emptyTensor[1];
  for (const KernelCall &call : lowering->calls) {
    std::vector<void *> ptrs;
    std::vector<std::vector<uint64_t>> scratch; // 8-byte aligned temporaries
    for (const KernelArg &arg : call.args) {
      void *p = nullptr;
      if (arg.kind == KernelArg::Kind::Scratch) {
        scratch.emplace_back(static_cast<size_t>((arg.scratchBytes + 7) / 8) + 1, 0);
        p = scratch.back().data();
      } else if (arg.kind == KernelArg::Kind::Input) {
        for (unsigned i = 0; i < node.numInputs(); ++i)
          if (node.input(i) == arg.value) {
            p = const_cast<uint8_t *>(inputs[i]);
            break;
          }
      } else if (arg.kind == KernelArg::Kind::Output) {
        for (unsigned i = 0; i < node.numOutputs(); ++i)
          if (node.output(i) == arg.value) {
            p = outputs[i];
            break;
          }
      }
      if (!p && arg.kind != KernelArg::Kind::Null && arg.value && arg.value->byteSize() == 0)
        p = emptyTensor;
      assert((p || arg.kind == KernelArg::Kind::Null) && "kernel argument not bound");
      ptrs.push_back(p);
    }
    call.run(ptrs);
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<Buffer>> evaluateGraph(const Graph &g, llvm::ArrayRef<Buffer> inputs) {
  return evaluateGraph(g, inputs, [](const Value &, llvm::ArrayRef<uint8_t>) {});
}

llvm::Expected<std::vector<Buffer>>
evaluateGraph(const Graph &g, llvm::ArrayRef<Buffer> inputs, ValueObserver observe) {
  assert(inputs.size() == g.inputs().size() && "one buffer per graph input");
  llvm::DenseMap<const Value *, Buffer> buffers;
  for (size_t i = 0; i < inputs.size(); ++i) {
    assert(inputs[i].size() == g.inputs()[i]->byteSize() && "input buffer size");
    buffers[g.inputs()[i]] = inputs[i];
    observe(*g.inputs()[i], inputs[i]);
  }
  auto bytesOf = [&](const Value *v) -> const uint8_t * {
    if (!v)
      return nullptr;
    if (v->isConstant())
      return v->bytes().data();
    auto it = buffers.find(v);
    assert(it != buffers.end() && "value evaluated before it is defined");
    return it->second.data();
  };
  for (const Node *n : g.nodes()) {
    // Vectors keep their heap storage when the map rehashes and moves them, so
    // these pointers stay valid while further outputs are inserted.
    std::vector<uint8_t *> outs;
    for (const Value *v : n->outputs()) {
      Buffer &b = buffers[v];
      b.assign(v->byteSize(), 0);
      outs.push_back(b.data());
    }
    std::vector<const uint8_t *> ins;
    for (const Value *v : n->inputs())
      ins.push_back(bytesOf(v));
    if (auto e = evaluateNode(*n, ins, outs))
      return e;
    for (unsigned i = 0; i < n->numOutputs(); ++i)
      if (const Value *v = n->output(i))
        observe(*v, llvm::ArrayRef<uint8_t>(outs[i], v->byteSize()));
  }
  std::vector<Buffer> out;
  for (const Value *v : g.outputs()) {
    const uint8_t *p = bytesOf(v);
    out.emplace_back(p, p + v->byteSize());
  }
  return out;
}

} // namespace tinymlc
