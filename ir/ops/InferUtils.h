//===- InferUtils.h - helpers shared by the op inference routines ---------===//
#ifndef TINYMLC_IR_OPS_INFERUTILS_H
#define TINYMLC_IR_OPS_INFERUTILS_H

#include "ir/Diagnostic.h"
#include "ir/Graph.h"
#include "ir/ShapeInference.h"
#include "llvm/Support/Error.h"
#include <initializer_list>

namespace tinymlc {

// Every routine named in Ops.def.
#define OP(Kind, Name, Infer, Lower, MinIn, MaxIn, MinOut, MaxOut, Summary)                    \
  llvm::Error infer##Infer(Node &node);
#include "ir/Ops.def"

namespace infer {

struct AttrSpec {
  const char *name;
  Attribute::Kind kind;
};

/// Rejects attributes the op does not have (or tinymlc does not support) and
/// attributes of the wrong kind.
llvm::Error checkAttrs(const Node &node, std::initializer_list<AttrSpec> specs);

/// The attributes every op that can carry a fused activation accepts.
#define TINYMLC_FUSED_ACTIVATION_ATTRS                                                         \
  {"fused_activation", Attribute::Kind::String}, {"fused_alpha", Attribute::Kind::Float},     \
      {"fused_beta", Attribute::Kind::Float}
/// Checks the fused activation attributes' values.
llvm::Error checkFusedActivation(const Node &node);

/// Element-type classes for checkType.
enum TypeClass : unsigned {
  kFloat = 1u << 0,
  kSigned = 1u << 1,
  kUnsigned = 1u << 2,
  kBool = 1u << 3,
  kInt = kSigned | kUnsigned,
  kNumeric = kFloat | kInt,
  kAny = kNumeric | kBool,
};
bool inClass(DType t, unsigned cls);

/// Requires input `i` to be present.
llvm::Expected<Value *> requireInput(const Node &node, unsigned i, llvm::StringRef what);
/// Requires the element type of input `i` to be in `cls`.
llvm::Error checkType(const Node &node, unsigned i, unsigned cls);
/// Requires every present input in `idx` to have the element type of input `first`.
llvm::Error checkSameType(const Node &node, std::initializer_list<unsigned> idx);
/// The integer values of constant input `i`; an error naming the input if it
/// is not a constant.
llvm::Expected<std::vector<int64_t>> constInts(const Node &node, unsigned i, llvm::StringRef what);
/// Normalises a possibly negative axis against `rank`.
llvm::Expected<int64_t> normAxis(const Node &node, int64_t axis, int64_t rank,
                                 llvm::StringRef what = "axis");
/// Sets output `i`'s type, if the node has that output.
void setOutput(Node &node, unsigned i, DType dtype, llvm::ArrayRef<int64_t> shape);

} // namespace infer
} // namespace tinymlc

#endif
