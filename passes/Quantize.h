//===- Quantize.h - post-training quantisation from calibration data ------===//
//
// The `quantize` pass turns a float graph into the form an imported QDQ model
// has, so that the QDQ lowering treats both alike:
// - every float activation a quantisable op reads or writes goes through
//   QuantizeLinear -> DequantizeLinear with a constant per-tensor scale and an
//   int8 zero point (asymmetric; 0.0 is exactly representable);
// - Conv/ConvTranspose/Gemm/MatMul weights become int8 constants (symmetric,
//   zero point 0, one scale per output channel) behind a DequantizeLinear with
//   `axis`; biases stay float;
// - ops that only move or select values (Reshape, MaxPool, ...) keep their
//   input's scale and zero point, so they run on int8 unchanged.
// Until the QDQ patterns are lowered, the graph runs in float as
// fake-quantisation, which is also how the pass measures its own error.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_PASSES_QUANTIZE_H
#define TINYMLC_PASSES_QUANTIZE_H

#include "passes/Evaluator.h"
#include <optional>
#include <string>
#include <vector>

namespace tinymlc {

enum class CalibrationMethod { MinMax, Percentile, Entropy, Mse };

/// "minmax", "percentile", "entropy", "mse".
llvm::StringRef calibrationMethodName(CalibrationMethod m);
std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef name);

struct QuantizeOptions {
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// For Percentile: the share of values (in %) kept inside the range, at
  /// each end: 99.99 clips the lowest and the highest 0.01%.
  double percentile = 99.99;
  /// Move each Conv/Gemm bias by the mean shift its weights' rounding causes
  /// on the calibration set (see weightShift in Quantize.cpp).
  bool biasCorrection = true;
  /// samples[k][i]: sample k's bytes for graph input i (exactly its size).
  std::vector<std::vector<Buffer>> samples;
};

/// One quantised activation tensor.
struct ActivationQuantReport {
  std::string tensor;   ///< the float tensor's name
  std::string producer; ///< the node computing it; empty for a graph input
  std::string op;       ///< the producer's op type, or "input"
  double observedMin = 0, observedMax = 0; ///< over the calibration set
  double rangeMin = 0, rangeMax = 0;       ///< what the scale and zero point cover
  float scale = 1;
  int zeroPoint = 0;
  /// Kept the input's scale (Reshape, MaxPool, ...).
  bool inherited = false;
  /// Error of quantising this tensor alone, in the quantised graph (SQNR in
  /// dB; +inf when exact) and the largest absolute difference.
  double sqnrDb = 0, maxAbsError = 0;
  /// The dequantised tensor against the float model's tensor: the error
  /// accumulated up to here.
  double sqnrVsFloatDb = 0, maxAbsErrorVsFloat = 0;
};

/// One weight quantised per output channel.
struct WeightQuantReport {
  std::string tensor, node, op;
  int64_t axis = -1; ///< -1: per tensor
  int64_t channels = 1;
  double sqnrDb = 0, maxAbsError = 0;
};

/// A graph output of the quantised model against the float model.
struct OutputQuantReport {
  std::string tensor;
  double sqnrDb = 0, maxAbsError = 0;
  /// Samples whose argmax over the last axis agrees (per row), out of rows.
  int64_t top1Agree = 0, rows = 0;
};

struct QuantizationReport {
  CalibrationMethod method = CalibrationMethod::MinMax;
  double percentile = 0;
  int64_t samples = 0;
  /// Worst first (lowest sqnrDb), ties by name.
  std::vector<ActivationQuantReport> activations;
  std::vector<WeightQuantReport> weights; ///< in schedule order
  /// Conv/Gemm biases moved by bias correction.
  int64_t biasCorrected = 0;
  std::vector<OutputQuantReport> outputs; ///< in graph-output order
};

/// Signal-to-quantisation-noise ratio in dB from the summed squares of the
/// signal and of the error: +inf when the error is 0, -inf when the signal is.
double sqnrDb(double signalSq, double noiseSq);

} // namespace tinymlc

#endif
