//===- Runner.h - `tinymlc run`: build the generated code and run it ------===//
#ifndef TINYMLC_COMPILER_RUNNER_H
#define TINYMLC_COMPILER_RUNNER_H

#include "compiler/Driver.h"
#include "passes/Evaluator.h"
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

/// The run's input files, checked against `g`'s inputs: data[i] holds every
/// sample of input i back to back.
struct RunInputs {
  int64_t samples = 1;
  std::vector<std::vector<uint8_t>> data;
};
llvm::Expected<RunInputs> readRunInputs(const Graph &g, const RunOptions &opts);

/// One output of a built model against a reference graph run by the evaluator.
struct OutputComparison {
  std::string name, type;
  int64_t samples = 0;
  double sqnrDb = 0, maxAbsError = 0;
  /// Rows (over the last axis, per sample) whose argmax agrees; rows is 0
  /// when the last axis has one element.
  int64_t top1Agree = 0, rows = 0;
};

/// `tinymlc run --compare`: evaluates `reference` (the float model) on every
/// sample of the run's input files and compares its outputs with those that
/// runCompiled wrote for `built` into opts.outputDir.
llvm::Expected<std::vector<OutputComparison>>
compareWithReference(const Graph &reference, const Graph &built, const RunOptions &opts);

/// Builds `c`'s generated code with a small host harness, runs it on every
/// sample of the input files and writes each graph output to
/// <outputDir>/<sanitised output name>.bin. Returns the number of samples.
llvm::Expected<int64_t> runCompiled(const Compilation &c, const RunOptions &opts);

/// A file name for a graph output: characters outside [A-Za-z0-9_.-] become '_'.
std::string outputFileName(llvm::StringRef outputName);

} // namespace tinymlc

#endif
