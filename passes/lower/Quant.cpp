//===- Quant.cpp - lowering of the quantisation ops -----------------------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, ConvInteger,
// MatMulInteger, QLinearConv and QLinearMatMul onto tmc_quant.h, with their
// scales and zero points as tensor arguments.
//
//===----------------------------------------------------------------------===//
#include "ir/ShapeInference.h"
#include "passes/lower/LowerUtils.h"
#include "tmc_quant.h"
#include <cstring>

namespace tinymlc {
namespace lower {
TINYMLC_PARAMS(QuantizeParams, TMC_QUANTIZE_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(DynamicQuantizeParams, TMC_DYNAMIC_QUANTIZE_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(QLinearConvParams, TMC_QLINEAR_CONV_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(QLinearMatMulParams, TMC_QLINEAR_MATMUL_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(QConvParams, TMC_QCONV_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(QFcParams, TMC_QFC_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(QAddParams, TMC_QADD_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(QAvgPoolParams, TMC_QAVG_POOL_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(QLutParams, TMC_QLUT_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(QMulParams, TMC_QMUL_PARAMS, "tmc_quant.h")
TINYMLC_PARAMS(QSoftmaxParams, TMC_QSOFTMAX_PARAMS, "tmc_quant.h")
} // namespace lower

using namespace lower;

namespace {

/// Calls fn(TypeTag<T>{}) for int8 or uint8 (the types inference allows).
template <typename Fn> auto dispatchQuant(DType t, Fn &&fn) {
  if (t == DType::I8)
    return fn(TypeTag<int8_t>{});
  return fn(TypeTag<uint8_t>{});
}

/// Values per quantisation parameter: 1 (per tensor) or the channel count.
int32_t quantCount(const Value *scaleOrZp) {
  return scaleOrZp ? i32(scaleOrZp->numElements()) : 1;
}

tmc::QuantizeParams quantizeParams(const Node &node) {
  const Value *x = node.input(0), *scale = node.input(1);
  tmc::QuantizeParams p;
  p.outer = 1;
  p.axis_size = 1;
  p.inner = i32(x->numElements());
  if (scale->numElements() > 1) {
    int64_t axis = node.getInt("axis", 1);
    if (axis < 0)
      axis += x->rank();
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i)
      outer *= x->shape()[i];
    p.outer = i32(outer);
    p.axis_size = i32(x->shape()[axis]);
    p.inner = i32(x->numElements() / std::max<int64_t>(1, outer * x->shape()[axis]));
  }
  return p;
}

} // namespace

llvm::Expected<Lowering> lowerQuantize(const Node &node) {
  const Value *x = node.input(0), *scale = node.input(1), *zp = node.input(2),
              *y = node.output(0);
  tmc::QuantizeParams p = quantizeParams(node);
  if (node.kind() == OpKind::QuantizeLinear)
    return dispatchQuant(y->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
      using T = typename decltype(tag)::type;
      return single(makeCall(templ("tmc::quantize_linear", {CName<T>::get()}),
                             &tmc::quantize_linear<T>, p,
                             {KernelArg::in(x), KernelArg::in(scale), KernelArg::in(zp),
                              KernelArg::out(y)}));
    });
  auto dq = [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    return single(makeCall(templ("tmc::dequantize_linear", {CName<T>::get()}),
                           &tmc::dequantize_linear<T>, p,
                           {KernelArg::in(x), KernelArg::in(scale), KernelArg::in(zp),
                            KernelArg::out(y)}));
  };
  if (x->dtype() == DType::I32)
    return dq(TypeTag<int32_t>{});
  return dispatchQuant(x->dtype(), dq);
}

llvm::Expected<Lowering> lowerDynamicQuantizeLinear(const Node &node) {
  tmc::DynamicQuantizeParams p;
  p.count = i32(node.input(0)->numElements());
  return single(makeCall("tmc::dynamic_quantize_linear", &tmc::dynamic_quantize_linear, p,
                         {KernelArg::in(node.input(0)), KernelArg::out(node.output(0)),
                          KernelArg::out(node.output(1)), KernelArg::out(node.output(2))}));
}

llvm::Expected<Lowering> lowerConvInteger(const Node &node) {
  const Value *x = node.input(0), *w = node.input(1), *y = node.output(0);
  auto c = convParams(node, x, w, y);
  if (!c)
    return c.takeError();
  tmc::QLinearConvParams p;
  std::memset(&p, 0, sizeof(p));
  std::memcpy(&p, &*c, sizeof(*c));
  p.w_quant_count = quantCount(node.input(3));
  return dispatchQuant(x->dtype(), [&](auto tx) {
    return dispatchQuant(w->dtype(), [&](auto tw) -> llvm::Expected<Lowering> {
      using TX = typename decltype(tx)::type;
      using TW = typename decltype(tw)::type;
      return single(makeCall(templ("tmc::conv_integer", {CName<TX>::get(), CName<TW>::get()}),
                             &tmc::conv_integer<TX, TW>, p,
                             {KernelArg::in(x), KernelArg::in(w), KernelArg::in(node.input(2)),
                              KernelArg::in(node.input(3)), KernelArg::out(y)}));
    });
  });
}

llvm::Expected<Lowering> lowerQLinearConv(const Node &node) {
  const Value *x = node.input(0), *w = node.input(3), *y = node.output(0);
  auto c = convParams(node, x, w, y);
  if (!c)
    return c.takeError();
  tmc::QLinearConvParams p;
  std::memset(&p, 0, sizeof(p));
  std::memcpy(&p, &*c, sizeof(*c));
  p.w_quant_count = std::max(quantCount(node.input(4)), quantCount(node.input(5)));
  std::vector<KernelArg> args;
  for (unsigned i = 0; i < 9; ++i)
    args.push_back(KernelArg::in(node.input(i)));
  args.push_back(KernelArg::out(y));
  return dispatchQuant(x->dtype(), [&](auto tx) {
    return dispatchQuant(w->dtype(), [&](auto tw) {
      return dispatchQuant(y->dtype(), [&](auto ty) -> llvm::Expected<Lowering> {
        using TX = typename decltype(tx)::type;
        using TW = typename decltype(tw)::type;
        using TY = typename decltype(ty)::type;
        return single(makeCall(
            templ("tmc::qlinear_conv", {CName<TX>::get(), CName<TW>::get(), CName<TY>::get()}),
            &tmc::qlinear_conv<TX, TW, TY>, p, args));
      });
    });
  });
}

llvm::Expected<Lowering> lowerMatMulInteger(const Node &node) {
  const Value *a = node.input(0), *b = node.input(1), *y = node.output(0);
  auto m = matMulParams(node, a, b);
  if (!m)
    return m.takeError();
  tmc::QLinearMatMulParams p;
  std::memset(&p, 0, sizeof(p));
  std::memcpy(&p, &*m, sizeof(*m));
  p.b_quant_count = quantCount(node.input(3));
  return dispatchQuant(a->dtype(), [&](auto ta) {
    return dispatchQuant(b->dtype(), [&](auto tb) -> llvm::Expected<Lowering> {
      using TA = typename decltype(ta)::type;
      using TB = typename decltype(tb)::type;
      return single(makeCall(templ("tmc::matmul_integer", {CName<TA>::get(), CName<TB>::get()}),
                             &tmc::matmul_integer<TA, TB>, p,
                             {KernelArg::in(a), KernelArg::in(b), KernelArg::in(node.input(2)),
                              KernelArg::in(node.input(3)), KernelArg::out(y)}));
    });
  });
}

llvm::Expected<Lowering> lowerQLinearMatMul(const Node &node) {
  const Value *a = node.input(0), *b = node.input(3), *y = node.output(0);
  auto m = matMulParams(node, a, b);
  if (!m)
    return m.takeError();
  tmc::QLinearMatMulParams p;
  std::memset(&p, 0, sizeof(p));
  std::memcpy(&p, &*m, sizeof(*m));
  p.b_quant_count = std::max(quantCount(node.input(4)), quantCount(node.input(5)));
  std::vector<KernelArg> args;
  for (unsigned i = 0; i < 8; ++i)
    args.push_back(KernelArg::in(node.input(i)));
  args.push_back(KernelArg::out(y));
  return dispatchQuant(a->dtype(), [&](auto ta) {
    return dispatchQuant(b->dtype(), [&](auto tb) {
      return dispatchQuant(y->dtype(), [&](auto ty) -> llvm::Expected<Lowering> {
        using TA = typename decltype(ta)::type;
        using TB = typename decltype(tb)::type;
        using TY = typename decltype(ty)::type;
        return single(makeCall(
            templ("tmc::qlinear_matmul", {CName<TA>::get(), CName<TB>::get(), CName<TY>::get()}),
            &tmc::qlinear_matmul<TA, TB, TY>, p, args));
      });
    });
  });
}

//===----------------------------------------------------------------------===//
// The QDQ pass's integer ops: everything is in the attributes and operands
//===----------------------------------------------------------------------===//

namespace {
int32_t intAttr(const Node &node, llvm::StringRef name) {
  return static_cast<int32_t>(node.getInt(name, 0));
}
} // namespace

/// The zero points and clamp of a requantising op (tmc.QConv, tmc.QFc).
template <typename P> void setRequantFields(const Node &node, P &p) {
  p.x_zp = intAttr(node, "x_zp");
  p.w_zp = intAttr(node, "w_zp");
  p.y_zp = intAttr(node, "y_zp");
  p.act_min = intAttr(node, "act_min");
  p.act_max = intAttr(node, "act_max");
}

/// The call of a three-type integer kernel `name<TA, TB, TY>(p, inputs..., y
/// [, scratch])`: every input of the node in order (a, b, or x, w and the
/// int32 bias, multipliers and shifts), the output, and a scratch buffer when
/// scratchBytes > 0; `kernel(ta, tb, ty)` gives its address for the element
/// types' tags.
template <typename P, typename K>
llvm::Expected<Lowering> requantCall(const Node &node, const char *name, const P &p,
                                     int64_t scratchBytes, K kernel) {
  const Value *a = node.input(0), *b = node.input(1), *y = node.output(0);
  std::vector<KernelArg> args;
  for (unsigned i = 0; i < node.numInputs(); ++i)
    args.push_back(KernelArg::in(node.input(i)));
  args.push_back(KernelArg::out(y));
  if (scratchBytes > 0)
    args.push_back(KernelArg::scratch(scratchBytes));
  return dispatchQuant(a->dtype(), [&](auto ta) {
    return dispatchQuant(b->dtype(), [&](auto tb) {
      return dispatchQuant(y->dtype(), [&](auto ty) -> llvm::Expected<Lowering> {
        using TA = typename decltype(ta)::type;
        using TB = typename decltype(tb)::type;
        using TY = typename decltype(ty)::type;
        return single(makeCall(templ(name, {CName<TA>::get(), CName<TB>::get(), CName<TY>::get()}),
                               kernel(ta, tb, ty), p, args));
      });
    });
  });
}

llvm::Expected<Lowering> lowerTmcQConv(const Node &node) {
  const Value *x = node.input(0), *w = node.input(1), *y = node.output(0);
  auto c = convParams(node, x, w, y);
  if (!c)
    return c.takeError();
  tmc::QConvParams p;
  std::memset(&p, 0, sizeof(p));
  std::memcpy(&p, &*c, sizeof(*c));
  setRequantFields(node, p);
  int64_t scratch = tmc::qconv_scratch_bytes(&p);
  return requantCall(node, "tmc::qconv", p, scratch, [](auto tx, auto tw, auto ty) {
    return &tmc::qconv<typename decltype(tx)::type, typename decltype(tw)::type,
                       typename decltype(ty)::type>;
  });
}

llvm::Expected<Lowering> lowerTmcQFc(const Node &node) {
  const Value *x = node.input(0), *w = node.input(1);
  tmc::QFcParams p;
  std::memset(&p, 0, sizeof(p));
  p.k = i32(w->shape()[1]);
  p.n = i32(w->shape()[0]);
  p.rows = i32(x->numElements() / std::max<int64_t>(1, w->shape()[1]));
  setRequantFields(node, p);
  int64_t scratch = tmc::qfc_scratch_bytes(&p);
  return requantCall(node, "tmc::qfc", p, scratch, [](auto tx, auto tw, auto ty) {
    return &tmc::qfc<typename decltype(tx)::type, typename decltype(tw)::type,
                     typename decltype(ty)::type>;
  });
}

llvm::Expected<Lowering> lowerTmcQAdd(const Node &node) {
  const Value *y = node.output(0);
  tmc::QAddParams p;
  p.count = i32(y->numElements());
  p.a_zp = intAttr(node, "a_zp");
  p.b_zp = intAttr(node, "b_zp");
  p.y_zp = intAttr(node, "y_zp");
  p.a_multiplier = intAttr(node, "a_multiplier");
  p.b_multiplier = intAttr(node, "b_multiplier");
  p.shift = intAttr(node, "shift");
  p.act_min = intAttr(node, "act_min");
  p.act_max = intAttr(node, "act_max");
  return requantCall(node, "tmc::qadd", p, 0, [](auto ta, auto tb, auto ty) {
    return &tmc::qadd<typename decltype(ta)::type, typename decltype(tb)::type,
                      typename decltype(ty)::type>;
  });
}

llvm::Expected<Lowering> lowerTmcQAvgPool(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  auto g = windowGeometry(node, x->shape().drop_front(2), node.getInts("kernel_shape"));
  if (!g)
    return g.takeError();
  tmc::QAvgPoolParams p;
  std::memset(&p, 0, sizeof(p));
  p.planes = i32(x->shape()[0] * x->shape()[1]);
  auto fill = [](int32_t(&dst)[3], llvm::ArrayRef<int64_t> src, int32_t dflt) {
    size_t off = 3 - src.size();
    for (size_t i = 0; i < 3; ++i)
      dst[i] = i < off ? dflt : i32(src[i - off]);
  };
  fill(p.in_size, g->in, 1);
  fill(p.out_size, g->out, 1);
  fill(p.kernel, g->kernel, 1);
  fill(p.stride, g->strides, 1);
  fill(p.pad, g->padBegin, 0);
  fill(p.pad_end, g->padEnd, 0);
  p.count_include_pad = intAttr(node, "count_include_pad");
  p.x_zp = intAttr(node, "x_zp");
  p.y_zp = intAttr(node, "y_zp");
  p.multiplier = intAttr(node, "multiplier");
  p.shift = intAttr(node, "shift");
  return dispatchQuant(x->dtype(), [&](auto tx) {
    return dispatchQuant(y->dtype(), [&](auto ty) -> llvm::Expected<Lowering> {
      using TX = typename decltype(tx)::type;
      using TY = typename decltype(ty)::type;
      return single(makeCall(templ("tmc::qavg_pool", {CName<TX>::get(), CName<TY>::get()}),
                             &tmc::qavg_pool<TX, TY>, p, {KernelArg::in(x), KernelArg::out(y)}));
    });
  });
}

llvm::Expected<Lowering> lowerTmcQLut(const Node &node) {
  const Value *x = node.input(0), *table = node.input(1), *y = node.output(0);
  tmc::QLutParams p;
  p.count = i32(x->numElements());
  return dispatchQuant(x->dtype(), [&](auto tx) {
    return dispatchQuant(y->dtype(), [&](auto ty) -> llvm::Expected<Lowering> {
      using TX = typename decltype(tx)::type;
      using TY = typename decltype(ty)::type;
      return single(makeCall(templ("tmc::qlut", {CName<TX>::get(), CName<TY>::get()}),
                             &tmc::qlut<TX, TY>, p,
                             {KernelArg::in(x), KernelArg::in(table), KernelArg::out(y)}));
    });
  });
}

llvm::Expected<Lowering> lowerTmcQMul(const Node &node) {
  const Value *a = node.input(0), *b = node.input(1), *y = node.output(0);
  auto bp = binaryParams(node, a, b, y);
  if (!bp)
    return bp.takeError();
  tmc::QMulParams p;
  std::memset(&p, 0, sizeof(p));
  std::memcpy(&p, &*bp, sizeof(*bp));
  p.a_zp = intAttr(node, "a_zp");
  p.b_zp = intAttr(node, "b_zp");
  p.y_zp = intAttr(node, "y_zp");
  p.multiplier = intAttr(node, "multiplier");
  p.shift = intAttr(node, "shift");
  p.act_min = intAttr(node, "act_min");
  p.act_max = intAttr(node, "act_max");
  return requantCall(node, "tmc::qmul", p, 0, [](auto ta, auto tb, auto ty) {
    return &tmc::qmul<typename decltype(ta)::type, typename decltype(tb)::type,
                      typename decltype(ty)::type>;
  });
}

llvm::Expected<Lowering> lowerTmcQSoftmax(const Node &node) {
  const Value *x = node.input(0), *table = node.input(1), *y = node.output(0);
  int64_t axis = node.getInt("axis", -1);
  if (axis < 0)
    axis += x->rank();
  tmc::QSoftmaxParams p;
  p.outer = i32(numElements(x->shape().take_front(axis)));
  p.axis_size = i32(x->shape()[axis]);
  p.inner = i32(numElements(x->shape().drop_front(axis + 1)));
  p.y_zp = intAttr(node, "y_zp");
  p.multiplier = intAttr(node, "multiplier");
  p.shift = intAttr(node, "shift");
  return dispatchQuant(x->dtype(), [&](auto tx) {
    return dispatchQuant(y->dtype(), [&](auto ty) -> llvm::Expected<Lowering> {
      using TX = typename decltype(tx)::type;
      using TY = typename decltype(ty)::type;
      return single(makeCall(templ("tmc::qsoftmax", {CName<TX>::get(), CName<TY>::get()}),
                             &tmc::qsoftmax<TX, TY>, p,
                             {KernelArg::in(x), KernelArg::in(table), KernelArg::out(y)}));
    });
  });
}

} // namespace tinymlc
