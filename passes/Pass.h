//===- Pass.h - graph transformations and the pipeline that runs them -----===//
//
// A pass is a small class in an anonymous namespace with a name, a one-line
// summary and `run`; only its create*Pass() factory is public. The default
// pipeline is the ordered list in passes/Pipeline.def.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_PASSES_PASS_H
#define TINYMLC_PASSES_PASS_H

#include "ir/Graph.h"
#include "passes/Quantize.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <map>
#include <memory>
#include <set>
#include <string>

namespace tinymlc {

struct PassContext {
  /// Run the verifier after every pass (always on in tests and debug builds).
  bool verifyEach = true;
  /// Print the graph after these passes (by name), or after every pass.
  std::set<std::string> printAfter;
  bool printAfterAll = false;
  /// Where --print-after output goes; null: nowhere.
  llvm::raw_ostream *printStream = nullptr;
  /// Counters passes bump ("fold-constants.folded" -> 12), for reports and tests.
  std::map<std::string, int64_t> stats;
  /// Post-training quantisation (--quantize int8): the calibration samples and
  /// method; null: the `quantize` pass does nothing.
  const QuantizeOptions *quantize = nullptr;
  /// What the `quantize` pass did and the error it measured.
  std::optional<QuantizationReport> quantization;
};

class Pass {
public:
  virtual ~Pass() = default;
  virtual llvm::StringRef name() const = 0;
  virtual llvm::StringRef summary() const = 0;
  virtual llvm::Error run(Graph &g, PassContext &ctx) = 0;
};

#define PASS(Name, Factory, Reason) std::unique_ptr<Pass> Factory();
#include "passes/Pipeline.def"

struct PassInfo {
  const char *name;
  const char *reason;
};
/// The default pipeline's passes in order, for --help and --print-after checks.
llvm::ArrayRef<PassInfo> pipelinePasses();

/// Runs the default pipeline on `g`: each pass, then the verifier (when
/// ctx.verifyEach) and any requested printing.
llvm::Error runPipeline(Graph &g, PassContext &ctx);

/// Runs one pass by name (tests); an error if no pass has that name.
llvm::Error runPass(llvm::StringRef name, Graph &g, PassContext &ctx);

} // namespace tinymlc

#endif
