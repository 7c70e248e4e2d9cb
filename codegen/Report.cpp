//===- Report.cpp - the compile report ------------------------------------===//
#include "codegen/Report.h"
#include "ir/ShapeInference.h"
#include <map>
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

nlohmann::json ioJson(const Value *v, const MemoryPlan &plan) {
  return {{"name", v->name()},
          {"dtype", dtypeName(v->dtype()).str()},
          {"shape", std::vector<int64_t>(v->shape().begin(), v->shape().end())},
          {"bytes", v->byteSize()},
          {"offset", plan.of(v).offset}};
}
} // namespace

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
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::vector<std::string> outs;
    for (const Value *v : nodes[i]->outputs())
      outs.push_back(v->name());
    ops.push_back({{"step", i},
                   {"name", nodes[i]->name()},
                   {"op", opName(nodes[i]->kind()).str()},
                   {"macs", nodeMacs(*nodes[i])},
                   {"outputs", outs},
                   {"no_code", m.lowerings[i].isView ||
                                   m.plan.elidedSteps.count(static_cast<int>(i)) != 0}});
  }
  nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
  for (const Value *v : g.inputs())
    inputs.push_back(ioJson(v, m.plan));
  for (const Value *v : g.outputs())
    outputs.push_back(ioJson(v, m.plan));
  nlohmann::json j = {
      {"name", opts.name},
      {"model", opts.modelFile},
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
      {"flash", {{"weights_bytes", weightBytes(m)}}},
  };
  // Names that are not valid UTF-8 (ONNX does not enforce it) print with
  // U+FFFD instead of failing.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
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
  s += "  flash: weights " + withCommas(weightBytes(m)) + " B\n";
  return s;
}

} // namespace tinymlc
