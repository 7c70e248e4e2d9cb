//===- Elementwise.cpp - lowering of elementwise ops ----------------------===//
#include "ir/ShapeInference.h"
#include "passes/lower/LowerUtils.h"
#include <cstring>
#include <type_traits>

namespace tinymlc {
using namespace lower;

namespace {

llvm::Error unsupportedType(const Node &node, DType t) {
  return nodeError(node, "no kernel for element type " + dtypeName(t));
}

template <typename T> constexpr bool isFloatT = std::is_floating_point_v<T>;
template <typename T> constexpr bool isNumericT = !std::is_same_v<T, bool>;

template <class Op, template <typename> class Allowed>
llvm::Expected<Lowering> unaryCall(const Node &node, const char *opName,
                                   const tmc::UnaryParams &p) {
  const Value *x = node.input(0);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (Allowed<T>::value) {
      return single(makeCall(templ("tmc::unary", {std::string("tmc::") + opName, CName<T>::get()}),
                             &tmc::unary<Op, T>, p,
                             {KernelArg::in(x), KernelArg::out(node.output(0))}));
    } else {
      return unsupportedType(node, x->dtype());
    }
  });
}

template <typename T> struct FloatOnly : std::bool_constant<isFloatT<T>> {};
template <typename T> struct Numeric : std::bool_constant<isNumericT<T>> {};
template <typename T>
struct FloatOrSigned : std::bool_constant<isFloatT<T> || (std::is_signed_v<T> && isNumericT<T>)> {};

} // namespace

llvm::Expected<Lowering> lowerUnary(const Node &node) {
  tmc::UnaryParams p;
  p.count = i32(node.input(0)->numElements());
  p.alpha = 0.0f;
  p.beta = 0.0f;
  switch (node.kind()) {
  case OpKind::Relu:
    return unaryCall<tmc::OpRelu, FloatOrSigned>(node, "OpRelu", p);
  case OpKind::Abs:
    return unaryCall<tmc::OpAbs, Numeric>(node, "OpAbs", p);
  case OpKind::Neg:
    return unaryCall<tmc::OpNeg, Numeric>(node, "OpNeg", p);
  case OpKind::Exp:
    return unaryCall<tmc::OpExp, FloatOnly>(node, "OpExp", p);
  case OpKind::Log:
    return unaryCall<tmc::OpLog, FloatOnly>(node, "OpLog", p);
  case OpKind::Sqrt:
    return unaryCall<tmc::OpSqrt, FloatOnly>(node, "OpSqrt", p);
  case OpKind::Reciprocal:
    return unaryCall<tmc::OpReciprocal, FloatOnly>(node, "OpReciprocal", p);
  case OpKind::Floor:
    return unaryCall<tmc::OpFloor, FloatOnly>(node, "OpFloor", p);
  case OpKind::Ceil:
    return unaryCall<tmc::OpCeil, FloatOnly>(node, "OpCeil", p);
  case OpKind::Sigmoid:
    return unaryCall<tmc::OpSigmoid, FloatOnly>(node, "OpSigmoid", p);
  case OpKind::Tanh:
    return unaryCall<tmc::OpTanh, FloatOnly>(node, "OpTanh", p);
  case OpKind::LeakyRelu:
    p.alpha = node.getFloat("alpha", 0.01f);
    return unaryCall<tmc::OpLeakyRelu, FloatOnly>(node, "OpLeakyRelu", p);
  case OpKind::HardSigmoid:
    p.alpha = node.getFloat("alpha", 0.2f);
    p.beta = node.getFloat("beta", 0.5f);
    return unaryCall<tmc::OpHardSigmoid, FloatOnly>(node, "OpHardSigmoid", p);
  case OpKind::HardSwish:
    return unaryCall<tmc::OpHardSwish, FloatOnly>(node, "OpHardSwish", p);
  default:
    return nodeError(node, "not a unary elementwise op");
  }
}

namespace {
/// Broadcast parameters: rank 0 when no operand is broadcast; otherwise the
/// output dims with unit dims dropped and neighbours merged where both
/// operands step through them contiguously.
llvm::Expected<tmc::BinaryParams> binaryParams(const Node &node, const Value *a, const Value *b,
                                               const Value *y) {
  tmc::BinaryParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(y->numElements());
  if (a->shape() == y->shape() && b->shape() == y->shape())
    return p;
  size_t rank = y->shape().size();
  auto stridesFor = [&](const Value *v) {
    Shape s(rank, 0);
    Shape own = contiguousStrides(v->shape());
    size_t off = rank - v->shape().size();
    for (size_t i = 0; i < v->shape().size(); ++i)
      s[off + i] = v->shape()[i] == 1 ? 0 : own[i];
    return s;
  };
  Shape sa = stridesFor(a), sb = stridesFor(b);
  struct Dim {
    int64_t n, sa, sb;
  };
  std::vector<Dim> dims;
  for (size_t i = 0; i < rank; ++i) {
    if (y->shape()[i] == 1)
      continue;
    Dim d{y->shape()[i], sa[i], sb[i]};
    if (!dims.empty() && dims.back().sa == d.sa * d.n && dims.back().sb == d.sb * d.n) {
      dims.back() = {dims.back().n * d.n, d.sa, d.sb};
      continue;
    }
    dims.push_back(d);
  }
  if (dims.empty())
    dims.push_back({1, 0, 0});
  if (dims.size() > tmc::kMaxRank)
    return nodeError(node, "broadcast needs " + llvm::Twine(dims.size()) +
                               " dimensions; kernels support up to 8");
  p.rank = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    p.dims[i] = i32(dims[i].n);
    p.a_strides[i] = i32(dims[i].sa);
    p.b_strides[i] = i32(dims[i].sb);
  }
  return p;
}

template <class Op>
llvm::Expected<Lowering> binaryCall(const Node &node, const char *opName) {
  const Value *a = node.input(0), *b = node.input(1), *y = node.output(0);
  auto p = binaryParams(node, a, b, y);
  if (!p)
    return p.takeError();
  return dispatchType(a->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (isNumericT<T>) {
      return single(makeCall(
          templ("tmc::binary", {std::string("tmc::") + opName, CName<T>::get(), CName<T>::get()}),
          &tmc::binary<Op, T, T>, *p,
          {KernelArg::in(a), KernelArg::in(b), KernelArg::out(y)}));
    } else {
      return unsupportedType(node, a->dtype());
    }
  });
}
} // namespace

llvm::Expected<Lowering> lowerBinary(const Node &node) {
  switch (node.kind()) {
  case OpKind::Add:
    return binaryCall<tmc::OpAdd>(node, "OpAdd");
  case OpKind::Sub:
    return binaryCall<tmc::OpSub>(node, "OpSub");
  case OpKind::Mul:
    return binaryCall<tmc::OpMul>(node, "OpMul");
  case OpKind::Div:
    return binaryCall<tmc::OpDiv>(node, "OpDiv");
  default:
    return nodeError(node, "not a binary elementwise op");
  }
}

llvm::Expected<Lowering> lowerClip(const Node &node) {
  const Value *x = node.input(0);
  tmc::ClipParams p;
  p.count = i32(x->numElements());
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (isNumericT<T>) {
      return single(makeCall(templ("tmc::clip", {CName<T>::get()}), &tmc::clip<T>, p,
                             {KernelArg::in(x), KernelArg::in(node.input(1)),
                              KernelArg::in(node.input(2)), KernelArg::out(node.output(0))}));
    } else {
      return unsupportedType(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerCast(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::CastParams p;
  p.count = i32(x->numElements());
  return dispatchType(x->dtype(), [&](auto from) {
    using F = typename decltype(from)::type;
    return dispatchType(y->dtype(), [&](auto to) -> llvm::Expected<Lowering> {
      using T = typename decltype(to)::type;
      return single(makeCall(templ("tmc::cast", {CName<F>::get(), CName<T>::get()}),
                             &tmc::cast<F, T>, p, {KernelArg::in(x), KernelArg::out(y)}));
    });
  });
}

llvm::Expected<Lowering> lowerVariadic(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerWhere(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

} // namespace tinymlc
