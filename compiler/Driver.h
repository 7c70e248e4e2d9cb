//===- Driver.h - the compile pipeline, from a model file to files --------===//
#ifndef TINYMLC_COMPILER_DRIVER_H
#define TINYMLC_COMPILER_DRIVER_H

#include "codegen/CppEmitter.h"
#include "passes/MemoryPlan.h"
#include "compiler/onnx/Importer.h"
#include "passes/Pass.h"
#include "targets/Target.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>
#include <set>
#include <string>

namespace tinymlc {

struct CompileOptions {
  ImportOptions import;
  /// Symbol and file prefix; empty: derived from the model's file name.
  std::string name;
  /// A built-in target's name or a description file (NAME.json).
  std::string target = "host";
  std::set<std::string> printAfter; ///< pass names, or "import"
  bool printAfterAll = false;
  /// Bytes of RAM the arena may use (-1: no limit): the plan must fit. Caps
  /// the target's first (fastest) region.
  int64_t ramLimit = -1;
  /// The caller supplies the arena (--arena=external).
  bool externalArena = false;
  /// Try other operator orders for a smaller plan.
  bool schedule = true;
  /// --io int8: integer inputs and outputs at the QuantizeLinear /
  /// DequantizeLinear edges of a quantised model.
  bool integerIO = false;
  /// --quantize int8: post-training quantisation calibrated on the inputs in
  /// `calibrationDir` (see compiler/Calibration.h).
  bool quantize = false;
  std::string calibrationDir;
  CalibrationMethod calibrationMethod = CalibrationMethod::MinMax;
  double percentile = 99.99;
  bool biasCorrection = true;
};

struct Compilation {
  std::unique_ptr<Graph> graph;
  CompiledModel model;
  CodegenOptions codegen;
  Target target;
  /// Sources, kernel headers and <name>.report.json.
  std::vector<GeneratedFile> files;
  PassContext passes;
  /// Wall-clock seconds per phase (import, passes, lowering, planning,
  /// codegen), in order; for --time-phases, never written to a file.
  std::vector<std::pair<std::string, double>> phaseSeconds;
  /// --io int8: the edges that stay float, and why (for the summary).
  std::vector<std::string> floatEdges;
};

/// Imports, transforms, plans and generates code for one model. IR printing
/// requested in `opts` goes to `printStream`.
llvm::Expected<Compilation> compileModel(llvm::StringRef path, const CompileOptions &opts,
                                         llvm::raw_ostream &printStream);

/// Writes `files` into `dir` (created if missing).
llvm::Error writeFiles(const std::vector<GeneratedFile> &files, llvm::StringRef dir);

/// "0.1.0": the project version from CMake.
const char *toolVersion();

/// `<name>.manifest.json`: tool version, the flags that affect the output,
/// the SHA-256 of the model (and of --const files) and of every generated
/// file. The only output that records versions and input file names.
std::string manifestJson(llvm::StringRef modelPath, const CompileOptions &opts,
                         const std::string &name, const std::vector<GeneratedFile> &files);

/// The prefix used when --name is not given: the file's stem as an identifier.
std::string defaultModelName(llvm::StringRef path);

} // namespace tinymlc

#endif
