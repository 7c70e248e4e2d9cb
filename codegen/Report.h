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

/// A few lines for stderr after a compile.
std::string reportSummary(const CompiledModel &m, const CodegenOptions &opts);

} // namespace tinymlc

#endif
