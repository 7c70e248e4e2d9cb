//===- LowerUtils.cpp - helpers shared by the lowering routines -----------===//
#include "passes/lower/LowerUtils.h"
#include <cmath>
#include <cstring>
#include <limits>

namespace tinymlc {

llvm::Expected<Lowering> lowerNode(const Node &node) {
  for (const Value *v : node.inputs())
    if (v && v->rank() > tmc::kMaxRank)
      return nodeError(node, "input '" + v->name() + "' has rank " + llvm::Twine(v->rank()) +
                                 "; kernels support up to " + llvm::Twine(int(tmc::kMaxRank)));
  for (const Value *v : node.outputs())
    if (v && v->numElements() > std::numeric_limits<int32_t>::max())
      return nodeError(node, "output '" + v->name() + "' has " +
                                 llvm::Twine(v->numElements()) +
                                 " elements; tinymlc limits tensors to 2^31 elements");
  // Nothing to compute for empty outputs (kernels may assume non-empty data).
  bool allEmpty = node.numOutputs() > 0;
  for (const Value *v : node.outputs())
    allEmpty &= v && v->numElements() == 0;
  if (allEmpty && node.kind() != OpKind::Shape && node.kind() != OpKind::Size)
    return Lowering{};
  switch (node.kind()) {
#define OP(Kind, Name, Infer, Lower, MinIn, MaxIn, MinOut, MaxOut, Summary)                    \
  case OpKind::Kind:                                                                           \
    return lower##Lower(node);
#include "ir/Ops.def"
  }
  return nodeError(node, "no lowering");
}

namespace lower {

void ParamPrinter::field(const char *name, float v) {
  std::string s = formatFloat(v);
  if (s == "inf")
    s = "HUGE_VALF";
  else if (s == "-inf")
    s = "-HUGE_VALF";
  else if (s == "nan")
    s = "NAN";
  else if (s.find_first_of(".e") == std::string::npos)
    s += ".0f";
  else
    s += "f";
  fields.push_back({name, s});
}

void ParamPrinter::array(const char *name, const int32_t *v, int n) {
  // Trailing zeros are left to aggregate initialisation.
  int last = n;
  while (last > 0 && v[last - 1] == 0)
    --last;
  std::string s = "{";
  for (int i = 0; i < last; ++i) {
    if (i)
      s += ", ";
    s += std::to_string(v[i]);
  }
  fields.push_back({name, s + "}"});
}

void ParamPrinter::array(const char *name, const float *v, int n) {
  int last = n; // trailing zeros are left to aggregate initialisation
  while (last > 0 && v[last - 1] == 0.0f && !std::signbit(v[last - 1]))
    --last;
  std::string s = "{";
  for (int i = 0; i < last; ++i) {
    ParamPrinter one;
    one.field("", v[i]);
    s += (i ? ", " : "") + one.fields[0].text;
  }
  fields.push_back({name, s + "}"});
}

std::string templ(llvm::StringRef name, std::initializer_list<std::string> args) {
  std::string s = name.str() + "<";
  bool first = true;
  for (const std::string &a : args) {
    if (!first)
      s += ", ";
    first = false;
    s += a;
  }
  return s + ">";
}

int32_t i32(int64_t v) {
  assert(v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max() &&
         "size does not fit a kernel parameter");
  return static_cast<int32_t>(v);
}

Shape contiguousStrides(llvm::ArrayRef<int64_t> shape) {
  Shape s(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    s[d] = s[d + 1] * shape[d + 1];
  return s;
}

void fusedActivation(const Node &node, int32_t &act, float &alpha, float &beta) {
  std::string a = node.getString("fused_activation", "");
  alpha = node.getFloat("fused_alpha", 0.0f);
  beta = node.getFloat("fused_beta", 0.0f);
  act = tmc::kActNone;
  if (a == "Relu")
    act = tmc::kActRelu;
  else if (a == "Clip")
    act = tmc::kActClip;
  else if (a == "LeakyRelu")
    act = tmc::kActLeakyRelu;
  else if (a == "Sigmoid")
    act = tmc::kActSigmoid;
  else if (a == "Tanh")
    act = tmc::kActTanh;
  else if (a == "HardSigmoid")
    act = tmc::kActHardSigmoid;
  else if (a == "HardSwish")
    act = tmc::kActHardSwish;
}

tmc::StridedCopyParams stridedCopyParams(llvm::ArrayRef<int64_t> dims,
                                         llvm::ArrayRef<int64_t> inStrides,
                                         llvm::ArrayRef<int64_t> outStrides, int64_t inOffset,
                                         int64_t outOffset) {
  // Drop unit dims, then merge a dim into the next inner one when both sides
  // step through them contiguously.
  struct Dim {
    int64_t n, si, so;
  };
  std::vector<Dim> ds;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] != 1)
      ds.push_back({dims[i], inStrides[i], outStrides[i]});
  std::vector<Dim> merged;
  for (const Dim &d : ds) {
    if (!merged.empty()) {
      Dim &prev = merged.back();
      if (prev.si == d.si * d.n && prev.so == d.so * d.n) {
        prev = {prev.n * d.n, d.si, d.so};
        continue;
      }
    }
    merged.push_back(d);
  }
  tmc::StridedCopyParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(numElements(dims));
  assert(merged.size() <= tmc::kMaxRank && "strided copy rank too large");
  p.rank = static_cast<int32_t>(merged.size());
  for (size_t i = 0; i < merged.size(); ++i) {
    p.dims[i] = i32(merged[i].n);
    p.in_strides[i] = i32(merged[i].si);
    p.out_strides[i] = i32(merged[i].so);
  }
  p.in_offset = i32(inOffset);
  p.out_offset = i32(outOffset);
  return p;
}

KernelCall stridedCopyCall(DType t, const tmc::StridedCopyParams &p, const Value *in,
                           const Value *out) {
  return dispatchSize(t, [&](auto es) {
    constexpr int ES = decltype(es)::value;
    return makeCall("tmc::strided_copy<" + std::to_string(ES) + ">", &tmc::strided_copy<ES>, p,
                    {KernelArg::in(in), KernelArg::out(out)});
  });
}

} // namespace lower
} // namespace tinymlc
