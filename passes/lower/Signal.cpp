//===- Signal.cpp - lowering of signal processing: DFT, STFT, windows and mel filters ===//
#include "passes/lower/LowerUtils.h"
#include "tmc_signal.h"
#include <cstring>
#include <type_traits>

namespace tinymlc::lower {
TINYMLC_PARAMS(DftParams, TMC_DFT_PARAMS, "tmc_signal.h")
TINYMLC_PARAMS(StftParams, TMC_STFT_PARAMS, "tmc_signal.h")
TINYMLC_PARAMS(WindowParams, TMC_WINDOW_PARAMS, "tmc_signal.h")
TINYMLC_PARAMS(MelParams, TMC_MEL_PARAMS, "tmc_signal.h")
} // namespace tinymlc::lower

namespace tinymlc {
using namespace lower;

namespace {

bool isPowerOfTwo(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

llvm::Error noKernel(const Node &node, DType t) {
  return nodeError(node, "no kernel for element type " + dtypeName(t));
}

} // namespace

llvm::Expected<Lowering> lowerDFT(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  int64_t axis = node.getInt("axis", 1);
  if (axis < 0)
    axis += x->rank();
  tmc::DftParams p;
  std::memset(&p, 0, sizeof(p));
  p.outer = i32(numElements(x->shape().take_front(axis)));
  p.inner = i32(numElements(x->shape().slice(axis + 1, x->rank() - axis - 2)));
  p.in_length = i32(x->shape()[axis]);
  p.out_length = i32(y->shape()[axis]);
  p.length = node.input(1) ? i32(node.input(1)->intValues()[0]) : p.in_length;
  p.in_complex = x->shape().back() == 2;
  p.inverse = node.getInt("inverse", 0) != 0;
  p.fft = isPowerOfTwo(p.length);
  const int64_t scratch = 4 * int64_t(p.length) * static_cast<int64_t>(dtypeSize(x->dtype()));
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(
          makeCall(templ("tmc::dft", {CName<T>::get()}), &tmc::dft<T>, p,
                   {KernelArg::in(x), KernelArg::out(y), KernelArg::scratch(scratch)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerSTFT(const Node &node) {
  const Value *x = node.input(0), *window = node.input(2), *y = node.output(0);
  tmc::StftParams p;
  std::memset(&p, 0, sizeof(p));
  p.batch = i32(x->shape()[0]);
  p.signal_length = i32(x->shape()[1]);
  p.in_complex = x->shape()[2] == 2;
  p.frame_step = i32(node.input(1)->intValues()[0]);
  p.frames = i32(y->shape()[1]);
  p.length = node.input(3) ? i32(node.input(3)->intValues()[0]) : i32(window->shape()[0]);
  p.out_length = i32(y->shape()[2]);
  p.fft = isPowerOfTwo(p.length);
  p.has_window = window != nullptr;
  const int64_t scratch = 4 * int64_t(p.length) * static_cast<int64_t>(dtypeSize(x->dtype()));
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::stft", {CName<T>::get()}), &tmc::stft<T>, p,
                             {KernelArg::in(x), KernelArg::in(window), KernelArg::out(y),
                              KernelArg::scratch(scratch)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerWindow(const Node &node) {
  const Value *y = node.output(0);
  tmc::WindowParams p;
  std::memset(&p, 0, sizeof(p));
  p.size = i32(y->shape()[0]);
  p.denominator = node.getInt("periodic", 1) ? p.size : p.size - 1;
  p.kind = node.kind() == OpKind::HammingWindow    ? tmc::kWindowHamming
           : node.kind() == OpKind::BlackmanWindow ? tmc::kWindowBlackman
                                                   : tmc::kWindowHann;
  return dispatchType(y->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      return single(makeCall(templ("tmc::window", {CName<T>::get()}), &tmc::window<T>, p,
                             {KernelArg::out(y)}));
    } else {
      return noKernel(node, y->dtype());
    }
  });
}

namespace {
/// The MelWeightMatrix call for edge frequencies of type TF.
template <typename TF>
llvm::Expected<Lowering> melCall(const Node &node, const tmc::MelParams &p) {
  const Value *rate = node.input(2), *lo = node.input(3), *hi = node.input(4);
  const Value *y = node.output(0);
  return dispatchType(rate->dtype(), [&](auto ti) -> llvm::Expected<Lowering> {
    using TI = typename std::decay_t<decltype(ti)>::type;
    return dispatchType(y->dtype(), [&](auto to) -> llvm::Expected<Lowering> {
      using TO = typename decltype(to)::type;
      if constexpr (std::is_integral_v<TI> && !std::is_same_v<TI, bool> &&
                    !std::is_same_v<TO, bool>) {
        return single(makeCall(
            templ("tmc::mel_weight_matrix",
                  {CName<TI>::get(), CName<TF>::get(), CName<TO>::get()}),
            &tmc::mel_weight_matrix<TI, TF, TO>, p,
            {KernelArg::in(rate), KernelArg::in(lo), KernelArg::in(hi), KernelArg::out(y)}));
      } else {
        return noKernel(node, y->dtype());
      }
    });
  });
}
} // namespace

llvm::Expected<Lowering> lowerMelWeightMatrix(const Node &node) {
  tmc::MelParams p;
  std::memset(&p, 0, sizeof(p));
  p.num_mel_bins = i32(node.output(0)->shape()[1]);
  p.dft_length = i32(node.input(1)->intValues()[0]);
  if (node.input(3)->dtype() == DType::F64)
    return melCall<double>(node, p);
  return melCall<float>(node, p);
}

} // namespace tinymlc
