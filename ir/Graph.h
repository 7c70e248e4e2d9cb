//===- Graph.h - the tinymlc graph IR -------------------------------------===//
//
// A Graph is a list of Nodes in schedule order over SSA Values. Every Value has
// an element type and a static shape; a Value is a graph input, a constant
// (its bytes held here), or the output of exactly one Node. The node list is
// always a valid topological order; the scheduler may reorder it.
//
// Nodes keep ONNX semantics and attribute names, so the text form reads like
// the model it came from. Optional inputs that are absent are null pointers.
//
// Mutation rules (as in MLIR): collect, then mutate. Never erase nodes while
// iterating over `nodes()`; use eraseNodes() with a predicate.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_IR_GRAPH_H
#define TINYMLC_IR_GRAPH_H

#include "ir/Attribute.h"
#include "ir/DType.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tinymlc {

enum class OpKind : uint16_t {
#define OP(Kind, Name, Infer, Lower, MinIn, MaxIn, MinOut, MaxOut, Summary) Kind,
#include "ir/Ops.def"
};

struct OpInfo {
  OpKind kind;
  const char *name; ///< ONNX op type
  int minInputs, maxInputs, minOutputs, maxOutputs; ///< maxInputs -1: variadic
  const char *summary;
};

const OpInfo &opInfo(OpKind kind);
llvm::StringRef opName(OpKind kind);
/// The op with this ONNX op type (default domain); std::nullopt if tinymlc has none.
std::optional<OpKind> lookupOp(llvm::StringRef onnxName);
/// Every op, in table order (sorted by name).
llvm::ArrayRef<OpInfo> allOps();

/// Number of elements of a shape (1 for a scalar). The shape must have passed
/// checkTensorSize (every shape in a Graph has).
int64_t numElements(llvm::ArrayRef<int64_t> shape);
/// The largest tensor tinymlc handles, in bytes (2 GiB - 1): far beyond any
/// microcontroller, and small enough that every size fits the kernels' int32s.
constexpr int64_t kMaxTensorBytes = (int64_t(1) << 31) - 1;
/// Bytes of a tensor of `shape` and element size `elemSize`, or std::nullopt
/// when a dimension is negative or the size exceeds kMaxTensorBytes (checked
/// without overflow).
std::optional<int64_t> checkedTensorBytes(llvm::ArrayRef<int64_t> shape, size_t elemSize);
/// "[1,3,32,32]".
std::string shapeToString(llvm::ArrayRef<int64_t> shape);

class Node;

class Value {
public:
  Value(std::string name, DType dtype, Shape shape)
      : name_(std::move(name)), dtype_(dtype), shape_(std::move(shape)) {}

  const std::string &name() const { return name_; }
  DType dtype() const { return dtype_; }
  llvm::ArrayRef<int64_t> shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t numElements() const { return tinymlc::numElements(shape_); }
  size_t byteSize() const { return static_cast<size_t>(numElements()) * dtypeSize(dtype_); }
  /// "f32[1,3,32,32]".
  std::string typeString() const;

  void setType(DType dtype, llvm::ArrayRef<int64_t> shape) {
    dtype_ = dtype;
    shape_.assign(shape.begin(), shape.end());
  }

  /// The node computing this value; null for graph inputs and constants.
  Node *producer() const { return producer_; }

  bool isConstant() const { return constant_; }
  /// Raw little-endian bytes of a constant.
  llvm::ArrayRef<uint8_t> bytes() const {
    assert(constant_ && "not a constant");
    return data_;
  }
  template <typename T> llvm::ArrayRef<T> dataAs() const {
    assert(constant_ && "not a constant");
    assert(sizeof(T) == dtypeSize(dtype_) && "element size mismatch");
    return llvm::ArrayRef<T>(reinterpret_cast<const T *>(data_.data()),
                             data_.size() / sizeof(T));
  }
  /// The constant's elements converted to int64 (integer and bool types only).
  std::vector<int64_t> intValues() const;
  /// The constant's elements converted to double (any type).
  std::vector<double> doubleValues() const;
  /// Bytes of `values` rounded once to the element type `t` (floating types).
  static std::vector<uint8_t> bytesFromDoubles(DType t, llvm::ArrayRef<double> values);
  TensorData tensorData() const;

  /// Turns the value into a constant holding `bytes` (the producer link is cut).
  void setConstant(std::vector<uint8_t> bytes);

private:
  friend class Graph;
  std::string name_;
  DType dtype_;
  Shape shape_;
  Node *producer_ = nullptr;
  bool constant_ = false;
  std::vector<uint8_t> data_;
};

class Node {
public:
  Node(OpKind kind, std::string name) : kind_(kind), name_(std::move(name)) {}

  OpKind kind() const { return kind_; }
  const std::string &name() const { return name_; }

  llvm::ArrayRef<Value *> inputs() const { return inputs_; }
  llvm::ArrayRef<Value *> outputs() const { return outputs_; }
  unsigned numInputs() const { return inputs_.size(); }
  unsigned numOutputs() const { return outputs_.size(); }
  /// Input `i`, or null when absent (optional and omitted, or past the end).
  Value *input(unsigned i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  Value *output(unsigned i) const { return i < outputs_.size() ? outputs_[i] : nullptr; }
  void setInput(unsigned i, Value *v);
  /// Drops trailing absent inputs.
  void trimInputs();

  // Attributes, ordered by name.
  const std::map<std::string, Attribute> &attrs() const { return attrs_; }
  bool hasAttr(llvm::StringRef name) const { return attrs_.count(name.str()) != 0; }
  const Attribute *attr(llvm::StringRef name) const;
  void setAttr(llvm::StringRef name, Attribute value) {
    attrs_.insert_or_assign(name.str(), std::move(value));
  }
  void removeAttr(llvm::StringRef name) { attrs_.erase(name.str()); }
  // Typed reads; the op's inference routine has checked the kinds already.
  int64_t getInt(llvm::StringRef name, int64_t dflt) const;
  float getFloat(llvm::StringRef name, float dflt) const;
  std::string getString(llvm::StringRef name, llvm::StringRef dflt) const;
  std::vector<int64_t> getInts(llvm::StringRef name) const;
  std::vector<float> getFloats(llvm::StringRef name) const;

private:
  friend class Graph;
  OpKind kind_;
  std::string name_;
  llvm::SmallVector<Value *, 4> inputs_;
  llvm::SmallVector<Value *, 2> outputs_;
  std::map<std::string, Attribute> attrs_;
};

class Graph {
public:
  Graph() = default;
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  std::string name = "model";

  // Values.
  /// A new value; `name` is made unique if taken.
  Value *addValue(llvm::StringRef name, DType dtype, llvm::ArrayRef<int64_t> shape);
  Value *addConstant(llvm::StringRef name, DType dtype, llvm::ArrayRef<int64_t> shape,
                     std::vector<uint8_t> bytes);
  Value *addConstant(llvm::StringRef name, const TensorData &t) {
    return addConstant(name, t.dtype, t.shape, t.bytes);
  }
  Value *findValue(llvm::StringRef name) const;
  /// Renames a value, keeping names unique (a suffix is added if taken).
  void renameValue(Value *v, llvm::StringRef name);
  /// Every value, in creation order.
  std::vector<Value *> values() const;

  // Graph inputs and outputs, in ONNX order.
  std::vector<Value *> &inputs() { return inputs_; }
  const std::vector<Value *> &inputs() const { return inputs_; }
  std::vector<Value *> &outputs() { return outputs_; }
  const std::vector<Value *> &outputs() const { return outputs_; }
  bool isGraphInput(const Value *v) const;
  bool isGraphOutput(const Value *v) const;

  // Nodes, in schedule order.
  std::vector<Node *> nodes() const;
  unsigned numNodes() const { return nodes_.size(); }
  /// Appends a node producing `outputs` (whose producer becomes the node).
  Node *addNode(OpKind kind, llvm::StringRef name, llvm::ArrayRef<Value *> inputs,
                llvm::ArrayRef<Value *> outputs);
  /// As addNode, but inserted before `pos` in the schedule.
  Node *insertNodeBefore(Node *pos, OpKind kind, llvm::StringRef name,
                         llvm::ArrayRef<Value *> inputs, llvm::ArrayRef<Value *> outputs);
  /// Makes `v` output `i` of `n` (the previous output loses its producer).
  void setNodeOutput(Node *n, unsigned i, Value *v);
  /// Removes every node for which `pred` holds; their outputs lose their producer.
  void eraseNodes(const std::function<bool(const Node &)> &pred);
  /// Replaces the node order; `order` must hold exactly the graph's nodes.
  void reorderNodes(llvm::ArrayRef<Node *> order);
  /// A node name not used yet, derived from `base`.
  std::string uniqueNodeName(llvm::StringRef base) const;

  /// Replaces every use of `from` (node inputs and graph outputs) by `to`.
  void replaceAllUsesWith(Value *from, Value *to);
  /// The nodes reading `v`, in schedule order (a node reading it twice appears once).
  std::vector<Node *> users(const Value *v) const;
  /// Number of uses of `v` by nodes, plus one if it is a graph output.
  unsigned numUses(const Value *v) const;
  /// Deletes values that are neither graph inputs nor outputs nor used nor produced.
  void removeUnusedValues();

private:
  std::vector<std::unique_ptr<Value>> values_;
  llvm::StringMap<Value *> valueByName_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Value *> inputs_;
  std::vector<Value *> outputs_;
};

} // namespace tinymlc

#endif
