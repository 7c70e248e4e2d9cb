//===- Runner.h - `tinymlc run`: build the generated code and run it ------===//
#ifndef TINYMLC_COMPILER_RUNNER_H
#define TINYMLC_COMPILER_RUNNER_H

#include "compiler/Driver.h"
#include <map>
#include <string>

namespace tinymlc {

struct RunOptions {
  /// Input name -> file; the name may be empty for a one-input model.
  std::vector<std::pair<std::string, std::string>> inputs;
  std::string outputDir;
  /// Where to build; empty: a fresh temporary directory, removed afterwards.
  std::string workDir;
  /// The host C++ compiler; empty: $CXX, else c++.
  std::string cxx;
  /// Run the compiled graph with the evaluator instead of building the code.
  bool evaluate = false;
};

/// Builds `c`'s generated code with a small host harness, runs it on every
/// sample of the input files and writes each graph output to
/// <outputDir>/<sanitised output name>.bin. Returns the number of samples.
llvm::Expected<int64_t> runCompiled(const Compilation &c, const RunOptions &opts);

/// A file name for a graph output: characters outside [A-Za-z0-9_.-] become '_'.
std::string outputFileName(llvm::StringRef outputName);

} // namespace tinymlc

#endif
