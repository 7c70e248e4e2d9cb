//===- Recurrent.cpp - lowering of recurrent layers: LSTM, GRU and RNN ------===//
#include "passes/lower/LowerUtils.h"

namespace tinymlc {
using namespace lower;

llvm::Expected<Lowering> lowerGRU(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerLSTM(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerRNN(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

} // namespace tinymlc
