//===- Recurrent.cpp - lowering of recurrent layers: LSTM, GRU and RNN ------===//
//
// One kernel call per direction (see tmc_recurrent.h). The activation list is
// resolved here, once: names to codes, and activation_alpha/activation_beta
// handed out in list order to the functions that take them, defaults when
// the lists run out (ONNX Runtime's reading of the spec).
//
//===----------------------------------------------------------------------===//
#include "passes/lower/LowerUtils.h"
#include "tmc_recurrent.h"
#include "llvm/ADT/StringExtras.h"
#include <cstring>
#include <type_traits>

namespace tinymlc::lower {
TINYMLC_PARAMS(RecurrentParams, TMC_RECURRENT_PARAMS, "tmc_recurrent.h")
} // namespace tinymlc::lower

namespace tinymlc {
using namespace lower;

namespace {

struct ActivationInfo {
  const char *name;
  int32_t code;
  bool takesAlpha, takesBeta;
  float alpha, beta; ///< defaults: those of the ONNX op of the same name
};

const ActivationInfo kActivations[] = {
    {"Relu", tmc::kRnnRelu, false, false, 0.0f, 0.0f},
    {"Tanh", tmc::kRnnTanh, false, false, 0.0f, 0.0f},
    {"Sigmoid", tmc::kRnnSigmoid, false, false, 0.0f, 0.0f},
    {"Affine", tmc::kRnnAffine, true, true, 1.0f, 0.0f},
    {"LeakyRelu", tmc::kRnnLeakyRelu, true, false, 0.01f, 0.0f},
    {"ThresholdedRelu", tmc::kRnnThresholdedRelu, true, false, 1.0f, 0.0f},
    {"ScaledTanh", tmc::kRnnScaledTanh, true, true, 1.0f, 1.0f},
    {"HardSigmoid", tmc::kRnnHardSigmoid, true, true, 0.2f, 0.5f},
    {"Elu", tmc::kRnnElu, true, false, 1.0f, 0.0f},
    {"Softsign", tmc::kRnnSoftsign, false, false, 0.0f, 0.0f},
    {"Softplus", tmc::kRnnSoftplus, false, false, 0.0f, 0.0f},
};

struct Activation {
  int32_t code;
  float alpha, beta;
};

/// The activations of every direction, `perDirection` each, in list order.
std::vector<Activation> activations(const Node &node, size_t perDirection, size_t directions) {
  std::vector<std::string> names;
  if (const Attribute *a = node.attr("activations"))
    names.assign(a->getStrings().begin(), a->getStrings().end());
  if (names.empty()) {
    static const char *const lstm[] = {"Sigmoid", "Tanh", "Tanh"};
    static const char *const gru[] = {"Sigmoid", "Tanh"};
    static const char *const rnn[] = {"Tanh"};
    const char *const *defaults = node.kind() == OpKind::LSTM  ? lstm
                                  : node.kind() == OpKind::GRU ? gru
                                                               : rnn;
    for (size_t d = 0; d < directions; ++d)
      names.insert(names.end(), defaults, defaults + perDirection);
  }
  names.resize(perDirection * directions); // RNN's ["Tanh", "Tanh"] for one direction
  std::vector<float> alphas = node.getFloats("activation_alpha");
  std::vector<float> betas = node.getFloats("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  std::vector<Activation> acts;
  for (const std::string &n : names) {
    const ActivationInfo *info = &kActivations[0];
    for (const ActivationInfo &k : kActivations)
      if (llvm::StringRef(n).equals_insensitive(k.name))
        info = &k;
    Activation a{info->code, info->alpha, info->beta};
    if (info->takesAlpha && nextAlpha < alphas.size())
      a.alpha = alphas[nextAlpha++];
    if (info->takesBeta && nextBeta < betas.size())
      a.beta = betas[nextBeta++];
    acts.push_back(a);
  }
  return acts;
}

KernelArg outOrNull(const Value *v) { return v ? KernelArg::out(v) : KernelArg::in(nullptr); }

} // namespace

/// LSTM, GRU and RNN.
static llvm::Expected<Lowering> lowerRecurrent(const Node &node) {
  const Value *x = node.input(0);
  const bool lstm = node.kind() == OpKind::LSTM, gru = node.kind() == OpKind::GRU;
  const std::string direction = node.getString("direction", "forward");
  const int32_t nd = direction == "bidirectional" ? 2 : 1;
  const int32_t layout = static_cast<int32_t>(node.getInt("layout", 0));
  const int32_t hidden = i32(node.input(2)->shape()[2]);
  tmc::RecurrentParams p;
  std::memset(&p, 0, sizeof(p));
  p.seq_length = i32(x->shape()[layout ? 1 : 0]);
  p.batch = i32(x->shape()[layout ? 0 : 1]);
  p.input_size = i32(x->shape()[2]);
  p.hidden_size = hidden;
  p.num_directions = nd;
  p.layout = layout;
  p.clip = node.hasAttr("clip") ? node.getFloat("clip", 0.0f) : HUGE_VALF;
  p.input_forget = lstm && node.getInt("input_forget", 0) != 0;
  p.linear_before_reset = gru && node.getInt("linear_before_reset", 0) != 0;
  p.has_bias = node.input(3) != nullptr;
  p.has_sequence_lens = node.input(4) != nullptr;
  p.has_initial_h = node.input(5) != nullptr;
  p.has_initial_c = node.input(6) != nullptr;
  p.has_peepholes = node.input(7) != nullptr;
  p.has_y = node.output(0) != nullptr;
  p.has_y_h = node.output(1) != nullptr;
  p.has_y_c = node.output(2) != nullptr;
  const size_t perDirection = lstm ? 3 : gru ? 2 : 1;
  std::vector<Activation> acts = activations(node, perDirection, static_cast<size_t>(nd));

  // Working memory: the state of every batch row (hidden, and cell for LSTM)
  // and one row's gates.
  int64_t scratchElems = lstm  ? (2 * int64_t(p.batch) + 4) * hidden
                         : gru ? (int64_t(p.batch) + 4) * hidden
                               : (int64_t(p.batch) + 1) * hidden;
  int64_t scratchBytes = scratchElems * static_cast<int64_t>(dtypeSize(x->dtype()));

  Lowering l;
  for (int32_t d = 0; d < nd; ++d) {
    p.direction = d;
    p.reverse = direction == "reverse" || d == 1;
    const Activation *a = &acts[d * perDirection];
    p.act_f = a[0].code;
    p.alpha_f = a[0].alpha;
    p.beta_f = a[0].beta;
    if (perDirection > 1) {
      p.act_g = a[1].code;
      p.alpha_g = a[1].alpha;
      p.beta_g = a[1].beta;
    }
    if (perDirection > 2) {
      p.act_h = a[2].code;
      p.alpha_h = a[2].alpha;
      p.beta_h = a[2].beta;
    }
    auto call = dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<KernelCall> {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T>) {
        if (lstm)
          return makeCall(templ("tmc::lstm", {CName<T>::get()}), &tmc::lstm<T>, p,
                          {KernelArg::in(x), KernelArg::in(node.input(1)),
                           KernelArg::in(node.input(2)), KernelArg::in(node.input(3)),
                           KernelArg::in(node.input(4)), KernelArg::in(node.input(5)),
                           KernelArg::in(node.input(6)), KernelArg::in(node.input(7)),
                           outOrNull(node.output(0)), outOrNull(node.output(1)),
                           outOrNull(node.output(2)), KernelArg::scratch(scratchBytes)});
        auto fn = gru ? &tmc::gru<T> : &tmc::rnn<T>;
        return makeCall(templ(gru ? "tmc::gru" : "tmc::rnn", {CName<T>::get()}), fn, p,
                        {KernelArg::in(x), KernelArg::in(node.input(1)),
                         KernelArg::in(node.input(2)), KernelArg::in(node.input(3)),
                         KernelArg::in(node.input(4)), KernelArg::in(node.input(5)),
                         outOrNull(node.output(0)), outOrNull(node.output(1)),
                         KernelArg::scratch(scratchBytes)});
      } else {
        return nodeError(node, "no kernel for element type " + dtypeName(x->dtype()));
      }
    });
    if (!call)
      return call.takeError();
    l.calls.push_back(std::move(*call));
  }
  return l;
}

llvm::Expected<Lowering> lowerGRU(const Node &node) { return lowerRecurrent(node); }

llvm::Expected<Lowering> lowerLSTM(const Node &node) { return lowerRecurrent(node); }

llvm::Expected<Lowering> lowerRNN(const Node &node) { return lowerRecurrent(node); }

} // namespace tinymlc
