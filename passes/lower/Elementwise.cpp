//===- Elementwise.cpp - lowering of elementwise ops ----------------------===//
//
// Unary ops become tmc::unary<Op, T[, R]>, binary ops tmc::binary<Op, A, B, R>
// with broadcast strides computed here, variadic ops (Max, Min, Sum, Mean) a
// chain of binary calls that accumulate into the output, Where a byte-moving
// tmc::where<ES>. The element types each op is instantiated for mirror the
// checks of its inference routine (ir/ops/Elementwise.cpp).
//
//===----------------------------------------------------------------------===//
#include "ir/ShapeInference.h"
#include "passes/lower/LowerUtils.h"
#include <cstring>
#include <type_traits>

namespace tinymlc::lower {
TINYMLC_PARAMS(WhereParams, TMC_WHERE_PARAMS, "tmc_elementwise.h")
} // namespace tinymlc::lower

namespace tinymlc {
using namespace lower;

namespace {

llvm::Error unsupportedType(const Node &node, DType t) {
  return nodeError(node, "no kernel for element type " + dtypeName(t));
}

template <typename T> constexpr bool isFloatT = std::is_floating_point_v<T>;
template <typename T> constexpr bool isBoolT = std::is_same_v<T, bool>;
template <typename T> constexpr bool isNumericT = !isBoolT<T>;
template <typename T> constexpr bool isSignedT = std::is_signed_v<T> && !isFloatT<T>;
template <typename T> constexpr bool isUnsignedT = std::is_unsigned_v<T> && !isBoolT<T>;

// Element-type sets, as class templates for the call helpers.
template <typename T> struct FloatOnly : std::bool_constant<isFloatT<T>> {};
template <typename T> struct Numeric : std::bool_constant<isNumericT<T>> {};
template <typename T> struct AnyType : std::true_type {};
template <typename T> struct BoolOnly : std::bool_constant<isBoolT<T>> {};
template <typename T> struct UnsignedOnly : std::bool_constant<isUnsignedT<T>> {};
template <typename T> struct FloatOrSigned : std::bool_constant<isFloatT<T> || isSignedT<T>> {};

std::string opRef(const char *opName) { return std::string("tmc::") + opName; }

/// tmc::unary<Op, T> (or <Op, T, bool> when BoolOut) for input 0's type.
template <class Op, template <typename> class Allowed, bool BoolOut = false>
llvm::Expected<Lowering> unaryCall(const Node &node, const std::string &opName,
                                   const tmc::UnaryParams &p) {
  const Value *x = node.input(0);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (Allowed<T>::value) {
      std::vector<KernelArg> args = {KernelArg::in(x), KernelArg::out(node.output(0))};
      if constexpr (BoolOut)
        return single(makeCall(templ("tmc::unary", {opName, CName<T>::get(), "bool"}),
                               &tmc::unary<Op, T, bool>, p, std::move(args)));
      else
        return single(makeCall(templ("tmc::unary", {opName, CName<T>::get()}),
                               &tmc::unary<Op, T>, p, std::move(args)));
    } else {
      return unsupportedType(node, x->dtype());
    }
  });
}

template <class Op, template <typename> class Allowed>
llvm::Expected<Lowering> unaryCall(const Node &node, const char *opName,
                                   const tmc::UnaryParams &p) {
  return unaryCall<Op, Allowed, false>(node, opRef(opName), p);
}

/// The IsInf kernel for its two detect flags.
llvm::Expected<Lowering> isInfCall(const Node &node, const tmc::UnaryParams &p) {
  bool neg = node.getInt("detect_negative", 1) != 0;
  bool pos = node.getInt("detect_positive", 1) != 0;
  if (neg && pos)
    return unaryCall<tmc::OpIsInf<1, 1>, FloatOnly, true>(node, "tmc::OpIsInf<1, 1>", p);
  if (neg)
    return unaryCall<tmc::OpIsInf<1, 0>, FloatOnly, true>(node, "tmc::OpIsInf<1, 0>", p);
  if (pos)
    return unaryCall<tmc::OpIsInf<0, 1>, FloatOnly, true>(node, "tmc::OpIsInf<0, 1>", p);
  return unaryCall<tmc::OpIsInf<0, 0>, FloatOnly, true>(node, "tmc::OpIsInf<0, 0>", p);
}

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
    return unaryCall<tmc::OpNeg, FloatOrSigned>(node, "OpNeg", p);
  case OpKind::Sign:
    return unaryCall<tmc::OpSign, Numeric>(node, "OpSign", p);
  case OpKind::Erf:
    return unaryCall<tmc::OpErf, Numeric>(node, "OpErf", p);
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
  case OpKind::Round:
    return unaryCall<tmc::OpRound, FloatOnly>(node, "OpRound", p);
  case OpKind::Sigmoid:
    return unaryCall<tmc::OpSigmoid, FloatOnly>(node, "OpSigmoid", p);
  case OpKind::Tanh:
    return unaryCall<tmc::OpTanh, FloatOnly>(node, "OpTanh", p);
  case OpKind::Sin:
    return unaryCall<tmc::OpSin, FloatOnly>(node, "OpSin", p);
  case OpKind::Cos:
    return unaryCall<tmc::OpCos, FloatOnly>(node, "OpCos", p);
  case OpKind::Tan:
    return unaryCall<tmc::OpTan, FloatOnly>(node, "OpTan", p);
  case OpKind::Asin:
    return unaryCall<tmc::OpAsin, FloatOnly>(node, "OpAsin", p);
  case OpKind::Acos:
    return unaryCall<tmc::OpAcos, FloatOnly>(node, "OpAcos", p);
  case OpKind::Atan:
    return unaryCall<tmc::OpAtan, FloatOnly>(node, "OpAtan", p);
  case OpKind::Sinh:
    return unaryCall<tmc::OpSinh, FloatOnly>(node, "OpSinh", p);
  case OpKind::Cosh:
    return unaryCall<tmc::OpCosh, FloatOnly>(node, "OpCosh", p);
  case OpKind::Asinh:
    return unaryCall<tmc::OpAsinh, FloatOnly>(node, "OpAsinh", p);
  case OpKind::Acosh:
    return unaryCall<tmc::OpAcosh, FloatOnly>(node, "OpAcosh", p);
  case OpKind::Atanh:
    return unaryCall<tmc::OpAtanh, FloatOnly>(node, "OpAtanh", p);
  case OpKind::Softplus:
    return unaryCall<tmc::OpSoftplus, FloatOnly>(node, "OpSoftplus", p);
  case OpKind::Softsign:
    return unaryCall<tmc::OpSoftsign, FloatOnly>(node, "OpSoftsign", p);
  case OpKind::LeakyRelu:
    p.alpha = node.getFloat("alpha", 0.01f);
    return unaryCall<tmc::OpLeakyRelu, FloatOnly>(node, "OpLeakyRelu", p);
  case OpKind::HardSigmoid:
    p.alpha = node.getFloat("alpha", 0.2f);
    p.beta = node.getFloat("beta", 0.5f);
    return unaryCall<tmc::OpHardSigmoid, FloatOnly>(node, "OpHardSigmoid", p);
  case OpKind::HardSwish:
    return unaryCall<tmc::OpHardSwish, FloatOnly>(node, "OpHardSwish", p);
  case OpKind::Elu:
    p.alpha = node.getFloat("alpha", 1.0f);
    return unaryCall<tmc::OpElu, FloatOnly>(node, "OpElu", p);
  case OpKind::Selu:
    p.alpha = node.getFloat("alpha", 1.67326319217681884765625f);
    p.beta = node.getFloat("gamma", 1.05070102214813232421875f);
    return unaryCall<tmc::OpSelu, FloatOnly>(node, "OpSelu", p);
  case OpKind::Celu:
    p.alpha = node.getFloat("alpha", 1.0f);
    return unaryCall<tmc::OpCelu, FloatOnly>(node, "OpCelu", p);
  case OpKind::ThresholdedRelu:
    p.alpha = node.getFloat("alpha", 1.0f);
    return unaryCall<tmc::OpThresholdedRelu, FloatOnly>(node, "OpThresholdedRelu", p);
  case OpKind::Shrink:
    p.alpha = node.getFloat("lambd", 0.5f);
    p.beta = node.getFloat("bias", 0.0f);
    return unaryCall<tmc::OpShrink, Numeric>(node, "OpShrink", p);
  case OpKind::IsNaN:
    return unaryCall<tmc::OpIsNaN, FloatOnly, true>(node, "tmc::OpIsNaN", p);
  case OpKind::IsInf:
    return isInfCall(node, p);
  case OpKind::Not:
    return unaryCall<tmc::OpNot, BoolOnly>(node, "OpNot", p);
  default:
    return nodeError(node, "not a unary elementwise op");
  }
}

namespace {

/// Loop parameters of a broadcasting elementwise op: the output dims with unit
/// dims dropped and neighbours merged where every operand steps through them
/// contiguously, and each operand's stride per dim (0 where it is broadcast).
/// Empty dims means no operand is broadcast (all have the output's shape).
struct BroadcastLoop {
  std::vector<int32_t> dims;
  std::vector<std::vector<int32_t>> strides; ///< per operand
};

llvm::Expected<BroadcastLoop> broadcastLoop(const Node &node,
                                            llvm::ArrayRef<const Value *> operands,
                                            const Value *y) {
  BroadcastLoop loop;
  loop.strides.resize(operands.size());
  bool same = true;
  for (const Value *v : operands)
    same &= v->shape() == y->shape();
  if (same)
    return loop;
  size_t rank = y->shape().size();
  std::vector<Shape> strides;
  for (const Value *v : operands) {
    Shape s(rank, 0);
    Shape own = contiguousStrides(v->shape());
    size_t off = rank - v->shape().size();
    for (size_t i = 0; i < v->shape().size(); ++i)
      s[off + i] = v->shape()[i] == 1 ? 0 : own[i];
    strides.push_back(std::move(s));
  }
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> ds(operands.size());
  for (size_t i = 0; i < rank; ++i) {
    int64_t n = y->shape()[i];
    if (n == 1)
      continue;
    bool merge = !dims.empty();
    for (size_t k = 0; k < operands.size() && merge; ++k)
      merge = ds[k].back() == strides[k][i] * n;
    if (merge) {
      dims.back() *= n;
      for (size_t k = 0; k < operands.size(); ++k)
        ds[k].back() = strides[k][i];
      continue;
    }
    dims.push_back(n);
    for (size_t k = 0; k < operands.size(); ++k)
      ds[k].push_back(strides[k][i]);
  }
  if (dims.empty()) {
    dims.push_back(1);
    for (auto &d : ds)
      d.push_back(0);
  }
  if (dims.size() > tmc::kMaxRank)
    return nodeError(node, "broadcast needs " + llvm::Twine(dims.size()) +
                               " dimensions; kernels support up to 8");
  for (int64_t d : dims)
    loop.dims.push_back(i32(d));
  for (size_t k = 0; k < operands.size(); ++k)
    for (int64_t s : ds[k])
      loop.strides[k].push_back(i32(s));
  return loop;
}

} // namespace

/// Broadcast parameters of y = op(a, b): rank 0 when no operand is broadcast.
llvm::Expected<tmc::BinaryParams> binaryParams(const Node &node, const Value *a, const Value *b,
                                               const Value *y) {
  tmc::BinaryParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(y->numElements());
  auto loop = broadcastLoop(node, {a, b}, y);
  if (!loop)
    return loop.takeError();
  p.rank = static_cast<int32_t>(loop->dims.size());
  for (size_t i = 0; i < loop->dims.size(); ++i) {
    p.dims[i] = loop->dims[i];
    p.a_strides[i] = loop->strides[0][i];
    p.b_strides[i] = loop->strides[1][i];
  }
  return p;
}

namespace {

/// The call of tmc::binary<Op, A, B, R> computing y from a and b, where a
/// may be y itself (a step of a variadic chain).
template <class Op, typename A, typename B, typename R>
llvm::Expected<KernelCall> binaryKernel(const Node &node, const std::string &opName,
                                        const Value *a, const Value *b, const Value *y) {
  auto p = binaryParams(node, a, b, y);
  if (!p)
    return p.takeError();
  KernelArg first = a == y ? KernelArg::out(y) : KernelArg::in(a);
  return makeCall(templ("tmc::binary",
                        {opName, CName<A>::get(), CName<B>::get(), CName<R>::get()}),
                  &tmc::binary<Op, A, B, R>, *p, {first, KernelArg::in(b), KernelArg::out(y)});
}

/// y = Op(a, b) with a, b and y of one element type in Allowed (or y bool
/// when BoolOut).
template <class Op, template <typename> class Allowed, bool BoolOut = false>
llvm::Expected<Lowering> binaryCall(const Node &node, const char *opName) {
  const Value *a = node.input(0), *b = node.input(1), *y = node.output(0);
  return dispatchType(a->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    using R = std::conditional_t<BoolOut, bool, T>;
    if constexpr (Allowed<T>::value) {
      auto call = binaryKernel<Op, T, T, R>(node, opRef(opName), a, b, y);
      if (!call)
        return call.takeError();
      return single(std::move(*call));
    } else {
      return unsupportedType(node, a->dtype());
    }
  });
}

template <typename T>
struct PowBase : std::bool_constant<isFloatT<T> || std::is_same_v<T, int32_t> ||
                                    std::is_same_v<T, int64_t>> {};

/// Pow: the exponent's type is dispatched separately.
llvm::Expected<Lowering> powCall(const Node &node) {
  const Value *a = node.input(0), *b = node.input(1), *y = node.output(0);
  return dispatchType(a->dtype(), [&](auto ta) -> llvm::Expected<Lowering> {
    using A = typename decltype(ta)::type;
    if constexpr (PowBase<A>::value) {
      return dispatchType(b->dtype(), [&](auto tb) -> llvm::Expected<Lowering> {
        using B = typename decltype(tb)::type;
        if constexpr (isNumericT<B>) {
          auto call = binaryKernel<tmc::OpPow, A, B, A>(node, "tmc::OpPow", a, b, y);
          if (!call)
            return call.takeError();
          return single(std::move(*call));
        } else {
          return unsupportedType(node, b->dtype());
        }
      });
    } else {
      return unsupportedType(node, a->dtype());
    }
  });
}

} // namespace

llvm::Expected<Lowering> lowerBinary(const Node &node) {
  switch (node.kind()) {
  case OpKind::Add:
    return binaryCall<tmc::OpAdd, Numeric>(node, "OpAdd");
  case OpKind::Sub:
    return binaryCall<tmc::OpSub, Numeric>(node, "OpSub");
  case OpKind::Mul:
    return binaryCall<tmc::OpMul, Numeric>(node, "OpMul");
  case OpKind::Div:
    return binaryCall<tmc::OpDiv, Numeric>(node, "OpDiv");
  case OpKind::Mod:
    if (node.getInt("fmod", 0) != 0)
      return binaryCall<tmc::OpFmod, Numeric>(node, "OpFmod");
    return binaryCall<tmc::OpMod, Numeric>(node, "OpMod");
  case OpKind::Pow:
    return powCall(node);
  case OpKind::PRelu:
    return binaryCall<tmc::OpPRelu, Numeric>(node, "OpPRelu");
  case OpKind::BitShift:
    if (node.getString("direction", "") == "LEFT")
      return binaryCall<tmc::OpShiftLeft, UnsignedOnly>(node, "OpShiftLeft");
    return binaryCall<tmc::OpShiftRight, UnsignedOnly>(node, "OpShiftRight");
  case OpKind::And:
    return binaryCall<tmc::OpAnd, BoolOnly>(node, "OpAnd");
  case OpKind::Or:
    return binaryCall<tmc::OpOr, BoolOnly>(node, "OpOr");
  case OpKind::Xor:
    return binaryCall<tmc::OpXor, BoolOnly>(node, "OpXor");
  case OpKind::Equal:
    return binaryCall<tmc::OpEqual, AnyType, true>(node, "OpEqual");
  case OpKind::Greater:
    return binaryCall<tmc::OpGreater, Numeric, true>(node, "OpGreater");
  case OpKind::GreaterOrEqual:
    return binaryCall<tmc::OpGreaterOrEqual, Numeric, true>(node, "OpGreaterOrEqual");
  case OpKind::Less:
    return binaryCall<tmc::OpLess, Numeric, true>(node, "OpLess");
  case OpKind::LessOrEqual:
    return binaryCall<tmc::OpLessOrEqual, Numeric, true>(node, "OpLessOrEqual");
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

namespace {
/// One step y = op(a, b) of a variadic op's chain.
template <typename T>
llvm::Expected<KernelCall> variadicStep(const Node &node, const Value *a, const Value *b,
                                        const Value *y) {
  switch (node.kind()) {
  case OpKind::Max:
    return binaryKernel<tmc::OpMax, T, T, T>(node, "tmc::OpMax", a, b, y);
  case OpKind::Min:
    return binaryKernel<tmc::OpMin, T, T, T>(node, "tmc::OpMin", a, b, y);
  default: // Sum, Mean
    return binaryKernel<tmc::OpAdd, T, T, T>(node, "tmc::OpAdd", a, b, y);
  }
}
} // namespace

/// Max, Min, Sum and Mean: one input is a view of it; otherwise
///   y = op(x0, x1); y = op(y, x2); ...
/// each step broadcasting into y's shape (y already has it, so accumulating
/// in place is index-aligned), and Mean divides by the number of inputs last.
llvm::Expected<Lowering> lowerVariadic(const Node &node) {
  const Value *y = node.output(0);
  unsigned n = node.numInputs();
  if (n == 1) {
    Lowering l;
    l.isView = true;
    return l;
  }
  return dispatchType(y->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (isNumericT<T>) {
      Lowering l;
      for (unsigned i = 1; i < n; ++i) {
        auto call = variadicStep<T>(node, i == 1 ? node.input(0) : y, node.input(i), y);
        if (!call)
          return call.takeError();
        l.calls.push_back(std::move(*call));
      }
      if (node.kind() == OpKind::Mean) {
        tmc::UnaryParams p;
        p.count = i32(y->numElements());
        p.alpha = static_cast<float>(n);
        p.beta = 0.0f;
        l.calls.push_back(makeCall(templ("tmc::unary", {"tmc::OpDivBy", CName<T>::get()}),
                                   &tmc::unary<tmc::OpDivBy, T>, p,
                                   {KernelArg::out(y), KernelArg::out(y)}));
      }
      return l;
    } else {
      return unsupportedType(node, y->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerWhere(const Node &node) {
  const Value *c = node.input(0), *a = node.input(1), *b = node.input(2), *y = node.output(0);
  auto loop = broadcastLoop(node, {c, a, b}, y);
  if (!loop)
    return loop.takeError();
  tmc::WhereParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(y->numElements());
  p.rank = static_cast<int32_t>(loop->dims.size());
  for (size_t i = 0; i < loop->dims.size(); ++i) {
    p.dims[i] = loop->dims[i];
    p.c_strides[i] = loop->strides[0][i];
    p.a_strides[i] = loop->strides[1][i];
    p.b_strides[i] = loop->strides[2][i];
  }
  return dispatchSize(y->dtype(), [&](auto es) -> llvm::Expected<Lowering> {
    constexpr int ES = decltype(es)::value;
    return single(makeCall("tmc::where<" + std::to_string(ES) + ">", &tmc::where<ES>, p,
                           {KernelArg::in(c), KernelArg::in(a), KernelArg::in(b),
                            KernelArg::out(y)}));
  });
}

} // namespace tinymlc
