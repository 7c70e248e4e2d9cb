//===- QuantizeQDQ.h - integer inputs and outputs for quantised models ----===//
#ifndef TINYMLC_PASSES_QUANTIZEQDQ_H
#define TINYMLC_PASSES_QUANTIZEQDQ_H

#include "ir/Graph.h"
#include <map>
#include <string>
#include <vector>

namespace tinymlc {

/// The quantisation of one integer graph input or output.
struct IOQuant {
  float scale;
  int32_t zeroPoint;
};

/// `--io int8`: makes the model's edges integer, after the pipeline.
/// - A graph input read only by a QuantizeLinear with a constant per-tensor
///   quantisation (possibly through one data-movement op, which then moves
///   int8 bytes) becomes an int8/uint8 input, and the QuantizeLinear goes.
/// - A graph output produced by such a DequantizeLinear becomes its int8/uint8
///   input, and the DequantizeLinear goes.
/// Inputs and outputs keep their names. Returns the quantisation of every
/// edge made integer, by name; `floatEdges` gets a note for each edge that
/// stays float (for example a Softmax output).
std::map<std::string, IOQuant> makeIntegerIO(Graph &g, std::vector<std::string> &floatEdges);

} // namespace tinymlc

#endif
