//===- Importer.h - ONNX models into the IR -------------------------------===//
//
// The front end. In order:
// - parse the protobuf; a file that does not parse is reported as malformed;
// - apply the user's pins: --dim NAME=VALUE (named dynamic dimensions),
//   --shape INPUT=DIMS (a whole input shape), --const INPUT=FILE (an input
//   bound to a constant, which shape computations can then fold);
// - onnx::checker, ONNX shape inference, and the ONNX version converter up
//   to kTargetOpset, so that the IR speaks one opset;
// - build the Graph: initializers and Constant nodes become constants, each
//   node is checked by its op's inference routine and folded at once when
//   its inputs are constant (so Shape -> Gather -> Concat -> Reshape chains
//   leave static shapes behind).
// Every problem is a located Diagnostic naming the file and the node.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_COMPILER_ONNX_IMPORTER_H
#define TINYMLC_COMPILER_ONNX_IMPORTER_H

#include "ir/Graph.h"
#include "llvm/Support/Error.h"
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tinymlc {

/// The ONNX opset every model is converted to.
constexpr int kTargetOpset = 17;

struct ImportOptions {
  std::map<std::string, int64_t> dims;               ///< --dim
  std::map<std::string, std::vector<int64_t>> shapes; ///< --shape
  std::map<std::string, std::string> consts;          ///< --const: input name -> file
  /// Keep going after a node fails and record every problem (tinymlc inspect).
  bool collectProblems = false;
};

struct ImportInfo {
  int64_t irVersion = 0;
  int64_t opset = 0; ///< the file's default-domain opset
  std::string producer;
  /// With collectProblems: every node or input that cannot be compiled.
  std::vector<std::string> problems;
};

llvm::Expected<std::unique_ptr<Graph>> importOnnxFile(llvm::StringRef path,
                                                      const ImportOptions &opts,
                                                      ImportInfo *info = nullptr);

} // namespace tinymlc

#endif
