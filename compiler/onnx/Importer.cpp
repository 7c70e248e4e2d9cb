//===- Importer.cpp - ONNX models into the IR -----------------------------===//
//
// The model-level steps of the importer: reading and checking the file, the
// user's pins, opset conversion, graph inputs and outputs. Node bodies are in
// ImportNodes.cpp.
//
//===----------------------------------------------------------------------===//
#include "compiler/TensorIO.h"
#include "compiler/onnx/ImporterImpl.h"
#include "ir/ShapeInference.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cstring>
#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

namespace tinymlc {
namespace onnximport {

std::string firstLines(const std::string &what) {
  std::string s;
  for (char c : what) {
    if (c == '\n') {
      if (!s.empty() && s.back() != ' ')
        s += "; ";
      continue;
    }
    s += c;
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == ';' || s.back() == '.'))
    s.pop_back();
  for (const char *tag : {"[ShapeInferenceError] ", "[TypeInferenceError] "})
    for (size_t at; (at = s.find(tag)) != std::string::npos;)
      s.erase(at, std::strlen(tag));
  return s;
}

static std::string dimsToString(const std::vector<int64_t> &d) {
  std::string s;
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? "x" : "") + std::to_string(d[i]);
  return s;
}

llvm::Error Importer::readModel() {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return makeError("cannot read the model: " + buf.getError().message());
  llvm::StringRef data = (*buf)->getBuffer();
  if (data.empty())
    return makeError("the file is empty; expected an ONNX model");
  if (data.size() > static_cast<size_t>(INT32_MAX))
    return makeError("the file is larger than 2 GiB, which protobuf cannot read");
  if (!model.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return makeError("not a valid ONNX model: the protobuf does not parse (is the file "
                     "truncated, or not an .onnx file?)");
  if (!model.has_graph())
    return makeError("not a valid ONNX model: it has no graph (is the file truncated, or not "
                     "an .onnx file?)");
  info.irVersion = model.ir_version();
  info.producer = model.producer_name();
  if (!model.producer_version().empty())
    info.producer += " " + model.producer_version();
  for (const auto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx")
      info.opset = op.version();
  return llvm::Error::success();
}

llvm::Error Importer::applyPins() {
  onnx::GraphProto *g = model.mutable_graph();
  for (const auto &init : g->initializer())
    initializerNames.insert(init.name());
  std::vector<onnx::ValueInfoProto *> inputs;
  for (auto &in : *g->mutable_input())
    if (!initializerNames.count(in.name()))
      inputs.push_back(&in);
  auto inputNames = [&] {
    std::string s;
    for (auto *in : inputs)
      s += (s.empty() ? "'" : ", '") + in->name() + "'";
    return s.empty() ? std::string("none") : s;
  };
  auto findInput = [&](const std::string &name) -> onnx::ValueInfoProto * {
    for (auto *in : inputs)
      if (in->name() == name)
        return in;
    return nullptr;
  };

  for (const auto &[name, dims] : opts.shapes) {
    onnx::ValueInfoProto *in = findInput(name);
    if (!in)
      return makeUsageError("--shape " + name + "=" + dimsToString(dims) +
                       ": the model has no input named '" + name + "' (inputs: " +
                       inputNames() + ")");
    auto *shape = in->mutable_type()->mutable_tensor_type()->mutable_shape();
    shape->clear_dim();
    for (int64_t d : dims)
      shape->add_dim()->set_dim_value(d);
  }

  // Named dimensions: pin them everywhere they appear in declared types.
  std::set<std::string> seen;
  auto pinDims = [&](onnx::ValueInfoProto &vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
      return;
    for (auto &d : *vi.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim()) {
      if (!d.has_dim_param())
        continue;
      seen.insert(d.dim_param());
      auto it = opts.dims.find(d.dim_param());
      if (it != opts.dims.end())
        d.set_dim_value(it->second);
    }
  };
  for (auto &vi : *g->mutable_input())
    pinDims(vi);
  for (auto &vi : *g->mutable_output())
    pinDims(vi);
  for (auto &vi : *g->mutable_value_info())
    pinDims(vi);
  for (const auto &[name, value] : opts.dims)
    if (!seen.count(name)) {
      std::string known;
      for (const std::string &s : seen)
        known += (known.empty() ? "'" : ", '") + s + "'";
      return makeUsageError("--dim " + name + "=" + std::to_string(value) +
                       ": no input or output has a dimension named '" + name +
                       "' (named dimensions: " + (known.empty() ? "none" : known) + ")");
    }

  // Inputs bound to constants become initializers (and stay listed as inputs,
  // which IR version 3 requires; an input with an initializer is a constant).
  for (const auto &[name, file] : opts.consts) {
    onnx::ValueInfoProto *in = findInput(name);
    if (!in)
      return makeUsageError("--const " + name + "=" + file + ": the model has no input named '" +
                       name + "' (inputs: " + inputNames() + ")");
    const auto &tt = in->type().tensor_type();
    std::optional<DType> dtype = dtypeFromOnnx(tt.elem_type());
    if (!dtype)
      return makeError("input '" + name + "'", "element type " +
                                                   onnxTypeName(tt.elem_type()) +
                                                   " is not supported");
    std::string option = "--const " + name + "=" + file;
    auto ft = readTensorFile(file);
    if (!ft)
      return renameFile(ft.takeError(), file, option);
    auto count = checkFileTensor(*ft, *dtype, file);
    if (!count)
      return renameFile(count.takeError(), file, option);
    Shape shape;
    if (ft->shape) {
      shape = *ft->shape;
    } else {
      // A raw file takes the declared shape, which must then be static.
      bool known = tt.has_shape();
      for (const auto &d : tt.shape().dim())
        known &= d.has_dim_value();
      if (!known) {
        if (tt.has_shape() && tt.shape().dim_size() == 1) {
          shape.push_back(*count);
        } else {
          return makeError("--const " + name + "=" + file +
                           ": a raw file has no shape and the input's shape is not static; "
                           "use a .npy or .pb file, or pin the shape with --shape");
        }
      } else {
        for (const auto &d : tt.shape().dim())
          shape.push_back(d.dim_value());
      }
    }
    if (numElements(shape) != *count)
      return makeError("--const " + name + "=" + file + ": the file holds " +
                       llvm::Twine(*count) + " elements, shape " + shapeToString(shape) +
                       " needs " + llvm::Twine(numElements(shape)));
    if (tt.has_shape()) {
      bool ok = tt.shape().dim_size() == static_cast<int>(shape.size());
      for (int i = 0; ok && i < tt.shape().dim_size(); ++i)
        ok = !tt.shape().dim(i).has_dim_value() || tt.shape().dim(i).dim_value() == shape[i];
      if (!ok) {
        std::string declared = "[";
        for (int i = 0; i < tt.shape().dim_size(); ++i) {
          const auto &d = tt.shape().dim(i);
          declared += (i ? "," : "") + (d.has_dim_value() ? std::to_string(d.dim_value())
                                        : d.has_dim_param() ? d.dim_param() : std::string("?"));
        }
        return makeError("--const " + name + "=" + file + ": shape " + shapeToString(shape) +
                         " does not match the input's declared shape " + declared + "]");
      }
    }
    onnx::TensorProto *t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(tt.elem_type());
    for (int64_t d : shape)
      t->add_dims(d);
    t->set_raw_data(std::string(ft->bytes.begin(), ft->bytes.end()));
    initializerNames.insert(name);
    auto *s = in->mutable_type()->mutable_tensor_type()->mutable_shape();
    s->clear_dim();
    for (int64_t d : shape)
      s->add_dim()->set_dim_value(d);
  }
  return llvm::Error::success();
}

llvm::Error Importer::checkAndConvert() {
  if (info.opset == 0)
    return makeError("the model imports no version of the default ONNX domain (ai.onnx); "
                     "tinymlc compiles ai.onnx operators only");
  if (info.opset > kTargetOpset)
    return makeError("opset " + llvm::Twine(info.opset) + " is newer than tinymlc supports (" +
                     llvm::Twine(kTargetOpset) + "); export the model with opset <= " +
                     llvm::Twine(kTargetOpset));
  // Ops ONNX does not know at all: say so the way tinymlc reports its own
  // unsupported ops, rather than through the checker's wording.
  for (const auto &np : model.graph().node()) {
    if (!np.domain().empty() && np.domain() != "ai.onnx")
      continue;
    if (!onnx::OpSchemaRegistry::Schema(np.op_type(), static_cast<int>(info.opset), "")) {
      std::string name = np.name().empty() && np.output_size() ? np.output(0) : np.name();
      return makeError("node '" + name + "' (" + np.op_type() + ")",
                       "unknown op " + np.op_type() + ": not an ONNX operator at opset " +
                           llvm::Twine(info.opset));
    }
  }
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    return makeError("the model fails the ONNX checker: " + firstLines(e.what()));
  }
  if (info.opset == kTargetOpset)
    return llvm::Error::success(); // tinymlc's importer infers every shape itself
  // The version converter needs shapes (Softmax < 13 reads its input's rank).
  // libonnx 1.12's Conv/pool shape inference crashes on inputs of rank < 3,
  // so check the ranks it can see first.
  std::map<std::string, int> ranks;
  for (const auto &vi : model.graph().input())
    if (vi.type().tensor_type().has_shape())
      ranks[vi.name()] = vi.type().tensor_type().shape().dim_size();
  for (const auto &init : model.graph().initializer())
    ranks[init.name()] = init.dims_size();
  for (const auto &np : model.graph().node()) {
    // Op -> the inputs whose rank the rule assumes (data, then weights).
    static const std::map<std::string, std::vector<int>> windowed = {
        {"Conv", {0, 1}},    {"ConvTranspose", {0, 1}}, {"ConvInteger", {0, 1}},
        {"QLinearConv", {0, 3}}, {"MaxPool", {0}},      {"AveragePool", {0}},
        {"LpPool", {0}},     {"MaxRoiPool", {0}},       {"MaxUnpool", {0}}};
    auto w = windowed.find(np.op_type());
    if (w == windowed.end())
      continue;
    for (int i : w->second) {
      if (i >= np.input_size())
        continue;
      auto it = ranks.find(np.input(i));
      if (it != ranks.end() && it->second < 3)
        return makeError("node '" + (np.name().empty() ? np.output(0) : np.name()) + "' (" +
                             np.op_type() + ")",
                         "input '" + np.input(i) + "' has rank " + llvm::Twine(it->second) +
                             "; " + np.op_type() + " needs [N, C, spatial...]");
    }
  }
  try {
    onnx::ShapeInferenceOptions options(/*check_type=*/false, /*strict_mode=*/0,
                                        /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    return makeError("ONNX shape inference failed: " + firstLines(e.what()));
  }
  fixOldSemantics();
  // Upsample (opsets 7-9) and Resize-10 sample at x_out / scale, rounding
  // down for nearest; the converter turns them into Resize-11+ without
  // saying so, whose defaults are half_pixel and round_prefer_floor.
  std::set<std::string> asymmetricResizes;
  for (const auto &np : model.graph().node())
    if ((np.op_type() == "Upsample" || (np.op_type() == "Resize" && info.opset < 11)) &&
        np.output_size())
      asymmetricResizes.insert(np.output(0));
  try {
    model = onnx::version_conversion::ConvertVersion(model, kTargetOpset);
  } catch (const std::exception &e) {
    return makeError("cannot convert the model from opset " + llvm::Twine(info.opset) + " to " +
                     llvm::Twine(kTargetOpset) + ": " + firstLines(e.what()));
  }
  for (auto &np : *model.mutable_graph()->mutable_node()) {
    if (np.op_type() != "Resize" || !np.output_size() || !asymmetricResizes.count(np.output(0)))
      continue;
    auto setString = [&](const char *name, const char *value) {
      for (auto &a : *np.mutable_attribute())
        if (a.name() == name) {
          a.set_s(value);
          return;
        }
      onnx::AttributeProto *a = np.add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::STRING);
      a->set_s(value);
    };
    setString("coordinate_transformation_mode", "asymmetric");
    setString("nearest_mode", "floor");
  }
  return llvm::Error::success();
}

void Importer::fixOldSemantics() {
  if (info.opset >= 7)
    return;
  // Before opset 7, PRelu's slope [C] applied per channel of [N, C, ...];
  // from opset 7 it broadcasts numpy-style from the right. Give the slope
  // the trailing unit dims that keep its old meaning.
  onnx::GraphProto *g = model.mutable_graph();
  std::map<std::string, int> ranks;
  auto noteRank = [&](const onnx::ValueInfoProto &vi) {
    if (vi.type().tensor_type().has_shape())
      ranks[vi.name()] = vi.type().tensor_type().shape().dim_size();
  };
  for (const auto &vi : g->input())
    noteRank(vi);
  for (const auto &vi : g->value_info())
    noteRank(vi);
  std::set<std::string> reshaped;
  for (const auto &np : g->node()) {
    if (np.op_type() != "PRelu" || np.input_size() < 2 || !reshaped.insert(np.input(1)).second)
      continue;
    auto xr = ranks.find(np.input(0));
    if (xr == ranks.end() || xr->second < 3)
      continue;
    for (auto &init : *g->mutable_initializer()) {
      if (init.name() != np.input(1) || init.dims_size() != 1 || init.dims(0) == 1)
        continue;
      for (int k = 2; k < xr->second; ++k)
        init.add_dims(1);
      for (auto &vi : *g->mutable_input())
        if (vi.name() == init.name() && vi.type().tensor_type().has_shape())
          for (int k = 2; k < xr->second; ++k)
            vi.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(1);
    }
  }
}

llvm::Error Importer::importInputs() {
  onnx::GraphProto *g = model.mutable_graph();
  for (const auto &init : g->initializer()) {
    std::string subject = "initializer '" + init.name() + "'";
    auto t = tensorFromProto(init, subject);
    if (!t) {
      if (auto e = problem(t.takeError()))
        return e;
      top.poisoned.insert(init.name());
      continue;
    }
    top.names[init.name()] = graph->addConstant(init.name(), *t);
  }
  for (const auto &in : g->input()) {
    if (top.names.count(in.name()))
      continue; // an initializer: a constant
    std::string subject = "input '" + in.name() + "'";
    auto fail = [&](const llvm::Twine &msg) -> llvm::Error {
      top.poisoned.insert(in.name());
      return problem(makeError(subject, msg));
    };
    if (!in.type().has_tensor_type()) {
      if (auto e = fail("is not a tensor; sequence, map and optional inputs are not supported"))
        return e;
      continue;
    }
    const auto &tt = in.type().tensor_type();
    std::optional<DType> dtype = dtypeFromOnnx(tt.elem_type());
    if (!dtype) {
      if (auto e = fail("element type " + onnxTypeName(tt.elem_type()) + " is not supported"))
        return e;
      continue;
    }
    if (!tt.has_shape()) {
      if (auto e = fail("has no shape; give it with --shape " + in.name() + "=DIMS"))
        return e;
      continue;
    }
    Shape shape;
    bool ok = true;
    for (int i = 0; ok && i < tt.shape().dim_size(); ++i) {
      const auto &d = tt.shape().dim(i);
      if (d.has_dim_value() && d.dim_value() >= 0) {
        shape.push_back(d.dim_value());
        continue;
      }
      ok = false;
      llvm::Error e = d.has_dim_param()
                          ? fail("dimension " + llvm::Twine(i) + " is dynamic ('" + d.dim_param() +
                                 "'); pin it with --dim " + d.dim_param() + "=VALUE or --shape " +
                                 in.name() + "=DIMS")
                          : fail("dimension " + llvm::Twine(i) +
                                 " is dynamic (unnamed); pin the shape with --shape " + in.name() +
                                 "=DIMS");
      if (e)
        return e;
    }
    if (!ok)
      continue;
    if (!checkedTensorBytes(shape, dtypeSize(*dtype))) {
      if (auto e = fail(dtypeName(*dtype) + shapeToString(shape) +
                        " is larger than the 2 GiB tinymlc supports per tensor"))
        return e;
      continue;
    }
    Value *v = graph->addValue(in.name(), *dtype, shape);
    graph->inputs().push_back(v);
    top.names[in.name()] = v;
  }
  return llvm::Error::success();
}

llvm::Error Importer::importOutputs() {
  for (const auto &out : model.graph().output()) {
    if (top.poisoned.count(out.name()))
      continue;
    Value *found = top.lookup(out.name());
    if (!found)
      return problem(makeError("output '" + out.name() + "'", "is not produced by the graph"));
    Value *v = found;
    // The model's declared type, where static, must agree with inference.
    const auto &tt = out.type().tensor_type();
    std::optional<DType> declared = dtypeFromOnnx(tt.elem_type());
    bool mismatch = declared && *declared != v->dtype();
    if (tt.has_shape() && tt.shape().dim_size() == v->rank())
      for (int i = 0; i < tt.shape().dim_size(); ++i)
        mismatch |= tt.shape().dim(i).has_dim_value() && tt.shape().dim(i).dim_value() != v->shape()[i];
    else if (tt.has_shape())
      mismatch = true;
    if (mismatch) {
      std::string declaredType = declared ? dtypeName(*declared).str() : "?";
      declaredType += "[";
      for (int i = 0; i < tt.shape().dim_size(); ++i) {
        const auto &d = tt.shape().dim(i);
        declaredType += (i ? "," : "") + (d.has_dim_value() ? std::to_string(d.dim_value())
                                          : d.has_dim_param() ? d.dim_param() : std::string("?"));
      }
      declaredType += "]";
      return problem(makeError("output '" + out.name() + "'",
                               "the model declares " + declaredType +
                                   " but the graph computes " + v->typeString()));
    }
    // An output that is another value of the graph (an inlined If branch
    // returning an outer value, an output listed twice) gets a copy under
    // its own name: the API and `tinymlc run` name outputs by it.
    if (v->name() != out.name()) {
      auto copy = emit(OpKind::Identity, out.name(), {v}, 1, out.name());
      if (!copy)
        return copy.takeError();
      v = (*copy)[0];
    }
    graph->outputs().push_back(v);
  }
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<Graph>> Importer::run() {
  if (auto e = readModel())
    return e;
  if (auto e = applyPins())
    return e;
  if (auto e = checkAndConvert())
    return e;
  graph = std::make_unique<Graph>();
  if (auto e = importInputs())
    return e;
  for (const auto &fn : model.functions())
    localFunctions[{fn.domain(), fn.name()}] = &fn;
  if (auto e = importBody(model.graph(), top))
    return e;
  if (auto e = importOutputs())
    return e;
  graph->removeUnusedValues();
  return std::move(graph);
}

} // namespace onnximport

llvm::Expected<std::unique_ptr<Graph>> importOnnxFile(llvm::StringRef path,
                                                      const ImportOptions &opts,
                                                      ImportInfo *info) {
  ImportInfo local;
  onnximport::Importer importer(path, opts, info ? *info : local);
  auto g = importer.run();
  if (!g)
    return withFile(g.takeError(), path);
  if (info)
    for (std::string &p : info->problems)
      if (!llvm::StringRef(p).startswith(path))
        p = path.str() + ": " + p;
  return g;
}

} // namespace tinymlc