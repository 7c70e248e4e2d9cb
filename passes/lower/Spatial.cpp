//===- Spatial.cpp - lowering of windowed and resampling ops --------------===//
//
// Conv and ConvTranspose, the pools, BatchNormalization, Resize/Upsample,
// GridSample, RoiAlign and NonMaxSuppression.
//
//===----------------------------------------------------------------------===//
#include "ir/ShapeInference.h"
#include "passes/lower/LowerUtils.h"
#include "tmc_resize.h"
#include <algorithm>
#include <cstring>
#include <type_traits>

namespace tinymlc {

namespace lower {
// This family's parameter structs.
TINYMLC_PARAMS(ConvTransposeParams, TMC_CONV_TRANSPOSE_PARAMS, "tmc_conv.h")
TINYMLC_PARAMS(LpPoolParams, TMC_LP_POOL_PARAMS, "tmc_pool.h")
TINYMLC_PARAMS(GlobalLpPoolParams, TMC_GLOBAL_LP_POOL_PARAMS, "tmc_pool.h")
TINYMLC_PARAMS(MaxUnpoolParams, TMC_MAX_UNPOOL_PARAMS, "tmc_pool.h")
TINYMLC_PARAMS(MaxRoiPoolParams, TMC_MAX_ROI_POOL_PARAMS, "tmc_pool.h")
TINYMLC_PARAMS(ResizeParams, TMC_RESIZE_PARAMS, "tmc_resize.h")
TINYMLC_PARAMS(GridSampleParams, TMC_GRID_SAMPLE_PARAMS, "tmc_resize.h")
TINYMLC_PARAMS(RoiAlignParams, TMC_ROI_ALIGN_PARAMS, "tmc_resize.h")
TINYMLC_PARAMS(NmsParams, TMC_NMS_PARAMS, "tmc_resize.h")
} // namespace lower

using namespace lower;

namespace {
/// Copies spatial sizes into a 3-entry kernel array, right-aligned, filling
/// the leading entries with `fill` (1-d and 2-d ops run as 3-d ones).
void spatial3(int32_t (&dst)[3], llvm::ArrayRef<int64_t> src, int32_t fill) {
  size_t off = 3 - src.size();
  for (size_t i = 0; i < 3; ++i)
    dst[i] = i < off ? fill : i32(src[i - off]);
}

llvm::Error noKernel(const Node &node, DType t) {
  return nodeError(node, "no kernel for element type " + dtypeName(t));
}
} // namespace

llvm::Expected<tmc::ConvParams> lower::convParams(const Node &node, const Value *x,
                                                 const Value *w, const Value *y) {
  auto g = windowGeometry(node, x->shape().drop_front(2), w->shape().drop_front(2));
  if (!g)
    return g.takeError();
  tmc::ConvParams p;
  std::memset(&p, 0, sizeof(p));
  p.batch = i32(x->shape()[0]);
  p.in_channels = i32(x->shape()[1]);
  p.out_channels = i32(y->shape()[1]);
  p.group = i32(node.getInt("group", 1));
  spatial3(p.in_size, g->in, 1);
  spatial3(p.out_size, g->out, 1);
  spatial3(p.kernel, g->kernel, 1);
  spatial3(p.stride, g->strides, 1);
  spatial3(p.dilation, g->dilations, 1);
  spatial3(p.pad, g->padBegin, 0);
  return p;
}

llvm::Expected<Lowering> lowerConv(const Node &node) {
  const Value *x = node.input(0), *w = node.input(1), *b = node.input(2), *y = node.output(0);
  auto pe = convParams(node, x, w, y);
  if (!pe)
    return pe.takeError();
  tmc::ConvParams p = *pe;
  fusedActivation(node, p.act, p.act_alpha, p.act_beta);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::conv", {CName<T>::get()}), &tmc::conv<T>, p,
                             {KernelArg::in(x), KernelArg::in(w), KernelArg::in(b),
                              KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerPool(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  std::vector<int64_t> kernel = node.getInts("kernel_shape");
  auto g = windowGeometry(node, x->shape().drop_front(2), kernel);
  if (!g)
    return g.takeError();
  tmc::PoolParams p;
  std::memset(&p, 0, sizeof(p));
  p.planes = i32(x->shape()[0] * x->shape()[1]);
  spatial3(p.in_size, g->in, 1);
  spatial3(p.out_size, g->out, 1);
  spatial3(p.kernel, g->kernel, 1);
  spatial3(p.stride, g->strides, 1);
  spatial3(p.dilation, g->dilations, 1);
  spatial3(p.pad, g->padBegin, 0);
  spatial3(p.pad_end, g->padEnd, 0);
  p.count_include_pad = i32(node.getInt("count_include_pad", 0));
  p.storage_order = i32(node.getInt("storage_order", 0));
  bool isMax = node.kind() == OpKind::MaxPool;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      return noKernel(node, x->dtype());
    } else if (isMax) {
      return single(makeCall(templ("tmc::max_pool", {CName<T>::get()}), &tmc::max_pool<T>, p,
                             {KernelArg::in(x), KernelArg::out(y),
                              node.output(1) ? KernelArg::out(node.output(1))
                                             : KernelArg::in(nullptr)}));
    } else if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::avg_pool", {CName<T>::get()}), &tmc::avg_pool<T>, p,
                             {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerGlobalPool(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::GlobalPoolParams p;
  p.planes = i32(x->shape()[0] * x->shape()[1]);
  p.plane_size = i32(numElements(x->shape().drop_front(2)));
  bool isMax = node.kind() == OpKind::GlobalMaxPool;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      if (node.kind() == OpKind::GlobalLpPool) {
        tmc::GlobalLpPoolParams lp;
        lp.planes = p.planes;
        lp.plane_size = p.plane_size;
        lp.p = i32(node.getInt("p", 2));
        return single(makeCall(templ("tmc::global_lp_pool", {CName<T>::get()}),
                               &tmc::global_lp_pool<T>, lp,
                               {KernelArg::in(x), KernelArg::out(y)}));
      }
      if (isMax)
        return single(makeCall(templ("tmc::global_max_pool", {CName<T>::get()}),
                               &tmc::global_max_pool<T>, p,
                               {KernelArg::in(x), KernelArg::out(y)}));
      return single(makeCall(templ("tmc::global_avg_pool", {CName<T>::get()}),
                             &tmc::global_avg_pool<T>, p, {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerBatchNorm(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  tmc::BatchNormParams p;
  p.batch = i32(x->shape()[0]);
  p.channels = i32(x->shape()[1]);
  p.inner = i32(numElements(x->shape().drop_front(2)));
  p.epsilon = node.getFloat("epsilon", 1e-5f);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::batchnorm", {CName<T>::get()}), &tmc::batchnorm<T>, p,
                             {KernelArg::in(x), KernelArg::in(node.input(1)),
                              KernelArg::in(node.input(2)), KernelArg::in(node.input(3)),
                              KernelArg::in(node.input(4)), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerConvTranspose(const Node &node) {
  const Value *x = node.input(0), *w = node.input(1), *b = node.input(2), *y = node.output(0);
  auto g = convTransposeGeometry(node, x->shape().drop_front(2), w->shape().drop_front(2));
  if (!g)
    return g.takeError();
  tmc::ConvTransposeParams p;
  std::memset(&p, 0, sizeof(p));
  p.batch = i32(x->shape()[0]);
  p.in_channels = i32(x->shape()[1]);
  p.out_channels = i32(y->shape()[1]);
  p.group = i32(node.getInt("group", 1));
  spatial3(p.in_size, g->in, 1);
  spatial3(p.out_size, g->out, 1);
  spatial3(p.kernel, g->kernel, 1);
  spatial3(p.stride, g->strides, 1);
  spatial3(p.dilation, g->dilations, 1);
  spatial3(p.pad, g->padBegin, 0);
  fusedActivation(node, p.act, p.act_alpha, p.act_beta);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::conv_transpose", {CName<T>::get()}),
                             &tmc::conv_transpose<T>, p,
                             {KernelArg::in(x), KernelArg::in(w), KernelArg::in(b),
                              KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerLpPool(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  auto g = windowGeometry(node, x->shape().drop_front(2), node.getInts("kernel_shape"));
  if (!g)
    return g.takeError();
  tmc::LpPoolParams p;
  std::memset(&p, 0, sizeof(p));
  p.planes = i32(x->shape()[0] * x->shape()[1]);
  spatial3(p.in_size, g->in, 1);
  spatial3(p.out_size, g->out, 1);
  spatial3(p.kernel, g->kernel, 1);
  spatial3(p.stride, g->strides, 1);
  spatial3(p.pad, g->padBegin, 0);
  p.p = i32(node.getInt("p", 2));
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::lp_pool", {CName<T>::get()}), &tmc::lp_pool<T>, p,
                             {KernelArg::in(x), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerMaxRoiPool(const Node &node) {
  const Value *x = node.input(0), *rois = node.input(1), *y = node.output(0);
  tmc::MaxRoiPoolParams p;
  p.batch = i32(x->shape()[0]);
  p.channels = i32(x->shape()[1]);
  p.height = i32(x->shape()[2]);
  p.width = i32(x->shape()[3]);
  p.num_rois = i32(rois->shape()[0]);
  p.pooled_h = i32(y->shape()[2]);
  p.pooled_w = i32(y->shape()[3]);
  p.spatial_scale = node.getFloat("spatial_scale", 1.0f);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::max_roi_pool", {CName<T>::get()}),
                             &tmc::max_roi_pool<T>, p,
                             {KernelArg::in(x), KernelArg::in(rois), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerMaxUnpool(const Node &node) {
  const Value *x = node.input(0), *idx = node.input(1), *y = node.output(0);
  auto indexShape = maxUnpoolIndexShape(node);
  if (!indexShape)
    return indexShape.takeError();
  tmc::MaxUnpoolParams p;
  std::memset(&p, 0, sizeof(p));
  p.in_count = i32(x->numElements());
  p.out_count = i32(y->numElements());
  if (llvm::ArrayRef<int64_t>(*indexShape) != y->shape()) {
    p.rank = i32(y->rank());
    for (int64_t d = 0; d < y->rank(); ++d) {
      p.index_dims[d] = i32((*indexShape)[d]);
      p.out_dims[d] = i32(y->shape()[d]);
    }
  }
  return dispatchSize(x->dtype(), [&](auto es) -> llvm::Expected<Lowering> {
    constexpr int ES = decltype(es)::value;
    return single(makeCall("tmc::max_unpool<" + std::to_string(ES) + ">", &tmc::max_unpool<ES>,
                           p, {KernelArg::in(x), KernelArg::in(idx), KernelArg::out(y)}));
  });
}

llvm::Expected<Lowering> lowerNonMaxSuppression(const Node &node) {
  // Inference has checked that every input is a constant and counted the
  // selected boxes (the output's first dimension).
  const Value *boxes = node.input(0), *scores = node.input(1), *y = node.output(0);
  tmc::NmsParams p;
  p.batches = i32(boxes->shape()[0]);
  p.boxes = i32(boxes->shape()[1]);
  p.classes = i32(scores->shape()[1]);
  int64_t maxOut = node.input(2) ? node.input(2)->intValues()[0] : 0;
  p.max_out = i32(std::clamp<int64_t>(maxOut, 0, boxes->shape()[1]));
  p.center_point_box = i32(node.getInt("center_point_box", 0));
  p.iou_threshold = node.input(3) ? static_cast<float>(node.input(3)->doubleValues()[0]) : 0.0f;
  p.has_score_threshold = node.input(4) ? 1 : 0;
  p.score_threshold =
      node.input(4) ? static_cast<float>(node.input(4)->doubleValues()[0]) : 0.0f;
  p.selected = i32(y->shape()[0]);
  return single(makeCall("tmc::non_max_suppression", &tmc::non_max_suppression, p,
                         {KernelArg::in(boxes), KernelArg::in(scores), KernelArg::out(y),
                          KernelArg::scratch(5 * boxes->shape()[1])}));
}

llvm::Expected<Lowering> lowerRoiAlign(const Node &node) {
  const Value *x = node.input(0), *rois = node.input(1), *bi = node.input(2),
              *y = node.output(0);
  tmc::RoiAlignParams p;
  p.batch = i32(x->shape()[0]);
  p.channels = i32(x->shape()[1]);
  p.height = i32(x->shape()[2]);
  p.width = i32(x->shape()[3]);
  p.num_rois = i32(rois->shape()[0]);
  p.out_h = i32(y->shape()[2]);
  p.out_w = i32(y->shape()[3]);
  p.sampling_ratio = i32(node.getInt("sampling_ratio", 0));
  p.spatial_scale = node.getFloat("spatial_scale", 1.0f);
  p.half_pixel =
      node.getString("coordinate_transformation_mode", "half_pixel") == "half_pixel" ? 1 : 0;
  p.max_mode = node.getString("mode", "avg") == "max" ? 1 : 0;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::roi_align", {CName<T>::get()}), &tmc::roi_align<T>,
                             p,
                             {KernelArg::in(x), KernelArg::in(rois), KernelArg::in(bi),
                              KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerGridSample(const Node &node) {
  const Value *x = node.input(0), *grid = node.input(1), *y = node.output(0);
  tmc::GridSampleParams p;
  p.batch = i32(x->shape()[0]);
  p.channels = i32(x->shape()[1]);
  p.in_h = i32(x->shape()[2]);
  p.in_w = i32(x->shape()[3]);
  p.out_h = i32(y->shape()[2]);
  p.out_w = i32(y->shape()[3]);
  std::string mode = node.getString("mode", "bilinear");
  p.mode = mode == "nearest" ? tmc::kGridNearest
           : mode == "bicubic" ? tmc::kGridBicubic
                               : tmc::kGridBilinear;
  std::string pm = node.getString("padding_mode", "zeros");
  p.padding_mode = pm == "border"       ? tmc::kGridBorder
                   : pm == "reflection" ? tmc::kGridReflection
                                        : tmc::kGridZeros;
  p.align_corners = node.getInt("align_corners", 0) != 0 ? 1 : 0;
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      return single(makeCall(templ("tmc::grid_sample", {CName<T>::get()}),
                             &tmc::grid_sample<T>, p,
                             {KernelArg::in(x), KernelArg::in(grid), KernelArg::out(y)}));
    } else {
      return noKernel(node, x->dtype());
    }
  });
}

llvm::Expected<Lowering> lowerResize(const Node &node) {
  const Value *x = node.input(0), *y = node.output(0);
  bool upsample = node.kind() == OpKind::Upsample;
  int64_t rank = x->rank();
  tmc::ResizeParams p;
  std::memset(&p, 0, sizeof(p));
  p.rank = i32(rank);
  p.count = i32(y->numElements());
  std::string mode = node.getString("mode", "nearest");
  p.mode = mode == "linear"  ? tmc::kResizeLinear
           : mode == "cubic" ? tmc::kResizeCubic
                             : tmc::kResizeNearest;
  std::string ctm =
      upsample ? "asymmetric" : node.getString("coordinate_transformation_mode", "half_pixel");
  p.coord_mode = ctm == "pytorch_half_pixel"     ? tmc::kCoordPytorchHalfPixel
                 : ctm == "align_corners"        ? tmc::kCoordAlignCorners
                 : ctm == "asymmetric"           ? tmc::kCoordAsymmetric
                 : ctm == "tf_half_pixel_for_nn" ? tmc::kCoordTfHalfPixelForNN
                 : ctm == "tf_crop_and_resize"   ? tmc::kCoordTfCropAndResize
                                                 : tmc::kCoordHalfPixel;
  std::string nm = node.getString("nearest_mode", "round_prefer_floor");
  p.nearest_mode = upsample                        ? tmc::kNearestSimple
                   : nm == "round_prefer_ceil"     ? tmc::kNearestRoundPreferCeil
                   : nm == "floor"                 ? tmc::kNearestFloor
                   : nm == "ceil"                  ? tmc::kNearestCeil
                                                   : tmc::kNearestRoundPreferFloor;
  p.cubic_a = node.getFloat("cubic_coeff_a", -0.75f);
  p.exclude_outside = node.getInt("exclude_outside", 0) != 0 ? 1 : 0;
  p.extrapolation_value = node.getFloat("extrapolation_value", 0.0f);
  const Value *scales = node.input(upsample ? 1 : 2);
  p.from_sizes = !scales || scales->numElements() == 0;
  std::vector<double> sv = p.from_sizes ? std::vector<double>{} : scales->doubleValues();
  std::vector<double> roi;
  if (p.coord_mode == tmc::kCoordTfCropAndResize)
    roi = node.input(1)->doubleValues();
  for (int64_t d = 0; d < rank; ++d) {
    p.in_dims[d] = i32(x->shape()[d]);
    p.out_dims[d] = i32(y->shape()[d]);
    if (!p.from_sizes)
      p.scales[d] = static_cast<float>(sv[d]);
    if (!roi.empty()) {
      p.roi_start[d] = static_cast<float>(roi[d]);
      p.roi_end[d] = static_cast<float>(roi[d + rank]);
    }
    // An axis maps onto itself (and needs no table) when its scale is
    // exactly 1 under a transformation that keeps index i at i.
    bool unitScale = p.from_sizes ? p.in_dims[d] == p.out_dims[d] : p.scales[d] == 1.0f;
    bool identity = unitScale && (p.coord_mode == tmc::kCoordHalfPixel ||
                                  p.coord_mode == tmc::kCoordPytorchHalfPixel ||
                                  p.coord_mode == tmc::kCoordAlignCorners ||
                                  p.coord_mode == tmc::kCoordAsymmetric);
    p.resized[d] = identity ? 0 : 1;
    if (p.resized[d])
      p.table_size += p.out_dims[d];
  }
  if (p.table_size == 0) { // nothing moves: a copy
    tmc::CopyParams c;
    c.bytes = i32(static_cast<int64_t>(y->byteSize()));
    return single(makeCall("tmc::copy", &tmc::copy, c, {KernelArg::in(x), KernelArg::out(y)}));
  }
  int64_t scratch = tmc::resize_scratch_bytes(&p, x->dtype() == DType::F64 ? 8 : 4);
  return dispatchType(x->dtype(), [&](auto tag) -> llvm::Expected<Lowering> {
    using T = typename decltype(tag)::type;
    if (p.mode == tmc::kResizeNearest)
      return single(makeCall(templ("tmc::resize_nearest", {CName<T>::get()}),
                             &tmc::resize_nearest<T>, p,
                             {KernelArg::in(x), KernelArg::out(y), KernelArg::scratch(scratch)}));
    if constexpr (std::is_same_v<T, bool>) {
      return noKernel(node, x->dtype());
    } else {
      return single(makeCall(templ("tmc::resize_interp", {CName<T>::get()}),
                             &tmc::resize_interp<T>, p,
                             {KernelArg::in(x), KernelArg::out(y), KernelArg::scratch(scratch)}));
    }
  });
}

} // namespace tinymlc
