//===- CppEmitter.h - writes the generated C++ sources --------------------===//
//
// From a lowered, planned graph, writes:
//   <name>.h          the C-callable API and the memory contract (macros)
//   <name>.cpp        the arena and the call sequence, one commented block per op
//   <name>_weights.cpp  every constant as a const array (flash)
//   tmc_*.h           the runtime-min headers the calls need
// Everything emitted is a function of the graph and options only: no dates,
// paths, versions or hash-order iteration, so identical inputs give identical
// bytes.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_CODEGEN_CPPEMITTER_H
#define TINYMLC_CODEGEN_CPPEMITTER_H

#include "ir/Graph.h"
#include "passes/Kernel.h"
#include "passes/MemoryPlan.h"
#include "passes/Quantize.h"
#include "llvm/Support/Error.h"
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tinymlc {

struct CodegenOptions {
  /// Prefix of every symbol and file; a C identifier.
  std::string name = "model";
  /// The model's file name (no directory): only the manifest records it.
  std::string modelFile;
  /// The caller supplies the arenas (<name>_set_arena) instead of static arrays.
  bool externalArena = false;
  /// --io int8: the quantisation of the graph inputs and outputs that are
  /// int8/uint8, by value name (the header states it).
  std::map<std::string, std::pair<float, int32_t>> ioQuant;
  /// Per region (parallel to the plan's regions; may be shorter): the linker
  /// section of its static arena, empty for the default.
  std::vector<std::string> regionSections;
};

struct GeneratedFile {
  std::string name; ///< file name, no directory
  std::string text;
};

/// Everything codegen needs: the graph in schedule order, one lowering per
/// node, and the memory plan.
struct CompiledModel {
  const Graph *graph = nullptr;
  std::vector<Lowering> lowerings;
  MemoryPlan plan;
  /// What post-training quantisation did (--quantize), for the report.
  std::optional<QuantizationReport> quantization;
};

std::vector<GeneratedFile> emitCpp(const CompiledModel &m, const CodegenOptions &opts);

/// A C identifier from arbitrary text: characters outside [A-Za-z0-9_] become
/// '_', and a leading digit gets a '_' prefix.
std::string sanitizeIdentifier(llvm::StringRef s);

/// Lower-case hex SHA-256 of `bytes` (LLVM Support's implementation).
std::string sha256Hex(llvm::ArrayRef<uint8_t> bytes);

/// Total bytes of the constants the generated code stores; with
/// `eightBitOnly`, only those of 1-byte types (int8/uint8 weights).
int64_t weightBytes(const CompiledModel &m, bool eightBitOnly = false);

} // namespace tinymlc

#endif
