// In passes/lower/<Family>.cpp. The evaluator (constant folding,
// calibration) and the code generator both use this one lowering.

namespace tinymlc::lower {
TINYMLC_PARAMS(FooParams, TMC_FOO_PARAMS, "tmc_family.h")
}

llvm::Expected<Lowering> lowerFoo(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::FooParams p;
  splitAxis(x->shape(), normalized(node.input(1)->intValues()[0], x->rank()), p.outer,
            p.axis_size, p.inner);
  p.exclusive = node.getInt("exclusive", 0) != 0 ? 1 : 0;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      return single(makeCall(templ("tmc::foo", {CName<T>::get()}), &tmc::foo<T>, p,
                             {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype()); // a located "no kernel for bool" error
    }
  });
}
