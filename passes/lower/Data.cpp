//===- Data.cpp - lowering of data movement and shape ops -----------------===//
#include "ir/ShapeInference.h"
#include "passes/lower/LowerUtils.h"
#include <cstring>
#include <type_traits>

namespace tinymlc {
using namespace lower;

llvm::Expected<Lowering> lowerView(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  // A view of a constant cannot share storage with it (constants live in
  // flash, the view in the arena): copy instead.
  if (!x->isConstant()) {
    Lowering l;
    l.isView = true;
    return l;
  }
  tmc::CopyParams p;
  p.bytes = i32(static_cast<int64_t>(y->byteSize()));
  return single(makeCall("tmc::copy", &tmc::copy, p, {KernelArg::in(x), KernelArg::out(y)}));
}

llvm::Expected<Lowering> lowerShape(const Node &node) {
  return nodeError(node, "internal error: Shape and Size are folded before lowering");
}

llvm::Expected<Lowering> lowerConcat(const Node &node) {
  const Value *y = node.output(0);
  int64_t rank = y->rank();
  int64_t axis = node.getInt("axis", 0);
  if (axis < 0)
    axis += rank;
  int64_t outer = numElements(y->shape().take_front(axis));
  int64_t inner = numElements(y->shape().drop_front(axis + 1));
  int64_t total = y->shape()[axis];
  // Each input is copied into its slice of the output.
  Lowering l;
  int64_t offset = 0;
  for (const Value *x : node.inputs()) {
    int64_t n = x->shape()[axis];
    if (n * inner * outer > 0) {
      auto p = stridedCopyParams({outer, n * inner}, {n * inner, 1}, {total * inner, 1}, 0,
                                 offset * inner);
      l.calls.push_back(stridedCopyCall(y->dtype(), p, x, y));
    }
    offset += n;
  }
  return l;
}

llvm::Expected<Lowering> lowerTranspose(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  std::vector<int64_t> perm = node.getInts("perm");
  if (!node.hasAttr("perm"))
    for (int64_t i = x->rank() - 1; i >= 0; --i)
      perm.push_back(i);
  Shape inStrides = contiguousStrides(x->shape());
  Shape permuted;
  for (int64_t p : perm)
    permuted.push_back(inStrides[p]);
  auto p = stridedCopyParams(y->shape(), permuted, contiguousStrides(y->shape()), 0, 0);
  if (p.count == 0)
    return Lowering{};
  return single(stridedCopyCall(x->dtype(), p, x, y));
}

llvm::Expected<Lowering> lowerSlice(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  auto g = sliceGeometry(node);
  if (!g)
    return g.takeError();
  Shape strides = contiguousStrides(x->shape());
  Shape inStrides;
  int64_t offset = 0;
  for (int64_t d = 0; d < x->rank(); ++d) {
    inStrides.push_back(strides[d] * g->steps[d]);
    offset += strides[d] * g->starts[d];
  }
  auto p = stridedCopyParams(y->shape(), inStrides, contiguousStrides(y->shape()), offset, 0);
  if (p.count == 0)
    return Lowering{};
  return single(stridedCopyCall(x->dtype(), p, x, y));
}

llvm::Expected<Lowering> lowerGather(const Node &node) {
  const Value *data = node.input(0), *idx = node.input(1), *y = node.output(0);
  int64_t axis = node.getInt("axis", 0);
  if (axis < 0)
    axis += data->rank();
  tmc::GatherParams p;
  p.outer = i32(numElements(data->shape().take_front(axis)));
  p.axis_size = i32(data->shape()[axis]);
  p.inner = i32(numElements(data->shape().drop_front(axis + 1)));
  p.num_indices = i32(idx->numElements());
  // Empty data (runtime indices into an empty axis read zeros) may have no
  // address: pass a null pointer, which the kernel never reads then.
  KernelArg dataArg = KernelArg::in(data->numElements() > 0 ? data : nullptr);
  return dispatchSize(data->dtype(), [&](auto es) -> llvm::Expected<Lowering> {
    constexpr int ES = decltype(es)::value;
    std::string name = "tmc::gather<" + std::to_string(ES) + ", ";
    if (idx->dtype() == DType::I32)
      return single(makeCall(name + "int32_t>", &tmc::gather<ES, int32_t>, p,
                             {dataArg, KernelArg::in(idx), KernelArg::out(y)}));
    return single(makeCall(name + "int64_t>", &tmc::gather<ES, int64_t>, p,
                           {dataArg, KernelArg::in(idx), KernelArg::out(y)}));
  });
}

llvm::Expected<Lowering> lowerPad(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  std::vector<int64_t> pads = node.input(1)->intValues();
  std::string mode = node.getString("mode", "constant");
  tmc::PadParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(y->numElements());
  p.rank = i32(x->rank());
  p.mode = mode == "reflect" ? tmc::kPadReflect : mode == "edge" ? tmc::kPadEdge : tmc::kPadConstant;
  for (int64_t d = 0; d < x->rank(); ++d) {
    p.in_dims[d] = i32(x->shape()[d]);
    p.out_dims[d] = i32(y->shape()[d]);
    p.pad_begin[d] = i32(pads[d]);
  }
  if (p.count == 0)
    return Lowering{};
  return dispatchSize(x->dtype(), [&](auto es) -> llvm::Expected<Lowering> {
    constexpr int ES = decltype(es)::value;
    return single(makeCall("tmc::pad<" + std::to_string(ES) + ">", &tmc::pad<ES>, p,
                           {KernelArg::in(x->numElements() > 0 ? x : nullptr),
                            KernelArg::in(node.input(2)), KernelArg::out(y)}));
  });
}

llvm::Expected<Lowering> lowerSoftmax(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  int64_t axis = node.getInt("axis", -1);
  if (axis < 0)
    axis += x->rank();
  tmc::SoftmaxParams p;
  p.outer = i32(numElements(x->shape().take_front(axis)));
  p.axis_size = i32(x->shape()[axis]);
  p.inner = i32(numElements(x->shape().drop_front(axis + 1)));
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      switch (node.kind()) {
      case OpKind::LogSoftmax:
        return single(makeCall(templ("tmc::log_softmax", {CName<T>::get()}),
                               &tmc::log_softmax<T>, p, {KernelArg::in(x), KernelArg::out(y)}));
      case OpKind::Hardmax:
        return single(makeCall(templ("tmc::hardmax", {CName<T>::get()}), &tmc::hardmax<T>, p,
                               {KernelArg::in(x), KernelArg::out(y)}));
      default:
        return single(makeCall(templ("tmc::softmax", {CName<T>::get()}), &tmc::softmax<T>, p,
                               {KernelArg::in(x), KernelArg::out(y)}));
      }
    } else {
      return nodeError(node, "no kernel for element type " + dtypeName(x->dtype()));
    }
  });
}

} // namespace tinymlc
