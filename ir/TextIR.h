//===- TextIR.h - the textual form of a Graph -----------------------------===//
//
// The text form is what --print-after shows and what pass tests are written in.
// It reads back to the same graph (print(parse(print(g))) == print(g)).
//
//   graph @mnist {
//     input %x: f32[1,1,4,4]
//     const %w: f32[2,1,3,3] = [0.5, -1, ...]
//     %y = Conv "conv1"(%x, %w, _) {group = 1, pads = [1, 1, 1, 1]}: f32[1,2,4,4]
//     %v, %i = MaxPool "pool"(%y) {kernel_shape = [2, 2]}: f32[1,2,2,2], i64[1,2,2,2]
//     output %v
//   }
//
// Names that are not plain identifiers ([A-Za-z0-9_.]+) are quoted: %"conv/out:0".
// `_` stands for an absent optional input. Constants are printed before the
// nodes, in order of first use. Floats print exactly (shortest round trip);
// float attributes always carry a '.', 'e', "inf" or "nan" so they read back
// as floats.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_IR_TEXTIR_H
#define TINYMLC_IR_TEXTIR_H

#include "ir/Graph.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>

namespace tinymlc {

struct PrintOptions {
  /// Constants with more bytes than this print as `elided<N bytes>`, which
  /// the parser reads only with ParseOptions::allowElided. 0: print everything.
  size_t elideConstantsAbove = 0;
};

void printGraph(const Graph &g, llvm::raw_ostream &os, const PrintOptions &opts = {});
std::string graphToString(const Graph &g, const PrintOptions &opts = {});

/// Prints one attribute value in the text form.
void printAttribute(llvm::raw_ostream &os, const Attribute &a);

struct ParseOptions {
  /// Reads `elided<N bytes>` constants as zeros instead of failing.
  bool allowElided = false;
};

/// Parses the text form, then runs each node's inference and checks the
/// recorded output types. Errors carry line and column: "<text>:3:14: ...".
llvm::Expected<std::unique_ptr<Graph>> parseGraph(llvm::StringRef text,
                                                  llvm::StringRef bufferName = "<text>",
                                                  const ParseOptions &opts = {});

} // namespace tinymlc

#endif
