//===- Canonicalize.cpp - removes nodes that do nothing at inference ------===//
//
// - Dropout (inference) becomes Identity; its mask output, if used, becomes a
//   constant all-true tensor.
// - Identity, and a Cast to the type its input already has, disappears: its
//   users read its input instead. When its output is a graph output (whose
//   name the API keeps), the producer of its input writes the output directly
//   if nothing else reads the input; otherwise the node stays.
//
//===----------------------------------------------------------------------===//
#include "passes/Pass.h"
#include "llvm/ADT/DenseSet.h"

namespace tinymlc {

namespace {

class CanonicalizePass : public Pass {
public:
  llvm::StringRef name() const override { return "canonicalize"; }
  llvm::StringRef summary() const override {
    return "replaces inference-time Dropout by Identity and removes Identity nodes";
  }

  llvm::Error run(Graph &g, PassContext &ctx) override {
    dropoutToIdentity(g);
    removeIdentities(g, ctx);
    g.removeUnusedValues();
    return llvm::Error::success();
  }

private:
  void dropoutToIdentity(Graph &g) {
    std::vector<Node *> dropouts;
    for (Node *n : g.nodes())
      if (n->kind() == OpKind::Dropout)
        dropouts.push_back(n);
    for (Node *d : dropouts) {
      std::vector<Node *> nodes = g.nodes();
      auto it = std::find(nodes.begin(), nodes.end(), d);
      Node *next = it + 1 == nodes.end() ? nullptr : *(it + 1);
      Value *x = d->input(0), *y = d->output(0), *mask = d->output(1);
      std::string name = d->name();
      g.eraseNodes([&](const Node &n) { return &n == d; });
      if (mask)
        mask->setConstant(std::vector<uint8_t>(mask->byteSize(), 1));
      g.insertNodeBefore(next, OpKind::Identity, name, {x}, {y});
    }
  }

  void removeIdentities(Graph &g, PassContext &ctx) {
    // Decide everything first, then mutate.
    llvm::DenseSet<const Node *> removed;
    struct Rewire {
      Node *producer;
      unsigned index;
      Value *value;
    };
    std::vector<Rewire> rewires;
    auto liveUses = [&](const Value *v) {
      unsigned uses = 0;
      for (const Node *m : g.users(v))
        if (!removed.count(m))
          for (const Value *in : m->inputs())
            uses += in == v;
      for (const Value *o : g.outputs())
        uses += o == v;
      return uses;
    };
    for (Node *n : g.nodes()) {
      // A Cast to the type it already has is an Identity too (PyTorch's QDQ
      // export puts one between every QuantizeLinear and DequantizeLinear).
      bool sameTypeCast = n->kind() == OpKind::Cast && n->output(0) &&
                          n->input(0)->dtype() == n->output(0)->dtype();
      if (n->kind() != OpKind::Identity && !sameTypeCast)
        continue;
      Value *x = n->input(0), *y = n->output(0);
      if (!g.isGraphOutput(y)) {
        g.replaceAllUsesWith(y, x);
        removed.insert(n);
        continue;
      }
      // The output keeps its name: let x's producer write y, if x has no
      // other reader and is not itself part of the API.
      Node *p = x->producer();
      if (!p || removed.count(p) || g.isGraphOutput(x) || liveUses(x) != 1)
        continue;
      unsigned idx = 0;
      while (p->output(idx) != x)
        ++idx;
      removed.insert(n);
      rewires.push_back({p, idx, y});
    }
    g.eraseNodes([&](const Node &n) { return removed.count(&n) != 0; });
    for (const Rewire &r : rewires)
      g.setNodeOutput(r.producer, r.index, r.value);
    ctx.stats["canonicalize.identities-removed"] += removed.size();
  }
};

} // namespace

std::unique_ptr<Pass> createCanonicalizePass() { return std::make_unique<CanonicalizePass>(); }

} // namespace tinymlc
