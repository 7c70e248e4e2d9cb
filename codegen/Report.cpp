//===- Report.cpp - the compile report ------------------------------------===//
#include "codegen/Report.h"
#include "ir/ShapeInference.h"
#include "llvm/ADT/StringRef.h"
#include <cmath>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

namespace tinymlc {

namespace {
int64_t totalMacs(const Graph &g) {
  int64_t macs = 0;
  for (const Node *n : g.nodes())
    macs += nodeMacs(*n);
  return macs;
}

std::string withCommas(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::vector<int64_t> shapeOf(const Value *v) {
  return std::vector<int64_t>(v->shape().begin(), v->shape().end());
}

/// Bytes of the constants a node reads (each counted once per node).
int64_t nodeWeightBytes(const Node &n) {
  int64_t total = 0;
  std::set<const Value *> seen;
  for (const Value *in : n.inputs())
    if (in && in->isConstant() && seen.insert(in).second)
      total += static_cast<int64_t>(in->byteSize());
  return total;
}

/// A rough cost of a step: one unit per MAC plus one per byte it reads or
/// writes (inputs, weights, outputs); 0 for steps that emit no code.
int64_t nodeCost(const Node &n, bool noCode) {
  if (noCode)
    return 0;
  int64_t bytes = 0;
  for (const Value *in : n.inputs())
    if (in)
      bytes += static_cast<int64_t>(in->byteSize());
  for (const Value *out : n.outputs())
    bytes += static_cast<int64_t>(out->byteSize());
  return nodeMacs(n) + bytes;
}

bool stepHasNoCode(const CompiledModel &m, size_t i) {
  return m.lowerings[i].isView || m.plan.elidedSteps.count(static_cast<int>(i)) != 0;
}

} // namespace

CodeEstimate estimateCode(const CompiledModel &m) {
  std::set<std::string> functions;
  CodeEstimate e;
  for (size_t i = 0; i < m.lowerings.size(); ++i) {
    if (stepHasNoCode(m, i))
      continue;
    for (size_t c = 0; c < m.lowerings[i].calls.size(); ++c) {
      if (m.plan.elidedCalls.count({static_cast<int>(i), static_cast<int>(c)}))
        continue;
      functions.insert(m.lowerings[i].calls[c].function);
      ++e.calls;
    }
  }
  e.kernels = static_cast<int64_t>(functions.size());
  e.bytes = e.kernels * CodeEstimate::kBytesPerKernel + e.calls * CodeEstimate::kBytesPerCall;
  return e;
}

namespace {
nlohmann::json ioJson(const Value *v, const MemoryPlan &plan) {
  return {{"name", v->name()},
          {"dtype", dtypeName(v->dtype()).str()},
          {"shape", std::vector<int64_t>(v->shape().begin(), v->shape().end())},
          {"bytes", v->byteSize()},
          {"offset", plan.of(v).offset}};
}
/// A dB figure or an error: null when infinite (no error at all).
nlohmann::json finite(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json quantizationJson(const QuantizationReport &q) {
  nlohmann::json acts = nlohmann::json::array(), weights = nlohmann::json::array(),
                 outs = nlohmann::json::array();
  for (const ActivationQuantReport &a : q.activations)
    acts.push_back({{"tensor", a.tensor},
                    {"producer", a.producer},
                    {"op", a.op},
                    {"observed_min", a.observedMin},
                    {"observed_max", a.observedMax},
                    {"range_min", a.rangeMin},
                    {"range_max", a.rangeMax},
                    {"scale", a.scale},
                    {"zero_point", a.zeroPoint},
                    {"inherited", a.inherited},
                    {"sqnr_db", finite(a.sqnrDb)},
                    {"max_abs_error", a.maxAbsError},
                    {"sqnr_vs_float_db", finite(a.sqnrVsFloatDb)},
                    {"max_abs_error_vs_float", a.maxAbsErrorVsFloat}});
  for (const WeightQuantReport &w : q.weights)
    weights.push_back({{"tensor", w.tensor},
                       {"node", w.node},
                       {"op", w.op},
                       {"axis", w.axis < 0 ? nlohmann::json(nullptr) : nlohmann::json(w.axis)},
                       {"channels", w.channels},
                       {"sqnr_db", finite(w.sqnrDb)},
                       {"max_abs_error", w.maxAbsError}});
  for (const OutputQuantReport &o : q.outputs)
    outs.push_back({{"tensor", o.tensor},
                    {"sqnr_db", finite(o.sqnrDb)},
                    {"max_abs_error", o.maxAbsError},
                    {"top1_agree", o.top1Agree},
                    {"rows", o.rows}});
  nlohmann::json j = {{"dtype", "int8"},
                      {"method", calibrationMethodName(q.method).str()},
                      {"samples", q.samples},
                      {"bias_corrected", q.biasCorrected},
                      {"activations", acts},
                      {"weights", weights},
                      {"outputs", outs}};
  if (q.method == CalibrationMethod::Percentile)
    j["percentile"] = q.percentile;
  return j;
}

std::string fmt(const char *f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

std::string db(double v) {
  if (std::isinf(v))
    return v > 0 ? "exact" : "-inf";
  return fmt("%.1f", v);
}

/// `s` cut or padded to `w` columns.
std::string col(std::string s, size_t w) {
  if (s.size() > w)
    s = s.substr(0, w - 1) + "~";
  s.resize(w, ' ');
  return s;
}
} // namespace

static bool hasIntegerOps(const Graph &g);

std::string reportJson(const CompiledModel &m, const CodegenOptions &opts) {
  const Graph &g = *m.graph;
  nlohmann::json tensors = nlohmann::json::array();
  for (const Placement &p : m.plan.tensors) {
    nlohmann::json t = {{"name", p.name},
                        {"region", m.plan.regions[p.region].spec.name},
                        {"offset", p.offset},         {"size", p.size},
                        {"first_step", p.firstStep}, {"last_step", p.lastStep}};
    t["aliases"] = p.aliasOf ? nlohmann::json(p.aliasOf->name()) : nlohmann::json(nullptr);
    tensors.push_back(t);
  }
  nlohmann::json regions = nlohmann::json::array();
  for (const PlannedRegion &r : m.plan.regions)
    regions.push_back({{"name", r.spec.name},
                       {"size_bytes", r.spec.size < 0 ? nlohmann::json(nullptr)
                                                      : nlohmann::json(r.spec.size)},
                       {"used_bytes", r.used},
                       {"alignment", r.spec.alignment}});
  nlohmann::json ops = nlohmann::json::array();
  std::vector<Node *> nodes = g.nodes();
  int64_t totalCost = 0;
  for (size_t i = 0; i < nodes.size(); ++i)
    totalCost += nodeCost(*nodes[i], stepHasNoCode(m, i));
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node &n = *nodes[i];
    nlohmann::json ins = nlohmann::json::array(), outs = nlohmann::json::array(),
                   weights = nlohmann::json::array();
    for (const Value *v : n.inputs()) {
      if (!v)
        continue;
      if (v->isConstant())
        weights.push_back({{"name", v->name()},
                           {"dtype", dtypeName(v->dtype()).str()},
                           {"shape", shapeOf(v)},
                           {"bytes", v->byteSize()},
                           {"sha256", sha256Hex(v->bytes()).substr(0, 16)}});
      else
        ins.push_back({{"name", v->name()},
                       {"dtype", dtypeName(v->dtype()).str()},
                       {"shape", shapeOf(v)}});
    }
    for (const Value *v : n.outputs()) {
      const Placement &p = m.plan.of(v);
      outs.push_back({{"name", v->name()},
                      {"dtype", dtypeName(v->dtype()).str()},
                      {"shape", shapeOf(v)},
                      {"bytes", v->byteSize()},
                      {"region", m.plan.regions[p.region].spec.name},
                      {"offset", p.offset}});
    }
    bool noCode = stepHasNoCode(m, i);
    int64_t cost = nodeCost(n, noCode);
    // Per-mille of the estimated run time, an integer so the bytes stay
    // reproducible across C libraries.
    int64_t permille = totalCost ? (cost * 1000 + totalCost / 2) / totalCost : 0;
    ops.push_back({{"step", i},
                   {"name", n.name()},
                   {"op", opName(n.kind()).str()},
                   {"macs", nodeMacs(n)},
                   {"inputs", ins},
                   {"outputs", outs},
                   {"weights", weights},
                   {"weight_bytes", nodeWeightBytes(n)},
                   {"est_cost", cost},
                   {"est_time_permille", permille},
                   {"no_code", noCode}});
  }
  nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
  for (const Value *v : g.inputs())
    inputs.push_back(ioJson(v, m.plan));
  for (const Value *v : g.outputs())
    outputs.push_back(ioJson(v, m.plan));
  CodeEstimate code = estimateCode(m);
  nlohmann::json j = {
      {"name", opts.name},
      {"macs", totalMacs(g)},
      {"inputs", inputs},
      {"outputs", outputs},
      {"ops", ops},
      {"memory",
       {{"arena_bytes", m.plan.arenaSize},
        {"lower_bound_bytes", m.plan.lowerBound},
        {"peak_step", m.plan.peakStep},
        {"regions", regions},
        {"tensors", tensors}}},
      {"flash",
       {{"weights_bytes", weightBytes(m)},
        {"code_estimate_bytes", code.bytes},
        {"kernel_functions", code.kernels},
        {"kernel_calls", code.calls}}},
  };
  // Quantised models also give their int8/uint8 weight bytes (float models'
  // reports stay as they were).
  if (int64_t q = weightBytes(m, true); q > 0 && hasIntegerOps(g))
    j["flash"]["int8_weights_bytes"] = q;
  if (m.quantization)
    j["quantization"] = quantizationJson(*m.quantization);
  // Names that are not valid UTF-8 (ONNX does not enforce it) print with
  // U+FFFD instead of failing.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {
std::string mdCell(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '|' || c == '\\' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>')
      out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string shapeText(const Value *v) {
  std::string s = dtypeName(v->dtype()).str() + "[";
  for (size_t i = 0; i < v->shape().size(); ++i)
    s += (i ? "," : "") + std::to_string(v->shape()[i]);
  return s + "]";
}

std::string permilleText(int64_t pm) {
  return std::to_string(pm / 10) + "." + std::to_string(pm % 10) + "%";
}
} // namespace

std::string reportMarkdown(const CompiledModel &m, const CodegenOptions &opts) {
  const Graph &g = *m.graph;
  std::string s = "# " + mdCell(opts.name) + ": compile report\n\n";
  s += "Generated by tinymlc beside `" + opts.name + ".report.json` (the same figures, for tools) "
       "and `" + opts.name + ".memory.svg` (the memory map).\n\n";
  s += "| | |\n|---|---|\n";
  s += "| MACs per inference | " + withCommas(totalMacs(g)) + " |\n";
  s += "| RAM (arena) | " + withCommas(m.plan.arenaSize) + " B (lower bound " +
       withCommas(m.plan.lowerBound) + " B, peak at step " + std::to_string(m.plan.peakStep) +
       ") |\n";
  if (m.plan.regions.size() > 1)
    for (const PlannedRegion &r : m.plan.regions)
      s += "| region " + mdCell(r.spec.name) + " | " + withCommas(r.used) + " B" +
           (r.spec.size >= 0 ? " of " + withCommas(r.spec.size) + " B" : std::string()) + " |\n";
  CodeEstimate code = estimateCode(m);
  s += "| flash: weights | " + withCommas(weightBytes(m)) + " B |\n";
  s += "| flash: code (estimate) | " + withCommas(code.bytes) + " B (" +
       std::to_string(code.kernels) + " kernel functions, " + std::to_string(code.calls) +
       " calls) |\n";
  s += "| ops | " + std::to_string(g.numNodes()) + " |\n\n";
  s += "## Layers\n\n";
  s += "Estimated share of run time: each step's MACs plus the bytes it reads and writes, over "
       "the model's total (a rough model: one unit per MAC and per byte).\n\n";
  s += "| step | op | name | output shapes | MACs | weight bytes | arena offset | region | "
       "est. time |\n";
  s += "|---:|---|---|---|---:|---:|---:|---|---:|\n";
  std::vector<Node *> nodes = g.nodes();
  int64_t totalCost = 0;
  for (size_t i = 0; i < nodes.size(); ++i)
    totalCost += nodeCost(*nodes[i], stepHasNoCode(m, i));
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node &n = *nodes[i];
    std::string shapes, offsets, regions;
    for (const Value *v : n.outputs()) {
      const Placement &p = m.plan.of(v);
      shapes += (shapes.empty() ? "" : ", ") + shapeText(v);
      offsets += (offsets.empty() ? "" : ", ") + std::to_string(p.offset);
      std::string r = m.plan.regions[p.region].spec.name;
      if (regions.find(r) == std::string::npos)
        regions += (regions.empty() ? "" : ", ") + r;
    }
    bool noCode = stepHasNoCode(m, i);
    int64_t cost = nodeCost(n, noCode);
    int64_t pm = totalCost ? (cost * 1000 + totalCost / 2) / totalCost : 0;
    s += "| " + std::to_string(i) + " | " + opName(n.kind()).str() + " | " + mdCell(n.name()) +
         " | " + shapes + " | " + withCommas(nodeMacs(n)) + " | " +
         withCommas(nodeWeightBytes(n)) + " | " + offsets + (noCode ? " (no code)" : "") +
         " | " + mdCell(regions) + " | " + permilleText(pm) + " |\n";
  }
  return s;
}

/// Integer ops that quantised models lower to.
static bool isIntegerOp(OpKind k) {
  return opName(k).startswith("tmc.Q") || k == OpKind::QLinearConv ||
         k == OpKind::QLinearMatMul || k == OpKind::ConvInteger || k == OpKind::MatMulInteger;
}

static bool hasIntegerOps(const Graph &g) {
  for (const Node *n : g.nodes())
    if (isIntegerOp(n->kind()))
      return true;
  return false;
}

/// For quantised models: how many ops run in integer, and which ops still
/// compute in float between a DequantizeLinear and a QuantizeLinear (patterns
/// the quantize-qdq pass did not recognise; correct, but not integer).
static std::string quantSummary(const Graph &g) {
  int integer = 0, qdq = 0;
  std::vector<std::string> inFloat;
  for (const Node *n : g.nodes()) {
    OpKind k = n->kind();
    if (k == OpKind::QuantizeLinear || k == OpKind::DequantizeLinear) {
      ++qdq;
      continue;
    }
    if (isIntegerOp(k)) {
      ++integer;
      continue;
    }
    bool fromDQ = false, toQ = false;
    for (const Value *v : n->inputs())
      if (v && v->producer() && v->producer()->kind() == OpKind::DequantizeLinear)
        fromDQ = true;
    for (const Value *v : n->outputs())
      if (v)
        for (const Node *u : g.users(v))
          if (u->kind() == OpKind::QuantizeLinear)
            toQ = true;
    if (fromDQ && toQ)
      inFloat.push_back(opName(k).str() + " '" + n->name() + "'");
  }
  if (!integer && !qdq)
    return "";
  std::string s = "  quantised: " + std::to_string(integer) + " integer ops, " +
                  std::to_string(qdq) + " QuantizeLinear/DequantizeLinear left";
  if (inFloat.empty())
    return s + "\n";
  s += "; in float between them (not recognised):";
  for (const std::string &f : inFloat)
    s += " " + f;
  return s + "\n";
}

std::string reportSummary(const CompiledModel &m, const CodegenOptions &opts) {
  const Graph &g = *m.graph;
  std::map<std::string, int> hist;
  for (const Node *n : g.nodes())
    ++hist[opName(n->kind()).str()];
  std::string ops;
  for (const auto &[op, count] : hist)
    ops += (ops.empty() ? "" : ", ") + op + " " + std::to_string(count);
  std::string s = "tinymlc: " + opts.name + ": " + std::to_string(g.numNodes()) + " ops (" + ops +
                  ")\n";
  s += "  MACs per inference: " + withCommas(totalMacs(g)) + "\n";
  char ratio[32];
  std::snprintf(ratio, sizeof(ratio), "%.2f",
                m.plan.lowerBound ? double(m.plan.arenaSize) / double(m.plan.lowerBound) : 1.0);
  s += "  RAM:   arena " + withCommas(m.plan.arenaSize) + " B (lower bound " +
       withCommas(m.plan.lowerBound) + " B, " + ratio + "x; peak at step " +
       std::to_string(m.plan.peakStep) + ")\n";
  if (m.plan.regions.size() > 1)
    for (const PlannedRegion &r : m.plan.regions)
      s += "         " + r.spec.name + ": " + withCommas(r.used) + " B" +
           (r.spec.size >= 0 ? " of " + withCommas(r.spec.size) + " B" : std::string()) + "\n";
  s += "  flash: weights " + withCommas(weightBytes(m)) + " B";
  if (int64_t q = weightBytes(m, true); q > 0 && hasIntegerOps(g))
    s += " (int8 " + withCommas(q) + " B)";
  s += "\n";
  s += quantSummary(g);
  return s;
}

std::string quantizationSummary(const QuantizationReport &q, size_t maxRows) {
  std::string s = "  int8 quantisation: " + calibrationMethodName(q.method).str();
  if (q.method == CalibrationMethod::Percentile)
    s += " " + fmt("%g", q.percentile) + "%";
  s += " calibration over " + std::to_string(q.samples) + " sample" +
       (q.samples == 1 ? "" : "s") + "; " + std::to_string(q.activations.size()) +
       " activation tensors, " + std::to_string(q.weights.size()) + " weight tensors, " +
       std::to_string(q.biasCorrected) + " biases corrected\n";
  for (const OutputQuantReport &o : q.outputs) {
    s += "    output '" + o.tensor + "' vs float: SQNR " + db(o.sqnrDb) + " dB, max abs error " +
         fmt("%.4g", o.maxAbsError);
    if (o.rows > 0)
      s += ", top-1 agreement " + std::to_string(o.top1Agree) + "/" + std::to_string(o.rows);
    s += "\n";
  }
  if (q.activations.empty())
    return s + "    no op of this model is quantisable; it stays float\n";
  s += "    " + col("tensor (worst first)", 28) + col("op", 18) + col("range", 22) +
       col("scale", 11) + col("zp", 5) + col("SQNR dB", 9) + col("max err", 10) +
       "vs float dB\n";
  size_t rows = std::min(maxRows, q.activations.size());
  for (size_t i = 0; i < rows; ++i) {
    const ActivationQuantReport &a = q.activations[i];
    std::string range = "[" + fmt("%.4g", a.rangeMin) + ", " + fmt("%.4g", a.rangeMax) + "]";
    s += "    " + col(a.tensor, 27) + " " + col(a.op + (a.inherited ? "*" : ""), 17) + " " +
         col(range, 21) + " " + col(fmt("%.3g", a.scale), 10) + " " +
         col(std::to_string(a.zeroPoint), 4) + " " + col(db(a.sqnrDb), 8) + " " +
         col(fmt("%.3g", a.maxAbsError), 9) + " " + db(a.sqnrVsFloatDb) + "\n";
  }
  if (rows < q.activations.size())
    s += "    ... " + std::to_string(q.activations.size() - rows) +
         " more in the report's \"quantization\" section\n";
  if (llvm::any_of(q.activations, [](const ActivationQuantReport &a) { return a.inherited; }))
    s += "    * keeps its input's scale and zero point\n";
  return s;
}

} // namespace tinymlc
