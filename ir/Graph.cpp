//===- Graph.cpp - the tinymlc graph IR -----------------------------------===//
#include "ir/Graph.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include <algorithm>
#include <cstring>

namespace tinymlc {

namespace {
constexpr OpInfo kOps[] = {
#define OP(Kind, Name, Infer, Lower, MinIn, MaxIn, MinOut, MaxOut, Summary)                    \
  {OpKind::Kind, Name, MinIn, MaxIn, MinOut, MaxOut, Summary},
#include "ir/Ops.def"
};
} // namespace

const OpInfo &opInfo(OpKind kind) { return kOps[static_cast<unsigned>(kind)]; }
llvm::StringRef opName(OpKind kind) { return opInfo(kind).name; }
llvm::ArrayRef<OpInfo> allOps() { return kOps; }

std::optional<OpKind> lookupOp(llvm::StringRef onnxName) {
  // The table is sorted by name (checked by a unit test), so search it.
  const OpInfo *it = std::lower_bound(
      std::begin(kOps), std::end(kOps), onnxName,
      [](const OpInfo &info, llvm::StringRef n) { return llvm::StringRef(info.name) < n; });
  if (it != std::end(kOps) && onnxName == it->name)
    return it->kind;
  return std::nullopt;
}

int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::optional<int64_t> checkedTensorBytes(llvm::ArrayRef<int64_t> shape, size_t elemSize) {
  int64_t bytes = static_cast<int64_t>(elemSize);
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d == 0)
      empty = true;
    else if (!empty && bytes > kMaxTensorBytes / d)
      return std::nullopt;
    else if (!empty)
      bytes *= d;
  }
  return empty ? 0 : bytes;
}

std::string shapeToString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

//===----------------------------------------------------------------------===//
// Value
//===----------------------------------------------------------------------===//

std::string Value::typeString() const {
  return dtypeName(dtype_).str() + shapeToString(shape_);
}

void Value::setConstant(std::vector<uint8_t> bytes) {
  assert(bytes.size() == byteSize() && "constant size does not match its type");
  constant_ = true;
  producer_ = nullptr;
  data_ = std::move(bytes);
}

namespace {
template <typename T> T load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename R> R elementAs(DType t, const uint8_t *p) {
  switch (t) {
  case DType::F32:
    return static_cast<R>(load<float>(p));
  case DType::F64:
    return static_cast<R>(load<double>(p));
  case DType::I8:
    return static_cast<R>(load<int8_t>(p));
  case DType::U8:
    return static_cast<R>(load<uint8_t>(p));
  case DType::I16:
    return static_cast<R>(load<int16_t>(p));
  case DType::U16:
    return static_cast<R>(load<uint16_t>(p));
  case DType::I32:
    return static_cast<R>(load<int32_t>(p));
  case DType::U32:
    return static_cast<R>(load<uint32_t>(p));
  case DType::I64:
    return static_cast<R>(load<int64_t>(p));
  case DType::U64:
    return static_cast<R>(load<uint64_t>(p));
  case DType::Bool:
    return static_cast<R>(load<uint8_t>(p) != 0);
  }
  return R();
}
} // namespace

std::vector<int64_t> Value::intValues() const {
  assert(constant_ && !isFloat(dtype_) && "intValues needs an integer constant");
  std::vector<int64_t> out;
  size_t size = dtypeSize(dtype_);
  for (size_t i = 0; i + size <= data_.size(); i += size)
    out.push_back(elementAs<int64_t>(dtype_, data_.data() + i));
  return out;
}

std::vector<double> Value::doubleValues() const {
  assert(constant_ && "doubleValues needs a constant");
  std::vector<double> out;
  size_t size = dtypeSize(dtype_);
  for (size_t i = 0; i + size <= data_.size(); i += size)
    out.push_back(elementAs<double>(dtype_, data_.data() + i));
  return out;
}

std::vector<uint8_t> Value::bytesFromDoubles(DType t, llvm::ArrayRef<double> values) {
  assert(isFloat(t) && "bytesFromDoubles makes float or double data");
  std::vector<uint8_t> out(values.size() * dtypeSize(t));
  for (size_t i = 0; i < values.size(); ++i) {
    if (t == DType::F32) {
      float f = static_cast<float>(values[i]);
      std::memcpy(out.data() + 4 * i, &f, 4);
    } else {
      std::memcpy(out.data() + 8 * i, &values[i], 8);
    }
  }
  return out;
}

TensorData Value::tensorData() const {
  assert(constant_ && "tensorData needs a constant");
  TensorData t;
  t.dtype = dtype_;
  t.shape = shape_;
  t.bytes = data_;
  return t;
}

//===----------------------------------------------------------------------===//
// Node
//===----------------------------------------------------------------------===//

void Node::setInput(unsigned i, Value *v) {
  if (i >= inputs_.size())
    inputs_.resize(i + 1, nullptr);
  inputs_[i] = v;
}

void Node::trimInputs() {
  while (!inputs_.empty() && !inputs_.back())
    inputs_.pop_back();
}

const Attribute *Node::attr(llvm::StringRef name) const {
  auto it = attrs_.find(name.str());
  return it == attrs_.end() ? nullptr : &it->second;
}

int64_t Node::getInt(llvm::StringRef name, int64_t dflt) const {
  const Attribute *a = attr(name);
  if (!a)
    return dflt;
  assert(a->kind() == Attribute::Kind::Int && "attribute is not an int");
  return a->getInt();
}

float Node::getFloat(llvm::StringRef name, float dflt) const {
  const Attribute *a = attr(name);
  if (!a)
    return dflt;
  assert(a->kind() == Attribute::Kind::Float && "attribute is not a float");
  return a->getFloat();
}

std::string Node::getString(llvm::StringRef name, llvm::StringRef dflt) const {
  const Attribute *a = attr(name);
  if (!a)
    return dflt.str();
  assert(a->kind() == Attribute::Kind::String && "attribute is not a string");
  return a->getString();
}

std::vector<int64_t> Node::getInts(llvm::StringRef name) const {
  const Attribute *a = attr(name);
  if (!a)
    return {};
  assert((a->kind() == Attribute::Kind::Ints || a->isEmptyList()) && "attribute is not ints");
  llvm::ArrayRef<int64_t> v = a->getInts();
  return std::vector<int64_t>(v.begin(), v.end());
}

std::vector<float> Node::getFloats(llvm::StringRef name) const {
  const Attribute *a = attr(name);
  if (!a)
    return {};
  assert((a->kind() == Attribute::Kind::Floats || a->isEmptyList()) &&
         "attribute is not floats");
  llvm::ArrayRef<float> v = a->getFloats();
  return std::vector<float>(v.begin(), v.end());
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

namespace {
std::string freshName(llvm::StringRef base, const std::function<bool(llvm::StringRef)> &taken) {
  std::string b = base.empty() ? std::string("t") : base.str();
  if (!taken(b))
    return b;
  for (unsigned i = 1;; ++i) {
    std::string cand = b + "_" + std::to_string(i);
    if (!taken(cand))
      return cand;
  }
}
} // namespace

Value *Graph::addValue(llvm::StringRef name, DType dtype, llvm::ArrayRef<int64_t> shape) {
  std::string unique =
      freshName(name, [&](llvm::StringRef n) { return valueByName_.count(n) != 0; });
  values_.push_back(std::make_unique<Value>(unique, dtype, Shape(shape.begin(), shape.end())));
  Value *v = values_.back().get();
  valueByName_[unique] = v;
  return v;
}

Value *Graph::addConstant(llvm::StringRef name, DType dtype, llvm::ArrayRef<int64_t> shape,
                          std::vector<uint8_t> bytes) {
  Value *v = addValue(name, dtype, shape);
  v->setConstant(std::move(bytes));
  return v;
}

Value *Graph::findValue(llvm::StringRef name) const {
  auto it = valueByName_.find(name);
  return it == valueByName_.end() ? nullptr : it->second;
}

void Graph::renameValue(Value *v, llvm::StringRef name) {
  if (v->name_ == name)
    return;
  valueByName_.erase(v->name_);
  v->name_ = freshName(name, [&](llvm::StringRef n) { return valueByName_.count(n) != 0; });
  valueByName_[v->name_] = v;
}

std::vector<Value *> Graph::values() const {
  std::vector<Value *> out;
  out.reserve(values_.size());
  for (const auto &v : values_)
    out.push_back(v.get());
  return out;
}

bool Graph::isGraphInput(const Value *v) const { return llvm::is_contained(inputs_, v); }
bool Graph::isGraphOutput(const Value *v) const { return llvm::is_contained(outputs_, v); }

std::vector<Node *> Graph::nodes() const {
  std::vector<Node *> out;
  out.reserve(nodes_.size());
  for (const auto &n : nodes_)
    out.push_back(n.get());
  return out;
}

Node *Graph::insertNodeBefore(Node *pos, OpKind kind, llvm::StringRef name,
                              llvm::ArrayRef<Value *> inputs, llvm::ArrayRef<Value *> outputs) {
  auto node = std::make_unique<Node>(kind, uniqueNodeName(name));
  node->inputs_.assign(inputs.begin(), inputs.end());
  node->outputs_.assign(outputs.begin(), outputs.end());
  for (Value *o : outputs) {
    assert(o && !o->isConstant() && "node output must be a non-constant value");
    o->producer_ = node.get();
  }
  Node *raw = node.get();
  auto it = nodes_.end();
  if (pos)
    it = std::find_if(nodes_.begin(), nodes_.end(),
                      [&](const std::unique_ptr<Node> &n) { return n.get() == pos; });
  nodes_.insert(it, std::move(node));
  return raw;
}

Node *Graph::addNode(OpKind kind, llvm::StringRef name, llvm::ArrayRef<Value *> inputs,
                     llvm::ArrayRef<Value *> outputs) {
  return insertNodeBefore(nullptr, kind, name, inputs, outputs);
}

void Graph::setNodeOutput(Node *n, unsigned i, Value *v) {
  assert(i < n->outputs_.size() && "no such output");
  assert(v && !v->isConstant() && !v->producer_ && "value already defined");
  if (Value *old = n->outputs_[i])
    if (old->producer_ == n)
      old->producer_ = nullptr;
  n->outputs_[i] = v;
  v->producer_ = n;
}

void Graph::eraseNodes(const std::function<bool(const Node &)> &pred) {
  for (auto &n : nodes_)
    if (pred(*n))
      for (Value *o : n->outputs_)
        if (o && o->producer_ == n.get())
          o->producer_ = nullptr;
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(),
                              [&](const std::unique_ptr<Node> &n) { return pred(*n); }),
               nodes_.end());
}

void Graph::reorderNodes(llvm::ArrayRef<Node *> order) {
  assert(order.size() == nodes_.size() && "reorder must keep every node");
  std::vector<std::unique_ptr<Node>> next;
  next.reserve(nodes_.size());
  for (Node *n : order) {
    auto it = std::find_if(nodes_.begin(), nodes_.end(),
                           [&](const std::unique_ptr<Node> &p) { return p.get() == n; });
    assert(it != nodes_.end() && *it && "reorder names a node twice or a foreign node");
    next.push_back(std::move(*it));
  }
  nodes_ = std::move(next);
}

std::string Graph::uniqueNodeName(llvm::StringRef base) const {
  llvm::StringSet<> names;
  for (const auto &n : nodes_)
    names.insert(n->name_);
  return freshName(base, [&](llvm::StringRef n) { return names.count(n) != 0; });
}

void Graph::replaceAllUsesWith(Value *from, Value *to) {
  for (auto &n : nodes_)
    for (Value *&in : n->inputs_)
      if (in == from)
        in = to;
  for (Value *&o : outputs_)
    if (o == from)
      o = to;
}

std::vector<Node *> Graph::users(const Value *v) const {
  std::vector<Node *> out;
  for (const auto &n : nodes_)
    if (llvm::is_contained(n->inputs_, v))
      out.push_back(n.get());
  return out;
}

unsigned Graph::numUses(const Value *v) const {
  unsigned count = 0;
  for (const auto &n : nodes_)
    for (Value *in : n->inputs_)
      if (in == v)
        ++count;
  for (Value *o : outputs_)
    if (o == v)
      ++count;
  return count;
}

void Graph::removeUnusedValues() {
  llvm::DenseSet<const Value *> live;
  for (Value *v : inputs_)
    live.insert(v);
  for (Value *v : outputs_)
    live.insert(v);
  for (const auto &n : nodes_) {
    for (Value *v : n->inputs_)
      live.insert(v);
    for (Value *v : n->outputs_)
      live.insert(v);
  }
  auto dead = [&](const std::unique_ptr<Value> &v) { return !live.count(v.get()); };
  for (const auto &v : values_)
    if (dead(v))
      valueByName_.erase(v->name_);
  values_.erase(std::remove_if(values_.begin(), values_.end(), dead), values_.end());
}

} // namespace tinymlc
