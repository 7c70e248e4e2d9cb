//===- RecurrentOpsTest.cpp - recurrent layers and signal processing -------===//
//
// Shape inference and located errors of LSTM, GRU, RNN, DFT, STFT, the window
// functions and MelWeightMatrix; then the kernels, through evaluateGraph, on
// what ONNX's conformance data does not cover: bidirectional layers with
// sequence_lens, peepholes and clip, batch-major layout, double precision,
// activations with alpha/beta, zero-length sequences, DFT lengths that are and
// are not powers of two, padding and truncation, windows in integer types.
// The recurrent expectations come from ONNX Runtime 1.30 on the same tensors
// (float32; 1e-5 tolerance); the others are worked out by hand in the comments.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "ir/ShapeInference.h"
#include "passes/Evaluator.h"
#include <cmath>
#include <cstring>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

using Strings = std::vector<std::string>;
using D = std::vector<double>;

} // namespace

//===----------------------------------------------------------------------===//
// Shapes and errors
//===----------------------------------------------------------------------===//

TEST_CASE("Recurrent ops: output shapes for both layouts and omitted outputs") {
  {
    // Bidirectional LSTM, batch-major: X [batch 2, seq 5, input 3].
    OneNode b;
    CHECK(b.infer(OpKind::LSTM, {b.in({2, 5, 3}), b.in({2, 8, 3}), b.in({2, 8, 2})},
                  {{"hidden_size", int64_t(2)},
                   {"direction", "bidirectional"},
                   {"layout", int64_t(1)}},
                  3) == "f32[2,5,2,2], f32[2,2,2], f32[2,2,2]");
  }
  {
    // GRU without hidden_size: taken from R. Only Y_h requested (two outputs).
    OneNode b;
    CHECK(b.infer(OpKind::GRU,
                  {b.in({4, 1, 3}, DType::F64), b.in({1, 15, 3}, DType::F64),
                   b.in({1, 15, 5}, DType::F64)},
                  {}, 2) == "f64[4,1,1,5], f64[1,1,5]");
  }
  {
    // RNN with every optional input; the schema's default ["Tanh", "Tanh"]
    // is accepted for one direction.
    OneNode b;
    CHECK(b.infer(OpKind::RNN,
                  {b.in({3, 2, 4}), b.in({1, 5, 4}), b.in({1, 5, 5}), b.in({1, 10}),
                   b.in({2}, DType::I32), b.in({1, 2, 5})},
                  {{"hidden_size", int64_t(5)}, {"activations", Strings{"Tanh", "Tanh"}}},
                  2) == "f32[3,1,2,5], f32[1,2,5]");
  }
}

TEST_CASE("Recurrent ops: attribute and shape errors") {
  auto lstm = [](Attrs attrs, Ints w = {1, 12, 3}) {
    OneNode b;
    return b.infer(OpKind::LSTM, {b.in({2, 1, 3}), b.in(w), b.in({1, 12, 3})}, attrs, 2);
  };
  Attrs h3 = {{"hidden_size", int64_t(3)}};
  CHECK(lstm(h3, {1, 8, 3}) ==
        "node 'n' (LSTM): W ('x1') has shape [1,8,3]; expected [1,12,3] (num_directions, "
        "4*hidden_size, input_size)");
  CHECK(
      lstm({{"hidden_size", int64_t(3)}, {"direction", "sideways"}}) ==
      "node 'n' (LSTM): direction 'sideways' is not one of forward, reverse or bidirectional");
  CHECK(lstm({{"hidden_size", int64_t(3)}, {"direction", "bidirectional"}}) ==
        "node 'n' (LSTM): W ('x1') has shape [1,12,3]; expected [2,12,3] (num_directions, "
        "4*hidden_size, input_size)");
  CHECK(lstm({{"hidden_size", int64_t(3)}, {"activations", Strings{"Sigmoid", "Tanh"}}}) ==
        "node 'n' (LSTM): activations lists 2 functions; LSTM with direction forward takes 3");
  CHECK(lstm({{"hidden_size", int64_t(3)},
              {"activations", Strings{"Sigmoid", "Swish", "Tanh"}}}) ==
        "node 'n' (LSTM): activation 'Swish' is not one of Relu, Tanh, Sigmoid, Affine, "
        "LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus");
  CHECK(lstm({{"hidden_size", int64_t(3)}, {"clip", -1.0f}}) ==
        "node 'n' (LSTM): clip -1 must be positive");
  CHECK(lstm({{"hidden_size", int64_t(3)}, {"layout", int64_t(2)}}) ==
        "node 'n' (LSTM): layout 2 is not 0 or 1");
  CHECK(lstm({{"hidden_size", int64_t(3)}, {"linear_before_reset", int64_t(1)}}) ==
        "node 'n' (LSTM): attribute 'linear_before_reset' is not supported");
  {
    OneNode b;
    CHECK(b.infer(OpKind::GRU,
                  {b.in({2, 1, 3}), b.in({1, 9, 3}), b.in({1, 9, 3}), nullptr,
                   b.in({1}, DType::I64)},
                  h3, 2) == "node 'n' (GRU): sequence_lens ('x3') must be i32, not i64");
  }
  {
    // initial_h in the batch-major layout is [batch, num_directions, hidden].
    OneNode b;
    CHECK(b.infer(OpKind::RNN,
                  {b.in({2, 4, 3}), b.in({1, 3, 3}), b.in({1, 3, 3}), nullptr, nullptr,
                   b.in({1, 2, 3})},
                  {{"layout", int64_t(1)}}, 2) ==
          "node 'n' (RNN): initial_h ('x3') has shape [1,2,3]; expected [2,1,3] (batch_size, "
          "num_directions, hidden_size)");
  }
}

TEST_CASE("Signal ops: output shapes") {
  {
    // onesided with dft_length 9: 9 / 2 + 1 bins along axis 2 (given as -2).
    OneNode b;
    CHECK(b.infer(OpKind::DFT, {b.in({2, 3, 6, 1}), b.scalar(9)},
                  {{"axis", int64_t(-2)}, {"onesided", int64_t(1)}}) == "f32[2,3,5,2]");
  }
  {
    // 128 samples, frames of 16 every 8: 15 frames of 9 onesided bins.
    OneNode b;
    CHECK(b.infer(OpKind::STFT, {b.in({1, 128, 1}), b.scalar(8), nullptr, b.scalar(16)}) ==
          "f32[1,15,9,2]");
  }
  {
    // The window gives the frame length; two-sided.
    OneNode b;
    CHECK(b.infer(OpKind::STFT,
                  {b.in({2, 10, 2}, DType::F64), b.scalar(3), b.in({4}, DType::F64)},
                  {{"onesided", int64_t(0)}}) == "f64[2,3,4,2]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::HannWindow, {b.scalar(7, DType::I32)},
                  {{"output_datatype", int64_t(11)}}) == "f64[7]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::MelWeightMatrix, {b.scalar(8), b.scalar(16), b.scalar(8000), b.in({}),
                                            b.in({})}) == "f32[9,8]");
  }
}

TEST_CASE("Signal ops: errors") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::DFT, {b.in({1, 4, 4, 1})}, {{"axis", int64_t(0)}}) ==
          "node 'n' (DFT): axis 0 must name a signal dimension, between 1 and 2 for input "
          "shape [1,4,4,1]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::DFT, {b.in({1, 4, 3})}) ==
          "node 'n' (DFT): input ('x0') has shape [1,4,3]; its last dimension must be 1 (real) "
          "or 2 (complex)");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::STFT, {b.in({1, 64, 1}), b.scalar(8)}) ==
          "node 'n' (STFT): needs a window (input 2) or a frame_length (input 3) to know the "
          "frame size");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::STFT, {b.in({1, 64, 1}), b.scalar(8), b.in({8}), b.scalar(16)}) ==
          "node 'n' (STFT): window ('x2') has 8 values but frame_length is 16");
  }
  {
    OneNode b;
    CHECK(
        b.infer(OpKind::STFT,
                {b.in({1, 64, 1}), b.in({}, DType::I64), nullptr, b.scalar(16)}) ==
        "node 'n' (STFT): input 1 (frame_step, 'x1') must be known at compile time, but it is "
        "computed from runtime data; bind the graph input it depends on with --const "
        "NAME=FILE");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::BlackmanWindow, {b.in({}, DType::I32)}) ==
          "node 'n' (BlackmanWindow): input 0 (size, 'x0') must be known at compile time, but "
          "it is computed from runtime data; bind the graph input it depends on with --const "
          "NAME=FILE");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::HammingWindow, {b.scalar(4)}, {{"output_datatype", int64_t(10)}}) ==
          "node 'n' (HammingWindow): output_datatype FLOAT16 is not supported; tinymlc handles "
          "float, double and 8/16/32/64-bit integers");
  }
}

//===----------------------------------------------------------------------===//
// Recurrent kernels
//===----------------------------------------------------------------------===//

TEST_CASE("LSTM: bidirectional with sequence_lens, initial states, peepholes and clip") {
  // seq 3, batch 2 (lengths 3 and 1), input 2, hidden 2. Batch row 1 stops
  // after one step: Y is zero at its steps 1 and 2, its Y_h and Y_c are the
  // step-0 values; the reverse direction starts at step 0 for it.
  auto out = eval(R"(graph @g {
  input %x: f32[3,2,2]
  input %sl: i32[2]
  const %w: f32[2,8,2] = [-0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4, 0, -0.4, 0.3, -0.1, -0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4, 0, -0.4, 0.3, -0.1, -0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4, 0, -0.4, 0.3]
  const %r: f32[2,8,2] = [-0.5, -0.2, 0.1, 0.4, -0.4, -0.1, 0.2, 0.5, -0.3, 0, 0.3, -0.5, -0.2, 0.1, 0.4, -0.4, -0.1, 0.2, 0.5, -0.3, 0, 0.3, -0.5, -0.2, 0.1, 0.4, -0.4, -0.1, 0.2, 0.5, -0.3, 0]
  const %b: f32[2,16] = [-0.15, 0.1, 0, -0.1, 0.15, 0.05, -0.05, -0.15, 0.1, 0, -0.1, 0.15, 0.05, -0.05, -0.15, 0.1, 0, -0.1, 0.15, 0.05, -0.05, -0.15, 0.1, 0, -0.1, 0.15, 0.05, -0.05, -0.15, 0.1, 0, -0.1]
  const %h0: f32[2,2,2] = [-0.4, 0, 0.4, -0.2, 0.2, -0.4, 0, 0.4]
  const %c0: f32[2,2,2] = [-0.4, 0.2, -0.2, 0.4, 0, -0.4, 0.2, -0.2]
  const %p: f32[2,6] = [-0.4, 0, 0.4, -0.1, 0.3, -0.2, 0.2, -0.3, 0.1, -0.4, 0, 0.4]
  %y, %yh, %yc = LSTM "lstm"(%x, %w, %r, %b, %sl, %h0, %c0, %p) {clip = 0.9, direction = "bidirectional", hidden_size = 2}: f32[3,2,2,2], f32[2,2,2], f32[2,2,2]
  output %y
  output %yh
  output %yc
}
)",
                  {bytesOf<float>({-0.9f, -0.15f, 0.6f, -0.6f, 0.15f, 0.9f, -0.3f, 0.45f,
                                   -0.75f, 0, 0.75f, -0.45f}),
                   bytesOf<int32_t>({3, 1})});
  REQUIRE(out.size() == 3);
  checkClose(as<float>(out[0]),
             D{-0.18619284,
               -0.087806493,
               -0.0498764329,
               0.213648066,
               -0.0709709153,
               0.0725799128,
               0.17258659,
               -0.146042019,
               -0.158800676,
               -0.0200055521,
               0,
               0,
               -0.0167292263,
               0.0108712194,
               0,
               0,
               -0.183324233,
               -0.113893315,
               0,
               0,
               -0.0794913918,
               -0.0504486933,
               0,
               0},
             1e-5);
  checkClose(as<float>(out[1]),
             D{-0.183324233, -0.113893315, -0.0498764329, 0.213648066, -0.0709709153,
               0.0725799128, 0.17258659, -0.146042019},
             1e-5);
  checkClose(as<float>(out[2]),
             D{-0.458735913, -0.268609881, -0.102188036, 0.404119909, -0.147892877, 0.122979991,
               0.275239319, -0.369695902},
             1e-5);
}

TEST_CASE("GRU: batch-major double, linear_before_reset, HardSigmoid and LeakyRelu") {
  // activation_alpha [0.3] goes to HardSigmoid (its beta stays 0.5); LeakyRelu
  // takes no value from the list and keeps its default alpha 0.01.
  auto out = eval(R"(graph @g {
  input %x: f64[2,2,3]
  const %w: f64[1,6,3] = [-0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4, 0, -0.4, 0.3, -0.1, -0.5, 0.2, -0.2, 0.5, 0.1, -0.3, 0.4]
  const %r: f64[1,6,2] = [-0.5, -0.2, 0.1, 0.4, -0.4, -0.1, 0.2, 0.5, -0.3, 0, 0.3, -0.5]
  const %b: f64[1,12] = [-0.15, 0.1, 0, -0.1, 0.15, 0.05, -0.05, -0.15, 0.1, 0, -0.1, 0.15]
  %y, %yh = GRU "gru"(%x, %w, %r, %b) {activation_alpha = [0.3], activations = ["HardSigmoid", "LeakyRelu"], hidden_size = 2, layout = 1, linear_before_reset = 1}: f64[2,2,1,2], f64[2,1,2]
  output %y
  output %yh
}
)",
                  {bytesOf<double>(
                      {-0.9, -0.15, 0.6, -0.3, 0.45, -0.75, -0.6, 0.15, 0.9, 0, 0.75, -0.45})});
  REQUIRE(out.size() == 2);
  checkClose(as<double>(out[0]),
             D{0.12455003, 0.205836982, 0.0633651018, 0.111445419, 0.213724986, 0.236122727,
               0.0978621766, 0.136344194},
             1e-5);
  checkClose(as<double>(out[1]), D{0.0633651018, 0.111445419, 0.0978621766, 0.136344194}, 1e-5);
}

TEST_CASE("RNN: reverse with a zero-length sequence and Relu") {
  // Row 0 has length 0: Y and Y_h stay zero although initial_h is given.
  // Row 1 has length 2 and runs t = 1, then t = 0 (W = [-0.5, 0.2],
  // R = [[-0.5, -0.2], [0.1, 0.4]], bias sums [0.35, 0.3]):
  //   t = 1: x = -0.6, h = [0.75, 1]: [0.3 - 0.575 + 0.35, -0.12 + 0.475 + 0.3]
  //          = [0.075, 0.655];
  //   t = 0: x = -0.15: [0.075 - 0.1685 + 0.35, -0.03 + 0.2695 + 0.3] = [0.2565, 0.5395].
  auto out = eval(
      R"(graph @g {
  input %x: f32[3,2,1]
  input %sl: i32[2]
  const %w: f32[1,2,1] = [-0.5, 0.2]
  const %r: f32[1,2,2] = [-0.5, -0.2, 0.1, 0.4]
  const %b: f32[1,4] = [0.3, 0.1, 0.05, 0.2]
  const %h0: f32[1,2,2] = [0.5, 0.25, 0.75, 1]
  %y, %yh = RNN "rnn"(%x, %w, %r, %b, %sl, %h0) {activations = ["Relu"], direction = "reverse", hidden_size = 2}: f32[3,1,2,2], f32[1,2,2]
  output %y
  output %yh
}
)",
      {bytesOf<float>({-0.9f, -0.15f, 0.6f, -0.6f, 0.15f, 0.9f}), bytesOf<int32_t>({0, 2})});
  REQUIRE(out.size() == 2);
  checkClose(as<float>(out[0]), D{0, 0, 0.2565, 0.5395, 0, 0, 0.075, 0.655, 0, 0, 0, 0}, 1e-6);
  checkClose(as<float>(out[1]), D{0, 0, 0.2565, 0.5395}, 1e-6);
}

//===----------------------------------------------------------------------===//
// Signal kernels
//===----------------------------------------------------------------------===//

TEST_CASE("DFT: FFT and direct lengths, truncation, padding and the inverse") {
  // [1, 2, 3, 4] (n = 4, the FFT): [10, -2 + 2i, -2, -2 - 2i].
  auto fft = eval(R"(graph @g {
  input %x: f32[1,4,1]
  %y = DFT "dft"(%x): f32[1,4,2]
  output %y
}
)",
                  {bytesOf<float>({1, 2, 3, 4})});
  REQUIRE(fft.size() == 1);
  checkClose(as<float>(fft[0]), D{10, 0, -2, 2, -2, 0, -2, -2}, 1e-5);

  // dft_length 3 keeps [1, 2, 3] (the direct sum); onesided keeps 3 / 2 + 1 bins:
  // X0 = 6, X1 = 1 + 2 e^(-2 pi i / 3) + 3 e^(-4 pi i / 3) = -1.5 + 0.866i.
  auto cut = eval(R"(graph @g {
  input %x: f32[1,4,1]
  const %n: i64[] = [3]
  %y = DFT "dft"(%x, %n) {onesided = 1}: f32[1,2,2]
  output %y
}
)",
                  {bytesOf<float>({1, 2, 3, 4})});
  REQUIRE(cut.size() == 1);
  checkClose(as<float>(cut[0]), D{6, 0, -1.5, std::sqrt(3.0) / 2}, 1e-5);

  // The inverse of the first result, complex, in double along axis 2, padded
  // from 2 columns to 4 with dft_length: [x0, x1, 0, 0] -> (x0 + x1 e^(i pi k / 2)) / 4.
  auto inv = eval(R"(graph @g {
  input %x: f64[1,1,2,2]
  const %n: i32[] = [4]
  %y = DFT "dft"(%x, %n) {axis = 2, inverse = 1}: f64[1,1,4,2]
  output %y
}
)",
                  {bytesOf<double>({4, 0, 0, 4})});
  REQUIRE(inv.size() == 1);
  // x0 = 4, x1 = 4i: k=0: (4 + 4i)/4; k=1: (4 + 4i*i)/4 = 0; k=2: (4 - 4i)/4; k=3: (4 + 4)/4.
  checkClose(as<double>(inv[0]), D{1, 1, 0, 0, 1, -1, 2, 0}, 1e-12);
}

TEST_CASE("STFT: windowed frames, onesided") {
  // Frames of 4 every 2 samples of [1..6]: [1, 2, 3, 4] and [3, 4, 5, 6]; the
  // window [1, 0, 1, 0] leaves [1, 0, 3, 0] and [3, 0, 5, 0], whose DFTs are
  // [4, -2, 4, -2] and [8, -2, 8, -2] (3 onesided bins kept).
  auto out = eval(R"(graph @g {
  input %x: f32[1,6,1]
  const %step: i64[] = [2]
  const %w: f32[4] = [1, 0, 1, 0]
  %y = STFT "stft"(%x, %step, %w): f32[1,2,3,2]
  output %y
}
)",
                  {bytesOf<float>({1, 2, 3, 4, 5, 6})});
  REQUIRE(out.size() == 1);
  checkClose(as<float>(out[0]), D{4, 0, -2, 0, 4, 0, 8, 0, -2, 0, 8, 0}, 1e-5);
}

TEST_CASE("Window functions: periodic, symmetric, integer and one-point windows") {
  auto one = [](const std::string &op, const std::string &attrs, const std::string &type,
                int size) {
    std::string text = "graph @g {\n  const %n: i64[] = [" + std::to_string(size) +
                       "]\n  %y = " + op + " \"w\"(%n)" + attrs + ": " + type +
                       "\n  output %y\n}\n";
    auto out = eval(text, {});
    REQUIRE(out.size() == 1);
    return out[0];
  };
  // Hann: 0.5 - 0.5 cos(2 pi n / N); periodic N = 4, symmetric N = 4 for 5 points.
  checkClose(as<float>(one("HannWindow", "", "f32[4]", 4)), D{0, 0.5, 1, 0.5}, 1e-7);
  checkClose(as<float>(one("HannWindow", " {periodic = 0}", "f32[5]", 5)), D{0, 0.5, 1, 0.5, 0},
             1e-7);
  // Hamming in int32: 25/46 - 21/46 cos(...) = [0.087, 1, 0.087] truncates to [0, 1, 0].
  CHECK(as<int32_t>(one("HammingWindow", " {output_datatype = 6, periodic = 0}", "i32[3]",
                        3)) == std::vector<int32_t>{0, 1, 0});
  // Blackman in double: 0.42 - 0.5 cos(t) + 0.08 cos(2t) at t = 0, pi/2, pi, 3pi/2.
  checkClose(as<double>(one("BlackmanWindow", " {output_datatype = 11}", "f64[4]", 4)),
             D{0, 0.34, 1, 0.34}, 1e-15);
  // Integer outputs truncate the float value: the Blackman peak (1 - 1e-16 in
  // double) is 1, the ends (-1.4e-17) are 0, also unsigned.
  CHECK(as<uint8_t>(one("BlackmanWindow", " {output_datatype = 2, periodic = 0}", "u8[3]",
                        3)) == std::vector<uint8_t>{0, 1, 0});
  // A one-point symmetric window is 1 (N would be 0).
  checkClose(as<float>(one("BlackmanWindow", " {periodic = 0}", "f32[1]", 1)), D{1}, 0);
}

TEST_CASE("MelWeightMatrix: triangles on integer bin edges") {
  // 2 bands over 0..500 Hz at 1000 Hz, dft_length 16 (9 bins): the 4 mel-spaced
  // edges 0, 101, 217, 348 Hz fall in bins floor(17 * f / 1000) = 0, 1, 3, 5.
  // Band 0 rises over bins 0..1 and falls over 1..3; band 1 rises over 1..3
  // and falls over 3..5.
  auto out = eval(R"(graph @g {
  const %m: i32[] = [2]
  const %n: i32[] = [16]
  const %rate: i32[] = [1000]
  const %lo: f32[] = [0]
  const %hi: f32[] = [500]
  %y = MelWeightMatrix "mel"(%m, %n, %rate, %lo, %hi): f32[9,2]
  output %y
}
)",
                  {});
  REQUIRE(out.size() == 1);
  checkClose(as<float>(out[0]), D{0, 0, 1, 0, 0.5, 0.5, 0, 1, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0},
             0);
}
