// In tests/unit/<Family>OpsTest.cpp (doctest). Inference errors are checked
// by their full text; numbers by running the textual IR through the evaluator.

TEST_CASE("Foo: axis must be constant and in range") {
  {
    OneNode b; // one node, its inputs made with b.in (runtime) or b.ints (constant)
    Value *x = b.in({2, 3});
    CHECK(b.infer(OpKind::Foo, {x, b.in({}, DType::I64)}) ==
          "node 'n' (Foo): input 1 (axis, 'x1') must be known at compile time, but it is "
          "computed from runtime data; bind the graph input it depends on with --const "
          "NAME=FILE");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Foo, {b.in({2, 3}), b.ints({2})}) ==
          "node 'n' (Foo): axis 2 is out of range for rank 2");
  }
}

TEST_CASE("Foo: exclusive sums, integer and inner axes") {
  CHECK(evalAs<int64_t>(R"(graph @g {
  input %x: i64[4]
  const %a: i32[1] = [0]
  %y = Foo "f"(%x, %a) {exclusive = 1}: i64[4]
  output %y
}
)",
                        {I64{1, 2, 3, 4}}) == I64{0, 1, 3, 6});
}
