//===- Quantize.cpp - post-training quantisation from calibration data ----===//
//
// - Plan: walk the nodes in schedule order; a quantisable op marks its float
//   activation inputs and its output for a QuantizeLinear/DequantizeLinear
//   pair, and its constant weights for int8. An op that only moves values
//   (Reshape, MaxPool, ...) marks its output as inheriting its input's
//   parameters.
// - Calibrate: run the float graph on every sample with the evaluator and
//   collect each marked tensor's min and max; for the percentile and entropy
//   methods, run again to fill a histogram over that range.
// - Choose ranges (widened to hold 0), then scale = (hi - lo) / 255 and
//   zero point = round(-128 - lo / scale), so 0.0 is exactly representable.
// - Rewrite: weights become int8 (per output channel, symmetric, zero point
//   0) behind a DequantizeLinear; every marked tensor gets Q -> DQ right after
//   its producer and all its readers read the DQ output.
// - Measure: run the quantised graph (fake-quantised, in float) beside a copy
//   of the float graph on every sample and record, per tensor, the error of
//   its own quantisation and the error accumulated against the float model.
//
//===----------------------------------------------------------------------===//
#include "passes/Quantize.h"
#include "ir/Diagnostic.h"
#include "passes/Pass.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

namespace tinymlc {

llvm::StringRef calibrationMethodName(CalibrationMethod m) {
  switch (m) {
  case CalibrationMethod::MinMax:
    return "minmax";
  case CalibrationMethod::Percentile:
    return "percentile";
  case CalibrationMethod::Entropy:
    return "entropy";
  case CalibrationMethod::Mse:
    return "mse";
  }
  return "minmax";
}

std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef name) {
  for (CalibrationMethod m :
       {CalibrationMethod::MinMax, CalibrationMethod::Percentile, CalibrationMethod::Entropy,
        CalibrationMethod::Mse})
    if (name == calibrationMethodName(m))
      return m;
  return std::nullopt;
}

double sqnrDb(double signalSq, double noiseSq) {
  if (noiseSq == 0)
    return std::numeric_limits<double>::infinity();
  if (signalSq == 0)
    return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signalSq / noiseSq);
}

namespace {

constexpr int kQMin = -128, kQMax = 127;
constexpr int kHistogramBins = 2048;

/// How a quantisable op's output gets its parameters.
enum class Role {
  Compute, ///< its own calibrated range
  Inherit, ///< input 0's scale and zero point: the op only moves or selects values
};

std::optional<Role> quantRole(OpKind k) {
  switch (k) {
  case OpKind::Conv:
  case OpKind::ConvTranspose:
  case OpKind::Gemm:
  case OpKind::MatMul:
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::AveragePool:
  case OpKind::GlobalAveragePool:
  case OpKind::Concat:
  case OpKind::Relu:
  case OpKind::Clip:
  case OpKind::LeakyRelu:
  case OpKind::Sigmoid:
  case OpKind::Tanh:
  case OpKind::Softmax:
  case OpKind::HardSigmoid:
  case OpKind::HardSwish:
    return Role::Compute;
  case OpKind::MaxPool:
  case OpKind::GlobalMaxPool:
  case OpKind::Reshape:
  case OpKind::Flatten:
  case OpKind::Transpose:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Identity:
  case OpKind::DepthToSpace:
  case OpKind::SpaceToDepth:
    return Role::Inherit;
  default:
    return std::nullopt;
  }
}

/// The inputs of a quantisable node that carry activations (or, when
/// constant, values to store as int8).
std::vector<unsigned> quantInputs(const Node &n) {
  switch (n.kind()) {
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Concat:
  case OpKind::MatMul: {
    std::vector<unsigned> all;
    for (unsigned i = 0; i < n.numInputs(); ++i)
      all.push_back(i);
    return all;
  }
  case OpKind::Conv:
  case OpKind::ConvTranspose:
  case OpKind::Gemm:
    return {0, 1}; // the bias stays float
  default:
    return {0};
  }
}

/// The axis of a weight's output channels, or -1 to quantise it per tensor.
int64_t weightAxis(const Node &n, unsigned input, const Value &w) {
  if (input != 1)
    return -1;
  switch (n.kind()) {
  case OpKind::Conv:
    return w.rank() >= 1 ? 0 : -1;
  case OpKind::ConvTranspose: // [C_in, C_out / group, k...]: per channel only without groups
    return n.getInt("group", 1) == 1 && w.rank() >= 2 ? 1 : -1;
  case OpKind::Gemm:
    return w.rank() == 2 ? (n.getInt("transB", 0) ? 0 : 1) : -1;
  case OpKind::MatMul:
    return w.rank() >= 2 ? w.rank() - 1 : -1;
  default:
    return -1;
  }
}

struct QParams {
  float scale = 1;
  int zeroPoint = 0;
  double lo = 0, hi = 0; ///< the range they were made for
};

QParams paramsForRange(double lo, double hi) {
  QParams p;
  p.lo = std::min(lo, 0.0);
  p.hi = std::max(hi, 0.0);
  float scale = static_cast<float>((p.hi - p.lo) / double(kQMax - kQMin));
  if (!(scale > 0) || !std::isfinite(scale)) {
    p.scale = 1;
    p.zeroPoint = p.lo < 0 ? kQMax : kQMin;
    return p;
  }
  p.scale = scale;
  double zp = std::nearbyint(double(kQMin) - p.lo / double(scale));
  p.zeroPoint = static_cast<int>(std::clamp(zp, double(kQMin), double(kQMax)));
  return p;
}

/// What the pass records about one marked tensor while calibrating.
struct Marked {
  Value *value = nullptr;
  std::string name; ///< before any renaming
  Role role = Role::Compute;
  Value *source = nullptr; ///< Inherit: the tensor whose parameters it takes
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::vector<double> histogram; ///< kHistogramBins bins (percentile, entropy)
  /// Sum of each channel (axis 1) over all samples and positions, for bias correction.
  std::vector<double> channelSum;
  double perChannel = 0; ///< values summed into each channelSum entry
  double histLo = 0, histHi = 0;
  QParams params;
  Value *dequantized = nullptr;
};

llvm::ArrayRef<float> asFloats(llvm::ArrayRef<uint8_t> bytes) {
  return llvm::ArrayRef<float>(reinterpret_cast<const float *>(bytes.data()),
                               bytes.size() / sizeof(float));
}

/// A copy of `g` (values, constants, nodes, attributes) with the same names.
std::unique_ptr<Graph> cloneGraph(const Graph &g) {
  auto c = std::make_unique<Graph>();
  c->name = g.name;
  llvm::DenseMap<const Value *, Value *> map;
  for (const Value *v : g.values()) {
    Value *nv = v->isConstant()
                    ? c->addConstant(v->name(), v->dtype(), v->shape(),
                                     std::vector<uint8_t>(v->bytes().begin(), v->bytes().end()))
                    : c->addValue(v->name(), v->dtype(), v->shape());
    map[v] = nv;
  }
  for (const Value *v : g.inputs())
    c->inputs().push_back(map[v]);
  for (const Value *v : g.outputs())
    c->outputs().push_back(map[v]);
  for (const Node *n : g.nodes()) {
    std::vector<Value *> ins, outs;
    for (const Value *v : n->inputs())
      ins.push_back(v ? map[v] : nullptr);
    for (const Value *v : n->outputs())
      outs.push_back(map[v]);
    Node *nn = c->addNode(n->kind(), n->name(), ins, outs);
    for (const auto &[name, attr] : n->attrs())
      nn->setAttr(name, attr);
  }
  return c;
}

/// The value below which (or, `upper`, above which) lie (100 - pct)% of the
/// histogram's counts.
double percentileEdge(const Marked &m, double pct, bool upper) {
  double total = 0;
  for (double c : m.histogram)
    total += c;
  if (total == 0)
    return upper ? m.max : m.min;
  // Whole values may be clipped; the tolerance keeps 99.9% of 1000 at one.
  double outside = std::floor(total * (100.0 - pct) / 100.0 + 1e-6);
  double width = (m.histHi - m.histLo) / kHistogramBins;
  double cum = 0;
  for (int i = 0; i < kHistogramBins; ++i) {
    int b = upper ? kHistogramBins - 1 - i : i;
    cum += m.histogram[b];
    if (cum > outside)
      return upper ? m.histLo + (b + 1) * width : m.histLo + b * width;
  }
  return upper ? m.max : m.min;
}

/// TensorRT's entropy calibration on a histogram of |x| over [0, histHi]:
/// the threshold whose `levels`-level quantisation keeps the distribution
/// closest (Kullback-Leibler) to the clipped original.
double entropyThreshold(const std::vector<double> &hist, double histHi, int levels) {
  int n = static_cast<int>(hist.size());
  double width = histHi / n;
  double bestKl = std::numeric_limits<double>::infinity();
  int best = n;
  for (int i = levels; i <= n; ++i) {
    std::vector<double> p(hist.begin(), hist.begin() + i);
    for (int j = i; j < n; ++j)
      p[i - 1] += hist[j];
    double pSum = 0;
    for (double v : p)
      pSum += v;
    if (pSum == 0)
      continue;
    // Merge the i bins into `levels` groups, then spread each group's count
    // evenly over its non-empty bins.
    std::vector<double> q(i, 0);
    for (int l = 0; l < levels; ++l) {
      int start = static_cast<int>(int64_t(l) * i / levels);
      int end = static_cast<int>(int64_t(l + 1) * i / levels);
      double sum = 0;
      int nonzero = 0;
      for (int j = start; j < end; ++j) {
        sum += hist[j];
        nonzero += hist[j] != 0;
      }
      for (int j = start; j < end; ++j)
        if (hist[j] != 0)
          q[j] = sum / nonzero;
    }
    double qSum = 0;
    for (double v : q)
      qSum += v;
    double kl = 0;
    for (int j = 0; j < i; ++j) {
      if (p[j] == 0)
        continue;
      double pj = p[j] / pSum;
      // A clipped mass the quantised histogram cannot hold: smooth it.
      double qj = q[j] == 0 ? 1e-10 : q[j] / qSum;
      kl += pj * std::log(pj / qj);
    }
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best * width;
}

/// The clipping threshold T on a histogram of |x| over [0, histHi] that
/// minimises the expected squared error of quantising to `levels` steps on
/// [0, T] per side: rounding noise (step^2 / 12) for the values inside,
/// (|x| - T)^2 for the values clipped. The bin centres stand for the values.
double mseThreshold(const std::vector<double> &hist, double histHi, double levels) {
  int n = static_cast<int>(hist.size());
  double width = histHi / n;
  std::vector<double> tailCount(n + 1, 0), tailSum(n + 1, 0), tailSq(n + 1, 0);
  for (int j = n - 1; j >= 0; --j) {
    double c = (j + 0.5) * width;
    tailCount[j] = tailCount[j + 1] + hist[j];
    tailSum[j] = tailSum[j + 1] + hist[j] * c;
    tailSq[j] = tailSq[j + 1] + hist[j] * c * c;
  }
  double best = std::numeric_limits<double>::infinity();
  int bestI = n;
  for (int i = 1; i <= n; ++i) {
    double t = i * width, step = t / levels;
    double inside = (tailCount[0] - tailCount[i]) * step * step / 12.0;
    // sum over clipped bins of (c - t)^2 = sq - 2 t sum + t^2 count
    double clipped = tailSq[i] - 2 * t * tailSum[i] + t * t * tailCount[i];
    if (inside + clipped < best) {
      best = inside + clipped;
      bestI = i;
    }
  }
  return bestI * width;
}

/// int8 weights: symmetric, zero point 0, one scale per slice along `axis`
/// (-1: one scale).
struct QuantizedWeight {
  std::vector<uint8_t> q; ///< int8 bytes
  std::vector<float> scales;
  double sqnrDb = 0, maxAbsError = 0;
};

/// Quantises a float weight. A channel's scale is at least `minScale[c]`
/// (when given) and at least 2^-20 of the largest channel's: a channel of
/// weights that are all but zero (1e-30 after BatchNorm folding of a dead
/// channel) would otherwise get a scale whose int32 bias and fixed-point
/// rescale overflow, and its op would stay in float.
QuantizedWeight quantizeWeight(const Value &w, int64_t axis,
                               llvm::ArrayRef<double> minScale = {}) {
  llvm::ArrayRef<float> x = w.dataAs<float>();
  int64_t channels = axis < 0 ? 1 : w.shape()[axis];
  int64_t inner = 1;
  if (axis >= 0)
    for (int64_t d = axis + 1; d < w.rank(); ++d)
      inner *= w.shape()[d];
  else
    inner = static_cast<int64_t>(x.size());
  auto channelOf = [&](size_t i) {
    return axis < 0 ? 0 : static_cast<int64_t>(i / inner) % channels;
  };
  QuantizedWeight r;
  std::vector<double> amax(channels, 0);
  for (size_t i = 0; i < x.size(); ++i)
    amax[channelOf(i)] = std::max(amax[channelOf(i)], double(std::fabs(x[i])));
  double largest = *std::max_element(amax.begin(), amax.end()) / 127.0;
  for (int64_t c = 0; c < channels; ++c) {
    double floor = std::ldexp(largest, -20);
    if (int64_t(minScale.size()) == channels)
      floor = std::max(floor, minScale[c]);
    float s = static_cast<float>(std::max(amax[c] / 127.0, floor));
    r.scales.push_back(s > 0 && std::isfinite(s) ? s : 1.0f);
  }
  r.q.resize(x.size());
  double sig = 0, noise = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    float s = r.scales[channelOf(i)];
    float qv = std::clamp(std::nearbyint(x[i] / s), -127.0f, 127.0f);
    int8_t q8 = static_cast<int8_t>(qv);
    std::memcpy(&r.q[i], &q8, 1);
    double err = double(qv * s) - double(x[i]);
    sig += double(x[i]) * x[i];
    noise += err * err;
    r.maxAbsError = std::max(r.maxAbsError, std::fabs(err));
  }
  r.sqnrDb = sqnrDb(sig, noise);
  return r;
}

/// Bias correction (Nagel et al., "Data-Free Quantization", 2019): rounding the
/// weights shifts output channel o by sum(dW[o, ...] * E[x]) on average; with
/// the calibration set's per-channel input means that shift is known and the
/// bias can take it back. Returns the shift per output channel of a Conv (any
/// group) or a Gemm (transA = 0); std::nullopt for anything else. Padding is
/// ignored (a border position sees fewer inputs).
std::optional<std::vector<double>> weightShift(const Node &n, const Value &w,
                                               const QuantizedWeight &q, int64_t axis,
                                               llvm::ArrayRef<double> meanIn) {
  llvm::ArrayRef<float> x = w.dataAs<float>();
  auto dw = [&](size_t i, int64_t channel) {
    float s = q.scales[axis < 0 ? 0 : channel];
    return double(static_cast<int8_t>(q.q[i]) * s) - double(x[i]);
  };
  if (n.kind() == OpKind::Conv && w.rank() >= 2 && axis == 0) {
    int64_t m = w.shape()[0], cg = w.shape()[1], group = n.getInt("group", 1);
    int64_t kernel = static_cast<int64_t>(x.size()) / (m * cg);
    if (group < 1 || m % group || static_cast<int64_t>(meanIn.size()) != cg * group)
      return std::nullopt;
    std::vector<double> shift(m, 0);
    for (int64_t o = 0; o < m; ++o)
      for (int64_t i = 0; i < cg; ++i) {
        double mean = meanIn[(o / (m / group)) * cg + i];
        for (int64_t k = 0; k < kernel; ++k) {
          size_t idx = static_cast<size_t>((o * cg + i) * kernel + k);
          shift[o] += dw(idx, o) * mean;
        }
      }
    return shift;
  }
  if (n.kind() == OpKind::Gemm && w.rank() == 2 && !n.getInt("transA", 0)) {
    bool transB = n.getInt("transB", 0);
    int64_t k = transB ? w.shape()[1] : w.shape()[0], nOut = transB ? w.shape()[0] : w.shape()[1];
    if (static_cast<int64_t>(meanIn.size()) != k)
      return std::nullopt;
    std::vector<double> shift(nOut, 0);
    for (int64_t r = 0; r < w.shape()[0]; ++r)
      for (int64_t c = 0; c < w.shape()[1]; ++c) {
        int64_t o = transB ? r : c, in = transB ? c : r;
        shift[o] += dw(static_cast<size_t>(r * w.shape()[1] + c), o) * meanIn[in];
      }
    double alpha = n.getFloat("alpha", 1.0f);
    for (double &v : shift)
      v *= alpha;
    return shift;
  }
  return std::nullopt;
}

std::vector<uint8_t> floatBytes(llvm::ArrayRef<float> v) {
  std::vector<uint8_t> b(v.size() * sizeof(float));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

class QuantizePass : public Pass {
public:
  llvm::StringRef name() const override { return "quantize"; }
  llvm::StringRef summary() const override {
    return "post-training int8 quantisation from calibration data: QuantizeLinear/"
           "DequantizeLinear around activations, per-channel int8 weights";
  }
  llvm::Error run(Graph &g, PassContext &ctx) override;

private:
  llvm::Error calibrate(const Graph &g, const QuantizeOptions &opts, bool histograms);
  llvm::Error measure(Graph &g, const Graph &floatGraph, const QuantizeOptions &opts,
                      QuantizationReport &report);

  bool correctBias(Graph &g, Node &n, const Value &w, const QuantizedWeight &q, int64_t axis);
  std::vector<double> weightScaleFloor(const Node &n, int64_t axis) const;

  std::vector<Marked> marked_;
  llvm::DenseMap<const Value *, size_t> index_;
};

/// Per output channel, the smallest weight scale that keeps the op's float
/// bias within 2^22 units of x_scale * w_scale, so the int32 accumulator keeps
/// its headroom; empty when the input's scale or the bias is not known.
std::vector<double> QuantizePass::weightScaleFloor(const Node &n, int64_t axis) const {
  auto it = index_.find(n.input(0));
  const Value *b = n.numInputs() > 2 ? n.input(2) : nullptr;
  if (it == index_.end() || axis < 0 || !b || !b->isConstant() || b->dtype() != DType::F32)
    return {};
  double xs = marked_[it->second].params.scale;
  std::vector<double> floor;
  for (float v : b->dataAs<float>())
    floor.push_back(std::fabs(double(v)) / (xs * std::ldexp(1.0, 22)));
  return floor;
}

bool QuantizePass::correctBias(Graph &g, Node &n, const Value &w, const QuantizedWeight &q,
                               int64_t axis) {
  // Precondition: the activation input was calibrated, per channel.
  auto it = index_.find(n.input(0));
  if (it == index_.end())
    return false;
  const Marked &m = marked_[it->second];
  if (m.perChannel <= 0)
    return false;
  std::vector<double> mean;
  for (double sum : m.channelSum)
    mean.push_back(sum / m.perChannel);
  auto shift = weightShift(n, w, q, axis, mean);
  if (!shift)
    return false;
  if (llvm::all_of(*shift, [](double v) { return v == 0; }))
    return false; // the weights are exact
  int64_t outs = static_cast<int64_t>(shift->size());
  // Precondition: a float bias of one value per output channel, or none.
  Value *b = n.input(2);
  std::vector<float> bias(outs, 0.0f);
  if (b) {
    if (!b->isConstant() || b->dtype() != DType::F32 || b->numElements() != outs ||
        (n.kind() == OpKind::Gemm && b->rank() != 1 && !(b->rank() == 2 && b->shape()[0] == 1)))
      return false;
    llvm::ArrayRef<float> old = b->dataAs<float>();
    bias.assign(old.begin(), old.end());
  }
  if (n.kind() == OpKind::Gemm && n.getFloat("beta", 1.0f) != 1.0f)
    return false;
  for (int64_t o = 0; o < outs; ++o)
    bias[o] = static_cast<float>(double(bias[o]) - (*shift)[o]);
  Shape shape = b ? Shape(b->shape().begin(), b->shape().end()) : Shape{outs};
  std::string name = (b ? b->name() : w.name() + "_bias") + "_corrected";
  Value *nb = g.addConstant(name, DType::F32, shape, floatBytes(bias));
  n.setInput(2, nb);
  return true;
}

llvm::Error QuantizePass::calibrate(const Graph &g, const QuantizeOptions &opts,
                                    bool histograms) {
  auto observe = [&](const Value &v, llvm::ArrayRef<uint8_t> bytes) {
    auto it = index_.find(&v);
    if (it == index_.end())
      return;
    Marked &m = marked_[it->second];
    llvm::ArrayRef<float> x = asFloats(bytes);
    if (!histograms) {
      for (float f : x) {
        if (std::isnan(f))
          continue;
        m.min = std::min(m.min, double(f));
        m.max = std::max(m.max, double(f));
      }
      // Per-channel sums over [outer, channels, spatial...] (channels: axis 1).
      int64_t channels = v.rank() >= 2 ? v.shape()[1] : 1;
      int64_t outer = v.rank() >= 2 ? v.shape()[0] : 1;
      int64_t spatial =
          outer * channels != 0 ? static_cast<int64_t>(x.size()) / (outer * channels) : 0;
      if (m.channelSum.empty())
        m.channelSum.assign(static_cast<size_t>(channels), 0);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t c = 0; c < channels; ++c)
          for (int64_t k = 0; k < spatial; ++k) {
            float f = x[(o * channels + c) * spatial + k];
            if (!std::isnan(f))
              m.channelSum[c] += f;
          }
      m.perChannel += double(outer * spatial);
      return;
    }
    double width = (m.histHi - m.histLo) / kHistogramBins;
    bool absolute =
        opts.method == CalibrationMethod::Entropy || opts.method == CalibrationMethod::Mse;
    for (float f : x) {
      if (std::isnan(f))
        continue;
      double v = absolute ? std::fabs(double(f)) : double(f);
      int b = width > 0 ? static_cast<int>((v - m.histLo) / width) : 0;
      m.histogram[std::clamp(b, 0, kHistogramBins - 1)] += 1;
    }
  };
  for (const std::vector<Buffer> &sample : opts.samples) {
    auto out = evaluateGraph(g, sample, observe);
    if (!out)
      return out.takeError();
  }
  return llvm::Error::success();
}

llvm::Error QuantizePass::run(Graph &g, PassContext &ctx) {
  if (!ctx.quantize)
    return llvm::Error::success();
  const QuantizeOptions &opts = *ctx.quantize;
  marked_.clear();
  index_.clear();

  // Plan: which tensors get Q/DQ, which constants become int8. A tensor is
  // marked once: by its producer when that is quantisable (seen first, being
  // earlier in the schedule), otherwise by its first quantisable reader.
  auto mark = [&](Value *v, Role role, Value *source) {
    if (!v || v->isConstant() || v->dtype() != DType::F32 || index_.count(v))
      return;
    index_[v] = marked_.size();
    Marked m;
    m.value = v;
    m.name = v->name();
    m.role = role;
    m.source = source;
    marked_.push_back(std::move(m));
  };
  struct WeightUse {
    Node *node;
    unsigned input;
    int64_t axis;
  };
  std::vector<WeightUse> weights;
  std::vector<Node *> nodes = g.nodes();
  auto quantisable = [](const Node &n) {
    return quantRole(n.kind()) && n.output(0)->dtype() == DType::F32;
  };
  // An op whose only reader is a Relu is quantised after the Relu, as a fused
  // activation is: the integer op clamps, and no levels go to values the Relu
  // would zero.
  auto feedsOnlyRelu = [&](const Node &n) {
    Value *v = n.output(0);
    if (n.hasAttr("fused_activation") || g.numUses(v) != 1 || g.isGraphOutput(v))
      return false;
    if (n.kind() != OpKind::Conv && n.kind() != OpKind::Gemm && n.kind() != OpKind::MatMul &&
        n.kind() != OpKind::Add)
      return false;
    std::vector<Node *> readers = g.users(v);
    return readers.size() == 1 && readers[0]->kind() == OpKind::Relu;
  };
  llvm::DenseSet<const Value *> beforeRelu;
  for (Node *n : nodes)
    if (quantisable(*n) && feedsOnlyRelu(*n))
      beforeRelu.insert(n->output(0));
  for (Node *n : nodes) {
    // Precondition: an op the QDQ form covers, computing in f32.
    if (!quantisable(*n))
      continue;
    for (unsigned i : quantInputs(*n)) {
      Value *v = n->input(i);
      if (!v || v->dtype() != DType::F32)
        continue;
      if (v->isConstant())
        weights.push_back({n, i, weightAxis(*n, i, *v)});
      else if (!beforeRelu.count(v))
        mark(v, Role::Compute, nullptr);
    }
    if (beforeRelu.count(n->output(0)))
      continue;
    Role role = *quantRole(n->kind());
    Value *src = n->input(0);
    if (role == Role::Inherit && (!src || !index_.count(src)))
      role = Role::Compute; // its input is not quantised (a constant, or not f32)
    mark(n->output(0), role, role == Role::Inherit ? src : nullptr);
  }
  // Marks came in order of first reference; sort by definition (schedule)
  // order so an inherited tensor's source always comes first.
  {
    llvm::DenseMap<const Value *, size_t> defIndex;
    size_t k = 0;
    for (Value *v : g.inputs())
      defIndex[v] = k++;
    for (Node *n : nodes)
      for (Value *v : n->outputs())
        defIndex[v] = k++;
    std::stable_sort(marked_.begin(), marked_.end(), [&](const Marked &a, const Marked &b) {
      return defIndex.lookup(a.value) < defIndex.lookup(b.value);
    });
    index_.clear();
    for (size_t i = 0; i < marked_.size(); ++i)
      index_[marked_[i].value] = i;
  }

  QuantizationReport report;
  report.method = opts.method;
  report.percentile = opts.method == CalibrationMethod::Percentile ? opts.percentile : 0;
  report.samples = static_cast<int64_t>(opts.samples.size());

  // Calibrate on the float graph.
  if (auto e = calibrate(g, opts, /*histograms=*/false))
    return e;
  for (Marked &m : marked_) {
    if (!(m.min <= m.max)) // never seen a number: all NaN, or no samples
      m.min = m.max = 0;
  }
  if (opts.method != CalibrationMethod::MinMax) {
    for (Marked &m : marked_) {
      m.histogram.assign(kHistogramBins, 0);
      if (opts.method == CalibrationMethod::Entropy || opts.method == CalibrationMethod::Mse) {
        m.histLo = 0;
        m.histHi = std::max(std::fabs(m.min), std::fabs(m.max));
      } else {
        m.histLo = m.min;
        m.histHi = m.max;
      }
    }
    if (auto e = calibrate(g, opts, /*histograms=*/true))
      return e;
  }
  for (Marked &m : marked_) {
    if (m.role == Role::Inherit) {
      m.params = marked_[index_.lookup(m.source)].params;
      continue;
    }
    double lo = m.min, hi = m.max;
    if (opts.method == CalibrationMethod::Percentile) {
      lo = std::max(m.min, percentileEdge(m, opts.percentile, false));
      hi = std::min(m.max, percentileEdge(m, opts.percentile, true));
    } else if (opts.method == CalibrationMethod::Entropy && m.histHi > 0) {
      // Non-negative tensors use all 256 levels on [0, T]; signed ones 128 per side.
      bool nonNegative = m.min >= 0;
      // The Relu's zeros (bin 0) would dominate the divergence and push the
      // threshold down to the first candidate; they are exact at any threshold.
      std::vector<double> h = m.histogram;
      h[0] = 0;
      double t = entropyThreshold(h, m.histHi, nonNegative ? 256 : 128);
      lo = std::max(m.min, -t);
      hi = std::min(m.max, t);
    }
    if (opts.method == CalibrationMethod::Mse && m.histHi > 0) {
      // Exact zeros (a Relu's) cost nothing at any threshold.
      bool nonNegative = m.min >= 0;
      std::vector<double> h = m.histogram;
      if (nonNegative)
        h[0] = 0;
      double t = mseThreshold(h, m.histHi, nonNegative ? 255.0 : 127.5);
      lo = std::max(m.min, -t);
      hi = std::min(m.max, t);
    }
    m.params = paramsForRange(lo, hi);
  }

  std::unique_ptr<Graph> floatGraph = cloneGraph(g);

  // Rewrite. New nodes are appended, then the schedule is rebuilt with each
  // Q/DQ pair right after its producer and each weight's DQ before its user.
  llvm::DenseMap<const Node *, std::vector<Node *>> after, before;
  std::vector<Node *> atStart;
  std::map<std::pair<const Value *, int64_t>, Value *> dequantizedWeights;
  for (const WeightUse &w : weights) {
    Value *c = w.node->input(w.input);
    auto key = std::make_pair(static_cast<const Value *>(c), w.axis);
    auto it = dequantizedWeights.find(key);
    if (it != dequantizedWeights.end()) {
      if (opts.biasCorrection &&
          correctBias(g, *w.node, *c,
                      quantizeWeight(*c, w.axis, weightScaleFloor(*w.node, w.axis)), w.axis))
        ++report.biasCorrected;
      w.node->setInput(w.input, it->second);
      continue;
    }
    QuantizedWeight q = quantizeWeight(*c, w.axis, weightScaleFloor(*w.node, w.axis));
    Shape scaleShape;
    if (w.axis >= 0)
      scaleShape.push_back(static_cast<int64_t>(q.scales.size()));
    Value *qv = g.addConstant(c->name() + "_int8", DType::I8, c->shape(), q.q);
    Value *sv = g.addConstant(c->name() + "_scale", DType::F32, scaleShape, floatBytes(q.scales));
    Value *zv = g.addConstant(c->name() + "_zero_point", DType::I8, scaleShape,
                              std::vector<uint8_t>(q.scales.size(), 0));
    Value *dq = g.addValue(c->name() + "_dequantized", DType::F32, c->shape());
    Node *dn = g.addNode(OpKind::DequantizeLinear, c->name() + "_DequantizeLinear", {qv, sv, zv},
                         {dq});
    if (w.axis >= 0)
      dn->setAttr("axis", w.axis);
    before[w.node].push_back(dn);
    w.node->setInput(w.input, dq);
    dequantizedWeights[key] = dq;
    if (opts.biasCorrection && correctBias(g, *w.node, *c, q, w.axis))
      ++report.biasCorrected;
    WeightQuantReport wr;
    wr.tensor = c->name();
    wr.node = w.node->name();
    wr.op = opName(w.node->kind()).str();
    wr.axis = w.axis;
    wr.channels = static_cast<int64_t>(q.scales.size());
    wr.sqnrDb = q.sqnrDb;
    wr.maxAbsError = q.maxAbsError;
    report.weights.push_back(std::move(wr));
  }
  for (Marked &m : marked_) {
    Value *v = m.value;
    float scale = m.params.scale;
    int8_t zp = static_cast<int8_t>(m.params.zeroPoint);
    Value *sv = g.addConstant(m.name + "_scale", DType::F32, {},
                              floatBytes(llvm::ArrayRef<float>(&scale, 1)));
    Value *zv = g.addConstant(m.name + "_zero_point", DType::I8, {},
                              {static_cast<uint8_t>(zp)});
    Value *qv = g.addValue(m.name + "_quantized", DType::I8, v->shape());
    Value *dq = g.addValue(m.name + "_dequantized", DType::F32, v->shape());
    g.replaceAllUsesWith(v, dq);
    Node *qn = g.addNode(OpKind::QuantizeLinear, m.name + "_QuantizeLinear", {v, sv, zv}, {qv});
    Node *dn = g.addNode(OpKind::DequantizeLinear, m.name + "_DequantizeLinear", {qv, sv, zv},
                         {dq});
    if (Node *p = v->producer()) {
      after[p].push_back(qn);
      after[p].push_back(dn);
    } else {
      atStart.push_back(qn);
      atStart.push_back(dn);
    }
    // A graph output keeps its name on the value the caller now reads.
    if (g.isGraphOutput(dq)) {
      g.renameValue(v, m.name + "_float");
      g.renameValue(dq, m.name);
    }
    m.dequantized = dq;
  }
  std::vector<Node *> order(atStart);
  for (Node *n : nodes) {
    if (auto it = before.find(n); it != before.end())
      order.insert(order.end(), it->second.begin(), it->second.end());
    order.push_back(n);
    if (auto it = after.find(n); it != after.end())
      order.insert(order.end(), it->second.begin(), it->second.end());
  }
  g.reorderNodes(order);
  g.removeUnusedValues();

  if (auto e = measure(g, *floatGraph, opts, report))
    return e;
  ctx.stats["quantize.activations"] += static_cast<int64_t>(report.activations.size());
  ctx.stats["quantize.weights"] += static_cast<int64_t>(report.weights.size());
  ctx.quantization = std::move(report);
  return llvm::Error::success();
}

llvm::Error QuantizePass::measure(Graph &g, const Graph &floatGraph, const QuantizeOptions &opts,
                                  QuantizationReport &report) {
  struct Acc {
    double sig = 0, noise = 0, maxErr = 0;       // local
    double fsig = 0, fnoise = 0, fmaxErr = 0;    // vs float
  };
  std::vector<Acc> acc(marked_.size());
  // Which marked tensor a value of either graph is, and in what role.
  llvm::DenseMap<const Value *, size_t> floatIdx, preIdx, dqIdx;
  for (size_t i = 0; i < marked_.size(); ++i) {
    if (Value *fv = floatGraph.findValue(marked_[i].name))
      floatIdx[fv] = i;
    preIdx[marked_[i].value] = i;
    dqIdx[marked_[i].dequantized] = i;
  }
  size_t numOut = g.outputs().size();
  struct OutAcc {
    double sig = 0, noise = 0, maxErr = 0;
    int64_t agree = 0, rows = 0;
  };
  std::vector<OutAcc> outAcc(numOut);

  std::vector<std::vector<float>> fl(marked_.size()), pre(marked_.size()), dq(marked_.size());
  auto keep = [](llvm::DenseMap<const Value *, size_t> &idx,
                 std::vector<std::vector<float>> &store) {
    return [&idx, &store](const Value &v, llvm::ArrayRef<uint8_t> bytes) {
      auto it = idx.find(&v);
      if (it == idx.end())
        return;
      llvm::ArrayRef<float> x = asFloats(bytes);
      store[it->second].assign(x.begin(), x.end());
    };
  };
  auto keepFloat = keep(floatIdx, fl);
  auto keepPre = keep(preIdx, pre);
  auto keepDq = keep(dqIdx, dq);
  for (const std::vector<Buffer> &sample : opts.samples) {
    auto ref = evaluateGraph(floatGraph, sample, keepFloat);
    if (!ref)
      return ref.takeError();
    auto got = evaluateGraph(g, sample, [&](const Value &v, llvm::ArrayRef<uint8_t> b) {
      keepPre(v, b);
      keepDq(v, b);
    });
    if (!got)
      return got.takeError();
    for (size_t i = 0; i < marked_.size(); ++i) {
      Acc &a = acc[i];
      for (size_t k = 0; k < dq[i].size(); ++k) {
        double d = dq[i][k];
        if (k < pre[i].size()) {
          double x = pre[i][k], e = d - x;
          a.sig += x * x;
          a.noise += e * e;
          a.maxErr = std::max(a.maxErr, std::fabs(e));
        }
        if (k < fl[i].size()) {
          double x = fl[i][k], e = d - x;
          a.fsig += x * x;
          a.fnoise += e * e;
          a.fmaxErr = std::max(a.fmaxErr, std::fabs(e));
        }
      }
    }
    for (size_t o = 0; o < numOut; ++o) {
      const Value *v = g.outputs()[o];
      if (v->dtype() != DType::F32 || floatGraph.outputs()[o]->dtype() != DType::F32)
        continue;
      llvm::ArrayRef<float> x = asFloats((*ref)[o]), y = asFloats((*got)[o]);
      OutAcc &a = outAcc[o];
      for (size_t k = 0; k < x.size() && k < y.size(); ++k) {
        double e = double(y[k]) - double(x[k]);
        a.sig += double(x[k]) * x[k];
        a.noise += e * e;
        a.maxErr = std::max(a.maxErr, std::fabs(e));
      }
      int64_t last = v->rank() ? v->shape().back() : 1;
      if (last <= 0)
        continue;
      for (size_t r = 0; r + static_cast<size_t>(last) <= x.size(); r += last) {
        auto xb = x.begin() + r, yb = y.begin() + r;
        a.agree += std::max_element(xb, xb + last) - xb == std::max_element(yb, yb + last) - yb;
        ++a.rows;
      }
    }
  }
  for (size_t i = 0; i < marked_.size(); ++i) {
    const Marked &m = marked_[i];
    ActivationQuantReport r;
    r.tensor = m.name;
    Node *p = m.value->producer();
    r.producer = p ? p->name() : "";
    r.op = p ? opName(p->kind()).str() : "input";
    r.observedMin = m.min;
    r.observedMax = m.max;
    r.rangeMin = m.params.lo;
    r.rangeMax = m.params.hi;
    r.scale = m.params.scale;
    r.zeroPoint = m.params.zeroPoint;
    r.inherited = m.role == Role::Inherit;
    r.sqnrDb = sqnrDb(acc[i].sig, acc[i].noise);
    r.maxAbsError = acc[i].maxErr;
    r.sqnrVsFloatDb = sqnrDb(acc[i].fsig, acc[i].fnoise);
    r.maxAbsErrorVsFloat = acc[i].fmaxErr;
    report.activations.push_back(std::move(r));
  }
  std::stable_sort(report.activations.begin(), report.activations.end(),
                   [](const ActivationQuantReport &a, const ActivationQuantReport &b) {
                     if (a.sqnrDb != b.sqnrDb)
                       return a.sqnrDb < b.sqnrDb;
                     return a.tensor < b.tensor;
                   });
  for (size_t o = 0; o < numOut; ++o) {
    OutputQuantReport r;
    r.tensor = g.outputs()[o]->name();
    r.sqnrDb = sqnrDb(outAcc[o].sig, outAcc[o].noise);
    r.maxAbsError = outAcc[o].maxErr;
    r.top1Agree = outAcc[o].agree;
    r.rows = outAcc[o].rows;
    report.outputs.push_back(std::move(r));
  }
  return llvm::Error::success();
}

} // namespace

std::unique_ptr<Pass> createQuantizePass() { return std::make_unique<QuantizePass>(); }

} // namespace tinymlc
