//===- Reduce.cpp - lowering of reductions, ArgMax/Min, CumSum, TopK, Det --===//
#include "ir/ShapeInference.h"
#include "passes/lower/LowerUtils.h"
#include "tmc_reduce.h"
#include <cstring>
#include <type_traits>

namespace tinymlc {

namespace lower {
TINYMLC_PARAMS(ArgReduceParams, TMC_ARG_REDUCE_PARAMS, "tmc_reduce.h")
TINYMLC_PARAMS(CumSumParams, TMC_CUMSUM_PARAMS, "tmc_reduce.h")
TINYMLC_PARAMS(TopKParams, TMC_TOPK_PARAMS, "tmc_reduce.h")
TINYMLC_PARAMS(DetParams, TMC_DET_PARAMS, "tmc_reduce.h")

/// The box geometry of reducing `shape` over the axes marked in `reduced`:
/// unit dims dropped, then kept dims (in order) and reduced dims (in order)
/// each merged with their inner neighbour when the input steps through both
/// contiguously. MeanVarianceNormalization uses it too.
tmc::ReduceParams reduceParams(llvm::ArrayRef<int64_t> shape,
                               const std::vector<bool> &reduced) {
  Shape strides = contiguousStrides(shape);
  struct Dim {
    int64_t n, s;
  };
  std::vector<Dim> kept, red;
  int64_t count = 1, per = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    (reduced[d] ? per : count) *= shape[d];
    if (shape[d] == 1)
      continue;
    std::vector<Dim> &list = reduced[d] ? red : kept;
    if (!list.empty() && list.back().s == strides[d] * shape[d]) {
      list.back() = {list.back().n * shape[d], strides[d]};
      continue;
    }
    list.push_back({shape[d], strides[d]});
  }
  tmc::ReduceParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(count);
  p.reduced = i32(per);
  p.out_rank = static_cast<int32_t>(kept.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    p.out_dims[i] = i32(kept[i].n);
    p.out_strides[i] = i32(kept[i].s);
  }
  p.red_rank = static_cast<int32_t>(red.size());
  for (size_t i = 0; i < red.size(); ++i) {
    p.red_dims[i] = i32(red[i].n);
    p.red_strides[i] = i32(red[i].s);
  }
  return p;
}
} // namespace lower

using namespace lower;

namespace {

llvm::Error noKernel(const Node &node, DType t) {
  return nodeError(node, "no kernel for element type " + dtypeName(t));
}

/// [outer, axis_size, inner] around `axis` of `shape`.
void splitAxis(llvm::ArrayRef<int64_t> shape, int64_t axis, int32_t &outer, int32_t &size,
               int32_t &inner) {
  outer = i32(numElements(shape.take_front(axis)));
  size = i32(shape[axis]);
  inner = i32(numElements(shape.drop_front(axis + 1)));
}

int64_t normalized(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

template <template <typename> class Op>
llvm::Expected<Lowering> reduceCall(const Node &node, const char *opName,
                                    const tmc::ReduceParams &p) {
  const Value *x = node.input(0), *y = node.output(0);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      return single(
          makeCall(templ("tmc::reduce", {std::string("tmc::") + opName, CName<T>::get()}),
                   &tmc::reduce<Op, T>, p, {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

} // namespace

llvm::Expected<Lowering> lowerReduce(const Node &node) {
  const Value *x = node.input(0);
  auto reduced = reducedAxes(node);
  if (!reduced)
    return reduced.takeError();
  // noop_with_empty_axes with empty axes: the output is the input.
  if (llvm::none_of(*reduced, [](bool b) { return b; }) &&
      node.getInt("noop_with_empty_axes", 0) != 0)
    return lowerView(node);
  tmc::ReduceParams p = reduceParams(x->shape(), *reduced);
  switch (node.kind()) {
  case OpKind::ReduceSum:
    return reduceCall<tmc::RedSum>(node, "RedSum", p);
  case OpKind::ReduceMean:
    return reduceCall<tmc::RedMean>(node, "RedMean", p);
  case OpKind::ReduceMax:
    return reduceCall<tmc::RedMax>(node, "RedMax", p);
  case OpKind::ReduceMin:
    return reduceCall<tmc::RedMin>(node, "RedMin", p);
  case OpKind::ReduceProd:
    return reduceCall<tmc::RedProd>(node, "RedProd", p);
  case OpKind::ReduceL1:
    return reduceCall<tmc::RedL1>(node, "RedL1", p);
  case OpKind::ReduceL2:
    return reduceCall<tmc::RedL2>(node, "RedL2", p);
  case OpKind::ReduceLogSum:
    return reduceCall<tmc::RedLogSum>(node, "RedLogSum", p);
  case OpKind::ReduceLogSumExp:
    return reduceCall<tmc::RedLogSumExp>(node, "RedLogSumExp", p);
  case OpKind::ReduceSumSquare:
    return reduceCall<tmc::RedSumSquare>(node, "RedSumSquare", p);
  default:
    return nodeError(node, "not a reduction");
  }
}

llvm::Expected<Lowering> lowerArgReduce(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::ArgReduceParams p;
  splitAxis(x->shape(), normalized(node.getInt("axis", 0), x->rank()), p.outer, p.axis_size,
            p.inner);
  p.select_last = node.getInt("select_last_index", 0) != 0 ? 1 : 0;
  bool isMax = node.kind() == OpKind::ArgMax;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      if (isMax)
        return single(makeCall(templ("tmc::arg_max", {CName<T>::get()}), &tmc::arg_max<T>, p,
                               {KernelArg::in(x), KernelArg::out(y)}));
      return single(makeCall(templ("tmc::arg_min", {CName<T>::get()}), &tmc::arg_min<T>, p,
                             {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerCumSum(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::CumSumParams p;
  splitAxis(x->shape(), normalized(node.input(1)->intValues()[0], x->rank()), p.outer,
            p.axis_size, p.inner);
  p.exclusive = node.getInt("exclusive", 0) != 0 ? 1 : 0;
  p.reverse = node.getInt("reverse", 0) != 0 ? 1 : 0;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      return single(makeCall(templ("tmc::cumsum", {CName<T>::get()}), &tmc::cumsum<T>, p,
                             {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerDet(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::DetParams p;
  p.n = i32(x->shape().back());
  p.batch = i32(y->numElements());
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      int64_t work = int64_t(p.n) * p.n * static_cast<int64_t>(sizeof(T));
      return single(makeCall(templ("tmc::det", {CName<T>::get()}), &tmc::det<T>, p,
                             {KernelArg::in(x), KernelArg::out(y), KernelArg::scratch(work)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerTopK(const Node &node) {
  const Value *x = node.input(0), *values = node.output(0), *indices = node.output(1);
  tmc::TopKParams p;
  splitAxis(x->shape(), normalized(node.getInt("axis", -1), x->rank()), p.outer, p.axis_size,
            p.inner);
  p.k = i32(values->shape()[normalized(node.getInt("axis", -1), x->rank())]);
  p.largest = node.getInt("largest", 1) != 0 ? 1 : 0;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      return single(
          makeCall(templ("tmc::topk", {CName<T>::get()}), &tmc::topk<T>, p,
                   {KernelArg::in(x), KernelArg::out(values), KernelArg::out(indices)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

} // namespace tinymlc
