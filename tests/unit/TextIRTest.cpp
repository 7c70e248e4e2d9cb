//===- TextIRTest.cpp - the text form prints and parses back --------------===//
#include "TestUtil.h"
#include "ir/Verifier.h"

using namespace tinymlc;
using namespace tinymlc::test;

TEST_CASE("text IR round-trips") {
  const char *text = R"(graph @net {
  input %x: f32[1,1,4,4]
  const %w: f32[2,1,3,3] = [0.5, -1, 0.25, 1e-05, 3, 0, -0, 1.5, 2, 0.5, -1, 0.25, 1e-05, 3, 0, -0, 1.5, 2]
  const %"b/bias:0": f32[2] = [0.1, -0.1]
  %y = Conv "conv1"(%x, %w, %"b/bias:0") {fused_activation = "Relu", group = 1, pads = [1, 1, 1, 1]}: f32[1,2,4,4]
  %v, %i = MaxPool "pool"(%y) {kernel_shape = [2, 2], strides = [2, 2]}: f32[1,2,2,2], i64[1,2,2,2]
  output %v
  output %i
}
)";
  auto g = parse(text);
  REQUIRE(g);
  CHECK(graphToString(*g) == text);
  CHECK(g->numNodes() == 2);
  CHECK(g->nodes()[0]->getString("fused_activation", "") == "Relu");
}

TEST_CASE("float attributes keep their kind") {
  auto g = parse(R"(graph @g {
  input %x: f32[4]
  %y = LeakyRelu "lr"(%x) {alpha = 1.0}: f32[4]
  output %y
}
)");
  REQUIRE(g);
  const Attribute *a = g->nodes()[0]->attr("alpha");
  REQUIRE(a);
  CHECK(a->kind() == Attribute::Kind::Float);
  CHECK(a->getFloat() == 1.0f);
  CHECK(graphToString(*g).find("alpha = 1.0") != std::string::npos);
}

TEST_CASE("parser reports located errors") {
  CHECK(errorOf(parseGraph("graph @g {\n  input %x: f33[1]\n}\n")) ==
        "<text>:2:13: unknown element type 'f33'");
  CHECK(errorOf(parseGraph("graph @g {\n  %y = Frobnicate \"n\"(%x): f32[1]\n}\n")) ==
        "<text>:2:8: unknown op 'Frobnicate'");
  CHECK(errorOf(parseGraph("graph @g {\n  input %x: f32[2]\n  %y = Relu \"r\"(%z): f32[2]\n}\n")) ==
        "<text>:3:17: unknown value '%z'");
}

TEST_CASE("the verifier checks recorded types against inference") {
  CHECK(errorOf(parseGraph(R"(graph @g {
  input %x: f32[2,3]
  %y = Relu "r"(%x): f32[3,2]
  output %y
}
)")) == "node 'r' (Relu): output 'y' is recorded as f32[3,2] but the op gives f32[2,3]");
}
