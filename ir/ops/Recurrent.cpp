//===- Recurrent.cpp - inference for recurrent layers: LSTM, GRU and RNN ----===//
//
// The three ops share their inputs (X, W, R, B, sequence_lens, initial_h),
// attributes and output shapes; they differ in the number of gates (LSTM 4,
// GRU 3, RNN 1), of activations per direction (3, 2, 1) and in a few extra
// inputs and attributes (LSTM: initial_c, P, input_forget; GRU:
// linear_before_reset).
//
//===----------------------------------------------------------------------===//
#include "ir/Format.h"
#include "ir/ops/InferUtils.h"
#include "llvm/ADT/StringExtras.h"

namespace tinymlc {
using namespace infer;

namespace {

/// The activation functions of the ONNX recurrent ops (matched ignoring case,
/// as ONNX Runtime does).
const char *const kRnnActivations[] = {
    "Relu",       "Tanh",        "Sigmoid", "Affine",   "LeakyRelu", "ThresholdedRelu",
    "ScaledTanh", "HardSigmoid", "Elu",     "Softsign", "Softplus"};

struct RecurrentKind {
  int64_t gates;      ///< gate blocks in W and R
  size_t activations; ///< activation functions per direction
  const char *gateNames;
};

RecurrentKind recurrentKind(OpKind k) {
  switch (k) {
  case OpKind::LSTM:
    return {4, 3, "4*hidden_size"};
  case OpKind::GRU:
    return {3, 2, "3*hidden_size"};
  default:
    return {1, 1, "hidden_size"};
  }
}

/// "[a,b,c]" for an expected shape.
std::string dims(std::initializer_list<int64_t> d) {
  return shapeToString(llvm::ArrayRef<int64_t>(d.begin(), d.size()));
}

/// Requires input `i`, when present, to have shape `want`; `meaning` spells
/// the expected dims for the message.
llvm::Error checkShape(const Node &node, unsigned i, const char *what,
                       std::initializer_list<int64_t> want, const char *meaning) {
  const Value *v = node.input(i);
  if (!v || v->shape() == llvm::ArrayRef<int64_t>(want.begin(), want.size()))
    return llvm::Error::success();
  return nodeError(node, std::string(what) + " ('" + v->name() + "') has shape " +
                             shapeToString(v->shape()) + "; expected " + dims(want) + " (" +
                             meaning + ")");
}

llvm::Error inferRecurrent(Node &node) {
  const OpKind kind = node.kind();
  const RecurrentKind rk = recurrentKind(kind);
  llvm::Error attrs = llvm::Error::success();
  switch (kind) {
  case OpKind::LSTM:
    attrs = checkAttrs(node, {{"activation_alpha", Attribute::Kind::Floats},
                              {"activation_beta", Attribute::Kind::Floats},
                              {"activations", Attribute::Kind::Strings},
                              {"clip", Attribute::Kind::Float},
                              {"direction", Attribute::Kind::String},
                              {"hidden_size", Attribute::Kind::Int},
                              {"input_forget", Attribute::Kind::Int},
                              {"layout", Attribute::Kind::Int}});
    break;
  case OpKind::GRU:
    attrs = checkAttrs(node, {{"activation_alpha", Attribute::Kind::Floats},
                              {"activation_beta", Attribute::Kind::Floats},
                              {"activations", Attribute::Kind::Strings},
                              {"clip", Attribute::Kind::Float},
                              {"direction", Attribute::Kind::String},
                              {"hidden_size", Attribute::Kind::Int},
                              {"layout", Attribute::Kind::Int},
                              {"linear_before_reset", Attribute::Kind::Int}});
    break;
  default:
    attrs = checkAttrs(node, {{"activation_alpha", Attribute::Kind::Floats},
                              {"activation_beta", Attribute::Kind::Floats},
                              {"activations", Attribute::Kind::Strings},
                              {"clip", Attribute::Kind::Float},
                              {"direction", Attribute::Kind::String},
                              {"hidden_size", Attribute::Kind::Int},
                              {"layout", Attribute::Kind::Int}});
    break;
  }
  if (attrs)
    return attrs;

  // Element types: T for every tensor but sequence_lens, which is int32.
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkSameType(node, {0, 1, 2, 3, 5, 6, 7}))
    return e;
  if (const Value *sl = node.input(4); sl && sl->dtype() != DType::I32)
    return nodeError(node, "sequence_lens ('" + sl->name() + "') must be i32, not " +
                               dtypeName(sl->dtype()));

  std::string direction = node.getString("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return nodeError(node, "direction '" + direction +
                               "' is not one of forward, reverse or bidirectional");
  const int64_t nd = direction == "bidirectional" ? 2 : 1;
  const int64_t layout = node.getInt("layout", 0);
  if (layout != 0 && layout != 1)
    return nodeError(node, "layout " + llvm::Twine(layout) + " is not 0 or 1");
  if (node.hasAttr("clip") && !(node.getFloat("clip", 0.0f) > 0.0f))
    return nodeError(node,
                     "clip " + formatFloat(node.getFloat("clip", 0.0f)) + " must be positive");

  // Activations: one list for all directions, names checked here, counted
  // per direction (RNN's schema default, ["Tanh", "Tanh"], is also accepted
  // for one direction: its first entry applies).
  if (const Attribute *a = node.attr("activations")) {
    llvm::ArrayRef<std::string> names = a->getStrings();
    bool rnnDefault = kind == OpKind::RNN && nd == 1 && names.size() == 2;
    if (names.size() != rk.activations * nd && !rnnDefault)
      return nodeError(node, "activations lists " + llvm::Twine(names.size()) + " functions; " +
                                 opName(kind) + " with direction " + direction + " takes " +
                                 llvm::Twine(rk.activations * nd));
    for (const std::string &n : names) {
      bool known = false;
      for (const char *k : kRnnActivations)
        known |= llvm::StringRef(n).equals_insensitive(k);
      if (!known)
        return nodeError(node, "activation '" + n +
                                   "' is not one of Relu, Tanh, Sigmoid, Affine, LeakyRelu, "
                                   "ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, "
                                   "Softplus");
    }
  }

  const Value *x = node.input(0), *r = node.input(2);
  if (x->rank() != 3)
    return nodeError(node, "X ('" + x->name() + "') has shape " + shapeToString(x->shape()) +
                               "; expected 3 dims (" +
                               (layout ? "batch_size, seq_length" : "seq_length, batch_size") +
                               ", input_size)");
  const int64_t seq = x->shape()[layout ? 1 : 0], batch = x->shape()[layout ? 0 : 1];
  const int64_t inputSize = x->shape()[2];
  int64_t hidden = 0;
  if (node.hasAttr("hidden_size")) {
    hidden = node.getInt("hidden_size", 0);
    if (hidden <= 0)
      return nodeError(node, "hidden_size " + llvm::Twine(hidden) + " must be positive");
  } else if (r->rank() == 3) {
    hidden = r->shape()[2];
  } else {
    return nodeError(node, "attribute 'hidden_size' is required");
  }
  const int64_t g = rk.gates * hidden;
  std::string wMeaning = std::string("num_directions, ") + rk.gateNames + ", input_size";
  std::string rMeaning = std::string("num_directions, ") + rk.gateNames + ", hidden_size";
  if (auto e = checkShape(node, 1, "W", {nd, g, inputSize}, wMeaning.c_str()))
    return e;
  if (auto e = checkShape(node, 2, "R", {nd, g, hidden}, rMeaning.c_str()))
    return e;
  std::string bMeaning = std::string("num_directions, 2*") + rk.gateNames;
  if (auto e = checkShape(node, 3, "B", {nd, 2 * g}, bMeaning.c_str()))
    return e;
  if (auto e = checkShape(node, 4, "sequence_lens", {batch}, "batch_size"))
    return e;
  const char *stateMeaning = layout ? "batch_size, num_directions, hidden_size"
                                    : "num_directions, batch_size, hidden_size";
  std::initializer_list<int64_t> state0 = {nd, batch, hidden}, state1 = {batch, nd, hidden};
  if (auto e = checkShape(node, 5, "initial_h", layout ? state1 : state0, stateMeaning))
    return e;
  if (kind == OpKind::LSTM) {
    if (auto e = checkShape(node, 6, "initial_c", layout ? state1 : state0, stateMeaning))
      return e;
    if (auto e = checkShape(node, 7, "P", {nd, 3 * hidden}, "num_directions, 3*hidden_size"))
      return e;
  }

  DType t = x->dtype();
  if (layout)
    setOutput(node, 0, t, {batch, seq, nd, hidden});
  else
    setOutput(node, 0, t, {seq, nd, batch, hidden});
  Shape state = layout ? Shape{batch, nd, hidden} : Shape{nd, batch, hidden};
  setOutput(node, 1, t, state);
  setOutput(node, 2, t, state);
  return llvm::Error::success();
}

} // namespace

llvm::Error inferGRU(Node &node) { return inferRecurrent(node); }

llvm::Error inferLSTM(Node &node) { return inferRecurrent(node); }

llvm::Error inferRNN(Node &node) { return inferRecurrent(node); }

} // namespace tinymlc
