//===- Linear.cpp - lowering of Gemm and MatMul ---------------------------===//
#include "passes/lower/LowerUtils.h"
#include <cstring>
#include <type_traits>

namespace tinymlc {
using namespace lower;

llvm::Expected<Lowering> lowerGemm(const Node &node) {
  const Value *a = node.input(0), *b = node.input(1), *c = node.input(2), *y = node.output(0);
  tmc::GemmParams p;
  std::memset(&p, 0, sizeof(p));
  p.trans_a = node.getInt("transA", 0) != 0;
  p.trans_b = node.getInt("transB", 0) != 0;
  p.m = i32(y->shape()[0]);
  p.n = i32(y->shape()[1]);
  p.k = i32(p.trans_a ? a->shape()[0] : a->shape()[1]);
  p.alpha = node.getFloat("alpha", 1.0f);
  p.beta = node.getFloat("beta", 1.0f);
  if (c) {
    // C broadcasts (numpy, right-aligned) to [M, N]: stride 0 where its dim is
    // 1 or missing.
    llvm::ArrayRef<int64_t> cs = c->shape();
    int64_t dm = cs.size() == 2 ? cs[0] : 1;
    int64_t dn = cs.empty() ? 1 : cs.back();
    p.c_stride_n = dn == 1 ? 0 : 1;
    p.c_stride_m = dm == 1 ? 0 : i32(dn);
  }
  fusedActivation(node, p.act, p.act_alpha, p.act_beta);
  return dispatchType(a->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      return single(makeCall(templ("tmc::gemm", {CName<T>::get()}), &tmc::gemm<T>, p,
                             {KernelArg::in(a), KernelArg::in(b), KernelArg::in(c),
                              KernelArg::out(y)}));
    } else {
      return nodeError(node, "no kernel for element type bool");
    }
  });
}

llvm::Expected<tmc::MatMulParams> lower::matMulParams(const Node &node, const Value *a,
                                                     const Value *b) {
  Shape as(a->shape().begin(), a->shape().end()), bs(b->shape().begin(), b->shape().end());
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  tmc::MatMulParams p;
  std::memset(&p, 0, sizeof(p));
  p.m = i32(as[as.size() - 2]);
  p.k = i32(as.back());
  p.n = i32(bs.back());
  size_t rank = std::max(as.size(), bs.size()) - 2;
  if (rank > 6)
    return nodeError(node, "more than 6 batch dimensions");
  // Batch strides per output batch dim: 0 where an operand's dim is 1 or missing.
  auto strides = [&](const Shape &s, int32_t *out) {
    size_t off = rank - (s.size() - 2);
    int64_t stride = static_cast<int64_t>(s[s.size() - 2]) * s.back();
    for (int64_t i = static_cast<int64_t>(s.size()) - 3; i >= 0; --i) {
      out[off + i] = s[i] == 1 ? 0 : i32(stride);
      stride *= s[i];
    }
  };
  strides(as, p.a_batch_strides);
  strides(bs, p.b_batch_strides);
  p.batch = 1;
  for (size_t i = 0; i < rank; ++i) {
    size_t ia = i + (as.size() - 2) - rank, ib = i + (bs.size() - 2) - rank;
    int64_t da = i >= rank - (as.size() - 2) ? as[ia] : 1;
    int64_t db = i >= rank - (bs.size() - 2) ? bs[ib] : 1;
    p.batch_dims[i] = i32(std::max(da, db));
    p.batch *= p.batch_dims[i];
  }
  p.batch_rank = static_cast<int32_t>(rank);
  return p;
}

llvm::Expected<Lowering> lowerMatMul(const Node &node) {
  const Value *a = node.input(0), *b = node.input(1), *y = node.output(0);
  auto pe = matMulParams(node, a, b);
  if (!pe)
    return pe.takeError();
  tmc::MatMulParams p = *pe;
  fusedActivation(node, p.act, p.act_alpha, p.act_beta);
  return dispatchType(a->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      return single(makeCall(templ("tmc::matmul", {CName<T>::get()}), &tmc::matmul<T>, p,
                             {KernelArg::in(a), KernelArg::in(b), KernelArg::out(y)}));
    } else {
      return nodeError(node, "no kernel for element type bool");
    }
  });
}

} // namespace tinymlc
