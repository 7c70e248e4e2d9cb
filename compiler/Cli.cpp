//===- Cli.cpp - the tinymlc command line ---------------------------------===//
//
// Subcommands wire the pipeline and nothing else:
//   compile  model.onnx -o DIR     generate C++ into DIR
//   run      model.onnx --input NAME=FILE --output-dir DIR
//   inspect  model.onnx            describe the model and what cannot compile
//   diff     OLD NEW               what changed between two compiles
//   size     FIRMWARE.elf --model R what a linked firmware costs, per model
//
//===----------------------------------------------------------------------===//
#include "compiler/Cli.h"
#include "codegen/Report.h"
#include "compiler/Diff.h"
#include "compiler/Driver.h"
#include "compiler/FirmwareSize.h"
#include "compiler/Runner.h"
#include "ir/Diagnostic.h"
#include "ir/ShapeInference.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/FormatVariadic.h"
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace tinymlc {

namespace {

/// The options every subcommand that compiles shares.
struct ModelArgs {
  std::string model;
  std::string name;
  std::string target = "host";
  std::vector<std::string> dims, shapes, consts;
  std::vector<std::string> printAfter;
  bool printAfterAll = false;
  std::string ramLimit, arena = "static", report, io = "float";
  bool noSchedule = false;
  bool timePhases = false;
  std::string quantize, calibration, calibrationMethod, percentile;
  bool noBiasCorrection = false;

  void add(CLI::App *app) {
    app->add_option("model", model, "the ONNX model (.onnx)")->required();
    addShapeOptions(app);
  }
  void addShapeOptions(CLI::App *app) {
    app->add_option("--dim", dims, "pin a named dynamic dimension: NAME=VALUE (repeatable)");
    app->add_option("--shape", shapes,
                    "give an input's whole shape: INPUT=DIMS, e.g. x=1x3x96x96 (repeatable)");
    app->add_option("--const", consts,
                    "bind an input to a constant from a file (.npy, .pb or raw .bin in the "
                    "input's type): INPUT=FILE (repeatable)");
  }
  void addCompile(CLI::App *app) {
    add(app);
    app->add_option("--name", name,
                    "prefix of generated symbols and files (default: the model's file name)");
    app->add_option("--target", target,
                    "target to compile for: a name from 'tinymlc targets' or a description "
                    "file NAME.json (default: host)");
    app->add_option("--print-after", printAfter,
                    "print the IR after a pass (import, or a pipeline pass; repeatable)")
        ->delimiter(',');
    app->add_flag("--print-after-all", printAfterAll, "print the IR after every pass");
    app->add_option("--ram-limit", ramLimit,
                    "fail unless the arena fits in this many bytes (suffixes K and M: "
                    "1024 and 1048576); caps the target's first RAM region");
    app->add_option("--arena", arena,
                    "static (default): the arena is a static array in the generated code; "
                    "external: the caller passes it with <name>_set_arena()");
    app->add_option("--report", report,
                    "also write the JSON report (<name>.report.json) to this file");
    app->add_flag("--time-phases", timePhases,
                  "print the time each compiler phase took (import, passes, lowering, "
                  "planning, code generation) to stderr");
    app->add_option("--io", io,
                    "float (default): a quantised model keeps float inputs and outputs; int8: "
                    "the API takes and returns the int8/uint8 values at the model's "
                    "QuantizeLinear/DequantizeLinear edges (scale and zero point in the header)");
    app->add_flag("--no-schedule", noSchedule,
                  "keep the model's operator order instead of choosing one that needs less RAM");
    app->add_option("--quantize", quantize,
                    "int8: quantise the float model after training, calibrated on --calibration");
    app->add_option("--calibration", calibration,
                    "directory of representative inputs for --quantize: <input>.bin or "
                    "<input>_<k>.bin (.npy, .pb or raw), one or more samples per file");
    app->add_option("--calibration-method", calibrationMethod,
                    "how activation ranges are chosen: minmax (default), percentile, entropy or mse");
    app->add_option("--percentile", percentile,
                    "for --calibration-method percentile: % of values kept at each end "
                    "(default 99.99)");
    app->add_flag("--no-bias-correction", noBiasCorrection,
                  "with --quantize: keep Conv/Gemm biases as they are instead of removing the "
                  "mean shift the weights' rounding causes on the calibration set");
  }
};

/// Splits "NAME=VALUE" at the last '=' (names may contain '=' rarely; values never do).
bool splitAssign(const std::string &s, std::string &name, std::string &value) {
  size_t eq = s.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
    return false;
  name = s.substr(0, eq);
  value = s.substr(eq + 1);
  return true;
}

class UsageError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

void printPhases(llvm::raw_ostream &err, const Compilation &c) {
  double total = 0;
  for (const auto &[phase, secs] : c.phaseSeconds) {
    err << llvm::format("  %-26s %9.1f ms\n", (phase + ":").c_str(), secs * 1e3);
    total += secs;
  }
  err << llvm::format("  %-26s %9.1f ms\n", static_cast<const char *>("total:"), total * 1e3);
}

CompileOptions toCompileOptions(const ModelArgs &a) {
  CompileOptions o;
  o.name = a.name;
  o.target = a.target;
  for (const std::string &d : a.dims) {
    std::string name, value;
    int64_t v;
    if (!splitAssign(d, name, value) || llvm::StringRef(value).getAsInteger(10, v) || v < 0)
      throw UsageError("invalid --dim '" + d + "': expected NAME=VALUE with VALUE >= 0");
    o.import.dims[name] = v;
  }
  for (const std::string &s : a.shapes) {
    std::string name, value;
    if (!splitAssign(s, name, value))
      throw UsageError("invalid --shape '" + s + "': expected INPUT=DIMS, e.g. x=1x3x32x32");
    std::vector<int64_t> dims;
    llvm::SmallVector<llvm::StringRef, 8> parts;
    llvm::StringRef(value).split(parts, llvm::StringRef(value).contains('x') ? 'x' : ',');
    for (llvm::StringRef p : parts) {
      int64_t d;
      if (p.trim().getAsInteger(10, d) || d < 0)
        throw UsageError("invalid --shape '" + s + "': dimensions must be integers >= 0");
      dims.push_back(d);
    }
    o.import.shapes[name] = dims;
  }
  for (const std::string &c : a.consts) {
    std::string name, file;
    if (!splitAssign(c, name, file))
      throw UsageError("invalid --const '" + c + "': expected INPUT=FILE");
    o.import.consts[name] = file;
  }
  std::set<std::string> valid = {"import"};
  for (const PassInfo &p : pipelinePasses())
    valid.insert(p.name);
  for (const std::string &p : a.printAfter) {
    if (!valid.count(p)) {
      std::string names;
      for (const std::string &v : valid)
        names += (names.empty() ? "" : ", ") + v;
      throw UsageError("--print-after: no pass named '" + p + "' (passes: " + names + ")");
    }
    o.printAfter.insert(p);
  }
  o.printAfterAll = a.printAfterAll;
  if (!a.ramLimit.empty()) {
    llvm::StringRef text(a.ramLimit);
    int64_t unit = 1;
    if (text.consume_back("K") || text.consume_back("k"))
      unit = 1024;
    else if (text.consume_back("M") || text.consume_back("m"))
      unit = 1024 * 1024;
    int64_t v;
    if (text.getAsInteger(10, v) || v < 0)
      throw UsageError("invalid --ram-limit '" + a.ramLimit +
                       "': expected bytes, e.g. 65536, 64K or 1M");
    o.ramLimit = v * unit;
  }
  if (a.arena != "static" && a.arena != "external")
    throw UsageError("invalid --arena '" + a.arena + "': expected static or external");
  o.externalArena = a.arena == "external";
  if (a.io != "float" && a.io != "int8")
    throw UsageError("invalid --io '" + a.io + "': expected float or int8");
  o.integerIO = a.io == "int8";
  o.schedule = !a.noSchedule;
  if (!a.quantize.empty() && a.quantize != "int8")
    throw UsageError("invalid --quantize '" + a.quantize + "': this build quantises to int8");
  o.quantize = !a.quantize.empty();
  if (o.quantize && a.calibration.empty())
    throw UsageError("--quantize int8 needs --calibration DIR: a directory of representative "
                     "inputs (<input>.bin, .npy or .pb)");
  if (!o.quantize && (!a.calibration.empty() || !a.calibrationMethod.empty() ||
                      !a.percentile.empty() || a.noBiasCorrection))
    throw UsageError("--calibration, --calibration-method, --percentile and "
                     "--no-bias-correction apply only with --quantize int8");
  o.biasCorrection = !a.noBiasCorrection;
  o.calibrationDir = a.calibration;
  if (!a.calibrationMethod.empty()) {
    auto m = parseCalibrationMethod(a.calibrationMethod);
    if (!m)
      throw UsageError("invalid --calibration-method '" + a.calibrationMethod +
                       "': expected minmax, percentile, entropy or mse");
    o.calibrationMethod = *m;
  }
  if (!a.percentile.empty()) {
    if (o.calibrationMethod != CalibrationMethod::Percentile)
      throw UsageError("--percentile applies only with --calibration-method percentile");
    double p;
    if (llvm::StringRef(a.percentile).getAsDouble(p) || !(p > 50 && p <= 100))
      throw UsageError("invalid --percentile '" + a.percentile +
                       "': expected a number above 50 and at most 100, e.g. 99.99");
    o.percentile = p;
  }
  return o;
}

int reportError(llvm::raw_ostream &err, llvm::Error e) {
  RenderedError r = renderError(std::move(e));
  err << "error: " << r.text << "\n";
  return r.usage ? kExitUsage : kExitUserError;
}

std::string withCommas(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return s;
}

/// Writes the compilation's JSON report to `path`.
llvm::Error writeReport(const Compilation &c, const std::string &path) {
  for (const GeneratedFile &f : c.files)
    if (f.name == c.codegen.name + ".report.json") {
      std::error_code ec;
      llvm::raw_fd_ostream os(path, ec);
      if (ec)
        return makeError("cannot write the report '" + path + "': " + ec.message());
      os << f.text;
      return llvm::Error::success();
    }
  return llvm::Error::success();
}

/// `compile --check`: the files a compile would write against those in `dir`.
/// Files in `dir` count as extra when a compile could have written them (the
/// model's prefix or a runtime header), so other files may live beside them.
int checkDirectory(const Compilation &c, const std::string &dir, bool quiet,
                   llvm::raw_ostream &err) {
  if (!llvm::sys::fs::is_directory(dir)) {
    err << "error: --check: '" << dir
        << "' is not a directory; generate it first with the same command without --check\n";
    return kExitUserError;
  }
  std::vector<std::string> differ, missing, extra;
  std::set<std::string> expected;
  for (const GeneratedFile &f : c.files) {
    expected.insert(f.name);
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, f.name);
    auto buf = llvm::MemoryBuffer::getFile(p, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
    if (!buf)
      missing.push_back(f.name);
    else if ((*buf)->getBuffer() != f.text)
      differ.push_back(f.name);
  }
  const std::string &name = c.codegen.name;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    std::string file = llvm::sys::path::filename(it->path()).str();
    llvm::StringRef f(file);
    bool ours = f.startswith(name + ".") || f.startswith(name + "_") ||
                (f.startswith("tmc_") && f.endswith(".h"));
    if (ours && !expected.count(file))
      extra.push_back(file);
  }
  std::sort(extra.begin(), extra.end());
  if (differ.empty() && missing.empty() && extra.empty()) {
    if (!quiet)
      err << "tinymlc: " << dir << " is up to date (" << c.files.size() << " files)\n";
    return kExitOk;
  }
  err << "error: " << dir << " is not what this model and these flags generate:";
  auto list = [&](const char *what, const std::vector<std::string> &files) {
    if (!files.empty())
      err << " " << what << ": " << llvm::join(files, ", ") << ";";
  };
  list("differ", differ);
  list("missing", missing);
  list("extra", extra);
  err << " regenerate with the same command without --check\n";
  return kExitUserError;
}

/// `tinymlc targets [NAME|FILE.json]`: the list, or one target in full.
int listTargets(const std::string &which, llvm::raw_ostream &out, llvm::raw_ostream &err) {
  auto regions = [](const Target &t) {
    std::string s;
    for (const TargetRegion &r : t.regions)
      s += (s.empty() ? "" : " + ") + r.name + " " + formatBytes(r.size);
    return s;
  };
  if (which.empty()) {
    out << llvm::formatv("{0,-14} {1,-14} {2,-28} {3,-9} {4}\n", "target", "core",
                         "RAM regions (fastest first)", "flash", "description");
    for (const Target &t : builtinTargets())
      out << llvm::formatv("{0,-14} {1,-14} {2,-28} {3,-9} {4}\n", t.name, t.core, regions(t),
                           formatBytes(t.flash), t.description);
    out << "--target NAME selects one; --target FILE.json reads your own, written like "
           "targets/*.json (README: Targets)\n";
    return kExitOk;
  }
  auto t = findTarget(which);
  if (!t)
    return reportError(err, t.takeError());
  out << "name:        " << t->name << "\n";
  out << "description: " << t->description << "\n";
  out << "source:      " << t->source << "\n";
  out << "arch/core:   " << t->arch << " / " << t->core << "\n";
  std::string flags;
  for (const std::string &f : t->cflags)
    flags += (flags.empty() ? "" : " ") + f;
  out << "cflags:      " << flags << "\n";
  out << "features:    fpu " << t->features.fpu << ", dsp " << (t->features.dsp ? "yes" : "no")
      << ", mve " << t->features.mve;
  if (!t->features.riscv.empty())
    out << ", riscv " << t->features.riscv;
  out << "\n";
  for (const TargetRegion &r : t->regions)
    out << "RAM region:  " << r.name << " " << formatBytes(r.size) << ", alignment " << r.alignment
        << (r.section.empty() ? "" : ", section " + r.section) << "\n";
  out << "flash:       " << formatBytes(t->flash) << "\n";
  out << "kernels:     layout " << t->layout << ", " << t->kernels[0] << "\n";
  if (!t->qemuMachine.empty())
    out << "qemu:        -M " << t->qemuMachine << "\n";
  return kExitOk;
}

int inspect(const ModelArgs &a, llvm::raw_ostream &out, llvm::raw_ostream &err) {
  CompileOptions o = toCompileOptions(a);
  o.import.collectProblems = true;
  ImportInfo info;
  auto g = importOnnxFile(a.model, o.import, &info);
  if (!g)
    return reportError(err, g.takeError());
  const Graph &graph = **g;
  out << "model: " << a.model << "\n";
  out << "  ir_version " << info.irVersion << ", opset " << info.opset;
  if (info.opset != kTargetOpset)
    out << " (converted to " << kTargetOpset << ")";
  if (!info.producer.empty())
    out << ", produced by " << info.producer;
  out << "\n";
  out << "inputs:\n";
  for (const Value *v : graph.inputs())
    out << "  " << v->name() << ": " << v->typeString() << "\n";
  out << "outputs:\n";
  for (const Value *v : graph.outputs())
    out << "  " << v->name() << ": " << v->typeString() << "\n";
  std::map<std::string, int> hist;
  int64_t macs = 0, params = 0, paramBytes = 0;
  std::set<const Value *> counted;
  for (const Node *n : graph.nodes()) {
    ++hist[opName(n->kind()).str()];
    macs += nodeMacs(*n);
    for (const Value *in : n->inputs())
      if (in && in->isConstant() && counted.insert(in).second) {
        params += in->numElements();
        paramBytes += static_cast<int64_t>(in->byteSize());
      }
  }
  out << "ops: " << graph.numNodes() << " nodes after constant folding\n";
  for (const auto &[op, count] : hist)
    out << "  " << op << " " << count << "\n";
  out << "parameters: " << withCommas(params) << " (" << withCommas(paramBytes) << " bytes)\n";
  out << "MACs: " << withCommas(macs) << "\n";
  if (info.problems.empty()) {
    out << "unsupported: none\n";
    return kExitOk;
  }
  out << "unsupported (" << info.problems.size() << "):\n";
  for (const std::string &p : info.problems)
    out << "  " << p << "\n";
  return kExitUserError;
}

} // namespace

int tinymlcMain(int argc, const char *const *argv, llvm::raw_ostream &out,
                llvm::raw_ostream &err) {
  CLI::App app{"tinymlc: an ahead-of-time compiler from ONNX to dependency-free C++ for "
               "microcontrollers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tinymlc ") + toolVersion());

  ModelArgs compileArgs, runArgs, inspectArgs;
  std::string outDir;
  bool quiet = false;
  CLI::App *compile = app.add_subcommand("compile", "generate C++ sources for a model");
  compileArgs.addCompile(compile);
  bool check = false;
  compile->add_option("-o,--output", outDir, "directory for the generated files");
  compile->add_flag("-q,--quiet", quiet, "do not print the summary");
  compile->add_flag("--check", check,
                    "write nothing: compare what would be generated with the files in the -o "
                    "directory and exit 1 naming those that differ, are missing or are extra");

  ModelArgs diffArgs;
  std::string diffOld, diffNew, diffFormat = "text", failOn;
  std::vector<std::string> diffInputs;
  CLI::App *diff = app.add_subcommand(
      "diff", "review summary of what changed between two compiles: RAM, flash, MACs, layers, "
              "moved tensors; each side a model, a generated directory or a report.json");
  diff->add_option("old", diffOld, "the old side: model .onnx, generated directory or "
                                   "<name>.report.json")->required();
  diff->add_option("new", diffNew, "the new side (same kinds)")->required();
  diffArgs.addShapeOptions(diff);
  diff->add_option("--target", diffArgs.target, "target to compile model sides for");
  diff->add_option("--arena", diffArgs.arena, "static or external, for model sides");
  diff->add_flag("--no-schedule", diffArgs.noSchedule, "keep the models' operator order");
  diff->add_option("--format", diffFormat, "text (default) or markdown (for a pull request)");
  diff->add_option("--fail-on", failOn,
                   "exit 1 when a budget is exceeded: METRIC>LIMIT[,...] with METRIC ram, flash, "
                   "weights, code or macs, e.g. \"ram>+5%,flash>+10%\" or \"macs>+0\"");
  diff->add_option("--input", diffInputs,
                   "INPUT=FILE run through both models (both sides must be models); the "
                   "largest output differences are reported; repeatable");

  std::vector<std::string> inputs;
  std::string outputDir, workDir, cxx;
  CLI::App *run = app.add_subcommand(
      "run", "compile, build with the host C++ compiler and run on input files");
  runArgs.addCompile(run);
  run->add_option("--input", inputs,
                  "INPUT=FILE (.npy, .pb or raw .bin; K samples back to back run K times); "
                  "repeatable");
  run->add_option("--output-dir", outputDir, "where <output name>.bin files go")->required();
  run->add_option("--work-dir", workDir, "build here and keep the files (default: a temporary "
                                         "directory, removed afterwards)");
  run->add_option("--cxx", cxx, "host C++ compiler (default: $CXX, else c++)");
  bool evaluate = false;
  run->add_flag("--evaluate", evaluate,
                "run the compiled graph with the compiler's own evaluator (the same kernels) "
                "instead of building the generated code; for checking that both agree");
  bool compare = false;
  run->add_flag("--compare", compare,
                "also run the float model (the compiler's evaluator, no --quantize) on every "
                "sample and print top-1 agreement, max abs error and SQNR per output");

  CLI::App *insp = app.add_subcommand(
      "inspect", "print the imported graph: inputs, outputs, ops, parameters, MACs, and every "
                 "node that cannot be compiled (exit code 1 if any)");
  inspectArgs.add(insp);

  std::string targetName;
  CLI::App *targets = app.add_subcommand(
      "targets", "list the targets (name, core, RAM regions, flash), or describe one");
  targets->add_option("target", targetName, "a target name or description file to describe");

  SizeOptions sizeOpts;
  std::string sizeOut;
  bool sizeQuiet = false;
  CLI::App *size = app.add_subcommand(
      "size", "what a linked firmware costs: flash (each model's code and weights, the rest) "
              "and RAM (each model's arena, the stack, the rest) from the ELF, beside each "
              "model's report.json");
  size->add_option("firmware", sizeOpts.firmware, "the linked firmware (ELF32 or ELF64)")
      ->required();
  size->add_option("--model", sizeOpts.models,
                   "a linked model's <name>.report.json, or the directory 'tinymlc compile' "
                   "wrote it to (repeatable)");
  size->add_option("--map", sizeOpts.map,
                   "the GNU ld map (-Wl,-Map=FILE): attribute bytes by object file "
                   "(<name>.cpp, <name>_weights.cpp) instead of by symbol");
  size->add_option("--stack-usage", sizeOpts.stackUsage,
                   "directory searched (recursively) for the files GCC writes beside "
                   "<name>.cpp's object with -fcallgraph-info=su (.ci: the worst-case stack "
                   "of <name>_run()) or -fstack-usage (.su: a bound); repeatable");
  size->add_option("-o,--output", sizeOut, "also write the figures as JSON to this file");
  size->add_flag("-q,--quiet", sizeQuiet, "do not print the table");

  // CLI11 says only "a subcommand is required" for a word it does not know.
  auto known = [&](const char *word) {
    for (const CLI::App *sub : app.get_subcommands({}))
      if (sub->get_name() == word)
        return true;
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    err << "error: unknown subcommand '" << argv[1]
        << "' (subcommands: compile, run, inspect, diff, size, targets)\n"
           "run 'tinymlc --help' for usage\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp &) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion &) {
    out << "tinymlc " << toolVersion() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError &e) {
    // Subcommand help requests also arrive here.
    if (e.get_exit_code() == 0) {
      std::ostringstream o, er;
      app.exit(e, o, er);
      out << o.str();
      return kExitOk;
    }
    std::string what = e.what();
    if (!what.empty())
      what[0] = static_cast<char>(tolower(static_cast<unsigned char>(what[0])));
    err << "error: " << what << "\nrun 'tinymlc --help' for usage\n";
    return kExitUsage;
  }

  try {
    if (*insp)
      return inspect(inspectArgs, out, err);
    if (*diff) {
      DiffOptions d;
      d.compile = toCompileOptions(diffArgs);
      d.format = diffFormat;
      if (!failOn.empty()) {
        auto b = parseBudgets(failOn);
        if (!b)
          return reportError(err, b.takeError());
        d.failOn = std::move(*b);
      }
      for (const std::string &in : diffInputs) {
        std::string name, file;
        if (!splitAssign(in, name, file)) {
          name.clear();
          file = in;
        }
        d.inputs.push_back({name, file});
      }
      auto r = diffSides(diffOld, diffNew, d);
      if (!r)
        return reportError(err, r.takeError());
      out << r->text;
      for (const std::string &e : r->exceeded)
        err << "error: " << e << "\n";
      return r->exceeded.empty() ? kExitOk : kExitUserError;
    }
    if (*targets)
      return listTargets(targetName, out, err);
    if (*size) {
      auto c = measureFirmware(sizeOpts);
      if (!c)
        return reportError(err, c.takeError());
      if (!sizeQuiet)
        out << formatCostTable(*c);
      if (!sizeOut.empty()) {
        std::error_code ec;
        llvm::raw_fd_ostream os(sizeOut, ec);
        if (ec) {
          err << "error: cannot write '" << sizeOut << "': " << ec.message() << "\n";
          return kExitUserError;
        }
        os << formatCostJson(*c);
      }
      return kExitOk;
    }
    if (*compile) {
      if (outDir.empty()) {
        err << "error: compile needs -o DIR: "
            << (check ? "the generated directory to check"
                      : "the directory to write the generated files to")
            << "\nrun 'tinymlc --help' for usage\n";
        return kExitUsage;
      }
      CompileOptions o = toCompileOptions(compileArgs);
      auto c = compileModel(compileArgs.model, o, out);
      if (!c)
        return reportError(err, c.takeError());
      if (check)
        return checkDirectory(*c, outDir, quiet, err);
      if (auto e = writeFiles(c->files, outDir))
        return reportError(err, std::move(e));
      if (!compileArgs.report.empty())
        if (auto e = writeReport(*c, compileArgs.report))
          return reportError(err, std::move(e));
      if (!quiet) {
        err << reportSummary(c->model, c->codegen);
        for (const std::string &f : c->floatEdges)
          err << "  --io int8: " << f << " stays float\n";
        if (c->model.quantization)
          err << quantizationSummary(*c->model.quantization);
        err << "  wrote " << c->files.size() << " files to " << outDir << "\n";
      }
      if (compileArgs.timePhases)
        printPhases(err, *c);
      return kExitOk;
    }
    if (*run) {
      CompileOptions o = toCompileOptions(runArgs);
      RunOptions ro;
      for (const std::string &in : inputs) {
        std::string name, file;
        if (!splitAssign(in, name, file)) {
          name.clear();
          file = in;
        }
        ro.inputs.push_back({name, file});
      }
      ro.outputDir = outputDir;
      ro.workDir = workDir;
      ro.cxx = cxx;
      ro.evaluate = evaluate;
      auto c = compileModel(runArgs.model, o, out);
      if (!c)
        return reportError(err, c.takeError());
      if (c->model.quantization)
        err << quantizationSummary(*c->model.quantization);
      auto samples = runCompiled(*c, ro);
      if (!samples)
        return reportError(err, samples.takeError());
      err << "tinymlc: ran " << c->codegen.name << " on " << *samples << " sample"
          << (*samples == 1 ? "" : "s") << "; outputs in " << outputDir << "\n";
      if (compare) {
        CompileOptions fo = o;
        fo.quantize = false;
        llvm::raw_null_ostream null;
        auto f = compileModel(runArgs.model, fo, null);
        if (!f)
          return reportError(err, f.takeError());
        auto cmp = compareWithReference(*f->graph, *c->graph, ro);
        if (!cmp)
          return reportError(err, cmp.takeError());
        out << "compare: " << c->codegen.name << (o.quantize ? " (int8)" : "")
            << " against the float model (compiler's evaluator), "
            << (cmp->empty() ? 0 : cmp->front().samples) << " samples\n";
        for (const OutputComparison &r : *cmp) {
          char line[256];
          out << "  output '" << r.name << "' " << r.type << ":";
          if (r.rows > 0) {
            std::snprintf(line, sizeof(line), " top-1 agreement %lld/%lld (%.2f%%),",
                          static_cast<long long>(r.top1Agree), static_cast<long long>(r.rows),
                          100.0 * double(r.top1Agree) / double(r.rows));
            out << line;
          }
          std::snprintf(line, sizeof(line), " max abs error %.6g, SQNR ", r.maxAbsError);
          out << line;
          if (std::isinf(r.sqnrDb))
            out << (r.sqnrDb > 0 ? "inf (identical)" : "-inf") << "\n";
          else {
            std::snprintf(line, sizeof(line), "%.2f dB\n", r.sqnrDb);
            out << line;
          }
        }
      }
      return kExitOk;
    }
  } catch (const UsageError &e) {
    err << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}

} // namespace tinymlc
