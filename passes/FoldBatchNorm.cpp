//===- FoldBatchNorm.cpp - folds BatchNormalization into Conv or Gemm -----===//
//
// BatchNormalization after a Conv (or a Gemm) whose weights are constant is an
// affine map per output channel, so it folds into the weights and bias:
//   s[c] = scale[c] / sqrt(var[c] + eps)
//   W'[c, ...] = W[c, ...] * s[c]
//   b'[c]      = (b[c] - mean[c]) * s[c] + bias[c]
// computed in double and rounded once to the weights' type.
//
//===----------------------------------------------------------------------===//
#include "passes/Pass.h"
#include "llvm/ADT/DenseSet.h"
#include <cmath>
#include <cstring>

namespace tinymlc {

namespace {

class FoldBatchNormPass : public Pass {
public:
  llvm::StringRef name() const override { return "fold-batchnorm"; }
  llvm::StringRef summary() const override {
    return "folds BatchNormalization into the weights of the Conv or Gemm before it";
  }

  llvm::Error run(Graph &g, PassContext &ctx) override {
    llvm::DenseSet<const Node *> folded;
    for (Node *bn : g.nodes()) {
      if (bn->kind() != OpKind::BatchNormalization)
        continue;
      Value *x = bn->input(0);
      Node *p = x->producer();
      // Precondition: a Conv or Gemm produces the input, and nothing else
      // reads it.
      if (!p || folded.count(p) || (p->kind() != OpKind::Conv && p->kind() != OpKind::Gemm))
        continue;
      if (g.numUses(x) != 1 || p->hasAttr("fused_activation"))
        continue;
      // Precondition: weights, bias and the BatchNorm parameters are constant.
      bool allConst = p->input(1)->isConstant() && (!p->input(2) || p->input(2)->isConstant());
      for (unsigned i = 1; i < 5; ++i)
        allConst &= bn->input(i)->isConstant();
      if (!allConst)
        continue;
      if (p->kind() == OpKind::Conv ? foldIntoConv(g, *p, *bn) : foldIntoGemm(g, *p, *bn))
        folded.insert(bn);
    }
    // Rewire: the producer writes the BatchNorm's output directly.
    std::vector<std::pair<Node *, Value *>> rewires;
    for (const Node *bn : folded)
      rewires.push_back({bn->input(0)->producer(), bn->output(0)});
    g.eraseNodes([&](const Node &n) { return folded.count(&n) != 0; });
    for (auto &[p, y] : rewires)
      g.setNodeOutput(p, 0, y);
    g.removeUnusedValues();
    ctx.stats["fold-batchnorm.folded"] += folded.size();
    return llvm::Error::success();
  }

private:
  /// Per-channel scale and shift of the BatchNorm: y = x * s + t.
  static void affine(const Node &bn, std::vector<double> &s, std::vector<double> &t) {
    std::vector<double> scale = bn.input(1)->doubleValues(), bias = bn.input(2)->doubleValues(),
                        mean = bn.input(3)->doubleValues(), var = bn.input(4)->doubleValues();
    double eps = bn.getFloat("epsilon", 1e-5f);
    s.resize(scale.size());
    t.resize(scale.size());
    for (size_t c = 0; c < scale.size(); ++c) {
      s[c] = scale[c] / std::sqrt(var[c] + eps);
      t[c] = bias[c] - mean[c] * s[c];
    }
  }

  bool foldIntoConv(Graph &g, Node &conv, const Node &bn) {
    Value *w = conv.input(1), *b = conv.input(2);
    std::vector<double> s, t;
    affine(bn, s, t);
    int64_t m = w->shape()[0], per = w->numElements() / m;
    std::vector<double> wv = w->doubleValues();
    for (int64_t c = 0; c < m; ++c)
      for (int64_t i = 0; i < per; ++i)
        wv[c * per + i] *= s[c];
    std::vector<double> bv = b ? b->doubleValues() : std::vector<double>(m, 0.0);
    for (int64_t c = 0; c < m; ++c)
      bv[c] = bv[c] * s[c] + t[c];
    DType dt = w->dtype();
    conv.setInput(1, g.addConstant(w->name() + "_bn", dt, w->shape(), Value::bytesFromDoubles(dt, wv)));
    conv.setInput(2, g.addConstant((b ? b->name() : conv.name() + "_bias") + "_bn", dt, {m},
                                   Value::bytesFromDoubles(dt, bv)));
    return true;
  }

  bool foldIntoGemm(Graph &g, Node &gemm, const Node &bn) {
    // Precondition: a 2-d output whose channel axis is N, and C (if any)
    // broadcasting along M (one value per column).
    Value *bm = gemm.input(1), *c = gemm.input(2), *y = gemm.output(0);
    int64_t n = y->shape()[1];
    if (c && !(c->rank() <= 1 || (c->rank() == 2 && c->shape()[0] == 1)))
      return false;
    std::vector<double> s, t;
    affine(bn, s, t);
    bool transB = gemm.getInt("transB", 0) != 0;
    double beta = gemm.getFloat("beta", 1.0f);
    std::vector<double> bv = bm->doubleValues();
    int64_t k = bm->numElements() / n;
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t j = 0; j < n; ++j)
        bv[transB ? j * k + kk : kk * n + j] *= s[j];
    std::vector<double> cv(n, 0.0);
    if (c) {
      std::vector<double> orig = c->doubleValues();
      for (int64_t j = 0; j < n; ++j)
        cv[j] = orig.size() == 1 ? orig[0] : orig[j];
    }
    for (int64_t j = 0; j < n; ++j)
      cv[j] = beta * cv[j] * s[j] + t[j];
    DType dt = bm->dtype();
    gemm.setInput(1, g.addConstant(bm->name() + "_bn", dt, bm->shape(), Value::bytesFromDoubles(dt, bv)));
    gemm.setInput(2, g.addConstant((c ? c->name() : gemm.name() + "_bias") + "_bn", dt, {n},
                                   Value::bytesFromDoubles(dt, cv)));
    gemm.setAttr("beta", 1.0f);
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldBatchNormPass() { return std::make_unique<FoldBatchNormPass>(); }

} // namespace tinymlc
