//===- ElementwiseOpsTest.cpp - elementwise ops: types, errors, numbers ---===//
//
// Inference of the unary, binary, variadic, Where and Cast families (output
// types and every error they add, message pinned), and kernel numbers for the
// element types and edge cases ONNX's conformance data leaves out: integer
// wrap-around, division and remainder by zero, Python-style Mod, integer Pow,
// shifts by the full width, float-to-integer casts, NaN propagation and
// broadcasting of three operands. Exact results are compared exactly; results
// of transcendental functions within 1e-6.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "passes/Evaluator.h"
#include <cmath>
#include <cstring>
#include <limits>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

/// The inference error of the single node in `text` ("" when it parses).
std::string parseError(llvm::StringRef text) {
  auto g = parseGraph(text);
  if (g)
    return "";
  std::string s = errorToString(g.takeError());
  // Drop the "<text>:L:C: " location the parser adds.
  size_t at = s.find("node '");
  return at == std::string::npos ? s : s.substr(at);
}

using F = std::vector<float>;
using D = std::vector<double>;
using B = std::vector<uint8_t>; // bool tensors, one byte per element

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

} // namespace

//===----------------------------------------------------------------------===//
// Inference: output types and errors
//===----------------------------------------------------------------------===//

TEST_CASE("elementwise inference: output types") {
  auto typeOf = [](llvm::StringRef text) {
    auto g = parse(text);
    return g ? g->outputs()[0]->typeString() : std::string();
  };
  CHECK(typeOf(R"(graph @g {
  input %x: f64[2,3]
  %y = IsInf "n"(%x) {detect_negative = 0}: bool[2,3]
  output %y
}
)") == "bool[2,3]");
  CHECK(typeOf(R"(graph @g {
  input %a: i8[2,1]
  input %b: i8[3]
  %y = GreaterOrEqual "n"(%a, %b): bool[2,3]
  output %y
}
)") == "bool[2,3]");
  CHECK(typeOf(R"(graph @g {
  input %a: i32[4]
  input %b: f32[]
  %y = Pow "n"(%a, %b): i32[4]
  output %y
}
)") == "i32[4]");
  CHECK(typeOf(R"(graph @g {
  input %a: f32[2,1,1]
  input %b: f32[3,1]
  input %c: f32[4]
  %y = Max "n"(%a, %b, %c): f32[2,3,4]
  output %y
}
)") == "f32[2,3,4]");
  CHECK(typeOf(R"(graph @g {
  input %c: bool[1,3]
  input %a: i64[2,1]
  input %b: i64[]
  %y = Where "n"(%c, %a, %b): i64[2,3]
  output %y
}
)") == "i64[2,3]");
  CHECK(typeOf(R"(graph @g {
  input %x: f32[2]
  input %t: u16[1]
  %y = CastLike "n"(%x, %t): u16[2]
  output %y
}
)") == "u16[2]");
}

TEST_CASE("elementwise inference: errors") {
  CHECK(parseError(R"(graph @g {
  input %x: f32[2]
  %y = Not "n"(%x): bool[2]
  output %y
}
)") == "node 'n' (Not): element type f32 of input 0 ('x') is not supported by Not");
  CHECK(parseError(R"(graph @g {
  input %x: u8[2]
  %y = Neg "n"(%x): u8[2]
  output %y
}
)") == "node 'n' (Neg): element type u8 of input 0 ('x') is not supported by Neg");
  CHECK(parseError(R"(graph @g {
  input %a: f32[2]
  input %b: f32[2]
  %y = And "n"(%a, %b): bool[2]
  output %y
}
)") == "node 'n' (And): element type f32 of input 0 ('a') is not supported by And");
  CHECK(parseError(R"(graph @g {
  input %a: f32[2]
  input %b: f32[2]
  %y = Mod "n"(%a, %b): f32[2]
  output %y
}
)") == "node 'n' (Mod): fmod = 0 (integer modulo) is not defined for f32 inputs; set fmod = 1");
  CHECK(parseError(R"(graph @g {
  input %a: i32[2]
  input %b: i32[2]
  %y = Mod "n"(%a, %b) {fmod = 2}: i32[2]
  output %y
}
)") == "node 'n' (Mod): fmod must be 0 or 1, not 2");
  CHECK(parseError(R"(graph @g {
  input %a: u8[2]
  input %b: u8[2]
  %y = BitShift "n"(%a, %b): u8[2]
  output %y
}
)") == "node 'n' (BitShift): attribute 'direction' is required (\"LEFT\" or \"RIGHT\")");
  CHECK(parseError(R"(graph @g {
  input %a: u8[2]
  input %b: u8[2]
  %y = BitShift "n"(%a, %b) {direction = "UP"}: u8[2]
  output %y
}
)") == "node 'n' (BitShift): direction must be \"LEFT\" or \"RIGHT\", not \"UP\"");
  CHECK(parseError(R"(graph @g {
  input %a: i32[2]
  input %b: i32[2]
  %y = BitShift "n"(%a, %b) {direction = "LEFT"}: i32[2]
  output %y
}
)") == "node 'n' (BitShift): element type i32 of input 0 ('a') is not supported by BitShift");
  CHECK(parseError(R"(graph @g {
  input %a: u8[2]
  input %b: f32[2]
  %y = Pow "n"(%a, %b): u8[2]
  output %y
}
)") == "node 'n' (Pow): element type u8 of input 0 ('a') is not supported by Pow; the base "
       "must be f32, f64, i32 or i64");
  CHECK(parseError(R"(graph @g {
  input %x: f32[1,3]
  input %s: f32[4,3]
  %y = PRelu "n"(%x, %s): f32[4,3]
  output %y
}
)") == "node 'n' (PRelu): slope shape [4,3] does not broadcast to the input shape [1,3]");
  CHECK(parseError(R"(graph @g {
  input %x: f32[2,3,4]
  input %s: f32[3]
  %y = PRelu "n"(%x, %s): f32[2,3,4]
  output %y
}
)") == "node 'n' (PRelu): slope shape [3] does not broadcast to the input shape [2,3,4]; a "
       "per-channel slope must have shape [3,1]");
  CHECK(parseError(R"(graph @g {
  input %a: i32[2]
  input %b: i32[2]
  %y = Sum "n"(%a, %b): i32[2]
  output %y
}
)") == "node 'n' (Sum): element type i32 of input 0 ('a') is not supported by Sum");
  CHECK(parseError(R"(graph @g {
  input %a: f32[2]
  input %b: f32[2]
  input %c: f32[3]
  %y = Min "n"(%a, %b, %c): f32[2]
  output %y
}
)") == "node 'n' (Min): input 2 ('c') of shape [3] does not broadcast with the shape [2] of "
       "the inputs before it");
  CHECK(parseError(R"(graph @g {
  input %a: f32[2]
  input %b: f64[2]
  %y = Max "n"(%a, %b): f32[2]
  output %y
}
)") == "node 'n' (Max): input 1 ('b') is f64 but 'a' is f32");
  CHECK(parseError(R"(graph @g {
  input %c: i32[2]
  input %a: f32[2]
  input %b: f32[2]
  %y = Where "n"(%c, %a, %b): f32[2]
  output %y
}
)") == "node 'n' (Where): element type i32 of input 0 ('c') is not supported by Where");
  CHECK(parseError(R"(graph @g {
  input %c: bool[3]
  input %a: f32[2,1]
  input %b: f32[2]
  %y = Where "n"(%c, %a, %b): f32[2,3]
  output %y
}
)") == "node 'n' (Where): condition shape [3] does not broadcast with [2,2]");
}

//===----------------------------------------------------------------------===//
// Integer arithmetic: wrap-around, never a trap
//===----------------------------------------------------------------------===//

TEST_CASE("integer Add, Sub, Mul wrap like numpy") {
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %a: u8[3]
  input %b: u8[3]
  %y = Add "n"(%a, %b): u8[3]
  output %y
}
)",
                       {bytesOf<uint8_t>({200, 255, 1}), bytesOf<uint8_t>({100, 1, 2})}) ==
        std::vector<uint8_t>{44, 0, 3});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %a: u8[2]
  input %b: u8[2]
  %y = Sub "n"(%a, %b): u8[2]
  output %y
}
)",
                       {bytesOf<uint8_t>({1, 5}), bytesOf<uint8_t>({2, 5})}) ==
        std::vector<uint8_t>{255, 0});
  CHECK(eval1<int8_t>(R"(graph @g {
  input %a: i8[2]
  input %b: i8[2]
  %y = Mul "n"(%a, %b): i8[2]
  output %y
}
)",
                      {bytesOf<int8_t>({16, -128}), bytesOf<int8_t>({16, -1})}) ==
        std::vector<int8_t>{0, -128});
  const int32_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  CHECK(eval1<int32_t>(R"(graph @g {
  input %a: i32[2]
  input %b: i32[2]
  %y = Add "n"(%a, %b): i32[2]
  output %y
}
)",
                       {bytesOf<int32_t>({hi, lo}), bytesOf<int32_t>({1, -1})}) ==
        std::vector<int32_t>{lo, hi});
  CHECK(eval1<uint16_t>(R"(graph @g {
  input %a: u16[1]
  input %b: u16[1]
  %y = Mul "n"(%a, %b): u16[1]
  output %y
}
)",
                        {bytesOf<uint16_t>({65535}), bytesOf<uint16_t>({65535})}) ==
        std::vector<uint16_t>{1});
  // Division truncates; by zero gives 0; INT_MIN / -1 wraps to INT_MIN.
  CHECK(eval1<int32_t>(R"(graph @g {
  input %a: i32[4]
  input %b: i32[4]
  %y = Div "n"(%a, %b): i32[4]
  output %y
}
)",
                       {bytesOf<int32_t>({7, -7, 5, lo}), bytesOf<int32_t>({2, 2, 0, -1})}) ==
        std::vector<int32_t>{3, -3, 0, lo});
  // Abs and Neg of the most negative value wrap to itself.
  CHECK(eval1<int8_t>(R"(graph @g {
  input %x: i8[3]
  %y = Abs "n"(%x): i8[3]
  output %y
}
)",
                      {bytesOf<int8_t>({-128, -5, 7})}) == std::vector<int8_t>{-128, 5, 7});
  CHECK(eval1<int64_t>(R"(graph @g {
  input %x: i64[2]
  %y = Neg "n"(%x): i64[2]
  output %y
}
)",
                       {bytesOf<int64_t>({std::numeric_limits<int64_t>::min(), 3})}) ==
        std::vector<int64_t>{std::numeric_limits<int64_t>::min(), -3});
}

TEST_CASE("Mod: Python sign rule, fmod, and zero divisors") {
  const char *mod = R"(graph @g {
  input %a: i32[6]
  input %b: i32[6]
  %y = Mod "n"(%a, %b): i32[6]
  output %y
}
)";
  const char *fmod = R"(graph @g {
  input %a: i32[6]
  input %b: i32[6]
  %y = Mod "n"(%a, %b) {fmod = 1}: i32[6]
  output %y
}
)";
  const int32_t lo = std::numeric_limits<int32_t>::min();
  auto a = bytesOf<int32_t>({-7, 7, 7, -7, 5, lo});
  auto b = bytesOf<int32_t>({3, -3, 3, -3, 0, -1});
  CHECK(eval1<int32_t>(mod, {a, b}) == std::vector<int32_t>{2, -2, 1, -1, 0, 0});
  CHECK(eval1<int32_t>(fmod, {a, b}) == std::vector<int32_t>{-1, 1, 1, -1, 0, 0});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %a: u8[3]
  input %b: u8[3]
  %y = Mod "n"(%a, %b): u8[3]
  output %y
}
)",
                       {bytesOf<uint8_t>({250, 7, 9}), bytesOf<uint8_t>({7, 0, 10})}) ==
        std::vector<uint8_t>{5, 0, 9});
  checkClose(eval1<float>(R"(graph @g {
  input %a: f32[3]
  input %b: f32[3]
  %y = Mod "n"(%a, %b) {fmod = 1}: f32[3]
  output %y
}
)",
                          {bytesOf(F{-7.5f, 7.5f, 1}), bytesOf(F{2, -2, 0})}),
             F{-1.5f, 1.5f, kNaN}, 0);
}

TEST_CASE("Pow with integer and mixed operand types") {
  CHECK(eval1<int32_t>(R"(graph @g {
  input %a: i32[6]
  input %b: i64[6]
  %y = Pow "n"(%a, %b): i32[6]
  output %y
}
)",
                       {bytesOf<int32_t>({2, -2, 2, -1, 1, 3}),
                      bytesOf<int64_t>({10, 3, -1, -3, -5, 0})}) ==
        std::vector<int32_t>{1024, -8, 0, -1, 1, 1});
  // An integer base with a float exponent is computed in double, then
  // truncated like Cast.
  CHECK(eval1<int64_t>(R"(graph @g {
  input %a: i64[3]
  input %b: f32[3]
  %y = Pow "n"(%a, %b): i64[3]
  output %y
}
)",
                       {bytesOf<int64_t>({4, 10, 2}), bytesOf(F{0.5f, 2, -1})}) ==
        std::vector<int64_t>{2, 100, 0});
  checkClose(eval1<float>(R"(graph @g {
  input %a: f32[3]
  input %b: u8[1]
  %y = Pow "n"(%a, %b): f32[3]
  output %y
}
)",
                          {bytesOf(F{1.5f, -2, 0}), bytesOf<uint8_t>({3})}),
             F{3.375f, -8, 0}, 1e-6);
}

TEST_CASE("BitShift by the full width gives 0") {
  const char *left = R"(graph @g {
  input %a: u8[4]
  input %b: u8[4]
  %y = BitShift "n"(%a, %b) {direction = "LEFT"}: u8[4]
  output %y
}
)";
  const char *right = R"(graph @g {
  input %a: u64[3]
  input %b: u64[3]
  %y = BitShift "n"(%a, %b) {direction = "RIGHT"}: u64[3]
  output %y
}
)";
  CHECK(eval1<uint8_t>(left, {bytesOf<uint8_t>({1, 3, 1, 255}),
                              bytesOf<uint8_t>({7, 7, 8, 200})}) ==
        std::vector<uint8_t>{128, 128, 0, 0});
  CHECK(eval1<uint64_t>(right, {bytesOf<uint64_t>({~0ull, ~0ull, 8}),
                              bytesOf<uint64_t>({63, 64, 1})}) ==
        std::vector<uint64_t>{1, 0, 4});
}

//===----------------------------------------------------------------------===//
// Unary ops on the types and values conformance data skips
//===----------------------------------------------------------------------===//

TEST_CASE("Round halves to even; Sign and Shrink on integers") {
  checkClose(eval1<float>(R"(graph @g {
  input %x: f32[7]
  %y = Round "n"(%x): f32[7]
  output %y
}
)",
                          {bytesOf(F{0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.6f, kNaN})}),
             F{0, 2, 2, 0, -2, 3, kNaN}, 0);
  CHECK(eval1<int16_t>(R"(graph @g {
  input %x: i16[3]
  %y = Sign "n"(%x): i16[3]
  output %y
}
)",
                       {bytesOf<int16_t>({-300, 0, 9})}) == std::vector<int16_t>{-1, 0, 1});
  CHECK(eval1<uint32_t>(R"(graph @g {
  input %x: u32[2]
  %y = Sign "n"(%x): u32[2]
  output %y
}
)",
                        {bytesOf<uint32_t>({0, 77})}) == std::vector<uint32_t>{0, 1});
  // lambd 1.5, bias 1: x < -1.5 -> x + 1, x > 1.5 -> x - 1, else 0.
  CHECK(eval1<int32_t>(R"(graph @g {
  input %x: i32[5]
  %y = Shrink "n"(%x) {bias = 1.0, lambd = 1.5}: i32[5]
  output %y
}
)",
                       {bytesOf<int32_t>({-3, -1, 0, 1, 3})}) ==
        std::vector<int32_t>{-2, 0, 0, 0, 2});
}

TEST_CASE("older unary ops on the integer and double types the spec allows") {
  CHECK(eval1<int8_t>(R"(graph @g {
  input %x: i8[3]
  %y = Relu "n"(%x): i8[3]
  output %y
}
)",
                      {bytesOf<int8_t>({-128, 0, 127})}) == std::vector<int8_t>{0, 0, 127});
  CHECK(eval1<uint16_t>(R"(graph @g {
  input %x: u16[2]
  %y = Abs "n"(%x): u16[2]
  output %y
}
)",
                        {bytesOf<uint16_t>({0, 65535})}) == std::vector<uint16_t>{0, 65535});
  CHECK(eval1<int16_t>(R"(graph @g {
  input %x: i16[2]
  %y = Neg "n"(%x): i16[2]
  output %y
}
)",
                       {bytesOf<int16_t>({-32768, 5})}) == std::vector<int16_t>{-32768, -5});
  auto sig = eval1<double>(R"(graph @g {
  input %x: f64[2]
  %y = Sigmoid "n"(%x): f64[2]
  output %y
}
)",
                           {bytesOf(D{0, -40})});
  REQUIRE(sig.size() == 2);
  CHECK(sig[0] == 0.5);
  CHECK(std::fabs(sig[1] - 1 / (1 + std::exp(40.0))) < 1e-30); // beyond float's range
  auto ex = eval1<double>(R"(graph @g {
  input %x: f64[1]
  %y = Exp "n"(%x): f64[1]
  output %y
}
)",
                          {bytesOf(D{100})});
  REQUIRE(ex.size() == 1);
  CHECK(ex[0] == std::exp(100.0)); // overflows float, not double
}

TEST_CASE("IsNaN and IsInf with detect flags") {
  auto x = bytesOf(F{kInf, -kInf, kNaN, 1});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %x: f32[4]
  %y = IsNaN "n"(%x): bool[4]
  output %y
}
)",
                       {x}) == B{0, 0, 1, 0});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %x: f32[4]
  %y = IsInf "n"(%x): bool[4]
  output %y
}
)",
                       {x}) == B{1, 1, 0, 0});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %x: f32[4]
  %y = IsInf "n"(%x) {detect_positive = 0}: bool[4]
  output %y
}
)",
                       {x}) == B{0, 1, 0, 0});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %x: f32[4]
  %y = IsInf "n"(%x) {detect_negative = 0, detect_positive = 0}: bool[4]
  output %y
}
)",
                       {x}) == B{0, 0, 0, 0});
}

TEST_CASE("activations on double") {
  auto d = eval1<double>(R"(graph @g {
  input %x: f64[3]
  %y = Selu "n"(%x) {alpha = 2.0, gamma = 3.0}: f64[3]
  output %y
}
)",
                         {bytesOf(D{-1, 0, 2})});
  REQUIRE(d.size() == 3);
  CHECK(std::fabs(d[0] - 6 * (std::exp(-1.0) - 1)) < 1e-12);
  CHECK(d[1] == 0);
  CHECK(d[2] == 6);
  auto s = eval1<double>(R"(graph @g {
  input %x: f64[3]
  %y = Softplus "n"(%x): f64[3]
  output %y
}
)",
                         {bytesOf(D{-800, 0, 800})});
  REQUIRE(s.size() == 3);
  CHECK(s[0] == 0);
  CHECK(std::fabs(s[1] - std::log(2.0)) < 1e-15);
  CHECK(s[2] == 800); // no overflow to inf
}

//===----------------------------------------------------------------------===//
// Variadic ops, Where, comparisons
//===----------------------------------------------------------------------===//

TEST_CASE("Max, Min, Sum and Mean of three broadcast inputs") {
  auto a = bytesOf(F{1, 5});       // [2,1]
  auto b = bytesOf(F{0, 3, 6});    // [3]
  auto c = bytesOf(F{2});          // []
  const char *tmpl = R"(graph @g {
  input %a: f32[2,1]
  input %b: f32[3]
  input %c: f32[]
  %y = OP "n"(%a, %b, %c): f32[2,3]
  output %y
}
)";
  auto with = [&](const char *op) {
    std::string t = tmpl;
    t.replace(t.find("OP"), 2, op);
    return eval1<float>(t, {a, b, c});
  };
  CHECK(with("Max") == F{2, 3, 6, 5, 5, 6});
  CHECK(with("Min") == F{0, 1, 1, 0, 2, 2});
  CHECK(with("Sum") == F{3, 6, 9, 7, 10, 13});
  CHECK(with("Mean") == F{1, 2, 3, 7.0f / 3, 10.0f / 3, 13.0f / 3});
  // NaN wins in Max and Min, as numpy's maximum.
  checkClose(eval1<float>(R"(graph @g {
  input %a: f32[2]
  input %b: f32[2]
  %y = Max "n"(%a, %b): f32[2]
  output %y
}
)",
                          {bytesOf(F{kNaN, 1}), bytesOf(F{1, kNaN})}),
             F{kNaN, kNaN}, 0);
  // Integers, and a single input (a view).
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %a: u8[3]
  input %b: u8[3]
  %y = Max "n"(%a, %b): u8[3]
  output %y
}
)",
                       {bytesOf<uint8_t>({1, 200, 3}), bytesOf<uint8_t>({255, 0, 3})}) ==
        std::vector<uint8_t>{255, 200, 3});
  CHECK(eval1<float>(R"(graph @g {
  input %a: f32[2]
  %y = Mean "n"(%a): f32[2]
  output %y
}
)",
                     {bytesOf(F{1, 2})}) == F{1, 2});
}

TEST_CASE("Where broadcasts condition and both branches") {
  // y[i][j][k] = c[i][0][k] ? a[k] : b[j], of shape [2,2,3].
  CHECK(eval1<int64_t>(R"(graph @g {
  input %c: bool[2,1,3]
  input %a: i64[3]
  input %b: i64[2,1]
  %y = Where "n"(%c, %a, %b): i64[2,2,3]
  output %y
}
)",
                       {bytesOf<uint8_t>({1, 0, 1, 0, 0, 1}), bytesOf<int64_t>({10, 20, 30}),
                      bytesOf<int64_t>({-1, -2})}) ==
        std::vector<int64_t>{10, -1, 30, 10, -2, 30, -1, -1, 30, -2, -2, 30});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %c: bool[]
  input %a: bool[2]
  input %b: bool[2]
  %y = Where "n"(%c, %a, %b): bool[2]
  output %y
}
)",
                       {bytesOf<uint8_t>({0}), bytesOf<uint8_t>({1, 1}),
                      bytesOf<uint8_t>({0, 1})}) == B{0, 1});
}

TEST_CASE("comparisons, logical ops and PRelu") {
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %a: bool[4]
  input %b: bool[4]
  %y = Equal "n"(%a, %b): bool[4]
  output %y
}
)",
                       {bytesOf<uint8_t>({0, 0, 1, 1}), bytesOf<uint8_t>({0, 1, 0, 1})}) ==
        B{1, 0, 0, 1});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %a: bool[4]
  input %b: bool[4]
  %y = Xor "n"(%a, %b): bool[4]
  output %y
}
)",
                       {bytesOf<uint8_t>({0, 0, 1, 1}), bytesOf<uint8_t>({0, 1, 0, 1})}) ==
        B{0, 1, 1, 0});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %a: f32[3]
  input %b: f32[]
  %y = LessOrEqual "n"(%a, %b): bool[3]
  output %y
}
)",
                       {bytesOf(F{1, 2, kNaN}), bytesOf(F{2})}) == B{1, 1, 0});
  CHECK(eval1<int32_t>(R"(graph @g {
  input %x: i32[2,2]
  input %s: i32[2]
  %y = PRelu "n"(%x, %s): i32[2,2]
  output %y
}
)",
                       {bytesOf<int32_t>({-3, 4, -5, -1}), bytesOf<int32_t>({2, 3})}) ==
        std::vector<int32_t>{-6, 4, -10, -3});
}

//===----------------------------------------------------------------------===//
// Cast and Clip
//===----------------------------------------------------------------------===//

TEST_CASE("Cast from float to integers is defined for every value") {
  const char *toU8 = R"(graph @g {
  input %x: f32[6]
  %y = Cast "n"(%x) {to = 2}: u8[6]
  output %y
}
)";
  // Truncation toward zero; negative values wrap as numpy's cast does.
  CHECK(eval1<uint8_t>(toU8, {bytesOf(F{2.9f, -1, 255.5f, 256, kNaN, -0.5f})}) ==
        std::vector<uint8_t>{2, 255, 255, 0, 0, 0});
  const char *toI64 = R"(graph @g {
  input %x: f64[4]
  %y = Cast "n"(%x) {to = 7}: i64[4]
  output %y
}
)";
  CHECK(eval1<int64_t>(toI64, {bytesOf(D{1e300, -1e300, -2.5, std::nan("")})}) ==
        std::vector<int64_t>{std::numeric_limits<int64_t>::max(),
                             std::numeric_limits<int64_t>::min(), -2, 0});
  const char *toU64 = R"(graph @g {
  input %x: f64[3]
  %y = Cast "n"(%x) {to = 13}: u64[3]
  output %y
}
)";
  CHECK(eval1<uint64_t>(toU64, {bytesOf(D{1.8446744073709552e19, 1.7e19, 3.5})}) ==
        std::vector<uint64_t>{~0ull, 17000000000000000000ull, 3});
  CHECK(eval1<float>(R"(graph @g {
  input %x: bool[2]
  %y = Cast "n"(%x) {to = 1}: f32[2]
  output %y
}
)",
                     {bytesOf<uint8_t>({1, 0})}) == F{1, 0});
  CHECK(eval1<int8_t>(R"(graph @g {
  input %x: i32[2]
  input %t: i8[1]
  %y = CastLike "n"(%x, %t): i8[2]
  output %y
}
)",
                      {bytesOf<int32_t>({300, -129}), bytesOf<int8_t>({0})}) ==
        std::vector<int8_t>{44, 127});
}

TEST_CASE("Clip on integers with bounds computed at run time") {
  const char *clip = R"(graph @g {
  input %x: i8[5]
  input %lo: i8[]
  input %hi: i8[]
  %y = Clip "n"(%x, %lo, %hi): i8[5]
  output %y
}
)";
  CHECK(eval1<int8_t>(clip, {bytesOf<int8_t>({-128, -3, 0, 3, 127}), bytesOf<int8_t>({-2}),
                           bytesOf<int8_t>({2})}) == std::vector<int8_t>{-2, -2, 0, 2, 2});
  CHECK(eval1<uint16_t>(R"(graph @g {
  input %x: u16[3]
  input %hi: u16[]
  %y = Clip "n"(%x, _, %hi): u16[3]
  output %y
}
)",
                        {bytesOf<uint16_t>({0, 100, 65535}), bytesOf<uint16_t>({1000})}) ==
        std::vector<uint16_t>{0, 100, 1000});
}
