//===- Report.h - the compile report: JSON for tools, text for people -----===//
#ifndef TINYMLC_CODEGEN_REPORT_H
#define TINYMLC_CODEGEN_REPORT_H

#include "codegen/CppEmitter.h"
#include <string>

namespace tinymlc {

/// `<name>.report.json`: MACs, the memory plan (arena, lower bound, every
/// tensor's offset and live range) and the flash taken by weights. Keys are
/// sorted and nothing depends on time or paths, so the bytes are reproducible.
std::string reportJson(const CompiledModel &m, const CodegenOptions &opts);

/// A nominal estimate of the code's flash, not a measurement: a fixed size
/// per distinct kernel instantiation plus a fixed size per call (its
/// parameter struct and the call). Good for comparing two compiles.
struct CodeEstimate {
  static constexpr int64_t kBytesPerKernel = 1024;
  static constexpr int64_t kBytesPerCall = 64;
  int64_t kernels = 0, calls = 0, bytes = 0;
};
CodeEstimate estimateCode(const CompiledModel &m);

/// `<name>.report.md`: the report for people, a per-layer table.
std::string reportMarkdown(const CompiledModel &m, const CodegenOptions &opts);
/// The quantisation table for stderr: each output against the float model,
/// then the `maxRows` worst activation tensors.
std::string quantizationSummary(const QuantizationReport &q, size_t maxRows = 12);

/// A few lines for stderr after a compile.
std::string reportSummary(const CompiledModel &m, const CodegenOptions &opts);

} // namespace tinymlc

#endif
