//===- Signal.cpp - lowering of signal processing: DFT, STFT, windows and mel filters ===//
#include "passes/lower/LowerUtils.h"

namespace tinymlc {
using namespace lower;

llvm::Expected<Lowering> lowerDFT(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerMelWeightMatrix(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerSTFT(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerWindow(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

} // namespace tinymlc
