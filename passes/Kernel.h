//===- Kernel.h - a node lowered to runtime-min kernel calls --------------===//
//
// Lowering chooses, for one node, the runtime-min kernels that compute it and
// fills their parameter structs. The result serves twice:
// - the evaluator runs `KernelCall::run` (the compiled kernel, called with the
//   very parameters the generated code will hold) to fold constants and to
//   evaluate models;
// - codegen prints `function(&params, args...)` with the same parameters.
// So the generated code and the compiler's evaluator cannot disagree.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_PASSES_KERNEL_H
#define TINYMLC_PASSES_KERNEL_H

#include "ir/Graph.h"
#include "llvm/Support/Error.h"
#include <functional>
#include <string>
#include <vector>

namespace tinymlc {

/// One kernel argument after the parameter struct.
struct KernelArg {
  enum class Kind {
    Input,   ///< reads `value`
    Output,  ///< writes `value`
    Null,    ///< an absent optional operand (a null pointer)
    Scratch, ///< working memory of `scratchBytes`, live during this call only
  };
  Kind kind;
  const Value *value = nullptr;
  std::string cType; ///< the parameter's C++ type, e.g. "const float *"
  /// Scratch only: bytes needed. The planner places scratch in the arena like
  /// any tensor (live for one step); the evaluator gives it a temporary buffer.
  int64_t scratchBytes = 0;

  static KernelArg in(const Value *v) { return {v ? Kind::Input : Kind::Null, v, "", 0}; }
  static KernelArg out(const Value *v) { return {Kind::Output, v, "", 0}; }
  static KernelArg scratch(int64_t bytes) { return {Kind::Scratch, nullptr, "", bytes}; }
};

/// One printed field of a parameter struct.
struct ParamField {
  std::string name;
  std::string text; ///< scalar value or "{a, b, c}"
};

struct KernelCall {
  std::string function;   ///< e.g. "tmc::conv<float>"
  std::string header;     ///< runtime-min header declaring it, e.g. "tmc_conv.h"
  std::string paramsType; ///< e.g. "tmc::ConvParams"
  std::vector<ParamField> params;
  std::vector<KernelArg> args;
  /// Runs the kernel; `ptrs[i]` is the buffer of args[i] (null for Null).
  std::function<void(llvm::ArrayRef<void *> ptrs)> run;
};

/// How a node is computed.
struct Lowering {
  /// Output 0 shares input 0's storage and no code runs (Reshape and friends).
  bool isView = false;
  /// Kernel calls, run in order.
  std::vector<KernelCall> calls;
};

/// Lowers `node` (whose types are known) to kernel calls. Fails with a located
/// error for combinations the kernels do not support.
llvm::Expected<Lowering> lowerNode(const Node &node);

} // namespace tinymlc

#endif
