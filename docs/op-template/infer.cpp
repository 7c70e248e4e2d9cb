// In ir/ops/<Family>.cpp. Checks in this order: attributes, element types,
// inputs that must be compile-time constants, shapes; then sets the outputs.
// Messages: lower case, no trailing period, say what to do.

llvm::Error inferFoo(Node &node) {
  // Every attribute the op has; any other is "attribute 'x' is not supported".
  if (auto e = checkAttrs(node, {{"exclusive", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kNumeric))
    return e;
  Value *x = node.input(0), *a = node.input(1);
  if (a->dtype() != DType::I32 && a->dtype() != DType::I64)
    return nodeError(node, "axis must be int32 or int64, not " + dtypeName(a->dtype()));
  // A shape-deciding input must be constant; the error tells the user to
  // bind the graph input with --const.
  auto axis = constInts(node, 1, "axis");
  if (!axis)
    return axis.takeError();
  if (axis->size() != 1)
    return nodeError(node, "axis must hold one value, not " + shapeToString(a->shape()));
  if (auto ax = normAxis(node, (*axis)[0], x->rank()); !ax)
    return ax.takeError();
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}
