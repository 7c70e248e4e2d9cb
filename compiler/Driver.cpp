//===- Driver.cpp - the compile pipeline ----------------------------------===//
#include "compiler/Driver.h"
#include "codegen/Report.h"
#include "ir/Diagnostic.h"
#include "ir/TextIR.h"
#include "ir/Verifier.h"
#include "passes/MemoryPlan.h"
#include "passes/Schedule.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <chrono>

namespace tinymlc {

llvm::ArrayRef<const char *> knownTargets() {
  static const char *const targets[] = {"host"};
  return targets;
}

std::string defaultModelName(llvm::StringRef path) {
  std::string stem = llvm::sys::path::stem(path).str();
  std::string id = sanitizeIdentifier(stem);
  return id == "_" ? "model" : id;
}

llvm::Expected<Compilation> compileModel(llvm::StringRef path, const CompileOptions &opts,
                                         llvm::raw_ostream &printStream) {
  bool known = false;
  for (const char *t : knownTargets())
    known |= opts.target == t;
  if (!known)
    return makeUsageError("unknown target '" + opts.target + "'; this build knows: host");

  Compilation c;
  c.codegen.name = opts.name.empty() ? defaultModelName(path) : opts.name;
  if (c.codegen.name != sanitizeIdentifier(c.codegen.name))
    return makeUsageError("--name '" + opts.name +
                          "' is not a C identifier (letters, digits and _, not starting with a "
                          "digit)");
  c.codegen.modelFile = llvm::sys::path::filename(path).str();

  auto clock = std::chrono::steady_clock::now();
  auto phaseDone = [&](const char *phase) {
    auto now = std::chrono::steady_clock::now();
    c.phaseSeconds.emplace_back(phase, std::chrono::duration<double>(now - clock).count());
    clock = now;
  };
  auto g = importOnnxFile(path, opts.import);
  if (!g)
    return g.takeError();
  c.graph = std::move(*g);
  c.graph->name = c.codegen.name;
  if (auto e = verify(*c.graph))
    return withFile(std::move(e), path);
  if (opts.printAfterAll || opts.printAfter.count("import")) {
    printStream << "// ----- IR after import -----\n";
    PrintOptions po;
    po.elideConstantsAbove = 256;
    printGraph(*c.graph, printStream, po);
  }

  phaseDone("import");
  c.passes.printAfter = opts.printAfter;
  c.passes.printAfterAll = opts.printAfterAll;
  c.passes.printStream = &printStream;
  if (auto e = runPipeline(*c.graph, c.passes))
    return withFile(std::move(e), path);

  phaseDone("passes");
  c.model.graph = c.graph.get();
  for (const Node *n : c.graph->nodes()) {
    auto l = lowerNode(*n);
    if (!l)
      return withFile(l.takeError(), path);
    c.model.lowerings.push_back(std::move(*l));
  }
  phaseDone("lowering");
  PlanOptions plan;
  plan.regions[0].size = opts.ramLimit;
  if (opts.schedule) {
    auto tried = scheduleForMemory(*c.graph, c.model.lowerings, plan);
    if (!tried)
      return withFile(tried.takeError(), path);
  }
  auto planned = planMemory(*c.graph, c.model.lowerings, plan);
  if (!planned)
    return withFile(planned.takeError(), path);
  c.model.plan = std::move(*planned);
  // The plan is checked independently of the planner on every compile.
  if (auto e = validatePlan(*c.graph, c.model.plan))
    return makeError("internal error: the memory plan is invalid: " +
                     errorToString(std::move(e)));
  phaseDone("schedule and memory plan");
  c.codegen.externalArena = opts.externalArena;
  c.files = emitCpp(c.model, c.codegen);
  c.files.push_back({c.codegen.name + ".report.json", reportJson(c.model, c.codegen)});
  c.files.push_back({c.codegen.name + ".memory.svg", planSvg(*c.graph, c.model.plan)});
  phaseDone("code generation");
  return c;
}

llvm::Error writeFiles(const std::vector<GeneratedFile> &files, llvm::StringRef dir) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return makeError("cannot create directory '" + dir + "': " + ec.message());
  for (const GeneratedFile &f : files) {
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, f.name);
    std::error_code ec;
    llvm::raw_fd_ostream os(p, ec);
    if (ec)
      return makeError("cannot write '" + p + "': " + ec.message());
    os << f.text;
    os.close();
    if (os.has_error())
      return makeError("cannot write '" + p + "': " + os.error().message());
  }
  return llvm::Error::success();
}

} // namespace tinymlc
