//===- ImporterImpl.h - the ONNX importer's internals ---------------------===//
//
// Shared by Importer.cpp (the model: parsing, pins, checker, conversion,
// inputs and outputs) and ImportNodes.cpp (nodes, ONNX functions and control
// flow). Not part of any public interface.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_COMPILER_ONNX_IMPORTERIMPL_H
#define TINYMLC_COMPILER_ONNX_IMPORTERIMPL_H

#include "compiler/onnx/Importer.h"
#include "ir/Diagnostic.h"
#include <deque>
#include <map>
#include <onnx/onnx_pb.h>
#include <set>
#include <string>

namespace tinymlc {
namespace onnximport {

/// The ONNX names visible while importing one graph body, mapped to IR values.
/// Subgraphs (If branches, Loop bodies) see their enclosing scope; ONNX
/// functions see only their formal inputs.
struct Scope {
  std::map<std::string, Value *> names;
  std::set<std::string> poisoned; ///< names of values whose producer failed (inspect mode)
  const Scope *parent = nullptr;
  /// Prefix for the IR names of nodes and values created in this scope
  /// ("" at the top level, "<node>/then/" in an inlined branch, ...).
  std::string prefix;

  Value *lookup(const std::string &name) const {
    for (const Scope *s = this; s; s = s->parent) {
      auto it = s->names.find(name);
      if (it != s->names.end())
        return it->second;
    }
    return nullptr;
  }
  bool isPoisoned(const std::string &name) const {
    for (const Scope *s = this; s; s = s->parent)
      if (s->poisoned.count(name))
        return true;
    return false;
  }
};

/// First line of an exception message from ONNX (they carry multi-line context).
std::string firstLines(const std::string &what);

class Importer {
public:
  Importer(llvm::StringRef path, const ImportOptions &opts, ImportInfo &info)
      : path(path), opts(opts), info(info) {}

  llvm::Expected<std::unique_ptr<Graph>> run();

private:
  // Importer.cpp: the model.
  llvm::Error readModel();
  llvm::Error applyPins();
  llvm::Error checkAndConvert();
  /// Rewrites what the version converter would carry over with a changed
  /// meaning (PRelu's per-channel slope before opset 7).
  void fixOldSemantics();
  llvm::Error importInputs();
  llvm::Error importOutputs();

  // ImportNodes.cpp: graph bodies.
  /// Imports the nodes of a (sub)graph body into `scope`.
  llvm::Error importBody(const onnx::GraphProto &body, Scope &scope);
  llvm::Error importNode(const onnx::NodeProto &np, size_t index, Scope &scope);
  llvm::Error importNative(const onnx::NodeProto &np, OpKind kind, const std::string &name,
                           const std::string &subject, Scope &scope);
  llvm::Expected<Attribute> convertAttribute(const onnx::AttributeProto &a,
                                             const std::string &subject);
  llvm::Error constantNode(const onnx::NodeProto &np, const std::string &subject, Scope &scope);
  /// Inlines an ONNX function (a schema's body or a model-local function).
  const onnx::FunctionProto &qlinearBinaryFunction(const onnx::NodeProto &np);
  llvm::Error expandFunction(const onnx::NodeProto &np, const onnx::FunctionProto &fn,
                             const std::string &name, const std::string &subject,
                             Scope &scope);
  llvm::Error importIf(const onnx::NodeProto &np, const std::string &name,
                       const std::string &subject, Scope &scope);
  llvm::Error importLoop(const onnx::NodeProto &np, const std::string &name,
                         const std::string &subject, Scope &scope);
  llvm::Error importScan(const onnx::NodeProto &np, const std::string &name,
                         const std::string &subject, Scope &scope);
  /// The graph attribute `attr` of a node, or an error.
  llvm::Expected<const onnx::GraphProto *> graphAttr(const onnx::NodeProto &np,
                                                     llvm::StringRef attr,
                                                     const std::string &subject);
  /// A new IR node with the given inputs, inferred, folded at once when its
  /// inputs are constant; returns its outputs (constant if folded).
  llvm::Expected<std::vector<Value *>> emit(OpKind kind, const std::string &name,
                                            std::vector<Value *> inputs, unsigned numOutputs,
                                            const std::string &outName,
                                            std::vector<std::pair<std::string, Attribute>> attrs = {});

  /// Records a problem in inspect mode, or returns it.
  llvm::Error problem(llvm::Error e) {
    if (!opts.collectProblems)
      return e;
    info.problems.push_back(errorToString(std::move(e)));
    return llvm::Error::success();
  }

  llvm::StringRef path;
  const ImportOptions &opts;
  ImportInfo &info;
  onnx::ModelProto model;
  std::unique_ptr<Graph> graph;
  Scope top;                                ///< the main graph's names
  std::set<std::string> initializerNames;
  /// Model-local functions by (domain, name).
  std::map<std::pair<std::string, std::string>, const onnx::FunctionProto *> localFunctions;
  /// Bodies tinymlc supplies for ops outside ai.onnx (qlinearBinaryFunction).
  std::deque<onnx::FunctionProto> builtinFunctions;
  unsigned inlineDepth = 0; ///< guards against runaway recursion through functions
};

} // namespace onnximport
} // namespace tinymlc

#endif
