//===- FoldBiasAdd.cpp - folds a constant Add into Conv, Gemm or MatMul ---===//
//
// Exporters often emit the bias as a separate Add (CNTK's mnist-8, Keras'
// MatMul + Add). When the Add's other operand is a constant with one value
// per output channel, it becomes the producer's bias:
//   Conv(x, w) + b[1,C,1,1]     =>  Conv(x, w, b')           (b' = old bias + b)
//   Gemm(a, w, c?) + b[N]       =>  Gemm(a, w, beta*c + b) with beta = 1
//   MatMul(a[M,K], w[K,N]) + b  =>  Gemm(a, w, b)            (2-d, constant w)
// The sums are rounded once, in the bias's type, as the kernels would add them.
//
//===----------------------------------------------------------------------===//
#include "passes/Pass.h"
#include "llvm/ADT/DenseSet.h"
#include <cstring>

namespace tinymlc {

namespace {

/// The per-channel values of `c` if it broadcasts along `axis` only, for a
/// result of shape `out` with `channels` on that axis; empty otherwise.
std::vector<double> perChannel(const Value *c, llvm::ArrayRef<int64_t> out, size_t axis) {
  llvm::ArrayRef<int64_t> s = c->shape();
  if (s.size() > out.size())
    return {};
  size_t off = out.size() - s.size();
  int64_t channels = out[axis];
  for (size_t i = 0; i < s.size(); ++i) {
    size_t d = i + off;
    if (d == axis ? (s[i] != channels && s[i] != 1) : s[i] != 1)
      return {};
  }
  std::vector<double> v = c->doubleValues();
  if (v.size() == 1)
    v.assign(channels, v[0]);
  return v;
}

class FoldBiasAddPass : public Pass {
public:
  llvm::StringRef name() const override { return "fold-bias-add"; }
  llvm::StringRef summary() const override {
    return "folds an Add of a per-channel constant into the bias of the Conv, Gemm or MatMul "
           "before it";
  }

  llvm::Error run(Graph &g, PassContext &ctx) override {
    llvm::DenseSet<const Node *> folded;
    std::vector<std::pair<Node *, Value *>> rewires;
    std::vector<Node *> toGemm;
    for (Node *add : g.nodes()) {
      if (add->kind() != OpKind::Add)
        continue;
      // Precondition: one operand is produced by Conv/Gemm/MatMul and read
      // only here, the other is a constant.
      for (unsigned side = 0; side < 2; ++side) {
        Value *x = add->input(side), *c = add->input(1 - side);
        Node *p = x->producer();
        if (!p || !c->isConstant() || folded.count(p) || g.numUses(x) != 1 || !isFloat(x->dtype()))
          continue;
        if (p->hasAttr("fused_activation") || add->output(0)->shape() != x->shape())
          continue;
        bool ok = false;
        if (p->kind() == OpKind::Conv)
          ok = foldConv(g, *p, c);
        else if (p->kind() == OpKind::Gemm)
          ok = foldGemm(g, *p, c);
        else if (p->kind() == OpKind::MatMul)
          ok = foldMatMul(g, *p, c);
        if (!ok)
          continue;
        if (p->kind() == OpKind::MatMul)
          toGemm.push_back(p);
        folded.insert(add);
        rewires.push_back({p, add->output(0)});
        break;
      }
    }
    g.eraseNodes([&](const Node &n) { return folded.count(&n) != 0; });
    for (auto &[p, y] : rewires)
      g.setNodeOutput(p, 0, y);
    // MatMul with a bias is a Gemm: rebuild the node with the new kind.
    for (Node *m : toGemm) {
      std::vector<Node *> nodes = g.nodes();
      auto it = std::find(nodes.begin(), nodes.end(), m);
      Node *next = it + 1 == nodes.end() ? nullptr : *(it + 1);
      std::vector<Value *> ins(m->inputs().begin(), m->inputs().end());
      Value *y = m->output(0);
      std::string name = m->name();
      g.eraseNodes([&](const Node &n) { return &n == m; });
      g.insertNodeBefore(next, OpKind::Gemm, name, ins, {y});
    }
    g.removeUnusedValues();
    ctx.stats["fold-bias-add.folded"] += folded.size();
    return llvm::Error::success();
  }

private:
  bool foldConv(Graph &g, Node &conv, const Value *c) {
    const Value *y = conv.output(0), *b = conv.input(2);
    if (b && !b->isConstant())
      return false;
    std::vector<double> add = perChannel(c, y->shape(), 1);
    if (add.empty())
      return false;
    std::vector<double> bias = b ? b->doubleValues() : std::vector<double>(add.size(), 0.0);
    for (size_t i = 0; i < add.size(); ++i)
      bias[i] += add[i];
    DType dt = y->dtype();
    conv.setInput(2, g.addConstant(c->name(), dt, {static_cast<int64_t>(bias.size())},
                                   Value::bytesFromDoubles(dt, bias)));
    return true;
  }

  bool foldGemm(Graph &g, Node &gemm, const Value *c) {
    const Value *y = gemm.output(0), *old = gemm.input(2);
    if (old && !old->isConstant())
      return false;
    std::vector<double> add = perChannel(c, y->shape(), 1);
    if (add.empty())
      return false;
    // The old C may vary along M; then only a full [M, N] sum works.
    int64_t m = y->shape()[0], n = y->shape()[1];
    std::vector<double> sum(static_cast<size_t>(m * n));
    std::vector<double> oldv = old ? old->doubleValues() : std::vector<double>{0.0};
    llvm::ArrayRef<int64_t> os = old ? old->shape() : llvm::ArrayRef<int64_t>();
    double beta = gemm.getFloat("beta", 1.0f);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int64_t dm = os.size() == 2 ? os[0] : 1, dn = os.empty() ? 1 : os.back();
        double cv = old ? oldv[(dm == 1 ? 0 : i) * dn + (dn == 1 ? 0 : j)] : 0.0;
        sum[i * n + j] = beta * cv + add[j];
      }
    bool rowInvariant = !old || (os.size() < 2 || os[0] == 1);
    DType dt = y->dtype();
    if (rowInvariant) {
      sum.resize(static_cast<size_t>(n));
      gemm.setInput(2, g.addConstant(c->name(), dt, {n}, Value::bytesFromDoubles(dt, sum)));
    } else {
      gemm.setInput(2, g.addConstant(c->name(), dt, {m, n}, Value::bytesFromDoubles(dt, sum)));
    }
    gemm.setAttr("beta", 1.0f);
    return true;
  }

  bool foldMatMul(Graph &g, Node &mm, const Value *c) {
    const Value *a = mm.input(0), *w = mm.input(1), *y = mm.output(0);
    if (a->rank() != 2 || w->rank() != 2)
      return false;
    std::vector<double> add = perChannel(c, y->shape(), 1);
    if (add.empty())
      return false;
    DType dt = y->dtype();
    mm.setInput(2, g.addConstant(c->name(), dt, {static_cast<int64_t>(add.size())},
                                 Value::bytesFromDoubles(dt, add)));
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldBiasAddPass() { return std::make_unique<FoldBiasAddPass>(); }

} // namespace tinymlc
