//===- OpTableTest.cpp - the op table is consistent -----------------------===//
#include "TestUtil.h"
#include "ir/Graph.h"

using namespace tinymlc;

TEST_CASE("the op table is sorted by ONNX name, so lookupOp can search it") {
  llvm::ArrayRef<OpInfo> ops = allOps();
  REQUIRE(ops.size() > 1);
  for (size_t i = 1; i < ops.size(); ++i) {
    INFO(ops[i - 1].name << " / " << ops[i].name);
    CHECK(llvm::StringRef(ops[i - 1].name) < llvm::StringRef(ops[i].name));
  }
  for (const OpInfo &op : ops) {
    INFO(op.name);
    REQUIRE(lookupOp(op.name).has_value());
    CHECK(*lookupOp(op.name) == op.kind);
    CHECK(op.minInputs >= 0);
    CHECK((op.maxInputs < 0 || op.maxInputs >= op.minInputs));
  }
  CHECK(!lookupOp("Frobnicate").has_value());
  CHECK(!lookupOp("conv").has_value());
}
