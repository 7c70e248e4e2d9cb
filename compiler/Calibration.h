//===- Calibration.h - the calibration directory of --quantize ------------===//
//
// A calibration directory holds representative inputs as .npy, ONNX
// TensorProto .pb or raw .bin files (the input's element type, C order),
// named after the input they feed: `<input>.<ext>` or `<input>_<k>.<ext>`
// for several files; a model with one input takes any file name. Each file
// holds one or more samples back to back. Files are read in natural order of
// their names (x_2 before x_10), so results do not depend on the order the
// file system lists them in. Hidden files, directories and other extensions
// are ignored.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_COMPILER_CALIBRATION_H
#define TINYMLC_COMPILER_CALIBRATION_H

#include "ir/Graph.h"
#include "passes/Evaluator.h"
#include "llvm/Support/Error.h"

namespace tinymlc {

/// Every input's samples, split: result[k][i] is sample k of graph input i.
llvm::Expected<std::vector<std::vector<Buffer>>> readCalibrationDir(const Graph &g,
                                                                    llvm::StringRef dir);

/// Reads the samples of one file for `input` (any number, back to back);
/// `option` names the file in errors ("--input x=a.bin"). Appends to `out`
/// and returns how many samples it held.
llvm::Expected<int64_t> readSamples(const Value &input, llvm::StringRef path,
                                    llvm::StringRef option, std::vector<Buffer> &out);

} // namespace tinymlc

#endif
