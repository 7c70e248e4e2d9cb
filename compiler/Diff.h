//===- Diff.h - `tinymlc diff`: what changed between two compiles ---------===//
//
// Each side is a model (compiled in memory), a generated directory (its
// <name>.report.json) or a report.json. The review summary compares RAM per
// region, flash (weights and a code estimate), MACs, the layers (added,
// removed, reshaped, re-quantised, weights changed), the tensors whose arena
// offsets moved and, for two models with input files, their outputs.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_COMPILER_DIFF_H
#define TINYMLC_COMPILER_DIFF_H

#include "compiler/Driver.h"
#include <string>
#include <vector>

namespace tinymlc {

/// One budget of --fail-on: "ram>+5%" or "flash>+1024".
struct Budget {
  std::string metric; ///< ram, flash, weights, code, macs
  double limit = 0;   ///< allowed increase (negative: a required decrease)
  bool percent = false;
  std::string text;   ///< as written
};

/// Parses "ram>+5%,flash>+10%". Errors are usage errors naming the bad part.
llvm::Expected<std::vector<Budget>> parseBudgets(llvm::StringRef spec);

struct DiffOptions {
  CompileOptions compile;          ///< for sides that are models
  std::string format = "text";     ///< text or markdown
  std::vector<Budget> failOn;
  /// NAME=FILE (or FILE for one input) run through both models.
  std::vector<std::pair<std::string, std::string>> inputs;
};

struct DiffResult {
  std::string text;                  ///< the summary, in the chosen format
  std::vector<std::string> exceeded; ///< budgets exceeded, one line each
};

llvm::Expected<DiffResult> diffSides(llvm::StringRef oldPath, llvm::StringRef newPath,
                                     const DiffOptions &opts);

} // namespace tinymlc

#endif
