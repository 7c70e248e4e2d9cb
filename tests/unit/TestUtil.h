//===- TestUtil.h - helpers shared by the unit tests ----------------------===//
//
// Parsing textual IR, one node on a fresh graph for shape inference, tensors
// to and from bytes, and evaluation of small graphs. Every helper that can
// fail marks the test failed with the message and returns something empty.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_TESTS_UNIT_TESTUTIL_H
#define TINYMLC_TESTS_UNIT_TESTUTIL_H

#include "ir/Diagnostic.h"
#include "ir/ShapeInference.h"
#include "ir/TextIR.h"
#include "passes/Evaluator.h"
#include <cmath>
#include <cstring>
#include <doctest/doctest.h>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tinymlc::test {

using Ints = std::vector<int64_t>;
using Attrs = std::vector<std::pair<std::string, Attribute>>;

/// Parses textual IR, failing the test with the parser's message on error.
inline std::unique_ptr<Graph> parse(llvm::StringRef text) {
  auto g = parseGraph(text);
  if (!g) {
    FAIL_CHECK(errorToString(g.takeError()));
    return nullptr;
  }
  return std::move(*g);
}

/// The message of an expected error ("" if there was none).
template <typename T> std::string errorOf(llvm::Expected<T> v) {
  if (v)
    return "";
  return errorToString(v.takeError());
}
inline std::string errorOf(llvm::Error e) { return e ? errorToString(std::move(e)) : ""; }

/// One node on a fresh graph: inputs and constants are added as needed, then
/// `infer` adds node "n" and runs its shape inference.
struct OneNode {
  Graph g;
  int counter = 0;

  /// A graph input named x0, x1, ... (numbered with the constants).
  Value *in(llvm::ArrayRef<int64_t> shape, DType t = DType::F32) {
    Value *v = g.addValue("x" + std::to_string(counter++), t, shape);
    g.inputs().push_back(v);
    return v;
  }
  /// A named graph input (for messages that quote the name).
  Value *in(llvm::StringRef name, llvm::ArrayRef<int64_t> shape, DType t = DType::F32) {
    Value *v = g.addValue(name, t, shape);
    g.inputs().push_back(v);
    return v;
  }
  /// A constant of integer (or bool) type t and the given shape, holding
  /// `values` truncated to t's size, little-endian.
  Value *ints(Ints values, DType t, llvm::ArrayRef<int64_t> shape) {
    std::vector<uint8_t> bytes;
    for (int64_t v : values) {
      const uint8_t *p = reinterpret_cast<const uint8_t *>(&v);
      bytes.insert(bytes.end(), p, p + dtypeSize(t));
    }
    return g.addConstant("c" + std::to_string(counter++), t, shape, std::move(bytes));
  }
  /// A constant vector of type t holding `values`.
  Value *ints(Ints values, DType t = DType::I64) {
    Ints shape = {static_cast<int64_t>(values.size())};
    return ints(std::move(values), t, shape);
  }
  /// A rank-0 constant of type t.
  Value *scalar(int64_t value, DType t = DType::I64) { return ints({value}, t, {}); }
  /// A constant f32 tensor of the given shape.
  Value *floats(std::vector<float> values, llvm::ArrayRef<int64_t> shape) {
    std::vector<uint8_t> bytes(values.size() * sizeof(float));
    if (!values.empty())
      std::memcpy(bytes.data(), values.data(), bytes.size());
    return g.addConstant("c" + std::to_string(counter++), DType::F32, shape, std::move(bytes));
  }
  /// A constant f32 vector.
  Value *floats(std::vector<float> values) {
    Ints shape = {static_cast<int64_t>(values.size())};
    return floats(std::move(values), shape);
  }

  /// Adds node "n" of `kind` and runs its inference: the output types joined
  /// by ", ", or the error message.
  std::string infer(OpKind kind, std::vector<Value *> inputs, const Attrs &attrs = {},
                    unsigned numOutputs = 1) {
    std::vector<Value *> outs;
    for (unsigned i = 0; i < numOutputs; ++i)
      outs.push_back(g.addValue("y" + std::to_string(i), DType::F32, {}));
    Node *n = g.addNode(kind, "n", inputs, outs);
    for (const auto &[name, a] : attrs)
      n->setAttr(name, a);
    if (auto e = inferNode(*n))
      return errorToString(std::move(e));
    std::string s;
    for (Value *v : outs)
      s += (s.empty() ? "" : ", ") + v->typeString();
    return s;
  }
};

/// The bytes of `v` as the evaluator takes them (native, little-endian).
template <typename T> Buffer bytesOf(const std::vector<T> &v) {
  Buffer b(v.size() * sizeof(T));
  if (!v.empty())
    std::memcpy(b.data(), v.data(), b.size());
  return b;
}
/// A bool tensor: one byte, 0 or 1, per element.
inline Buffer bytesOf(const std::vector<bool> &v) {
  Buffer b;
  for (bool x : v)
    b.push_back(x ? 1 : 0);
  return b;
}

/// The elements of type T held in `bytes` (a trailing partial element is dropped).
template <typename T> std::vector<T> as(llvm::ArrayRef<uint8_t> bytes) {
  std::vector<T> v(bytes.size() / sizeof(T));
  if (!v.empty())
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

/// Every output of `g` on `inputs`; none, with the test failed, on error.
inline std::vector<Buffer> eval(const Graph &g, std::vector<Buffer> inputs = {}) {
  auto out = evaluateGraph(g, inputs);
  if (!out) {
    FAIL_CHECK(errorToString(out.takeError()));
    return {};
  }
  return std::move(*out);
}
/// Parses `text` and evaluates it on `inputs`; none on error.
inline std::vector<Buffer> eval(llvm::StringRef text, std::vector<Buffer> inputs = {}) {
  auto g = parse(text);
  if (!g)
    return {};
  return eval(*g, std::move(inputs));
}

/// Output 0 of `g` on `inputs` as T; empty on error.
template <typename T>
std::vector<T> eval1(const Graph &g, std::vector<Buffer> inputs = {}) {
  auto out = eval(g, std::move(inputs));
  if (out.empty())
    return {};
  return as<T>(out[0]);
}
/// Output 0 of `text` on `inputs` as T; empty on error.
template <typename T>
std::vector<T> eval1(llvm::StringRef text, std::vector<Buffer> inputs = {}) {
  auto out = eval(text, std::move(inputs));
  if (out.empty())
    return {};
  return as<T>(out[0]);
}
/// Output 0 of `text` as T, on inputs that all have element type In.
template <typename T, typename In = T>
std::vector<T> evalAs(llvm::StringRef text, const std::vector<std::vector<In>> &inputs) {
  std::vector<Buffer> in;
  for (const auto &v : inputs)
    in.push_back(bytesOf(v));
  return eval1<T>(text, std::move(in));
}

/// Checks `got` against `want` element by element within an absolute
/// tolerance; a NaN in `want` asks for a NaN. Braced lists of wants are doubles.
template <typename T, typename W = double>
void checkClose(const std::vector<T> &got, const std::vector<W> &want, double tol) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", want " << want[i]);
    if (std::isnan(static_cast<double>(want[i])))
      CHECK(std::isnan(static_cast<double>(got[i])));
    else
      CHECK(std::fabs(static_cast<double>(got[i]) - static_cast<double>(want[i])) <= tol);
  }
}

} // namespace tinymlc::test

#endif
