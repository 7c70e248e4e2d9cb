//===- Indexing.cpp - lowering of indexing, scattering, tiling and generator ops ===//
//
// Split, Expand, DepthToSpace and SpaceToDepth are strided copies (the
// data-movement kernel of tmc_data.h with the right strides); the other ops
// call their kernels in tmc_index.h.
//
//===----------------------------------------------------------------------===//
#include "ir/ShapeInference.h"
#include "passes/lower/LowerUtils.h"
#include "tmc_index.h"
#include <cstring>
#include <map>
#include <type_traits>

namespace tinymlc {

namespace lower {
TINYMLC_PARAMS(TileParams, TMC_TILE_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(FillParams, TMC_FILL_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(RangeParams, TMC_RANGE_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(EyeLikeParams, TMC_EYE_LIKE_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(OneHotParams, TMC_ONE_HOT_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(TriluParams, TMC_TRILU_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(GatherElementsParams, TMC_GATHER_ELEMENTS_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(GatherNDParams, TMC_GATHER_ND_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(CompressParams, TMC_COMPRESS_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(ReverseSequenceParams, TMC_REVERSE_SEQUENCE_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(ScatterElementsParams, TMC_SCATTER_ELEMENTS_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(ScatterNDParams, TMC_SCATTER_ND_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(NonZeroParams, TMC_NONZERO_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(UniqueParams, TMC_UNIQUE_PARAMS, "tmc_index.h")
TINYMLC_PARAMS(EinsumParams, TMC_EINSUM_PARAMS, "tmc_index.h")
} // namespace lower

using namespace lower;

namespace {

/// Appends the strided copies of the box `dims` (in and out strides and
/// offsets in elements). Unit dims are dropped and contiguous neighbours
/// merged; if more than the kernel's 8 dims remain, the outermost is peeled
/// off into one call per index.
void appendCopies(Lowering &l, DType t, llvm::ArrayRef<int64_t> dims,
                  llvm::ArrayRef<int64_t> inStrides, llvm::ArrayRef<int64_t> outStrides,
                  int64_t inOffset, int64_t outOffset, const Value *in, const Value *out) {
  if (numElements(dims) == 0)
    return;
  Shape d, si, so;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 1)
      continue;
    if (!d.empty() && si.back() == inStrides[i] * dims[i] &&
        so.back() == outStrides[i] * dims[i]) {
      d.back() *= dims[i];
      si.back() = inStrides[i];
      so.back() = outStrides[i];
      continue;
    }
    d.push_back(dims[i]);
    si.push_back(inStrides[i]);
    so.push_back(outStrides[i]);
  }
  if (d.size() <= tmc::kMaxRank) {
    l.calls.push_back(stridedCopyCall(t, stridedCopyParams(d, si, so, inOffset, outOffset), in, out));
    return;
  }
  for (int64_t i = 0; i < d[0]; ++i)
    appendCopies(l, t, llvm::ArrayRef<int64_t>(d).drop_front(),
                 llvm::ArrayRef<int64_t>(si).drop_front(), llvm::ArrayRef<int64_t>(so).drop_front(),
                 inOffset + i * si[0], outOffset + i * so[0], in, out);
}

/// "tmc::name<ES>" or "tmc::name<ES, I>".
std::string esName(const char *name, int es, const std::string &extra = "") {
  return std::string("tmc::") + name + "<" + std::to_string(es) +
         (extra.empty() ? "" : ", " + extra) + ">";
}

/// Calls fn(TypeTag<I>) for an int32 or int64 index type.
template <typename Fn> auto dispatchIndex(DType t, Fn &&fn) {
  if (t == DType::I32)
    return fn(TypeTag<int32_t>{});
  return fn(TypeTag<int64_t>{});
}

/// An input argument, or a null pointer when the tensor is empty (its kernel
/// reads nothing from it then, and an empty buffer may have no address).
KernelArg inOrNull(const Value *v) {
  return KernelArg::in(v && v->numElements() > 0 ? v : nullptr);
}

void fillDims(int32_t *to, llvm::ArrayRef<int64_t> dims) {
  for (size_t i = 0; i < dims.size(); ++i)
    to[i] = i32(dims[i]);
}

} // namespace

//===----------------------------------------------------------------------===//
// Copies
//===----------------------------------------------------------------------===//

llvm::Expected<Lowering> lowerSplit(const Node &node) {
  const Value *x = node.input(0);
  int64_t axis = node.getInt("axis", 0);
  if (axis < 0)
    axis += x->rank();
  int64_t outer = numElements(x->shape().take_front(axis));
  int64_t inner = numElements(x->shape().drop_front(axis + 1));
  int64_t dim = x->shape()[axis];
  Lowering l;
  int64_t offset = 0;
  for (const Value *y : node.outputs()) {
    int64_t n = y->shape()[axis];
    appendCopies(l, x->dtype(), {outer, n * inner}, {dim * inner, 1}, {n * inner, 1},
                 offset * inner, 0, x, y);
    offset += n;
  }
  return l;
}

llvm::Expected<Lowering> lowerTile(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  // (input size, repeats) per dim, without dims of 1 x 1, and a dim merged
  // into the one outside it when it is not repeated (the pair then reads as
  // one dim of the product's size).
  struct Dim {
    int64_t n, r;
  };
  std::vector<Dim> dims;
  for (int64_t d = 0; d < x->rank(); ++d) {
    int64_t n = x->shape()[d], r = y->shape()[d] / n;
    if (n == 1 && r == 1)
      continue;
    if (!dims.empty() && r == 1) {
      dims.back().n *= n;
      continue;
    }
    dims.push_back({n, r});
  }
  tmc::TileParams p;
  std::memset(&p, 0, sizeof(p));
  p.rank = static_cast<int32_t>(dims.size());
  int64_t rows = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    p.in_dims[d] = i32(dims[d].n);
    p.out_dims[d] = i32(dims[d].n * dims[d].r);
    if (d + 1 < dims.size())
      rows *= dims[d].n * dims[d].r;
  }
  p.rows = i32(rows);
  return dispatchSize(x->dtype(), [&](auto es) {
    constexpr int ES = decltype(es)::value;
    return single(makeCall(esName("tile", ES), &tmc::tile<ES>, p,
                           {KernelArg::in(x), KernelArg::out(y)}));
  });
}

llvm::Expected<Lowering> lowerExpand(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  Shape xs = contiguousStrides(x->shape());
  int64_t lead = y->rank() - x->rank();
  Shape in(y->rank(), 0);
  for (int64_t d = 0; d < x->rank(); ++d)
    in[lead + d] = x->shape()[d] == 1 ? 0 : xs[d];
  Lowering l;
  appendCopies(l, x->dtype(), y->shape(), in, contiguousStrides(y->shape()), 0, 0, x, y);
  return l;
}

llvm::Expected<Lowering> lowerDepthSpace(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  int64_t b = node.getInt("blocksize", 1);
  int64_t n = x->shape()[0], c = x->shape()[1], h = x->shape()[2], w = x->shape()[3];
  Shape dims, in;
  if (node.kind() == OpKind::DepthToSpace) {
    // y[n, c', h*b + i, w*b + j] with the input channel i*b*C' + j*C' + c'
    // (DCR) or c'*b*b + i*b + j (CRD); y's dims as [N, C', H, b, W, b].
    int64_t cc = c / (b * b), plane = h * w;
    bool crd = node.getString("mode", "DCR") == "CRD";
    dims = {n, cc, h, b, w, b};
    if (crd)
      in = {c * plane, b * b * plane, w, b * plane, 1, plane};
    else
      in = {c * plane, plane, w, b * cc * plane, 1, cc * plane};
  } else {
    // y[n, (i*b + j)*C + c, h', w'] = x[n, c, h'*b + i, w'*b + j]; y's dims
    // as [N, b, b, C, H', W'].
    dims = {n, b, b, c, h / b, w / b};
    in = {c * h * w, w, 1, h * w, b * w, b};
  }
  Lowering l;
  appendCopies(l, x->dtype(), dims, in, contiguousStrides(dims), 0, 0, x, y);
  return l;
}

//===----------------------------------------------------------------------===//
// Generators and masks
//===----------------------------------------------------------------------===//

llvm::Expected<Lowering> lowerConstantOfShape(const Node &node) {
  const Value *y = node.output(0);
  tmc::FillParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(y->numElements());
  // The value's bytes, packed into the param words (read back with memcpy
  // on the little-endian targets tinymlc supports).
  if (const Attribute *a = node.attr("value"))
    std::memcpy(p.value, a->getTensor().bytes.data(),
                std::min<size_t>(a->getTensor().bytes.size(), sizeof(p.value)));
  return dispatchSize(y->dtype(), [&](auto es) {
    constexpr int ES = decltype(es)::value;
    return single(makeCall(esName("fill", ES), &tmc::fill<ES>, p, {KernelArg::out(y)}));
  });
}

llvm::Expected<Lowering> lowerRange(const Node &node) {
  const Value *y = node.output(0);
  tmc::RangeParams p;
  p.count = i32(y->numElements());
  return dispatchType(y->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      return nodeError(node, "no kernel for element type bool");
    } else {
      return single(makeCall(templ("tmc::range", {CName<T>::get()}), &tmc::range<T>, p,
                             {KernelArg::in(node.input(0)), KernelArg::in(node.input(2)),
                              KernelArg::out(y)}));
    }
  });
}

llvm::Expected<Lowering> lowerEyeLike(const Node &node) {
  const Value *y = node.output(0);
  tmc::EyeLikeParams p;
  p.rows = i32(y->shape()[0]);
  p.cols = i32(y->shape()[1]);
  p.k = i32(node.getInt("k", 0));
  return dispatchType(y->dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    return single(makeCall(templ("tmc::eye_like", {CName<T>::get()}), &tmc::eye_like<T>, p,
                           {KernelArg::out(y)}));
  });
}

llvm::Expected<Lowering> lowerOneHot(const Node &node) {
  const Value *idx = node.input(0), *values = node.input(2), *y = node.output(0);
  int64_t axis = node.getInt("axis", -1);
  if (axis < 0)
    axis += y->rank();
  tmc::OneHotParams p;
  p.outer = i32(numElements(idx->shape().take_front(axis)));
  p.depth = i32(y->shape()[axis]);
  p.inner = i32(numElements(idx->shape().drop_front(axis)));
  return dispatchType(idx->dtype(), [&](auto itag) -> llvm::Expected<Lowering> {
    using I = typename decltype(itag)::type;
    if constexpr (std::is_same_v<I, bool>) {
      return nodeError(node, "indices must be numeric, not bool");
    } else {
      return dispatchSize(values->dtype(), [&](auto es) -> llvm::Expected<Lowering> {
        constexpr int ES = decltype(es)::value;
        return single(makeCall(esName("one_hot", ES, CName<I>::get()), &tmc::one_hot<ES, I>, p,
                               {KernelArg::in(idx), KernelArg::in(values), KernelArg::out(y)}));
      });
    }
  });
}

llvm::Expected<Lowering> lowerTrilu(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::TriluParams p;
  p.rows = i32(x->shape()[x->rank() - 2]);
  p.cols = i32(x->shape()[x->rank() - 1]);
  p.batch = i32(numElements(x->shape().drop_back(2)));
  p.upper = node.getInt("upper", 1) != 0;
  return dispatchSize(x->dtype(), [&](auto es) {
    constexpr int ES = decltype(es)::value;
    return single(makeCall(esName("trilu", ES), &tmc::trilu<ES>, p,
                           {KernelArg::in(x), KernelArg::in(node.input(1)), KernelArg::out(y)}));
  });
}

//===----------------------------------------------------------------------===//
// Gathers and scatters
//===----------------------------------------------------------------------===//

llvm::Expected<Lowering> lowerGatherElements(const Node &node) {
  const Value *data = node.input(0), *idx = node.input(1), *y = node.output(0);
  int64_t axis = node.getInt("axis", 0);
  if (axis < 0)
    axis += data->rank();
  tmc::GatherElementsParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(idx->numElements());
  p.rank = i32(data->rank());
  p.axis = i32(axis);
  fillDims(p.dims, idx->shape());
  fillDims(p.data_dims, data->shape());
  return dispatchSize(data->dtype(), [&](auto es) {
    constexpr int ES = decltype(es)::value;
    return dispatchIndex(idx->dtype(), [&](auto itag) {
      using I = typename decltype(itag)::type;
      return single(makeCall(esName("gather_elements", ES, CName<I>::get()),
                             &tmc::gather_elements<ES, I>, p,
                             {KernelArg::in(data), KernelArg::in(idx), KernelArg::out(y)}));
    });
  });
}

namespace {
/// GatherND/ScatterND geometry: the `depth` data dims from `first` on, with
/// their element strides in data.
void tupleDims(const Value *data, int64_t first, int64_t depth, int32_t *dims, int32_t *strides) {
  Shape s = contiguousStrides(data->shape());
  for (int64_t k = 0; k < depth; ++k) {
    dims[k] = i32(data->shape()[first + k]);
    strides[k] = i32(s[first + k]);
  }
}
} // namespace

llvm::Expected<Lowering> lowerGatherND(const Node &node) {
  const Value *data = node.input(0), *idx = node.input(1), *y = node.output(0);
  int64_t b = node.getInt("batch_dims", 0), depth = idx->shape().back();
  tmc::GatherNDParams p;
  std::memset(&p, 0, sizeof(p));
  p.batch = i32(numElements(data->shape().take_front(b)));
  p.tuples = i32(numElements(idx->shape().drop_front(b).drop_back()));
  p.depth = i32(depth);
  p.slice = i32(numElements(data->shape().drop_front(b + depth)));
  p.data_batch = i32(numElements(data->shape().drop_front(b)));
  tupleDims(data, b, depth, p.dims, p.strides);
  return dispatchSize(data->dtype(), [&](auto es) {
    constexpr int ES = decltype(es)::value;
    return single(makeCall(esName("gather_nd", ES), &tmc::gather_nd<ES>, p,
                           {inOrNull(data), KernelArg::in(idx), KernelArg::out(y)}));
  });
}

namespace {
int32_t reductionOf(const Node &node) {
  std::string r = node.getString("reduction", "none");
  return r == "add" ? tmc::kScatterAdd : r == "mul" ? tmc::kScatterMul : tmc::kScatterNone;
}
} // namespace

llvm::Expected<Lowering> lowerScatterElements(const Node &node) {
  const Value *data = node.input(0), *idx = node.input(1), *upd = node.input(2),
              *y = node.output(0);
  int64_t axis = node.getInt("axis", 0);
  if (axis < 0)
    axis += data->rank();
  tmc::ScatterElementsParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(idx->numElements());
  p.data_count = i32(data->numElements());
  p.rank = i32(data->rank());
  p.axis = i32(axis);
  p.reduction = reductionOf(node);
  fillDims(p.dims, idx->shape());
  fillDims(p.data_dims, data->shape());
  return dispatchType(data->dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    return dispatchIndex(idx->dtype(), [&](auto itag) {
      using I = typename decltype(itag)::type;
      return single(makeCall(templ("tmc::scatter_elements", {CName<T>::get(), CName<I>::get()}),
                             &tmc::scatter_elements<T, I>, p,
                             {KernelArg::in(data), KernelArg::in(idx), KernelArg::in(upd),
                              KernelArg::out(y)}));
    });
  });
}

llvm::Expected<Lowering> lowerScatterND(const Node &node) {
  const Value *data = node.input(0), *idx = node.input(1), *upd = node.input(2),
              *y = node.output(0);
  int64_t depth = idx->shape().back();
  tmc::ScatterNDParams p;
  std::memset(&p, 0, sizeof(p));
  p.data_count = i32(data->numElements());
  p.tuples = i32(numElements(idx->shape().drop_back()));
  p.depth = i32(depth);
  p.slice = i32(numElements(data->shape().drop_front(depth)));
  p.reduction = reductionOf(node);
  tupleDims(data, 0, depth, p.dims, p.strides);
  return dispatchType(data->dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    return single(makeCall(templ("tmc::scatter_nd", {CName<T>::get()}), &tmc::scatter_nd<T>, p,
                           {KernelArg::in(data), KernelArg::in(idx), KernelArg::in(upd),
                            KernelArg::out(y)}));
  });
}

llvm::Expected<Lowering> lowerReverseSequence(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  int64_t batchAxis = node.getInt("batch_axis", 1), timeAxis = node.getInt("time_axis", 0);
  Shape s = contiguousStrides(x->shape());
  tmc::ReverseSequenceParams p;
  p.steps = i32(x->shape()[timeAxis]);
  p.batch = i32(x->shape()[batchAxis]);
  p.step_stride = i32(s[timeAxis]);
  p.batch_stride = i32(s[batchAxis]);
  p.inner = i32(numElements(x->shape().drop_front(2)));
  return dispatchSize(x->dtype(), [&](auto es) {
    constexpr int ES = decltype(es)::value;
    return single(makeCall(esName("reverse_sequence", ES), &tmc::reverse_sequence<ES>, p,
                           {KernelArg::in(x), KernelArg::in(node.input(1)), KernelArg::out(y)}));
  });
}

llvm::Expected<Lowering> lowerCompress(const Node &node) {
  const Value *x = node.input(0), *cond = node.input(1), *y = node.output(0);
  tmc::CompressParams p;
  p.outer = 1;
  p.axis_size = i32(x->numElements());
  p.inner = 1;
  p.conditions = i32(cond->numElements());
  if (node.hasAttr("axis")) {
    int64_t axis = node.getInt("axis", 0);
    if (axis < 0)
      axis += x->rank();
    p.outer = i32(numElements(x->shape().take_front(axis)));
    p.axis_size = i32(x->shape()[axis]);
    p.inner = i32(numElements(x->shape().drop_front(axis + 1)));
  }
  return dispatchSize(x->dtype(), [&](auto es) {
    constexpr int ES = decltype(es)::value;
    return single(makeCall(esName("compress", ES), &tmc::compress<ES>, p,
                           {KernelArg::in(x), KernelArg::in(cond), KernelArg::out(y)}));
  });
}

//===----------------------------------------------------------------------===//
// Searches
//===----------------------------------------------------------------------===//

llvm::Expected<Lowering> lowerNonZero(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::NonZeroParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = i32(x->numElements());
  p.rank = i32(x->rank());
  p.nonzeros = i32(y->shape()[1]);
  fillDims(p.dims, x->shape());
  return dispatchType(x->dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    return single(makeCall(templ("tmc::nonzero", {CName<T>::get()}), &tmc::nonzero<T>, p,
                           {KernelArg::in(x), KernelArg::out(y)}));
  });
}

llvm::Expected<Lowering> lowerUnique(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::UniqueParams p;
  p.outer = 1;
  p.n = i32(x->numElements());
  p.inner = 1;
  p.sorted = node.getInt("sorted", 1) != 0;
  int64_t axis = -1;
  if (node.hasAttr("axis")) {
    axis = node.getInt("axis", 0);
    if (axis < 0)
      axis += x->rank();
    p.outer = i32(numElements(x->shape().take_front(axis)));
    p.n = i32(x->shape()[axis]);
    p.inner = i32(numElements(x->shape().drop_front(axis + 1)));
  }
  p.uniques = i32(axis >= 0 ? y->shape()[axis] : y->shape()[0]);
  auto out = [&](unsigned i) {
    return node.output(i) ? KernelArg::out(node.output(i)) : KernelArg::in(nullptr);
  };
  int64_t scratch = 2 * (static_cast<int64_t>(p.n) + p.uniques) * 4;
  return dispatchType(x->dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    return single(makeCall(templ("tmc::unique", {CName<T>::get()}), &tmc::unique<T>, p,
                           {KernelArg::in(x), KernelArg::out(y), out(1), out(2), out(3),
                            KernelArg::scratch(scratch)}));
  });
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

llvm::Expected<Lowering> lowerEinsum(const Node &node) {
  std::vector<std::string> operands;
  std::string output;
  std::map<char, int64_t> dims;
  if (auto e = einsumLetters(node, operands, output, dims))
    return e;
  // Loop order: the output's letters, then the summed ones (ASCII order).
  std::string loops = output;
  for (const auto &[c, n] : dims)
    if (output.find(c) == std::string::npos)
      loops += c;
  tmc::EinsumParams p;
  std::memset(&p, 0, sizeof(p));
  p.inputs = static_cast<int32_t>(node.numInputs());
  p.loops = static_cast<int32_t>(loops.size());
  p.out_loops = static_cast<int32_t>(output.size());
  for (size_t l = 0; l < loops.size(); ++l)
    p.dims[l] = i32(dims[loops[l]]);
  for (unsigned k = 0; k < node.numInputs(); ++k) {
    const Value *x = node.input(k);
    Shape s = contiguousStrides(x->shape());
    for (size_t j = 0; j < operands[k].size(); ++j) {
      char c = operands[k][j];
      if (x->shape()[j] == 1)
        continue; // broadcast (or a unit dim: only index 0 exists)
      p.strides[k * 16 + loops.find(c)] += i32(s[j]);
    }
  }
  const Value *y = node.output(0);
  // An empty operand makes every sum empty: the result is zeros.
  for (const Value *x : node.inputs())
    if (x->numElements() == 0) {
      tmc::FillParams z;
      std::memset(&z, 0, sizeof(z));
      z.count = i32(y->numElements());
      return dispatchSize(y->dtype(), [&](auto es) {
        constexpr int ES = decltype(es)::value;
        return single(makeCall(esName("fill", ES), &tmc::fill<ES>, z, {KernelArg::out(y)}));
      });
    }
  auto arg = [&](unsigned k) { return KernelArg::in(node.input(k)); };
  return dispatchType(y->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      return nodeError(node, "no kernel for element type bool");
    } else {
      return single(makeCall(templ("tmc::einsum", {CName<T>::get()}), &tmc::einsum<T>, p,
                             {arg(0), arg(1), arg(2), arg(3), KernelArg::out(y)}));
    }
  });
}

} // namespace tinymlc
