//===- Spatial.cpp - lowering of Conv, pooling and BatchNormalization -----===//
#include "ir/ShapeInference.h"
#include "passes/lower/LowerUtils.h"
#include <cstring>
#include <type_traits>

namespace tinymlc {
using namespace lower;

namespace {
/// Copies spatial sizes into a 3-entry kernel array, right-aligned, filling
/// the leading entries with `fill` (1-d and 2-d ops run as 3-d ones).
void spatial3(int32_t (&dst)[3], llvm::ArrayRef<int64_t> src, int32_t fill) {
  size_t off = 3 - src.size();
  for (size_t i = 0; i < 3; ++i)
    dst[i] = i < off ? fill : i32(src[i - off]);
}

llvm::Error noKernel(const Node &node, DType t) {
  return nodeError(node, "no kernel for element type " + dtypeName(t));
}
} // namespace

llvm::Expected<Lowering> lowerConv(const Node &node) {
  const Value *x = node.input(0), *w = node.input(1), *b = node.input(2), *y = node.output(0);
  auto g = windowGeometry(node, x->shape().drop_front(2), w->shape().drop_front(2));
  if (!g)
    return g.takeError();
  tmc::ConvParams p;
  std::memset(&p, 0, sizeof(p));
  p.batch = i32(x->shape()[0]);
  p.in_channels = i32(x->shape()[1]);
  p.out_channels = i32(y->shape()[1]);
  p.group = i32(node.getInt("group", 1));
  spatial3(p.in_size, g->in, 1);
  spatial3(p.out_size, g->out, 1);
  spatial3(p.kernel, g->kernel, 1);
  spatial3(p.stride, g->strides, 1);
  spatial3(p.dilation, g->dilations, 1);
  spatial3(p.pad, g->padBegin, 0);
  fusedActivation(node, p.act, p.act_alpha, p.act_beta);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::conv", {CName<T>::get()}), &tmc::conv<T>, p,
                             {KernelArg::in(x), KernelArg::in(w), KernelArg::in(b),
                              KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerPool(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  std::vector<int64_t> kernel = node.getInts("kernel_shape");
  auto g = windowGeometry(node, x->shape().drop_front(2), kernel);
  if (!g)
    return g.takeError();
  tmc::PoolParams p;
  std::memset(&p, 0, sizeof(p));
  p.planes = i32(x->shape()[0] * x->shape()[1]);
  spatial3(p.in_size, g->in, 1);
  spatial3(p.out_size, g->out, 1);
  spatial3(p.kernel, g->kernel, 1);
  spatial3(p.stride, g->strides, 1);
  spatial3(p.dilation, g->dilations, 1);
  spatial3(p.pad, g->padBegin, 0);
  spatial3(p.pad_end, g->padEnd, 0);
  p.count_include_pad = i32(node.getInt("count_include_pad", 0));
  p.storage_order = i32(node.getInt("storage_order", 0));
  bool isMax = node.kind() == OpKind::MaxPool;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      return noKernel(node, x->dtype());
    } else if (isMax) {
      return single(makeCall(templ("tmc::max_pool", {CName<T>::get()}), &tmc::max_pool<T>, p,
                             {KernelArg::in(x), KernelArg::out(y),
                              node.output(1) ? KernelArg::out(node.output(1))
                                             : KernelArg::in(nullptr)}));
    } else if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::avg_pool", {CName<T>::get()}), &tmc::avg_pool<T>, p,
                             {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerGlobalPool(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::GlobalPoolParams p;
  p.planes = i32(x->shape()[0] * x->shape()[1]);
  p.plane_size = i32(numElements(x->shape().drop_front(2)));
  bool isMax = node.kind() == OpKind::GlobalMaxPool;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      if (isMax)
        return single(makeCall(templ("tmc::global_max_pool", {CName<T>::get()}),
                               &tmc::global_max_pool<T>, p,
                               {KernelArg::in(x), KernelArg::out(y)}));
      return single(makeCall(templ("tmc::global_avg_pool", {CName<T>::get()}),
                             &tmc::global_avg_pool<T>, p, {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerBatchNorm(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::BatchNormParams p;
  p.batch = i32(x->shape()[0]);
  p.channels = i32(x->shape()[1]);
  p.inner = i32(numElements(x->shape().drop_front(2)));
  p.epsilon = node.getFloat("epsilon", 1e-5f);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::batchnorm", {CName<T>::get()}), &tmc::batchnorm<T>, p,
                             {KernelArg::in(x), KernelArg::in(node.input(1)),
                              KernelArg::in(node.input(2)), KernelArg::in(node.input(3)),
                              KernelArg::in(node.input(4)), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerConvTranspose(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerGridSample(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerLpPool(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerMaxRoiPool(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerMaxUnpool(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerNonMaxSuppression(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerResize(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerRoiAlign(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

} // namespace tinymlc
