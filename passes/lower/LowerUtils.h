//===- LowerUtils.h - helpers shared by the lowering routines -------------===//
#ifndef TINYMLC_PASSES_LOWER_LOWERUTILS_H
#define TINYMLC_PASSES_LOWER_LOWERUTILS_H

#include "ir/Diagnostic.h"
#include "ir/Format.h"
#include "passes/Kernel.h"
#include "tmc_conv.h"
#include "tmc_data.h"
#include "tmc_elementwise.h"
#include "tmc_linear.h"
#include "tmc_normalize.h"
#include "tmc_pool.h"
#include "tmc_reduce.h"
#include <utility>

namespace tinymlc {

// Every routine named in Ops.def.
#define OP(Kind, Name, Infer, Lower, MinIn, MaxIn, MinOut, MaxOut, Summary)                    \
  llvm::Expected<Lowering> lower##Lower(const Node &node);
#include "ir/Ops.def"

namespace lower {

//===----------------------------------------------------------------------===//
// C++ spelling of kernel argument types
//===----------------------------------------------------------------------===//

template <typename T> struct CName;
#define TINYMLC_CNAME(T, S)                                                                    \
  template <> struct CName<T> {                                                                \
    static std::string get() { return S; }                                                     \
  };
TINYMLC_CNAME(float, "float")
TINYMLC_CNAME(double, "double")
TINYMLC_CNAME(int8_t, "int8_t")
TINYMLC_CNAME(uint8_t, "uint8_t")
TINYMLC_CNAME(int16_t, "int16_t")
TINYMLC_CNAME(uint16_t, "uint16_t")
TINYMLC_CNAME(int32_t, "int32_t")
TINYMLC_CNAME(uint32_t, "uint32_t")
TINYMLC_CNAME(int64_t, "int64_t")
TINYMLC_CNAME(uint64_t, "uint64_t")
TINYMLC_CNAME(bool, "bool")
TINYMLC_CNAME(void, "void")
#undef TINYMLC_CNAME
template <typename T> struct CName<const T *> {
  static std::string get() { return "const " + CName<T>::get() + " *"; }
};
template <typename T> struct CName<T *> {
  static std::string get() { return CName<T>::get() + " *"; }
};

//===----------------------------------------------------------------------===//
// Parameter structs: printed from the same X-macro that declares them
//===----------------------------------------------------------------------===//

class ParamPrinter {
public:
  std::vector<ParamField> fields;
  void field(const char *name, int32_t v) { fields.push_back({name, std::to_string(v)}); }
  void field(const char *name, float v);
  void array(const char *name, const int32_t *v, int n);
  void array(const char *name, const float *v, int n);
};

template <typename P> struct ParamsTraits;
#define TINYMLC_PRINT_FIELD(type, name) pr.field(#name, p.name);
#define TINYMLC_PRINT_ARRAY(type, name, n) pr.array(#name, p.name, n);
#define TINYMLC_PARAMS(P, FIELDS, HEADER)                                                      \
  template <> struct ParamsTraits<tmc::P> {                                                    \
    static const char *name() { return "tmc::" #P; }                                           \
    static const char *header() { return HEADER; }                                             \
    static void print(const tmc::P &p, ParamPrinter &pr) {                                     \
      FIELDS(TINYMLC_PRINT_FIELD, TINYMLC_PRINT_ARRAY)                                         \
    }                                                                                          \
  };
TINYMLC_PARAMS(ConvParams, TMC_CONV_PARAMS, "tmc_conv.h")
TINYMLC_PARAMS(GemmParams, TMC_GEMM_PARAMS, "tmc_linear.h")
TINYMLC_PARAMS(MatMulParams, TMC_MATMUL_PARAMS, "tmc_linear.h")
TINYMLC_PARAMS(PoolParams, TMC_POOL_PARAMS, "tmc_pool.h")
TINYMLC_PARAMS(GlobalPoolParams, TMC_GLOBAL_POOL_PARAMS, "tmc_pool.h")
TINYMLC_PARAMS(UnaryParams, TMC_UNARY_PARAMS, "tmc_elementwise.h")
TINYMLC_PARAMS(ClipParams, TMC_CLIP_PARAMS, "tmc_elementwise.h")
TINYMLC_PARAMS(CastParams, TMC_CAST_PARAMS, "tmc_elementwise.h")
TINYMLC_PARAMS(BinaryParams, TMC_BINARY_PARAMS, "tmc_elementwise.h")
TINYMLC_PARAMS(BatchNormParams, TMC_BATCHNORM_PARAMS, "tmc_normalize.h")
TINYMLC_PARAMS(SoftmaxParams, TMC_SOFTMAX_PARAMS, "tmc_normalize.h")
TINYMLC_PARAMS(CopyParams, TMC_COPY_PARAMS, "tmc_data.h")
TINYMLC_PARAMS(StridedCopyParams, TMC_STRIDED_COPY_PARAMS, "tmc_data.h")
TINYMLC_PARAMS(PadParams, TMC_PAD_PARAMS, "tmc_data.h")
TINYMLC_PARAMS(GatherParams, TMC_GATHER_PARAMS, "tmc_data.h")
// Reductions and MeanVarianceNormalization share the reduction geometry.
TINYMLC_PARAMS(ReduceParams, TMC_REDUCE_PARAMS, "tmc_reduce.h")
// A family's own parameter structs are registered in its lowering file, in
// namespace tinymlc::lower, before their first use:
//   namespace tinymlc::lower { TINYMLC_PARAMS(TopKParams, TMC_TOPK_PARAMS, "tmc_reduce.h") }

template <typename P, typename... Args, size_t... I>
void invokeKernel(void (*fn)(const P *, Args...), const P &params, llvm::ArrayRef<void *> ptrs,
                  std::index_sequence<I...>) {
  fn(&params, static_cast<Args>(ptrs[I])...);
}

/// Builds a KernelCall for kernel `fn` named `name` (its C++ spelling, with
/// template arguments), with parameters `params` and tensor arguments `args`
/// in the kernel's order. The argument C types come from fn's signature.
template <typename P, typename... Args>
KernelCall makeCall(std::string name, void (*fn)(const P *, Args...), const P &params,
                    std::vector<KernelArg> args) {
  assert(args.size() == sizeof...(Args) && "argument count does not match the kernel");
  KernelCall call;
  call.function = std::move(name);
  call.header = ParamsTraits<P>::header();
  call.paramsType = ParamsTraits<P>::name();
  ParamPrinter pr;
  ParamsTraits<P>::print(params, pr);
  call.params = std::move(pr.fields);
  std::string types[] = {CName<Args>::get()...};
  for (size_t i = 0; i < args.size(); ++i)
    args[i].cType = types[i];
  call.args = std::move(args);
  call.run = [fn, params](llvm::ArrayRef<void *> ptrs) {
    assert(ptrs.size() == sizeof...(Args) && "pointer count does not match the kernel");
    invokeKernel(fn, params, ptrs, std::index_sequence_for<Args...>{});
  };
  return call;
}

/// "name<A, B>" for template arguments given as C names.
std::string templ(llvm::StringRef name, std::initializer_list<std::string> args);

/// Lowering with a single call.
inline Lowering single(KernelCall call) {
  Lowering l;
  l.calls.push_back(std::move(call));
  return l;
}

//===----------------------------------------------------------------------===//
// Element-type dispatch
//===----------------------------------------------------------------------===//

template <typename T> struct TypeTag {
  using type = T;
};

/// Calls fn(TypeTag<T>{}) for the C type of `t`.
template <typename Fn> auto dispatchType(DType t, Fn &&fn) {
  switch (t) {
  case DType::F32:
    return fn(TypeTag<float>{});
  case DType::F64:
    return fn(TypeTag<double>{});
  case DType::I8:
    return fn(TypeTag<int8_t>{});
  case DType::U8:
    return fn(TypeTag<uint8_t>{});
  case DType::I16:
    return fn(TypeTag<int16_t>{});
  case DType::U16:
    return fn(TypeTag<uint16_t>{});
  case DType::I32:
    return fn(TypeTag<int32_t>{});
  case DType::U32:
    return fn(TypeTag<uint32_t>{});
  case DType::I64:
    return fn(TypeTag<int64_t>{});
  case DType::U64:
    return fn(TypeTag<uint64_t>{});
  case DType::Bool:
    return fn(TypeTag<bool>{});
  }
  return fn(TypeTag<float>{});
}

/// Calls fn(std::integral_constant<int, size>) for the element size of `t`.
template <typename Fn> auto dispatchSize(DType t, Fn &&fn) {
  switch (dtypeSize(t)) {
  case 1:
    return fn(std::integral_constant<int, 1>{});
  case 2:
    return fn(std::integral_constant<int, 2>{});
  case 4:
    return fn(std::integral_constant<int, 4>{});
  default:
    return fn(std::integral_constant<int, 8>{});
  }
}

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

/// Narrows a size to the int32 fields of the parameter structs; sizes beyond
/// 2^31 are refused earlier (no microcontroller holds such a tensor).
int32_t i32(int64_t v);

/// Row-major strides of a shape, in elements.
Shape contiguousStrides(llvm::ArrayRef<int64_t> shape);

/// Fills the fused activation fields from a node's fused_* attributes.
void fusedActivation(const Node &node, int32_t &act, float &alpha, float &beta);

/// A strided copy of `dims`, reading with in strides from `inOffset`, writing
/// with out strides from `outOffset`; merges dims that are contiguous on both
/// sides and drops unit dims, so the kernel loops as little as possible.
tmc::StridedCopyParams stridedCopyParams(llvm::ArrayRef<int64_t> dims,
                                         llvm::ArrayRef<int64_t> inStrides,
                                         llvm::ArrayRef<int64_t> outStrides, int64_t inOffset,
                                         int64_t outOffset);

/// The box geometry of reducing `shape` over the axes marked in `reduced`
/// (passes/lower/Reduce.cpp): unit dims dropped, kept and reduced dims each
/// merged with their inner neighbour when contiguous.
tmc::ReduceParams reduceParams(llvm::ArrayRef<int64_t> shape, const std::vector<bool> &reduced);

/// The geometry of a convolution of x by w into y (1-d and 2-d as 3-d),
/// without the activation fields.
llvm::Expected<tmc::ConvParams> convParams(const Node &node, const Value *x, const Value *w,
                                           const Value *y);

/// The geometry of numpy.matmul(a, b) (1-d operands promoted, batch
/// dimensions broadcast), without the activation fields.
llvm::Expected<tmc::MatMulParams> matMulParams(const Node &node, const Value *a, const Value *b);

/// The strided-copy kernel call for element type `t`.
KernelCall stridedCopyCall(DType t, const tmc::StridedCopyParams &p, const Value *in,
                           const Value *out);

} // namespace lower

/// Broadcast parameters of y = op(a, b): rank 0 when no operand is broadcast
/// (passes/lower/Elementwise.cpp).
llvm::Expected<tmc::BinaryParams> binaryParams(const Node &node, const Value *a, const Value *b,
                                               const Value *y);

namespace lower {

} // namespace lower
} // namespace tinymlc

#endif
