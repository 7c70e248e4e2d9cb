//===- Normalize.cpp - lowering of normalisations ---------------------------===//
#include "passes/lower/LowerUtils.h"
#include "tmc_reduce.h"
#include <cstring>
#include <type_traits>

namespace tinymlc {
namespace lower {
TINYMLC_PARAMS(InstanceNormParams, TMC_INSTANCE_NORM_PARAMS, "tmc_normalize.h")
TINYMLC_PARAMS(LayerNormParams, TMC_LAYER_NORM_PARAMS, "tmc_normalize.h")
TINYMLC_PARAMS(LpNormParams, TMC_LP_NORM_PARAMS, "tmc_normalize.h")
TINYMLC_PARAMS(LRNParams, TMC_LRN_PARAMS, "tmc_normalize.h")
} // namespace lower

using namespace lower;

namespace {
llvm::Error noKernel(const Node &node, DType t) {
  return nodeError(node, "no kernel for element type " + dtypeName(t));
}
} // namespace

llvm::Expected<Lowering> lowerInstanceNorm(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::InstanceNormParams p;
  p.batch = i32(x->shape()[0]);
  p.channels = i32(x->shape()[1]);
  p.inner = i32(numElements(x->shape().drop_front(2)));
  p.epsilon = node.getFloat("epsilon", 1e-5f);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::instance_norm", {CName<T>::get()}),
                             &tmc::instance_norm<T>, p,
                             {KernelArg::in(x), KernelArg::in(node.input(1)),
                              KernelArg::in(node.input(2)), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerLayerNorm(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  int64_t axis = node.getInt("axis", -1);
  if (axis < 0)
    axis += x->rank();
  llvm::ArrayRef<int64_t> norm = x->shape().drop_front(axis);
  tmc::LayerNormParams p;
  std::memset(&p, 0, sizeof(p));
  p.outer = i32(numElements(x->shape().take_front(axis)));
  p.inner = i32(numElements(norm));
  p.epsilon = node.getFloat("epsilon", 1e-5f);
  // Scale and B over the normalised dims: stride 0 where they broadcast;
  // unit dims dropped and neighbours merged where both step contiguously.
  auto stridesOver = [&](const Value *v) {
    Shape s(norm.size(), 0);
    if (!v)
      return s;
    // Leading dims of v beyond the normalised rank are 1 (checked by inference).
    llvm::ArrayRef<int64_t> vs = v->shape().take_back(std::min(v->shape().size(), norm.size()));
    Shape own = contiguousStrides(vs);
    size_t off = norm.size() - vs.size();
    for (size_t i = 0; i < vs.size(); ++i)
      s[off + i] = vs[i] == 1 ? 0 : own[i];
    return s;
  };
  Shape ss = stridesOver(node.input(1)), bs = stridesOver(node.input(2));
  struct Dim {
    int64_t n, s, b;
  };
  std::vector<Dim> dims;
  for (size_t i = 0; i < norm.size(); ++i) {
    if (norm[i] == 1)
      continue;
    Dim d{norm[i], ss[i], bs[i]};
    if (!dims.empty() && dims.back().s == d.s * d.n && dims.back().b == d.b * d.n) {
      dims.back() = {dims.back().n * d.n, d.s, d.b};
      continue;
    }
    dims.push_back(d);
  }
  p.rank = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    p.dims[i] = i32(dims[i].n);
    p.scale_strides[i] = i32(dims[i].s);
    p.bias_strides[i] = i32(dims[i].b);
  }
  bool stashDouble = node.getInt("stash_type", 1) == 11;
  std::vector<KernelArg> args = {KernelArg::in(x), KernelArg::in(node.input(1)),
                                 KernelArg::in(node.input(2)), KernelArg::out(y)};
  for (unsigned i = 1; i < 3; ++i)
    args.push_back(node.output(i) && node.output(i)->numElements() > 0
                       ? KernelArg::out(node.output(i))
                       : KernelArg::in(nullptr));
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      if (stashDouble)
        return single(makeCall(templ("tmc::layer_norm", {CName<T>::get(), "double"}),
                               &tmc::layer_norm<T, double>, p, args));
      return single(makeCall(templ("tmc::layer_norm", {CName<T>::get(), "float"}),
                             &tmc::layer_norm<T, float>, p, args));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerLpNormalization(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  int64_t axis = node.getInt("axis", -1);
  if (axis < 0)
    axis += x->rank();
  tmc::LpNormParams p;
  p.outer = i32(numElements(x->shape().take_front(axis)));
  p.axis_size = i32(x->shape()[axis]);
  p.inner = i32(numElements(x->shape().drop_front(axis + 1)));
  p.p = static_cast<int32_t>(node.getInt("p", 2));
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::lp_norm", {CName<T>::get()}), &tmc::lp_norm<T>, p,
                             {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerLRN(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::LRNParams p;
  p.batch = i32(x->shape()[0]);
  p.channels = i32(x->shape()[1]);
  p.inner = i32(numElements(x->shape().drop_front(2)));
  p.size = i32(node.getInt("size", 1));
  p.alpha = node.getFloat("alpha", 1e-4f);
  p.beta = node.getFloat("beta", 0.75f);
  p.bias = node.getFloat("bias", 1.0f);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::lrn", {CName<T>::get()}), &tmc::lrn<T>, p,
                             {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerMVN(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  std::vector<int64_t> axes =
      node.hasAttr("axes") ? node.getInts("axes") : std::vector<int64_t>{0, 2, 3};
  std::vector<bool> reduced(x->rank(), false);
  for (int64_t a : axes)
    reduced[a < 0 ? a + x->rank() : a] = true;
  tmc::ReduceParams p = reduceParams(x->shape(), reduced);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::mvn", {CName<T>::get()}), &tmc::mvn<T>, p,
                             {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

} // namespace tinymlc
