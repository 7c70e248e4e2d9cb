//===- Driver.cpp - the compile pipeline ----------------------------------===//
#include "compiler/Driver.h"
#include "passes/QuantizeQDQ.h"
#include "codegen/Report.h"
#include "compiler/Calibration.h"
#include "ir/Diagnostic.h"
#include "ir/TextIR.h"
#include "ir/Verifier.h"
#include "passes/MemoryPlan.h"
#include "passes/Schedule.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <chrono>
#include <nlohmann/json.hpp>

#ifndef TINYMLC_VERSION
#error "TINYMLC_VERSION must be defined by the build"
#endif

namespace tinymlc {

const char *toolVersion() { return TINYMLC_VERSION; }

namespace {
/// SHA-256 of a file's bytes; "" when it cannot be read (the importer reports that).
std::string fileSha256(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf)
    return "";
  llvm::StringRef data = (*buf)->getBuffer();
  return sha256Hex(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(data.data()),
                                           data.size()));
}
} // namespace

std::string manifestJson(llvm::StringRef modelPath, const CompileOptions &opts,
                         const std::string &name, const std::vector<GeneratedFile> &files) {
  nlohmann::json dims = nlohmann::json::object(), shapes = nlohmann::json::object(),
                 consts = nlohmann::json::object();
  for (const auto &[k, v] : opts.import.dims)
    dims[k] = v;
  for (const auto &[k, v] : opts.import.shapes)
    shapes[k] = v;
  for (const auto &[k, file] : opts.import.consts)
    consts[k] = {{"file", llvm::sys::path::filename(file).str()}, {"sha256", fileSha256(file)}};
  nlohmann::json list = nlohmann::json::array();
  for (const GeneratedFile &f : files)
    list.push_back({{"name", f.name},
                    {"sha256", sha256Hex(llvm::ArrayRef<uint8_t>(
                                   reinterpret_cast<const uint8_t *>(f.text.data()),
                                   f.text.size()))}});
  nlohmann::json j = {
      {"tool", "tinymlc"},
      {"version", toolVersion()},
      {"model", {{"file", llvm::sys::path::filename(modelPath).str()},
                 {"sha256", fileSha256(modelPath)}}},
      // The options that change what is generated; IR printing and where
      // files go do not.
      {"flags",
       {{"name", name},
        {"target", opts.target},
        {"dim", dims},
        {"shape", shapes},
        {"const", consts},
        {"ram_limit", opts.ramLimit < 0 ? nlohmann::json(nullptr) : nlohmann::json(opts.ramLimit)},
        {"arena", opts.externalArena ? "external" : "static"},
        {"schedule", opts.schedule}}},
      {"files", list},
  };
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string defaultModelName(llvm::StringRef path) {
  std::string stem = llvm::sys::path::stem(path).str();
  std::string id = sanitizeIdentifier(stem);
  return id == "_" ? "model" : id;
}

llvm::Expected<Compilation> compileModel(llvm::StringRef path, const CompileOptions &opts,
                                         llvm::raw_ostream &printStream) {
  auto target = findTarget(opts.target);
  if (!target)
    return target.takeError();
  Compilation c;
  c.target = std::move(*target);
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
  QuantizeOptions quantize;
  if (opts.quantize) {
    auto samples = readCalibrationDir(*c.graph, opts.calibrationDir);
    if (!samples)
      return samples.takeError();
    quantize.samples = std::move(*samples);
    quantize.method = opts.calibrationMethod;
    quantize.percentile = opts.percentile;
    quantize.biasCorrection = opts.biasCorrection;
    c.passes.quantize = &quantize;
  }
  llvm::Error piped = runPipeline(*c.graph, c.passes);
  c.passes.quantize = nullptr;
  if (piped)
    return withFile(std::move(piped), path);
  c.model.quantization = c.passes.quantization;
  if (opts.integerIO) {
    for (auto &[name, q] : makeIntegerIO(*c.graph, c.floatEdges))
      c.codegen.ioQuant[name] = {q.scale, q.zeroPoint};
    if (c.codegen.ioQuant.empty())
      return withFile(makeError("--io int8: no input or output of the model is quantised by a "
                                "QuantizeLinear/DequantizeLinear with a constant per-tensor "
                                "scale and zero point; compile it without --io int8"),
                      path);
  }
  phaseDone("passes");
  c.model.graph = c.graph.get();
  for (const Node *n : c.graph->nodes()) {
    auto l = lowerNode(*n);
    if (!l)
      return withFile(l.takeError(), path);
    c.model.lowerings.push_back(std::move(*l));
  }
  phaseDone("lowering");
  // The target's RAM regions, fastest first; --ram-limit caps the first.
  PlanOptions plan;
  plan.regions.clear();
  for (const TargetRegion &r : c.target.regions) {
    RegionSpec spec;
    spec.name = r.name;
    spec.size = r.size;
    spec.alignment = r.alignment;
    plan.regions.push_back(spec);
    c.codegen.regionSections.push_back(r.section);
  }
  if (opts.ramLimit >= 0 && (plan.regions[0].size < 0 || opts.ramLimit < plan.regions[0].size))
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
  // Flash: the weights must fit the target's flash (the code is not counted:
  // its size depends on the C++ compiler and flags; the firmware report
  // measures it).
  int64_t weights = weightBytes(c.model);
  if (c.target.flash >= 0 && weights > c.target.flash)
    return withFile(makeError("the weights need " + std::to_string(weights) +
                              " bytes of flash, but target '" + c.target.name + "' has " +
                              std::to_string(c.target.flash) + " bytes" +
                              (formatBytes(c.target.flash) == std::to_string(c.target.flash)
                                   ? ""
                                   : " (" + formatBytes(c.target.flash) + ")") +
                              "; choose a target with more flash or a smaller model"),
                    path);
  c.codegen.externalArena = opts.externalArena;
  c.files = emitCpp(c.model, c.codegen);
  c.files.push_back({c.codegen.name + ".report.json", reportJson(c.model, c.codegen)});
  c.files.push_back({c.codegen.name + ".report.md", reportMarkdown(c.model, c.codegen)});
  c.files.push_back({c.codegen.name + ".memory.svg", planSvg(*c.graph, c.model.plan)});
  // Last: it lists every other file's SHA-256.
  c.files.push_back({c.codegen.name + ".manifest.json",
                     manifestJson(path, opts, c.codegen.name, c.files)});
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
