//===- ImportNodes.cpp - ONNX nodes, functions and control flow -----------===//
//
// - A node whose op tinymlc implements becomes an IR node, checked by its
//   op's inference and folded at once when its inputs are constant.
// - An op tinymlc does not implement but ONNX defines as a function (its
//   schema's body, or a function of the model) is inlined: its body's nodes
//   are imported in a scope that maps the formal inputs to the actual ones.
// - If with a condition known at compile time is replaced by the branch taken;
//   Loop and Scan with a trip count known at compile time are unrolled.
//
//===----------------------------------------------------------------------===//
#include "compiler/TensorIO.h"
#include "compiler/onnx/ImporterImpl.h"
#include "ir/ShapeInference.h"
#include "passes/ConstantFolding.h"
#include <algorithm>
#include <cstring>
#include <onnx/defs/schema.h>

namespace tinymlc {
namespace onnximport {

llvm::Expected<Attribute> Importer::convertAttribute(const onnx::AttributeProto &a,
                                                     const std::string &subject) {
  switch (a.type()) {
  case onnx::AttributeProto::INT:
    return Attribute(static_cast<int64_t>(a.i()));
  case onnx::AttributeProto::FLOAT:
    return Attribute(a.f());
  case onnx::AttributeProto::STRING:
    return Attribute(a.s());
  case onnx::AttributeProto::INTS:
    return Attribute(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
  case onnx::AttributeProto::FLOATS:
    return Attribute(std::vector<float>(a.floats().begin(), a.floats().end()));
  case onnx::AttributeProto::STRINGS:
    return Attribute(std::vector<std::string>(a.strings().begin(), a.strings().end()));
  case onnx::AttributeProto::TENSOR: {
    auto t = tensorFromProto(a.t(), subject + ": attribute '" + a.name() + "'");
    if (!t)
      return t.takeError();
    return Attribute(std::move(*t));
  }
  default:
    return makeError(subject, "attribute '" + a.name() +
                                  "' has a kind tinymlc does not support (graphs, sparse "
                                  "tensors and type protos)");
  }
}

llvm::Error Importer::constantNode(const onnx::NodeProto &np, const std::string &subject,
                                   Scope &scope) {
  if (np.attribute_size() != 1)
    return makeError(subject, "Constant must have exactly one value attribute");
  const onnx::AttributeProto &a = np.attribute(0);
  TensorData t;
  auto scalarOrList = [&](DType dt, auto begin, auto end, bool list) {
    t.dtype = dt;
    size_t n = static_cast<size_t>(end - begin);
    if (list)
      t.shape = {static_cast<int64_t>(n)};
    for (auto it = begin; it != end; ++it) {
      auto v = *it;
      const uint8_t *p = reinterpret_cast<const uint8_t *>(&v);
      t.bytes.insert(t.bytes.end(), p, p + sizeof(v));
    }
  };
  if (a.name() == "value") {
    auto td = tensorFromProto(a.t(), subject);
    if (!td)
      return td.takeError();
    t = std::move(*td);
  } else if (a.name() == "value_float") {
    float f = a.f();
    scalarOrList(DType::F32, &f, &f + 1, false);
  } else if (a.name() == "value_floats") {
    scalarOrList(DType::F32, a.floats().begin(), a.floats().end(), true);
  } else if (a.name() == "value_int") {
    int64_t i = a.i();
    scalarOrList(DType::I64, &i, &i + 1, false);
  } else if (a.name() == "value_ints") {
    scalarOrList(DType::I64, a.ints().begin(), a.ints().end(), true);
  } else {
    return makeError(subject, "Constant attribute '" + a.name() +
                                  "' is not supported (strings and sparse tensors)");
  }
  if (np.output_size() != 1)
    return makeError(subject, "Constant must have one output");
  scope.names[np.output(0)] = graph->addConstant(scope.prefix + np.output(0), t);
  return llvm::Error::success();
}

namespace {

/// Maximum iterations a Loop or Scan is unrolled to, and nesting of inlined
/// functions and subgraphs: beyond them the model is refused, not bloated.
constexpr int64_t kMaxUnroll = 4096;
constexpr unsigned kMaxInlineDepth = 32;

std::string nodeName(const onnx::NodeProto &np, size_t index) {
  if (!np.name().empty())
    return np.name();
  for (const std::string &o : np.output())
    if (!o.empty())
      return o;
  return np.op_type() + "_" + std::to_string(index);
}

TensorData scalarTensor(DType t, int64_t v) {
  TensorData d;
  d.dtype = t;
  if (t == DType::Bool) {
    d.bytes.push_back(v != 0);
  } else {
    d.bytes.resize(8);
    std::memcpy(d.bytes.data(), &v, 8);
  }
  return d;
}

TensorData intList(llvm::ArrayRef<int64_t> v) {
  TensorData d;
  d.dtype = DType::I64;
  d.shape = {static_cast<int64_t>(v.size())};
  d.bytes.resize(v.size() * 8);
  if (!v.empty())
    std::memcpy(d.bytes.data(), v.data(), v.size() * 8);
  return d;
}

} // namespace

llvm::Expected<const onnx::GraphProto *> Importer::graphAttr(const onnx::NodeProto &np,
                                                            llvm::StringRef attr,
                                                            const std::string &subject) {
  for (const auto &a : np.attribute())
    if (a.name() == attr) {
      if (a.type() != onnx::AttributeProto::GRAPH)
        return makeError(subject, "attribute '" + attr + "' must be a graph");
      return &a.g();
    }
  return makeError(subject, "attribute '" + attr + "' is required");
}

llvm::Expected<std::vector<Value *>>
Importer::emit(OpKind kind, const std::string &name, std::vector<Value *> inputs,
               unsigned numOutputs, const std::string &outName,
               std::vector<std::pair<std::string, Attribute>> attrs) {
  std::vector<Value *> outputs;
  for (unsigned i = 0; i < numOutputs; ++i)
    outputs.push_back(graph->addValue(numOutputs == 1 ? outName : outName + "_" + std::to_string(i),
                                      DType::F32, {}));
  Node *n = graph->addNode(kind, name, inputs, outputs);
  for (auto &[k, v] : attrs)
    n->setAttr(k, std::move(v));
  if (auto e = inferNode(*n)) {
    graph->eraseNodes([&](const Node &m) { return &m == n; });
    return e;
  }
  auto folded = foldNode(*n);
  if (!folded) {
    graph->eraseNodes([&](const Node &m) { return &m == n; });
    return folded.takeError();
  }
  if (*folded)
    graph->eraseNodes([&](const Node &m) { return &m == n; });
  return outputs;
}

llvm::Error Importer::importBody(const onnx::GraphProto &body, Scope &scope) {
  const auto &nodes = body.node();
  for (int i = 0; i < nodes.size(); ++i)
    if (auto e = importNode(nodes.Get(i), static_cast<size_t>(i), scope))
      return e;
  return llvm::Error::success();
}

llvm::Error Importer::importNode(const onnx::NodeProto &np, size_t index, Scope &scope) {
  std::string name = scope.prefix + nodeName(np, index);
  std::string subject = "node '" + name + "' (" + np.op_type() + ")";
  auto poison = [&] {
    for (const std::string &o : np.output())
      scope.poisoned.insert(o);
  };
  auto fail = [&](llvm::Error e) -> llvm::Error {
    poison();
    return problem(std::move(e));
  };

  bool defaultDomain = np.domain().empty() || np.domain() == "ai.onnx";
  auto local = localFunctions.find({np.domain(), np.op_type()});
  if (local == localFunctions.end() && np.domain() == "com.microsoft" &&
      (np.op_type() == "QLinearAdd" || np.op_type() == "QLinearMul"))
    return expandFunction(np, qlinearBinaryFunction(np), name, subject, scope);
  if (!defaultDomain && local == localFunctions.end())
    return fail(makeError(subject, "operators of domain '" + np.domain() +
                                       "' are not supported; tinymlc compiles ai.onnx "
                                       "operators"));
  std::optional<OpKind> kind = defaultDomain ? lookupOp(np.op_type()) : std::nullopt;
  if (kind && opName(*kind).startswith("tmc."))
    kind = std::nullopt; // the compiler's internal ops are not ONNX ops
  const onnx::OpSchema *schema =
      defaultDomain ? onnx::OpSchemaRegistry::Schema(np.op_type(), kTargetOpset, "") : nullptr;
  bool control = defaultDomain && (np.op_type() == "If" || np.op_type() == "Loop" ||
                                   np.op_type() == "Scan" || np.op_type() == "Constant");
  bool function = local != localFunctions.end() ||
                  (schema && (schema->HasFunction() || schema->HasContextDependentFunction()));
  if (!kind && !control && !function)
    return fail(makeError(subject, "unsupported op " + np.op_type() + " (opset " +
                                       llvm::Twine(kTargetOpset) + ")"));
  // A node fed by a failed node is not checked further (inspect mode).
  for (const std::string &in : np.input())
    if (!in.empty() && scope.isPoisoned(in)) {
      poison();
      return llvm::Error::success();
    }

  llvm::Error e = llvm::Error::success();
  if (np.op_type() == "Constant" && defaultDomain)
    e = constantNode(np, subject, scope);
  else if (kind)
    e = importNative(np, *kind, name, subject, scope);
  else if (np.op_type() == "If" && defaultDomain)
    e = importIf(np, name, subject, scope);
  else if (np.op_type() == "Loop" && defaultDomain)
    e = importLoop(np, name, subject, scope);
  else if (np.op_type() == "Scan" && defaultDomain)
    e = importScan(np, name, subject, scope);
  else if (local != localFunctions.end())
    e = expandFunction(np, *local->second, name, subject, scope);
  else if (schema->HasFunction())
    e = expandFunction(np, *schema->GetFunction(), name, subject, scope);
  else {
    // Context-dependent functions are built for the actual input types.
    std::vector<onnx::TypeProto> types;
    for (const std::string &in : np.input()) {
      onnx::TypeProto t;
      if (Value *v = in.empty() ? nullptr : scope.lookup(in)) {
        auto *tt = t.mutable_tensor_type();
        tt->set_elem_type(dtypeToOnnx(v->dtype()));
        auto *shape = tt->mutable_shape();
        for (int64_t d : v->shape())
          shape->add_dim()->set_dim_value(d);
      }
      types.push_back(t);
    }
    onnx::FunctionBodyBuildContextImpl ctx(np, types);
    onnx::FunctionProto fn;
    if (!schema->BuildContextDependentFunction(ctx, fn))
      e = makeError(subject, "unsupported op " + np.op_type() + " (opset " +
                                 llvm::Twine(kTargetOpset) +
                                 "; ONNX has no function body for these inputs)");
    else
      e = expandFunction(np, fn, name, subject, scope);
  }
  if (e)
    return fail(std::move(e));
  return llvm::Error::success();
}

llvm::Error Importer::importNative(const onnx::NodeProto &np, OpKind kind,
                                   const std::string &name, const std::string &subject,
                                   Scope &scope) {
  std::vector<Value *> inputs;
  for (const std::string &in : np.input()) {
    if (in.empty()) {
      inputs.push_back(nullptr);
      continue;
    }
    Value *v = scope.lookup(in);
    if (!v)
      return makeError(subject, "input '" + in + "' is not defined before the node");
    inputs.push_back(v);
  }
  while (!inputs.empty() && !inputs.back())
    inputs.pop_back();
  int lastOutput = np.output_size() - 1;
  while (lastOutput >= 0 && np.output(lastOutput).empty())
    --lastOutput;
  std::vector<Value *> outputs;
  for (int i = 0; i <= lastOutput; ++i) {
    std::string oname = np.output(i).empty() ? name + "_unused_" + std::to_string(i)
                                             : scope.prefix + np.output(i);
    outputs.push_back(graph->addValue(oname, DType::F32, {}));
  }
  Node *n = graph->addNode(kind, name, inputs, outputs);
  auto erase = [&] { graph->eraseNodes([&](const Node &m) { return &m == n; }); };
  for (const auto &a : np.attribute()) {
    auto attr = convertAttribute(a, subject);
    if (!attr) {
      erase();
      return attr.takeError();
    }
    n->setAttr(a.name(), std::move(*attr));
  }
  if (auto e = inferNode(*n)) {
    erase();
    return e;
  }
  for (int i = 0; i <= lastOutput; ++i)
    if (!np.output(i).empty())
      scope.names[np.output(i)] = outputs[i];
  auto folded = foldNode(*n);
  if (!folded) {
    erase();
    return folded.takeError();
  }
  if (*folded)
    erase();
  return llvm::Error::success();
}

/// ONNX Runtime's QOperator quantiser writes com.microsoft QLinearAdd and
/// QLinearMul (A, A_scale, A_zp, B, B_scale, B_zp, C_scale[, C_zp]): by
/// definition DequantizeLinear of both, Add or Mul, QuantizeLinear. They
/// import as that QDQ form, which the quantize-qdq pass makes integer.
const onnx::FunctionProto &Importer::qlinearBinaryFunction(const onnx::NodeProto &np) {
  onnx::FunctionProto &fn = builtinFunctions.emplace_back();
  fn.set_name(np.op_type());
  fn.set_domain(np.domain());
  const char *formal[] = {"A", "A_scale", "A_zp", "B", "B_scale", "B_zp", "C_scale", "C_zp"};
  for (const char *f : formal)
    fn.add_input(f);
  fn.add_output("C");
  auto present = [&](int i) { return i < np.input_size() && !np.input(i).empty(); };
  auto add = [&](const char *op, std::vector<std::string> ins, const char *out) {
    onnx::NodeProto *n = fn.add_node();
    n->set_op_type(op);
    for (const std::string &in : ins)
      n->add_input(in);
    n->add_output(out);
  };
  add("DequantizeLinear", present(2) ? std::vector<std::string>{"A", "A_scale", "A_zp"}
                                     : std::vector<std::string>{"A", "A_scale"}, "a");
  add("DequantizeLinear", present(5) ? std::vector<std::string>{"B", "B_scale", "B_zp"}
                                     : std::vector<std::string>{"B", "B_scale"}, "b");
  add(np.op_type() == "QLinearAdd" ? "Add" : "Mul", {"a", "b"}, "c");
  add("QuantizeLinear", present(7) ? std::vector<std::string>{"c", "C_scale", "C_zp"}
                                   : std::vector<std::string>{"c", "C_scale"}, "C");
  return fn;
}

llvm::Error Importer::expandFunction(const onnx::NodeProto &np, const onnx::FunctionProto &fn,
                                     const std::string &name, const std::string &subject,
                                     Scope &scope) {
  if (inlineDepth >= kMaxInlineDepth)
    return makeError(subject, "functions nest more than " + llvm::Twine(kMaxInlineDepth) +
                                  " deep");
  // A function sees only its formal inputs (and no outer names).
  Scope inner;
  inner.prefix = name + "/";
  for (int i = 0; i < fn.input_size(); ++i) {
    Value *actual = nullptr;
    if (i < np.input_size() && !np.input(i).empty()) {
      actual = scope.lookup(np.input(i));
      if (!actual)
        return makeError(subject, "input '" + np.input(i) + "' is not defined before the node");
    }
    if (actual)
      inner.names[fn.input(i)] = actual;
  }
  std::map<std::string, const onnx::AttributeProto *> callerAttrs;
  for (const auto &a : np.attribute())
    callerAttrs[a.name()] = &a;
  ++inlineDepth;
  for (int k = 0; k < fn.node_size(); ++k) {
    onnx::NodeProto body = fn.node(k);
    // Attributes that refer to the caller's (ref_attr_name) take its value,
    // or are dropped so that the op's default applies.
    auto *attrs = body.mutable_attribute();
    for (int a = attrs->size() - 1; a >= 0; --a) {
      onnx::AttributeProto &attr = *attrs->Mutable(a);
      if (attr.ref_attr_name().empty())
        continue;
      auto it = callerAttrs.find(attr.ref_attr_name());
      if (it == callerAttrs.end()) {
        attrs->DeleteSubrange(a, 1);
        continue;
      }
      std::string keep = attr.name();
      attr = *it->second;
      attr.set_name(keep);
    }
    if (body.domain() == "ai.onnx")
      body.clear_domain();
    if (auto e = importNode(body, static_cast<size_t>(k), inner)) {
      --inlineDepth;
      return e;
    }
    for (const std::string &o : body.output())
      if (!o.empty() && inner.isPoisoned(o)) {
        --inlineDepth;
        return makeError(subject, "its ONNX function body uses an op that cannot be compiled");
      }
  }
  --inlineDepth;
  for (int i = 0; i < np.output_size() && i < fn.output_size(); ++i) {
    if (np.output(i).empty())
      continue;
    Value *v = inner.lookup(fn.output(i));
    if (!v)
      return makeError(subject, "its function body does not define output '" + fn.output(i) +
                                    "'");
    scope.names[np.output(i)] = v;
  }
  return llvm::Error::success();
}

llvm::Error Importer::importIf(const onnx::NodeProto &np, const std::string &name,
                               const std::string &subject, Scope &scope) {
  Value *cond = np.input_size() ? scope.lookup(np.input(0)) : nullptr;
  if (!cond)
    return makeError(subject, "the condition is not defined before the node");
  if (!cond->isConstant() || cond->numElements() != 1)
    return makeError(subject, "the condition '" + np.input(0) +
                                  "' is computed from runtime data; tinymlc compiles an If whose "
                                  "condition is known at compile time: bind the graph input it "
                                  "depends on with --const NAME=FILE");
  bool taken = cond->intValues()[0] != 0;
  auto branch = graphAttr(np, taken ? "then_branch" : "else_branch", subject);
  if (!branch)
    return branch.takeError();
  if (inlineDepth >= kMaxInlineDepth)
    return makeError(subject, "subgraphs nest more than " + llvm::Twine(kMaxInlineDepth) +
                                  " deep");
  // The branch sees the enclosing scope, and its own initializers.
  Scope inner;
  inner.parent = &scope;
  inner.prefix = name + (taken ? "/then/" : "/else/");
  for (const auto &init : (*branch)->initializer()) {
    auto t = tensorFromProto(init, subject + ": initializer '" + init.name() + "'");
    if (!t)
      return t.takeError();
    inner.names[init.name()] = graph->addConstant(inner.prefix + init.name(), *t);
  }
  ++inlineDepth;
  llvm::Error e = importBody(**branch, inner);
  --inlineDepth;
  if (e)
    return e;
  if ((*branch)->output_size() != np.output_size())
    return makeError(subject, "the branch has " + llvm::Twine((*branch)->output_size()) +
                                  " outputs, the node " + llvm::Twine(np.output_size()));
  for (int i = 0; i < np.output_size(); ++i) {
    const std::string &o = (*branch)->output(i).name();
    if (inner.isPoisoned(o)) {
      scope.poisoned.insert(np.output(i));
      continue;
    }
    Value *v = inner.lookup(o);
    if (!v)
      return makeError(subject, "the branch does not define its output '" + o + "'");
    if (!np.output(i).empty())
      scope.names[np.output(i)] = v;
  }
  return llvm::Error::success();
}

llvm::Error Importer::importLoop(const onnx::NodeProto &np, const std::string &name,
                                 const std::string &subject, Scope &scope) {
  auto body = graphAttr(np, "body", subject);
  if (!body)
    return body.takeError();
  const onnx::GraphProto &b = **body;
  int carried = np.input_size() - 2;
  if (carried < 0 || b.input_size() != carried + 2 || b.output_size() < carried + 1)
    return makeError(subject, "the body's inputs and outputs do not match the node's");
  int scans = b.output_size() - 1 - carried;
  auto inputAt = [&](int i) -> Value * {
    return i < np.input_size() && !np.input(i).empty() ? scope.lookup(np.input(i)) : nullptr;
  };
  // Trip count and initial condition: absent, or known at compile time.
  int64_t trips = kMaxUnroll + 1;
  if (Value *m = inputAt(0)) {
    if (!m->isConstant())
      return makeError(subject, "the trip count '" + np.input(0) +
                                    "' is computed from runtime data; tinymlc unrolls a Loop "
                                    "whose trip count is known at compile time: bind the graph "
                                    "input it depends on with --const NAME=FILE");
    trips = m->intValues()[0];
  }
  bool cond = true;
  if (Value *c = inputAt(1)) {
    if (!c->isConstant())
      return makeError(subject, "the loop condition '" + np.input(1) +
                                    "' is computed from runtime data; bind the graph input it "
                                    "depends on with --const NAME=FILE");
    cond = c->intValues()[0] != 0;
  }
  std::vector<Value *> state;
  for (int i = 0; i < carried; ++i) {
    Value *v = inputAt(2 + i);
    if (!v)
      return makeError(subject, "loop-carried input " + llvm::Twine(2 + i) + " is missing");
    state.push_back(v);
  }
  std::vector<std::vector<Value *>> scanValues(scans);
  int64_t iter = 0;
  for (; cond && iter < trips; ++iter) {
    if (iter >= kMaxUnroll)
      return makeError(subject, "the loop runs more than " + llvm::Twine(kMaxUnroll) +
                                    " iterations, too many to unroll");
    Scope inner;
    inner.parent = &scope;
    inner.prefix = name + "/" + std::to_string(iter) + "/";
    inner.names[b.input(0).name()] =
        graph->addConstant(inner.prefix + b.input(0).name(), scalarTensor(DType::I64, iter));
    inner.names[b.input(1).name()] =
        graph->addConstant(inner.prefix + b.input(1).name(), scalarTensor(DType::Bool, cond));
    for (int i = 0; i < carried; ++i)
      inner.names[b.input(2 + i).name()] = state[i];
    for (const auto &init : b.initializer()) {
      auto t = tensorFromProto(init, subject + ": initializer '" + init.name() + "'");
      if (!t)
        return t.takeError();
      inner.names[init.name()] = graph->addConstant(inner.prefix + init.name(), *t);
    }
    ++inlineDepth;
    llvm::Error e = importBody(b, inner);
    --inlineDepth;
    if (e)
      return e;
    auto out = [&](int i) -> llvm::Expected<Value *> {
      const std::string &o = b.output(i).name();
      Value *v = inner.lookup(o);
      if (!v || inner.isPoisoned(o))
        return makeError(subject, "the loop body does not define its output '" + o + "'");
      return v;
    };
    auto c = out(0);
    if (!c)
      return c.takeError();
    if (!(*c)->isConstant())
      return makeError(subject, "the loop condition computed by the body is runtime data; "
                                "tinymlc unrolls loops whose iteration count is known at "
                                "compile time");
    cond = (*c)->intValues()[0] != 0;
    for (int i = 0; i < carried; ++i) {
      auto v = out(1 + i);
      if (!v)
        return v.takeError();
      state[i] = *v;
    }
    for (int k = 0; k < scans; ++k) {
      auto v = out(1 + carried + k);
      if (!v)
        return v.takeError();
      scanValues[k].push_back(*v);
    }
  }
  for (int i = 0; i < carried; ++i)
    if (2 + carried > 0 && i < np.output_size() && !np.output(i).empty())
      scope.names[np.output(i)] = state[i];
  // Scan outputs: the per-iteration values stacked along a new axis 0.
  for (int k = 0; k < scans; ++k) {
    int outIndex = carried + k;
    if (outIndex >= np.output_size() || np.output(outIndex).empty())
      continue;
    if (scanValues[k].empty())
      return makeError(subject, "the loop runs no iteration, so the shape of scan output '" +
                                    np.output(outIndex) + "' is unknown");
    std::vector<Value *> parts;
    Value *axes = graph->addConstant(name + "/axis0", intList({0}));
    for (size_t it = 0; it < scanValues[k].size(); ++it) {
      auto u = emit(OpKind::Unsqueeze, name + "/stack" + std::to_string(k) + "_" + std::to_string(it),
                    {scanValues[k][it], axes}, 1, name + "/scan" + std::to_string(k));
      if (!u)
        return u.takeError();
      parts.push_back((*u)[0]);
    }
    auto cat = emit(OpKind::Concat, name + "/stack" + std::to_string(k), parts, 1,
                    scope.prefix + np.output(outIndex), {{"axis", Attribute(int64_t(0))}});
    if (!cat)
      return cat.takeError();
    scope.names[np.output(outIndex)] = (*cat)[0];
  }
  return llvm::Error::success();
}

llvm::Error Importer::importScan(const onnx::NodeProto &np, const std::string &name,
                                 const std::string &subject, Scope &scope) {
  auto body = graphAttr(np, "body", subject);
  if (!body)
    return body.takeError();
  const onnx::GraphProto &b = **body;
  int64_t numScanInputs = -1;
  std::vector<int64_t> inAxes, inDirs, outAxes, outDirs;
  for (const auto &a : np.attribute()) {
    if (a.name() == "num_scan_inputs")
      numScanInputs = a.i();
    else if (a.name() == "scan_input_axes")
      inAxes.assign(a.ints().begin(), a.ints().end());
    else if (a.name() == "scan_input_directions")
      inDirs.assign(a.ints().begin(), a.ints().end());
    else if (a.name() == "scan_output_axes")
      outAxes.assign(a.ints().begin(), a.ints().end());
    else if (a.name() == "scan_output_directions")
      outDirs.assign(a.ints().begin(), a.ints().end());
  }
  int states = np.input_size() - static_cast<int>(numScanInputs);
  if (numScanInputs < 1 || states < 0 || b.input_size() != np.input_size())
    return makeError(subject, "num_scan_inputs does not match the inputs and the body");
  int scanOuts = b.output_size() - states;
  std::vector<Value *> state, xs;
  for (int i = 0; i < np.input_size(); ++i) {
    Value *v = np.input(i).empty() ? nullptr : scope.lookup(np.input(i));
    if (!v)
      return makeError(subject, "input " + llvm::Twine(i) + " is missing");
    (i < states ? state : xs).push_back(v);
  }
  // Sequence length from the first scan input's scan axis.
  auto axisOf = [](const std::vector<int64_t> &axes, int k, int64_t rank) {
    int64_t a = k < static_cast<int>(axes.size()) ? axes[k] : 0;
    return a < 0 ? a + rank : a;
  };
  int64_t len = xs[0]->shape()[axisOf(inAxes, 0, xs[0]->rank())];
  if (len > kMaxUnroll)
    return makeError(subject, "the scan runs " + llvm::Twine(len) +
                                  " steps, too many to unroll");
  std::vector<std::vector<Value *>> outs(scanOuts);
  for (int64_t t = 0; t < len; ++t) {
    Scope inner;
    inner.parent = &scope;
    inner.prefix = name + "/" + std::to_string(t) + "/";
    for (int i = 0; i < states; ++i)
      inner.names[b.input(i).name()] = state[i];
    for (int k = 0; k < static_cast<int>(xs.size()); ++k) {
      int64_t axis = axisOf(inAxes, k, xs[k]->rank());
      bool reverse = k < static_cast<int>(inDirs.size()) && inDirs[k] == 1;
      int64_t at = reverse ? len - 1 - t : t;
      Value *idx = graph->addConstant(inner.prefix + "index", scalarTensor(DType::I64, at));
      auto slice = emit(OpKind::Gather, inner.prefix + "slice" + std::to_string(k),
                        {xs[k], idx}, 1, inner.prefix + b.input(states + k).name(),
                        {{"axis", Attribute(axis)}});
      if (!slice)
        return slice.takeError();
      inner.names[b.input(states + k).name()] = (*slice)[0];
    }
    for (const auto &init : b.initializer()) {
      auto tdata = tensorFromProto(init, subject + ": initializer '" + init.name() + "'");
      if (!tdata)
        return tdata.takeError();
      inner.names[init.name()] = graph->addConstant(inner.prefix + init.name(), *tdata);
    }
    ++inlineDepth;
    llvm::Error e = importBody(b, inner);
    --inlineDepth;
    if (e)
      return e;
    for (int i = 0; i < b.output_size(); ++i) {
      Value *v = inner.lookup(b.output(i).name());
      if (!v || inner.isPoisoned(b.output(i).name()))
        return makeError(subject, "the scan body does not define its output '" +
                                      b.output(i).name() + "'");
      if (i < states)
        state[i] = v;
      else
        outs[i - states].push_back(v);
    }
  }
  for (int i = 0; i < states && i < np.output_size(); ++i)
    if (!np.output(i).empty())
      scope.names[np.output(i)] = state[i];
  for (int k = 0; k < scanOuts; ++k) {
    int outIndex = states + k;
    if (outIndex >= np.output_size() || np.output(outIndex).empty())
      continue;
    if (outs[k].empty())
      return makeError(subject, "the scan has no steps, so the shape of output '" +
                                    np.output(outIndex) + "' is unknown");
    bool reverse = k < static_cast<int>(outDirs.size()) && outDirs[k] == 1;
    if (reverse)
      std::reverse(outs[k].begin(), outs[k].end());
    int64_t axis = k < static_cast<int>(outAxes.size()) ? outAxes[k] : 0;
    if (axis < 0)
      axis += outs[k][0]->rank() + 1;
    Value *axes = graph->addConstant(name + "/axis" + std::to_string(k), intList({axis}));
    std::vector<Value *> parts;
    for (size_t t = 0; t < outs[k].size(); ++t) {
      auto u = emit(OpKind::Unsqueeze, name + "/stack" + std::to_string(k) + "_" + std::to_string(t),
                    {outs[k][t], axes}, 1, name + "/scan" + std::to_string(k));
      if (!u)
        return u.takeError();
      parts.push_back((*u)[0]);
    }
    auto cat = emit(OpKind::Concat, name + "/stack" + std::to_string(k), parts, 1,
                    scope.prefix + np.output(outIndex), {{"axis", Attribute(axis)}});
    if (!cat)
      return cat.takeError();
    scope.names[np.output(outIndex)] = (*cat)[0];
  }
  return llvm::Error::success();
}

} // namespace onnximport
} // namespace tinymlc
