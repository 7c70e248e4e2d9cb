//===- InferUtils.cpp - helpers shared by the op inference routines -------===//
#include "ir/ops/InferUtils.h"
#include "llvm/ADT/StringExtras.h"

namespace tinymlc {
namespace infer {

llvm::Error checkAttrs(const Node &node, std::initializer_list<AttrSpec> specs) {
  for (const auto &[name, attr] : node.attrs()) {
    const AttrSpec *spec = nullptr;
    for (const AttrSpec &s : specs)
      if (name == s.name)
        spec = &s;
    if (!spec)
      return nodeError(node, "attribute '" + name + "' is not supported");
    if (attr.kind() != spec->kind && !attr.isEmptyList())
      return nodeError(node, "attribute '" + name + "' must be " +
                                 attributeKindName(spec->kind) + ", not " +
                                 attributeKindName(attr.kind()));
  }
  return llvm::Error::success();
}

llvm::Error checkFusedActivation(const Node &node) {
  if (!node.hasAttr("fused_activation"))
    return llvm::Error::success();
  std::string act = node.getString("fused_activation", "");
  static const char *const known[] = {"Relu",    "Clip",        "LeakyRelu", "Sigmoid",
                                      "Tanh",    "HardSigmoid", "HardSwish"};
  for (const char *k : known)
    if (act == k)
      return llvm::Error::success();
  return nodeError(node, "unknown fused_activation '" + act + "'");
}

bool inClass(DType t, unsigned cls) {
  if (isFloat(t))
    return cls & kFloat;
  if (isSignedInt(t))
    return cls & kSigned;
  if (isUnsignedInt(t))
    return cls & kUnsigned;
  return cls & kBool;
}

llvm::Expected<Value *> requireInput(const Node &node, unsigned i, llvm::StringRef what) {
  if (Value *v = node.input(i))
    return v;
  return nodeError(node, "input " + llvm::Twine(i) + " (" + what + ") is required");
}

llvm::Error checkType(const Node &node, unsigned i, unsigned cls) {
  Value *v = node.input(i);
  if (!v || inClass(v->dtype(), cls))
    return llvm::Error::success();
  return nodeError(node, "element type " + dtypeName(v->dtype()) + " of input " +
                             llvm::Twine(i) + " ('" + v->name() + "') is not supported by " +
                             opName(node.kind()));
}

llvm::Error checkSameType(const Node &node, std::initializer_list<unsigned> idx) {
  const Value *first = nullptr;
  for (unsigned i : idx) {
    const Value *v = node.input(i);
    if (!v)
      continue;
    if (!first) {
      first = v;
      continue;
    }
    if (v->dtype() != first->dtype())
      return nodeError(node, "input " + llvm::Twine(i) + " ('" + v->name() + "') is " +
                                 dtypeName(v->dtype()) + " but '" + first->name() + "' is " +
                                 dtypeName(first->dtype()));
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<int64_t>> constInts(const Node &node, unsigned i,
                                               llvm::StringRef what) {
  Value *v = node.input(i);
  if (!v)
    return nodeError(node, "input " + llvm::Twine(i) + " (" + what + ") is required");
  if (!v->isConstant())
    return nodeError(node, "input " + llvm::Twine(i) + " (" + what + ", '" + v->name() +
                               "') must be known at compile time, but it is computed from "
                               "runtime data; bind the graph input it depends on with "
                               "--const NAME=FILE");
  if (isFloat(v->dtype()))
    return nodeError(node, "input " + llvm::Twine(i) + " (" + what + ") must be integer, not " +
                               dtypeName(v->dtype()));
  return v->intValues();
}

llvm::Expected<int64_t> normAxis(const Node &node, int64_t axis, int64_t rank,
                                 llvm::StringRef what) {
  if (axis < -rank || axis >= rank)
    return nodeError(node, what + " " + llvm::Twine(axis) + " is out of range for rank " +
                               llvm::Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

void setOutput(Node &node, unsigned i, DType dtype, llvm::ArrayRef<int64_t> shape) {
  if (Value *v = node.output(i))
    v->setType(dtype, shape);
}

} // namespace infer

//===----------------------------------------------------------------------===//
// Shared entry points
//===----------------------------------------------------------------------===//

llvm::Error inferNode(Node &node) {
  const OpInfo &info = opInfo(node.kind());
  if (node.numInputs() < static_cast<unsigned>(info.minInputs) ||
      (info.maxInputs >= 0 && node.numInputs() > static_cast<unsigned>(info.maxInputs)))
    return nodeError(node, "has " + llvm::Twine(node.numInputs()) + " inputs; " +
                               opName(node.kind()) + " takes " + llvm::Twine(info.minInputs) +
                               (info.maxInputs < 0 ? llvm::Twine(" or more")
                                                   : llvm::Twine(" to ") +
                                                         llvm::Twine(info.maxInputs)));
  for (int i = 0; i < info.minInputs; ++i)
    if (!node.input(i))
      return nodeError(node, "input " + llvm::Twine(i) + " is required");
  if (node.numOutputs() < static_cast<unsigned>(info.minOutputs) ||
      (info.maxOutputs >= 0 && node.numOutputs() > static_cast<unsigned>(info.maxOutputs)))
    return nodeError(node, "has " + llvm::Twine(node.numOutputs()) + " outputs; " +
                               opName(node.kind()) + " produces " +
                               llvm::Twine(info.minOutputs) +
                               (info.maxOutputs < 0 ? llvm::Twine(" or more")
                                                    : llvm::Twine(" to ") +
                                                          llvm::Twine(info.maxOutputs)));
  llvm::Error e = llvm::Error::success();
  switch (node.kind()) {
#define OP(Kind, Name, Infer, Lower, MinIn, MaxIn, MinOut, MaxOut, Summary)                    \
  case OpKind::Kind:                                                                           \
    e = infer##Infer(node);                                                                    \
    break;
#include "ir/Ops.def"
  }
  if (e)
    return e;
  for (const Value *v : node.outputs())
    if (v && !checkedTensorBytes(v->shape(), dtypeSize(v->dtype())))
      return nodeError(node, "output '" + v->name() + "' would be " + v->typeString() +
                                 ", larger than the 2 GiB tinymlc supports per tensor");
  return llvm::Error::success();
}

std::optional<Shape> broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

} // namespace tinymlc
