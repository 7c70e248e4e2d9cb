//===- Pass.cpp - the pass pipeline ---------------------------------------===//
#include "passes/Pass.h"
#include "ir/Diagnostic.h"
#include "ir/TextIR.h"
#include "ir/Verifier.h"

namespace tinymlc {

namespace {
struct PassEntry {
  PassInfo info;
  std::unique_ptr<Pass> (*factory)();
};
const PassEntry kPipeline[] = {
#define PASS(Name, Factory, Reason) {{Name, Reason}, &Factory},
#include "passes/Pipeline.def"
};

llvm::Error runOne(Pass &pass, Graph &g, PassContext &ctx) {
  if (auto e = pass.run(g, ctx))
    return e;
  if (ctx.verifyEach)
    if (auto e = verify(g))
      return makeError("internal error: the graph is invalid after pass '" + pass.name() +
                       "': " + errorToString(std::move(e)));
  if (ctx.printStream && (ctx.printAfterAll || ctx.printAfter.count(pass.name().str()))) {
    *ctx.printStream << "// ----- IR after " << pass.name() << " -----\n";
    PrintOptions opts;
    opts.elideConstantsAbove = 256;
    printGraph(g, *ctx.printStream, opts);
  }
  return llvm::Error::success();
}
} // namespace

llvm::ArrayRef<PassInfo> pipelinePasses() {
  static std::vector<PassInfo> infos = [] {
    std::vector<PassInfo> v;
    for (const PassEntry &e : kPipeline)
      v.push_back(e.info);
    return v;
  }();
  return infos;
}

llvm::Error runPipeline(Graph &g, PassContext &ctx) {
  for (const PassEntry &e : kPipeline) {
    std::unique_ptr<Pass> pass = e.factory();
    if (auto err = runOne(*pass, g, ctx))
      return err;
  }
  return llvm::Error::success();
}

llvm::Error runPass(llvm::StringRef name, Graph &g, PassContext &ctx) {
  for (const PassEntry &e : kPipeline)
    if (name == e.info.name) {
      std::unique_ptr<Pass> pass = e.factory();
      return runOne(*pass, g, ctx);
    }
  return makeError("no pass named '" + name + "'");
}

} // namespace tinymlc
