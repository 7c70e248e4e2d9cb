//===- Diff.cpp - `tinymlc diff` ------------------------------------------===//
#include "compiler/Diff.h"
#include "compiler/Runner.h"
#include "compiler/TensorIO.h"
#include "ir/Diagnostic.h"
#include "passes/Evaluator.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace tinymlc {

using nlohmann::json;

llvm::Expected<std::vector<Budget>> parseBudgets(llvm::StringRef spec) {
  static const char *const metrics[] = {"ram", "flash", "weights", "code", "macs"};
  std::vector<Budget> out;
  llvm::SmallVector<llvm::StringRef, 4> parts;
  spec.split(parts, ',', -1, /*KeepEmpty=*/false);
  if (parts.empty())
    return makeUsageError("invalid --fail-on '" + spec +
                          "': expected METRIC>LIMIT[,...], e.g. \"ram>+5%,flash>+10%\"");
  for (llvm::StringRef raw : parts) {
    llvm::StringRef p = raw.trim();
    auto bad = [&](const std::string &why) {
      return makeUsageError("invalid --fail-on budget '" + p + "': " + why +
                            " (expected METRIC>LIMIT with METRIC one of ram, flash, weights, "
                            "code, macs and LIMIT a change such as +5%, -2% or +1024)");
    };
    size_t gt = p.find('>');
    if (gt == llvm::StringRef::npos)
      return bad("no '>'");
    Budget b;
    b.text = p.str();
    b.metric = p.substr(0, gt).trim().lower();
    if (std::find(std::begin(metrics), std::end(metrics), b.metric) == std::end(metrics))
      return bad("unknown metric '" + b.metric + "'");
    llvm::StringRef limit = p.substr(gt + 1).trim();
    b.percent = limit.consume_back("%");
    bool plus = limit.consume_front("+");
    (void)plus;
    double v;
    if (limit.empty() || limit.getAsDouble(v) || !std::isfinite(v))
      return bad("the limit is not a number");
    b.limit = v;
    out.push_back(b);
  }
  return out;
}

namespace {

struct Side {
  std::string label; ///< as given on the command line
  json report;
  std::optional<Compilation> compiled; ///< when the side is a model
};

llvm::Expected<json> parseReport(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return makeError(path, "cannot read: " + buf.getError().message());
  json j = json::parse((*buf)->getBuffer().begin(), (*buf)->getBuffer().end(), nullptr,
                       /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("memory") || !j.contains("ops") ||
      !j.contains("flash") || !j.contains("macs"))
    return makeError(path, "not a tinymlc report (expected the <name>.report.json that "
                           "'tinymlc compile' writes)");
  if (!j["ops"].is_array() || (!j["ops"].empty() && !j["ops"][0].contains("weights")))
    return makeError(path, "a report from an older tinymlc without per-layer entries; "
                           "regenerate it with this version");
  return j;
}

llvm::Expected<Side> loadSide(llvm::StringRef path, const CompileOptions &copts) {
  Side s;
  s.label = path.str();
  if (!llvm::sys::fs::exists(path))
    return makeUsageError("diff: '" + path + "' does not exist (expected a model .onnx, a "
                          "generated directory or a .report.json)");
  if (llvm::sys::fs::is_directory(path)) {
    std::vector<std::string> found;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec))
      if (llvm::StringRef(it->path()).endswith(".report.json"))
        found.push_back(it->path());
    std::sort(found.begin(), found.end());
    if (found.empty())
      return makeError(path, "no <name>.report.json in this directory (is it a directory "
                             "that 'tinymlc compile -o' wrote?)");
    if (found.size() > 1)
      return makeError(path, "holds " + llvm::Twine(found.size()) +
                                 " report.json files; pass the one to compare");
    auto j = parseReport(found[0]);
    if (!j)
      return j.takeError();
    s.report = std::move(*j);
    return s;
  }
  if (path.endswith(".json")) {
    auto j = parseReport(path);
    if (!j)
      return j.takeError();
    s.report = std::move(*j);
    return s;
  }
  std::string ignored;
  llvm::raw_string_ostream quiet(ignored);
  auto c = compileModel(path, copts, quiet);
  if (!c)
    return c.takeError();
  for (const GeneratedFile &f : c->files)
    if (llvm::StringRef(f.name).endswith(".report.json"))
      s.report = json::parse(f.text);
  s.compiled = std::move(*c);
  return s;
}

std::string commas(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return (v < 0 ? "-" : "") + s;
}

std::string signedCommas(int64_t v) { return (v > 0 ? "+" : "") + commas(v); }

std::string percent(int64_t oldV, int64_t newV) {
  if (oldV == newV)
    return "0%";
  if (oldV == 0)
    return "new";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%+.2f%%", 100.0 * double(newV - oldV) / double(oldV));
  return buf;
}

std::string shapeText(const json &t) {
  std::string s = t.value("dtype", "?") + "[";
  bool first = true;
  for (const json &d : t["shape"]) {
    s += (first ? "" : ",") + std::to_string(d.get<int64_t>());
    first = false;
  }
  return s + "]";
}

int64_t getInt(const json &j, const char *key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}

/// The figures compared and budgeted.
struct Metrics {
  int64_t ram = 0, weights = 0, code = 0, macs = 0;
  std::map<std::string, int64_t> regions;
  int64_t flash() const { return weights + code; }
};

Metrics metricsOf(const json &r) {
  Metrics m;
  m.ram = getInt(r["memory"], "arena_bytes");
  m.weights = getInt(r["flash"], "weights_bytes");
  m.code = getInt(r["flash"], "code_estimate_bytes");
  m.macs = getInt(r, "macs");
  for (const json &reg : r["memory"]["regions"])
    m.regions[reg.value("name", "?")] = getInt(reg, "used_bytes");
  return m;
}

/// A layer's identity across the two sides: its node name, else its first
/// output's name.
std::string layerKey(const json &op) {
  std::string n = op.value("name", "");
  if (!n.empty())
    return n;
  if (!op["outputs"].empty())
    return "(output " + op["outputs"][0].value("name", "?") + ")";
  return "(step " + std::to_string(getInt(op, "step")) + ")";
}

std::string joinShapes(const json &list) {
  std::string s;
  for (const json &t : list)
    s += (s.empty() ? "" : ", ") + shapeText(t);
  return s;
}

std::string dtypes(const json &list) {
  std::string s;
  for (const json &t : list)
    s += (s.empty() ? "" : ",") + t.value("dtype", "?");
  return s;
}

std::string weightShapes(const json &op) { return joinShapes(op["weights"]); }

struct LayerChange {
  std::string kind; ///< added, removed, reshaped, re-quantised, weights, op
  std::string op, name, detail;
  int64_t macsDelta = 0;
};

std::vector<LayerChange> layerChanges(const json &oldR, const json &newR) {
  std::map<std::string, const json *> oldOps, newOps;
  std::vector<std::string> order;
  for (const json &op : oldR["ops"])
    oldOps.emplace(layerKey(op), &op);
  for (const json &op : newR["ops"])
    if (newOps.emplace(layerKey(op), &op).second)
      order.push_back(layerKey(op));
  std::vector<LayerChange> out;
  for (const json &op : oldR["ops"])
    if (!newOps.count(layerKey(op)))
      out.push_back({"removed", op.value("op", "?"), layerKey(op),
                     "out " + joinShapes(op["outputs"]), -getInt(op, "macs")});
  for (const std::string &key : order) {
    const json &n = *newOps[key];
    auto it = oldOps.find(key);
    if (it == oldOps.end()) {
      out.push_back({"added", n.value("op", "?"), key, "out " + joinShapes(n["outputs"]),
                     getInt(n, "macs")});
      continue;
    }
    const json &o = *it->second;
    int64_t dm = getInt(n, "macs") - getInt(o, "macs");
    if (o.value("op", "") != n.value("op", "")) {
      out.push_back({"op changed", n.value("op", "?"), key,
                     o.value("op", "?") + " -> " + n.value("op", "?"), dm});
      continue;
    }
    std::string oq = dtypes(o["inputs"]) + "|" + dtypes(o["weights"]) + "|" + dtypes(o["outputs"]);
    std::string nq = dtypes(n["inputs"]) + "|" + dtypes(n["weights"]) + "|" + dtypes(n["outputs"]);
    if (oq != nq) {
      out.push_back({"re-quantised", n.value("op", "?"), key,
                     "types " + oq + " -> " + nq, dm});
      continue;
    }
    std::string oShapes = joinShapes(o["inputs"]) + " -> " + joinShapes(o["outputs"]);
    std::string nShapes = joinShapes(n["inputs"]) + " -> " + joinShapes(n["outputs"]);
    if (oShapes != nShapes || weightShapes(o) != weightShapes(n)) {
      std::string d = "out " + joinShapes(o["outputs"]) + " -> " + joinShapes(n["outputs"]);
      if (weightShapes(o) != weightShapes(n))
        d += "; weights " + weightShapes(o) + " -> " + weightShapes(n);
      else if (joinShapes(o["inputs"]) != joinShapes(n["inputs"]))
        d += "; in " + joinShapes(o["inputs"]) + " -> " + joinShapes(n["inputs"]);
      out.push_back({"reshaped", n.value("op", "?"), key, d, dm});
      continue;
    }
    std::vector<std::string> changed;
    for (size_t i = 0; i < n["weights"].size() && i < o["weights"].size(); ++i)
      if (n["weights"][i].value("sha256", "") != o["weights"][i].value("sha256", ""))
        changed.push_back(n["weights"][i].value("name", "?"));
    if (!changed.empty()) {
      // Quantisation parameters are the small constants of quantised ops.
      bool quant = llvm::StringRef(n.value("op", "")).contains("Quant") ||
                   llvm::StringRef(n.value("op", "")).startswith("QLinear");
      out.push_back({quant ? "re-quantised" : "weights", n.value("op", "?"), key,
                     (quant ? "parameters changed: " : "changed: ") + llvm::join(changed, ", "),
                     dm});
    }
  }
  return out;
}

struct Moved {
  std::string name, detail;
};

std::vector<Moved> movedTensors(const json &oldR, const json &newR) {
  std::map<std::string, const json *> oldT;
  for (const json &t : oldR["memory"]["tensors"])
    oldT.emplace(t.value("name", ""), &t);
  std::vector<Moved> out;
  for (const json &t : newR["memory"]["tensors"]) {
    auto it = oldT.find(t.value("name", ""));
    if (it == oldT.end())
      continue;
    const json &o = *it->second;
    if (o.value("region", "") == t.value("region", "") &&
        getInt(o, "offset") == getInt(t, "offset") && getInt(o, "size") == getInt(t, "size"))
      continue;
    std::string d = "@" + std::to_string(getInt(o, "offset")) + " -> @" +
                    std::to_string(getInt(t, "offset"));
    if (o.value("region", "") != t.value("region", ""))
      d = o.value("region", "") + d + " (" + t.value("region", "") + ")";
    if (getInt(o, "size") != getInt(t, "size"))
      d += ", " + commas(getInt(o, "size")) + " -> " + commas(getInt(t, "size")) + " B";
    out.push_back({t.value("name", ""), d});
  }
  return out;
}

double elementAsDouble(DType t, const uint8_t *p) {
  switch (t) {
  case DType::F32: { float v; std::memcpy(&v, p, 4); return v; }
  case DType::F64: { double v; std::memcpy(&v, p, 8); return v; }
  case DType::I8: return static_cast<int8_t>(*p);
  case DType::U8: return *p;
  case DType::Bool: return *p ? 1 : 0;
  case DType::I16: { int16_t v; std::memcpy(&v, p, 2); return v; }
  case DType::U16: { uint16_t v; std::memcpy(&v, p, 2); return v; }
  case DType::I32: { int32_t v; std::memcpy(&v, p, 4); return v; }
  case DType::U32: { uint32_t v; std::memcpy(&v, p, 4); return v; }
  case DType::I64: { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  case DType::U64: { uint64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  }
  return 0;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

struct OutputDiff {
  std::string name;
  double maxAbs = 0;
  int64_t index = 0;
  double oldV = 0, newV = 0;
  int64_t elements = 0;
};

/// Runs both compiled graphs on the input files (every sample) with the
/// compiler's evaluator and compares outputs by position.
llvm::Expected<std::vector<OutputDiff>>
numericDiff(const Compilation &a, const Compilation &b,
            const std::vector<std::pair<std::string, std::string>> &inputs) {
  const Graph &ga = *a.graph, &gb = *b.graph;
  if (ga.inputs().size() != gb.inputs().size())
    return makeError("diff --input: the models take different numbers of inputs (" +
                     llvm::Twine(ga.inputs().size()) + " and " + llvm::Twine(gb.inputs().size()) +
                     ")");
  std::vector<std::string> files(ga.inputs().size());
  for (const auto &[name, file] : inputs) {
    size_t i = 0;
    if (name.empty()) {
      if (ga.inputs().size() != 1)
        return makeUsageError("diff --input '" + file + "': the models have " +
                              llvm::Twine(ga.inputs().size()) +
                              " inputs; name the input with --input NAME=FILE");
    } else {
      while (i < ga.inputs().size() && ga.inputs()[i]->name() != name)
        ++i;
      if (i == ga.inputs().size())
        return makeUsageError("diff --input " + name + "=" + file +
                              ": the old model has no input named '" + name + "'");
    }
    files[i] = file;
  }
  int64_t samples = -1;
  std::vector<FileTensor> data(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    const Value *va = ga.inputs()[i], *vb = gb.inputs()[i];
    if (files[i].empty())
      return makeUsageError("diff: no --input for input '" + va->name() + "'");
    if (va->dtype() != vb->dtype() || va->shape() != vb->shape())
      return makeError("diff --input: input " + llvm::Twine(i) + " is " + va->typeString() +
                       " in the old model and " + vb->typeString() +
                       " in the new one; the same file cannot feed both");
    auto t = readTensorFile(files[i]);
    if (!t)
      return t.takeError();
    auto count = checkFileTensor(*t, va->dtype(), files[i]);
    if (!count)
      return count.takeError();
    int64_t per = std::max<int64_t>(1, va->numElements());
    if (*count % per)
      return makeError(files[i], "holds " + llvm::Twine(*count) +
                                     " elements, not a whole number of " + va->typeString() +
                                     " samples");
    int64_t k = *count / per;
    if (samples >= 0 && samples != k)
      return makeError(files[i], "holds " + llvm::Twine(k) + " samples, but other inputs hold " +
                                     llvm::Twine(samples));
    samples = k;
    data[i] = std::move(*t);
  }
  std::vector<OutputDiff> out(std::min(ga.outputs().size(), gb.outputs().size()));
  for (size_t o = 0; o < out.size(); ++o)
    out[o].name = gb.outputs()[o]->name();
  for (int64_t s = 0; s < std::max<int64_t>(samples, 1); ++s) {
    std::vector<Buffer> in;
    for (size_t i = 0; i < data.size(); ++i) {
      size_t bytes = ga.inputs()[i]->byteSize();
      in.emplace_back(data[i].bytes.begin() + s * bytes, data[i].bytes.begin() + (s + 1) * bytes);
    }
    auto ra = evaluateGraph(ga, in);
    if (!ra)
      return ra.takeError();
    auto rb = evaluateGraph(gb, in);
    if (!rb)
      return rb.takeError();
    for (size_t o = 0; o < out.size(); ++o) {
      const Value *va = ga.outputs()[o], *vb = gb.outputs()[o];
      int64_t n = std::min(va->numElements(), vb->numElements());
      out[o].elements = n;
      for (int64_t e = 0; e < n; ++e) {
        double x = elementAsDouble(va->dtype(), (*ra)[o].data() + e * dtypeSize(va->dtype()));
        double y = elementAsDouble(vb->dtype(), (*rb)[o].data() + e * dtypeSize(vb->dtype()));
        double d = std::fabs(x - y);
        if (std::isnan(d))
          d = std::isnan(x) && std::isnan(y) ? 0 : HUGE_VAL;
        if (d > out[o].maxAbs || (s == 0 && e == 0)) {
          out[o].maxAbs = d;
          out[o].index = s * n + e;
          out[o].oldV = x;
          out[o].newV = y;
        }
      }
    }
  }
  return out;
}

/// Text or markdown tables from rows of cells.
struct Writer {
  bool md;
  std::string s;
  void heading(const std::string &h) { s += md ? "\n### " + h + "\n\n" : "\n" + h + ":\n"; }
  void table(const std::vector<std::string> &head, const std::vector<std::vector<std::string>> &rows,
             const std::vector<bool> &right) {
    if (md) {
      auto cell = [](const std::string &c) {
        std::string o;
        for (char ch : c)
          o += ch == '|' ? std::string("\\|") : std::string(1, ch);
        return o;
      };
      s += "|";
      for (const std::string &h : head)
        s += " " + cell(h) + " |";
      s += "\n|";
      for (size_t i = 0; i < head.size(); ++i)
        s += right[i] ? "---:|" : "---|";
      s += "\n";
      for (const auto &r : rows) {
        s += "|";
        for (const std::string &c : r)
          s += " " + cell(c) + " |";
        s += "\n";
      }
      return;
    }
    std::vector<size_t> w(head.size());
    for (size_t i = 0; i < head.size(); ++i) {
      w[i] = head[i].size();
      for (const auto &r : rows)
        w[i] = std::max(w[i], r[i].size());
    }
    auto line = [&](const std::vector<std::string> &r) {
      std::string l = " ";
      for (size_t i = 0; i < r.size(); ++i) {
        std::string pad(w[i] - r[i].size(), ' ');
        l += " " + (right[i] ? pad + r[i] : r[i] + (i + 1 < r.size() ? pad : ""));
      }
      s += l + "\n";
    };
    line(head);
    for (const auto &r : rows)
      line(r);
  }
};

} // namespace

llvm::Expected<DiffResult> diffSides(llvm::StringRef oldPath, llvm::StringRef newPath,
                                     const DiffOptions &opts) {
  if (opts.format != "text" && opts.format != "markdown")
    return makeUsageError("invalid --format '" + opts.format + "': expected text or markdown");
  auto a = loadSide(oldPath, opts.compile);
  if (!a)
    return a.takeError();
  auto b = loadSide(newPath, opts.compile);
  if (!b)
    return b.takeError();
  if (!opts.inputs.empty() && (!a->compiled || !b->compiled))
    return makeUsageError("diff --input needs two models: '" +
                          (!a->compiled ? oldPath : newPath) +
                          "' is a report or a generated directory, which cannot be run");
  const json &oldR = a->report, &newR = b->report;
  Metrics mo = metricsOf(oldR), mn = metricsOf(newR);
  Writer w{opts.format == "markdown", ""};
  DiffResult res;
  if (w.md)
    w.s += "## tinymlc diff: `" + a->label + "` → `" + b->label + "`\n";
  else
    w.s += "tinymlc diff: " + a->label + " -> " + b->label + "\n";

  std::vector<std::vector<std::string>> rows;
  auto row = [&](const std::string &what, int64_t o, int64_t n, const char *unit) {
    rows.push_back({what, commas(o) + unit, commas(n) + unit, signedCommas(n - o) + unit,
                    percent(o, n)});
  };
  row("RAM (arena)", mo.ram, mn.ram, " B");
  std::set<std::string> regions;
  for (const auto &[r, v] : mo.regions)
    regions.insert(r);
  for (const auto &[r, v] : mn.regions)
    regions.insert(r);
  if (regions.size() > 1 || (regions.size() == 1 && !mo.regions.count(*regions.begin())))
    for (const std::string &r : regions)
      row("  region " + r, mo.regions.count(r) ? mo.regions[r] : 0,
          mn.regions.count(r) ? mn.regions[r] : 0, " B");
  row("flash", mo.flash(), mn.flash(), " B");
  row("  weights", mo.weights, mn.weights, " B");
  row("  code (estimate)", mo.code, mn.code, " B");
  row("MACs", mo.macs, mn.macs, "");
  w.heading("Summary");
  w.table({"", "old", "new", "change", "%"}, rows, {false, true, true, true, true});

  std::vector<LayerChange> changes = layerChanges(oldR, newR);
  w.heading("Layers (" + std::to_string(changes.size()) + " changed of " +
            std::to_string(newR["ops"].size()) + ")");
  if (changes.empty()) {
    w.s += w.md ? "No layer changed.\n" : "  none\n";
  } else {
    rows.clear();
    for (const LayerChange &c : changes)
      rows.push_back({c.kind, c.op, c.name, c.detail, c.macsDelta ? signedCommas(c.macsDelta) : ""});
    w.table({"change", "op", "layer", "detail", "MACs"}, rows, {false, false, false, false, true});
  }

  std::vector<Moved> moved = movedTensors(oldR, newR);
  w.heading("Tensors whose placement changed (" + std::to_string(moved.size()) + ")");
  if (moved.empty()) {
    w.s += w.md ? "None.\n" : "  none\n";
  } else {
    rows.clear();
    const size_t limit = 40;
    for (size_t i = 0; i < moved.size() && i < limit; ++i)
      rows.push_back({moved[i].name, moved[i].detail});
    w.table({"tensor", "offset"}, rows, {false, false});
    if (moved.size() > limit)
      w.s += (w.md ? "" : "  ") + std::string("... and ") + std::to_string(moved.size() - limit) +
             " more\n";
  }

  if (!opts.inputs.empty()) {
    auto nd = numericDiff(*a->compiled, *b->compiled, opts.inputs);
    if (!nd)
      return nd.takeError();
    w.heading("Outputs on the given inputs (largest |new - old|)");
    rows.clear();
    for (const OutputDiff &d : *nd)
      rows.push_back({d.name, num(d.maxAbs), std::to_string(d.index), num(d.oldV), num(d.newV)});
    w.table({"output", "max |diff|", "at element", "old", "new"}, rows,
            {false, true, true, true, true});
  }

  for (const Budget &bu : opts.failOn) {
    int64_t o = 0, n = 0;
    if (bu.metric == "ram")
      o = mo.ram, n = mn.ram;
    else if (bu.metric == "flash")
      o = mo.flash(), n = mn.flash();
    else if (bu.metric == "weights")
      o = mo.weights, n = mn.weights;
    else if (bu.metric == "code")
      o = mo.code, n = mn.code;
    else
      o = mo.macs, n = mn.macs;
    double change = bu.percent ? (o ? 100.0 * double(n - o) / double(o) : (n > o ? HUGE_VAL : 0))
                               : double(n - o);
    if (change > bu.limit)
      res.exceeded.push_back("budget '" + bu.text + "' exceeded: " + bu.metric + " " +
                             commas(o) + " -> " + commas(n) + " (" + signedCommas(n - o) +
                             (bu.percent ? ", " + percent(o, n) : std::string()) + ")");
  }
  if (!opts.failOn.empty()) {
    w.heading("Budgets");
    if (res.exceeded.empty())
      w.s += w.md ? "All within budget.\n" : "  all within budget\n";
    for (const std::string &e : res.exceeded)
      w.s += (w.md ? "- **" + e + "**" : "  " + e) + "\n";
  }
  res.text = w.s;
  return res;
}

} // namespace tinymlc
