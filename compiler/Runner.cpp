//===- Runner.cpp - `tinymlc run`: build the generated code and run it ----===//
//
// - Every input file is checked against its input's type and cut into K
//   samples (K the same for all inputs); raw copies go into the work dir.
// - A harness main.cpp calls <name>_invoke once per sample and appends each
//   output to its file; it is built with the host compiler at -O2 with the
//   same warning flags the generated code promises to pass.
//
//===----------------------------------------------------------------------===//
#include "compiler/Runner.h"
#include "compiler/TensorIO.h"
#include "ir/Diagnostic.h"
#include "passes/Evaluator.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace tinymlc {

std::string outputFileName(llvm::StringRef outputName) {
  std::string s;
  for (char c : outputName)
    s += (isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-') ? c : '_';
  if (s.empty() || s == "." || s == "..")
    s = "_" + s;
  return s + ".bin";
}

namespace {

std::string harness(const Compilation &c) {
  const std::string &n = c.codegen.name;
  std::string up = llvm::StringRef(n).upper();
  std::string s = "// Host harness written by `tinymlc run`.\n#include \"" + n + ".h\"\n";
  s += R"(#include <stdio.h>
#include <stdlib.h>

static unsigned char *read_file(const char *path, long expected) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return 0;
  unsigned char *buf = (unsigned char *)malloc(expected > 0 ? (size_t)expected : 1);
  long got = buf ? (long)fread(buf, 1, (size_t)expected, f) : -1;
  fclose(f);
  if (got != expected) {
    free(buf);
    return 0;
  }
  return buf;
}

int main(int argc, char **argv) {
)";
  size_t ni = c.graph->inputs().size(), no = c.graph->outputs().size();
  s += "  const int ni = " + std::to_string(ni) + ", no = " + std::to_string(no) + ";\n";
  s += "  if (argc != 2 + ni + no) {\n    fprintf(stderr, \"usage: runner K inputs... "
       "outputs...\\n\");\n    return 2;\n  }\n";
  s += "  const long k = atol(argv[1]);\n";
  if (c.codegen.externalArena) {
    // The caller's arenas: plain static buffers here.
    const auto &regions = c.model.plan.regions;
    for (size_t r = 0; r < regions.size(); ++r) {
      std::string id = sanitizeIdentifier(llvm::StringRef(regions[r].spec.name).lower());
      s += "  static unsigned char arena_" + id + "[" +
           std::to_string(std::max<int64_t>(1, regions[r].used)) + "] __attribute__((aligned(" +
           std::to_string(regions[r].spec.alignment) + ")));\n";
      s += "  " + n + "_set_arena" + (regions.size() == 1 ? std::string() : "_" + id) +
           "(arena_" + id + ");\n";
    }
  }
  auto sizes = [&](const char *what, size_t count) {
    std::string a = "  const long " + std::string(what) + "_size[] = {";
    for (size_t i = 0; i < count; ++i)
      a += (i ? ", " : "") + up + "_" + (std::string(what) == "in" ? "INPUT_" : "OUTPUT_") +
           std::to_string(i) + "_SIZE";
    if (count == 0)
      a += "0";
    return a + "};\n";
  };
  s += sizes("in", ni);
  s += sizes("out", no);
  s += R"(  unsigned char *in_data[8 + 1];
  const void *in_ptr[8 + 1];
  void *out_ptr[8 + 1];
  FILE *out_file[8 + 1];
  for (int i = 0; i < ni; ++i) {
    in_data[i] = read_file(argv[2 + i], in_size[i] * k);
    if (!in_data[i]) {
      fprintf(stderr, "cannot read %s\n", argv[2 + i]);
      return 1;
    }
  }
  for (int i = 0; i < no; ++i) {
    out_ptr[i] = malloc(out_size[i] > 0 ? (size_t)out_size[i] : 1);
    out_file[i] = fopen(argv[2 + ni + i], "wb");
    if (!out_file[i] || !out_ptr[i]) {
      fprintf(stderr, "cannot write %s\n", argv[2 + ni + i]);
      return 1;
    }
  }
  for (long s = 0; s < k; ++s) {
    for (int i = 0; i < ni; ++i)
      in_ptr[i] = in_data[i] + s * in_size[i];
)";
  s += "    if (" + n + "_invoke(in_ptr, out_ptr) != 0) {\n";
  s += R"(      fprintf(stderr, "invoke failed\n");
      return 1;
    }
    for (int i = 0; i < no; ++i)
      if (fwrite(out_ptr[i], 1, (size_t)out_size[i], out_file[i]) != (size_t)out_size[i]) {
        fprintf(stderr, "write failed\n");
        return 1;
      }
  }
  for (int i = 0; i < no; ++i)
    if (fclose(out_file[i]) != 0)
      return 1;
  return 0;
}
)";
  // Arrays sized for the actual counts.
  std::string cap = std::to_string(std::max<size_t>(1, std::max(ni, no)));
  size_t pos;
  while ((pos = s.find("[8 + 1]")) != std::string::npos)
    s.replace(pos, 7, "[" + cap + "]");
  if (ni == 0)
    s.replace(s.find("  for (int i = 0; i < ni; ++i) {\n    in_data"), 0,
              "  (void)in_data;\n  (void)in_size;\n");
  return s;
}

llvm::Error writeText(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  os << text;
  return llvm::Error::success();
}

std::string join(llvm::StringRef dir, llvm::StringRef file) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, file);
  return std::string(p);
}

} // namespace

/// `tinymlc run --evaluate`: every sample through evaluateGraph, the outputs
/// appended to their files as the harness does.
llvm::Expected<int64_t> evaluateSamples(const Graph &g,
                                        const std::vector<std::vector<uint8_t>> &data,
                                        int64_t samples, const std::string &outputDir) {
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return makeError("cannot create directory '" + outputDir + "': " + ec.message());
  std::vector<std::string> outs(g.outputs().size());
  for (int64_t k = 0; k < samples; ++k) {
    std::vector<Buffer> ins;
    for (size_t i = 0; i < data.size(); ++i) {
      size_t per = g.inputs()[i]->byteSize();
      ins.emplace_back(data[i].begin() + k * per, data[i].begin() + (k + 1) * per);
    }
    auto r = evaluateGraph(g, ins);
    if (!r)
      return r.takeError();
    for (size_t o = 0; o < outs.size(); ++o)
      outs[o].append(reinterpret_cast<const char *>((*r)[o].data()), (*r)[o].size());
  }
  for (size_t o = 0; o < outs.size(); ++o)
    if (auto e = writeText(join(outputDir, outputFileName(g.outputs()[o]->name())), outs[o]))
      return e;
  return samples;
}

llvm::Expected<RunInputs> readRunInputs(const Graph &g, const RunOptions &opts) {
  // Match input files to graph inputs.
  std::vector<std::string> files(g.inputs().size());
  for (const auto &[name, file] : opts.inputs) {
    if (name.empty()) {
      if (g.inputs().size() != 1)
        return makeUsageError("--input " + file + ": the model has " +
                         llvm::Twine(g.inputs().size()) +
                         " inputs; name the input with --input NAME=FILE");
      files[0] = file;
      continue;
    }
    size_t i = 0;
    while (i < g.inputs().size() && g.inputs()[i]->name() != name)
      ++i;
    if (i == g.inputs().size()) {
      std::string names;
      for (const Value *v : g.inputs())
        names += (names.empty() ? "'" : ", '") + v->name() + "'";
      return makeUsageError("--input " + name + "=" + file + ": the model has no input named '" +
                       name + "' (inputs: " + (names.empty() ? "none" : names) + ")");
    }
    files[i] = file;
  }
  RunInputs r;
  int64_t samples = -1;
  r.data.resize(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    const Value *v = g.inputs()[i];
    if (files[i].empty())
      return makeUsageError("input '" + v->name() + "' (" + v->typeString() +
                            ") needs a file: --input " + v->name() + "=FILE");
    std::string option = "--input " + v->name() + "=" + files[i];
    auto t = readTensorFile(files[i]);
    if (!t)
      return renameFile(t.takeError(), files[i], option);
    auto count = checkFileTensor(*t, v->dtype(), files[i]);
    if (!count)
      return renameFile(count.takeError(), files[i], option);
    int64_t per = v->numElements();
    int64_t k = per == 0 ? 1 : *count / per;
    if (per == 0 ? *count != 0 : (*count % per != 0 || k == 0))
      return makeError(option + ": " + llvm::Twine(*count) +
                       " elements is not a whole number of " + v->typeString() + " samples");
    if (samples >= 0 && k != samples)
      return makeError(option + ": holds " + llvm::Twine(k) + " samples, but other inputs hold " +
                       llvm::Twine(samples));
    samples = k;
    r.data[i] = std::move(t->bytes);
  }
  r.samples = samples < 0 ? 1 : samples;
  return r;
}

llvm::Expected<int64_t> runCompiled(const Compilation &c, const RunOptions &opts) {
  const Graph &g = *c.graph;
  auto read = readRunInputs(g, opts);
  if (!read)
    return read.takeError();
  int64_t samples = read->samples;
  std::vector<std::vector<uint8_t>> &data = read->data;
  if (opts.evaluate)
    return evaluateSamples(g, data, samples, opts.outputDir);

  // Work directory.
  std::string work = opts.workDir;
  bool temporary = work.empty();
  if (temporary) {
    llvm::SmallString<256> tmp;
    if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("tinymlc-run", tmp))
      return makeError("cannot create a temporary directory: " + ec.message());
    work = std::string(tmp);
  }
  struct Cleanup {
    std::string dir;
    bool active;
    ~Cleanup() {
      if (active)
        llvm::sys::fs::remove_directories(dir);
    }
  } cleanup{work, temporary};

  std::string gen = join(work, "gen");
  if (auto e = writeFiles(c.files, gen))
    return e;
  std::string main = join(work, "main.cpp");
  if (auto e = writeText(main, harness(c)))
    return e;
  std::vector<std::string> inFiles, outFiles;
  for (size_t i = 0; i < data.size(); ++i) {
    inFiles.push_back(join(work, "input_" + std::to_string(i) + ".bin"));
    if (auto e = writeText(inFiles.back(),
                           llvm::StringRef(reinterpret_cast<const char *>(data[i].data()),
                                           data[i].size())))
      return e;
  }

  // Build.
  std::string cxx = opts.cxx;
  if (cxx.empty())
    if (const char *env = std::getenv("CXX"))
      cxx = env;
  if (cxx.empty())
    cxx = "c++";
  auto prog = llvm::sys::findProgramByName(cxx);
  if (!prog)
    return makeError("cannot find the host C++ compiler '" + cxx +
                     "'; install g++ or set CXX");
  std::string exe = join(work, "runner");
  // -ffp-contract=off: no fused multiply-add, as in the firmware builds
  // (tinymlc_add_model), so a host with FMA gives the same bits as the target.
  std::vector<std::string> args = {*prog,
                                   "-std=c++11",
                                   "-O2",
                                   "-ffp-contract=off",
                                   "-Wall",
                                   "-Wextra",
                                   "-Werror",
                                   "-pedantic",
                                   "-fno-exceptions",
                                   "-fno-rtti",
                                   "-I" + gen,
                                   main,
                                   join(gen, c.codegen.name + ".cpp"),
                                   join(gen, c.codegen.name + "_weights.cpp"),
                                   "-o",
                                   exe,
                                   "-lm"};
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string log = join(work, "build.log");
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string errMsg;
  int rc = llvm::sys::ExecuteAndWait(*prog, argRefs, std::nullopt, redirects, 0, 0, &errMsg);
  if (rc != 0) {
    std::string out;
    if (auto b = llvm::MemoryBuffer::getFile(log))
      out = (*b)->getBuffer().take_front(4000).str();
    return makeError("the generated code failed to build with " + cxx +
                     " (a tinymlc bug; please report it): " + errMsg + "\n" + out);
  }

  // Run.
  std::vector<std::string> runArgs = {exe, std::to_string(samples)};
  runArgs.insert(runArgs.end(), inFiles.begin(), inFiles.end());
  for (const Value *v : g.outputs())
    outFiles.push_back(join(opts.outputDir, outputFileName(v->name())));
  if (std::error_code ec = llvm::sys::fs::create_directories(opts.outputDir))
    return makeError("cannot create directory '" + opts.outputDir + "': " + ec.message());
  runArgs.insert(runArgs.end(), outFiles.begin(), outFiles.end());
  std::vector<llvm::StringRef> runRefs(runArgs.begin(), runArgs.end());
  std::string runLog = join(work, "run.log");
  std::optional<llvm::StringRef> runRedirects[] = {std::nullopt, llvm::StringRef(runLog),
                                                   llvm::StringRef(runLog)};
  rc = llvm::sys::ExecuteAndWait(exe, runRefs, std::nullopt, runRedirects, 0, 0, &errMsg);
  if (rc != 0) {
    std::string out;
    if (auto b = llvm::MemoryBuffer::getFile(runLog))
      out = (*b)->getBuffer().take_front(4000).str();
    return makeError("the generated code failed at run time (status " + llvm::Twine(rc) +
                     ", a tinymlc bug; please report it): " + errMsg + " " + out);
  }
  return samples;
}

namespace {
std::vector<double> toDoubles(const uint8_t *p, DType t, size_t n) {
  std::vector<double> out(n);
  auto get = [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, p + i * sizeof(T), sizeof(T));
      out[i] = static_cast<double>(v);
    }
  };
  switch (t) {
  case DType::F32: get(float()); break;
  case DType::F64: get(double()); break;
  case DType::I8: get(int8_t()); break;
  case DType::U8: get(uint8_t()); break;
  case DType::I16: get(int16_t()); break;
  case DType::U16: get(uint16_t()); break;
  case DType::I32: get(int32_t()); break;
  case DType::U32: get(uint32_t()); break;
  case DType::I64: get(int64_t()); break;
  case DType::U64: get(uint64_t()); break;
  case DType::Bool: get(uint8_t()); break;
  }
  return out;
}
} // namespace

llvm::Expected<std::vector<OutputComparison>>
compareWithReference(const Graph &reference, const Graph &built, const RunOptions &opts) {
  auto read = readRunInputs(reference, opts);
  if (!read)
    return read.takeError();
  const auto &outs = built.outputs();
  if (reference.outputs().size() != outs.size())
    return makeError("internal error: the float and the built model have different outputs");
  std::vector<OutputComparison> result(outs.size());
  std::vector<std::vector<uint8_t>> got(outs.size());
  for (size_t o = 0; o < outs.size(); ++o) {
    std::string path = join(opts.outputDir, outputFileName(outs[o]->name()));
    auto b = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, false);
    if (!b)
      return makeError("cannot read '" + path + "': " + b.getError().message());
    got[o].assign((*b)->getBuffer().bytes_begin(), (*b)->getBuffer().bytes_end());
    if (got[o].size() != outs[o]->byteSize() * static_cast<size_t>(read->samples))
      return makeError("internal error: '" + path + "' does not hold one output per sample");
    result[o].name = outs[o]->name();
    result[o].type = outs[o]->typeString();
  }
  std::vector<double> sig(outs.size(), 0), noise(outs.size(), 0);
  for (int64_t s = 0; s < read->samples; ++s) {
    std::vector<Buffer> sample;
    for (size_t i = 0; i < reference.inputs().size(); ++i) {
      size_t n = reference.inputs()[i]->byteSize();
      sample.emplace_back(read->data[i].begin() + s * n, read->data[i].begin() + (s + 1) * n);
    }
    auto ref = evaluateGraph(reference, sample);
    if (!ref)
      return ref.takeError();
    for (size_t o = 0; o < outs.size(); ++o) {
      const Value *rv = reference.outputs()[o];
      size_t n = static_cast<size_t>(rv->numElements());
      std::vector<double> x = toDoubles((*ref)[o].data(), rv->dtype(), n);
      std::vector<double> y =
          toDoubles(got[o].data() + s * outs[o]->byteSize(), outs[o]->dtype(), n);
      OutputComparison &r = result[o];
      for (size_t k = 0; k < n; ++k) {
        double e = y[k] - x[k];
        sig[o] += x[k] * x[k];
        noise[o] += e * e;
        r.maxAbsError = std::max(r.maxAbsError, std::fabs(e));
      }
      int64_t last = rv->rank() ? rv->shape().back() : 1;
      for (size_t k = 0; last > 1 && k + static_cast<size_t>(last) <= n; k += last) {
        auto xb = x.begin() + k, yb = y.begin() + k;
        r.top1Agree +=
            std::max_element(xb, xb + last) - xb == std::max_element(yb, yb + last) - yb;
        ++r.rows;
      }
    }
  }
  for (size_t o = 0; o < outs.size(); ++o) {
    result[o].samples = read->samples;
    result[o].sqnrDb = sqnrDb(sig[o], noise[o]);
  }
  return result;
}

} // namespace tinymlc
