#!/usr/bin/python3
"""The integer kernels of the QDQ pass, one pattern at a time, against ONNX Runtime.

Each case is a small QDQ model built here with onnx.helper: a float input,
QuantizeLinear -> DequantizeLinear, the float op(s) under test,
QuantizeLinear -> DequantizeLinear, a float output. ONNX Runtime
(onnxruntime-node, tests/quant/ort_run.js) computes the reference. For each
case this checks:
- the compile turns the pattern into the expected integer op and leaves no
  float op between the quantised edges;
- every output element is within one quantisation step of ONNX Runtime's
  (the fraction that is exactly equal is printed: ONNX Runtime's optimised
  graph fuses some Q/DQ pairs, e.g. requantize and softmax, and then rounds
  differently from the graph as written, which tinymlc follows exactly);
- the generated code and the compiler's evaluator (`run --evaluate`) give
  identical bytes.

  tests/quant/run_qdq_ops.py --tinymlc build/compiler/tinymlc [--keep DIR]

Exit code 77 (ctest: skipped) when node or onnxruntime-node is missing.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OPSET = 17
SHAPE = [1, 8, 6, 6]


def qdq(nodes, inits, x, name, scale, zp, qtype=TensorProto.INT8):
    """x -> QuantizeLinear -> DequantizeLinear; returns the float name."""
    np_t = np.int8 if qtype == TensorProto.INT8 else np.uint8
    inits.append(numpy_helper.from_array(np.array(scale, np.float32), name + "_s"))
    inits.append(numpy_helper.from_array(np.array(zp, np_t), name + "_z"))
    nodes.append(helper.make_node("QuantizeLinear", [x, name + "_s", name + "_z"], [name + "_q"]))
    nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"],
                                  [name + "_dq"]))
    return name + "_dq"


def params_for(lo, hi, qtype=TensorProto.INT8):
    scale = (hi - lo) / 255.0
    qmin = -128 if qtype == TensorProto.INT8 else 0
    return scale, int(round(qmin - lo / scale))


def model(name, ins, body, out_range, out_type=TensorProto.INT8):
    """ins: [(name, shape, (lo, hi), qtype)]; body(nodes, inits, [dq names]) -> float name."""
    nodes, inits, inputs = [], [], []
    dqs = []
    for (n, shape, (lo, hi), qt) in ins:
        inputs.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, shape))
        s, z = params_for(lo, hi, qt)
        dqs.append(qdq(nodes, inits, n, n + "_in", s, z, qt))
    y = body(nodes, inits, dqs)
    s, z = params_for(*out_range, out_type)
    out = qdq(nodes, inits, y, "out", s, z, out_type)
    nodes.append(helper.make_node("Identity", [out], ["y"]))
    shapes = [i[1] for i in ins]
    if body is concat:
        out_shape = [1, sum(sh[1] for sh in shapes)] + shapes[0][2:]
    elif name.startswith("qlinear-conv"):
        out_shape = [1, 5, 3, 6]
    elif name.startswith("qlinear-matmul"):
        out_shape = [3, 7]
    else:
        out_shape = list(np.broadcast_shapes(*map(tuple, shapes)))
    g = helper.make_graph(nodes, name, inputs,
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET),
                                            helper.make_opsetid("com.microsoft", 1)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m, s


def unary(op, **attrs):
    def body(nodes, inits, dqs):
        nodes.append(helper.make_node(op, [dqs[0]], ["f"], **attrs))
        return "f"
    return body


def with_scalar(op, value, first=False):
    def body(nodes, inits, dqs):
        inits.append(numpy_helper.from_array(np.array(value, np.float32), "c"))
        nodes.append(helper.make_node(op, ["c", dqs[0]] if first else [dqs[0], "c"], ["f"]))
        return "f"
    return body


def binary(op):
    def body(nodes, inits, dqs):
        nodes.append(helper.make_node(op, dqs[:2], ["f"]))
        return "f"
    return body


def qlinear_binary(op, out_range):
    """ONNX Runtime's contrib QLinearAdd / QLinearMul (com.microsoft) on the
    two inputs' quantised tensors, then DequantizeLinear."""
    def body(nodes, inits, dqs):
        ins = []
        for d in dqs[:2]:
            base = d[:-len("_dq")]
            ins += [base + "_q", base + "_s", base + "_z"]
        ys, yz = params_for(*out_range)
        inits += [numpy_helper.from_array(np.array(ys, np.float32), "y_s"),
                  numpy_helper.from_array(np.array(yz, np.int8), "y_z")]
        nodes.append(helper.make_node(op, ins + ["y_s", "y_z"], ["yq"], domain="com.microsoft"))
        nodes.append(helper.make_node("DequantizeLinear", ["yq", "y_s", "y_z"], ["f"]))
        return "f"
    return body


def mul_const(nodes, inits, dqs):
    w = np.random.default_rng(7).integers(-127, 128, size=[1, 8, 1, 1]).astype(np.int8)
    inits.append(numpy_helper.from_array(w, "w"))
    inits.append(numpy_helper.from_array(np.array(0.02, np.float32), "w_s"))
    inits.append(numpy_helper.from_array(np.array(3, np.int8), "w_z"))
    nodes.append(helper.make_node("DequantizeLinear", ["w", "w_s", "w_z"], ["w_dq"]))
    nodes.append(helper.make_node("Mul", [dqs[0], "w_dq"], ["f"]))
    return "f"


def concat(nodes, inits, dqs):
    nodes.append(helper.make_node("Concat", dqs, ["f"], axis=1))
    return "f"


def requant(nodes, inits, dqs):
    return dqs[0]


def qlinear(op, out_range, per_channel):
    """QOperator form: the input's quantised tensor into QLinearConv or
    QLinearMatMul with constant int8 weights, then DequantizeLinear."""
    def body(nodes, inits, dqs):
        rng = np.random.default_rng(11)
        xq = dqs[0][:-len("_dq")] + "_q"
        xs, xz = dqs[0][:-len("_dq")] + "_s", dqs[0][:-len("_dq")] + "_z"
        if op == "QLinearConv":
            w = rng.integers(-127, 128, size=[5, 8, 3, 3]).astype(np.int8)
            ws = rng.uniform(0.001, 0.004, size=[5] if per_channel else []).astype(np.float32)
            wz = np.zeros([5] if per_channel else [], np.int8)
        else:
            w = rng.integers(-127, 128, size=[6, 7]).astype(np.int8)
            ws = np.array(0.003, np.float32)
            wz = np.array(0, np.int8)
        ys, yz = params_for(*out_range)
        inits += [numpy_helper.from_array(w, "w"), numpy_helper.from_array(ws, "w_s"),
                  numpy_helper.from_array(wz, "w_z"),
                  numpy_helper.from_array(np.array(ys, np.float32), "y_s"),
                  numpy_helper.from_array(np.array(yz, np.int8), "y_z")]
        ins = [xq, xs, xz, "w", "w_s", "w_z", "y_s", "y_z"]
        attrs = {}
        if op == "QLinearConv":
            b = rng.integers(-2000, 2000, size=[5]).astype(np.int32)
            inits.append(numpy_helper.from_array(b, "b"))
            ins.append("b")
            attrs = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 1])
        nodes.append(helper.make_node(op, ins, ["yq"], **attrs))
        nodes.append(helper.make_node("DequantizeLinear", ["yq", "y_s", "y_z"], ["f"]))
        return "f"
    return body


I8, U8 = TensorProto.INT8, TensorProto.UINT8
X = ("x", SHAPE, (-4.0, 4.0), I8)
XU = ("x", SHAPE, (-4.0, 4.0), U8)

# name, inputs, body, output range, output type, the integer op expected
CASES = [
    ("sigmoid", [X], unary("Sigmoid"), (0.0, 1.0), I8, "tmc.QLut"),
    ("sigmoid-u8", [XU], unary("Sigmoid"), (0.0, 1.0), U8, "tmc.QLut"),
    ("tanh", [X], unary("Tanh"), (-1.0, 1.0), I8, "tmc.QLut"),
    ("hard-swish", [X], unary("HardSwish"), (-0.375, 4.0), I8, "tmc.QLut"),
    ("hard-sigmoid", [X], unary("HardSigmoid", alpha=0.2, beta=0.5), (0.0, 1.0), I8, "tmc.QLut"),
    ("leaky-relu", [X], unary("LeakyRelu", alpha=0.1), (-0.4, 4.0), I8, "tmc.QLut"),
    ("elu", [X], unary("Elu"), (-1.0, 4.0), I8, "tmc.QLut"),
    ("relu-u8", [XU], unary("Relu"), (0.0, 4.0), U8, "tmc.QLut"),
    ("exp", [X], unary("Exp"), (0.0, 54.6), U8, "tmc.QLut"),
    ("add-scalar", [X], with_scalar("Add", 1.5), (-2.5, 5.5), I8, "tmc.QLut"),
    ("sub-from-scalar", [X], with_scalar("Sub", 1.0, first=True), (-3.0, 5.0), I8, "tmc.QLut"),
    ("requantize", [X], requant, (-2.0, 6.0), I8, "tmc.QLut"),
    ("mul", [X, ("x2", SHAPE, (-2.0, 3.0), I8)], binary("Mul"), (-12.0, 12.0), I8, "tmc.QMul"),
    ("mul-broadcast", [X, ("x2", [1, 8, 1, 1], (0.0, 1.0), I8)], binary("Mul"), (-4.0, 4.0), I8,
     "tmc.QMul"),
    ("mul-u8-i8", [XU, ("x2", [1, 1, 6, 1], (-1.0, 1.0), I8)], binary("Mul"), (-4.0, 4.0), I8,
     "tmc.QMul"),
    ("mul-constant", [X], mul_const, (-12.0, 12.0), I8, "tmc.QMul"),
    ("concat-rescale", [X, ("x2", [1, 3, 6, 6], (-1.0, 9.0), I8)], concat, (-4.0, 9.0), I8,
     "tmc.QLut"),
    ("softmax", [X], unary("Softmax", axis=1), (0.0, 1.0), I8, "tmc.QSoftmax"),
    ("softmax-last-u8", [XU], unary("Softmax", axis=-1), (0.0, 1.0), U8, "tmc.QSoftmax"),
    ("qlinear-conv", [X], qlinear("QLinearConv", (-6.0, 6.0), False), (-6.0, 6.0), I8,
     "tmc.QConv"),
    ("qlinear-conv-per-channel", [X], qlinear("QLinearConv", (-6.0, 6.0), True), (-6.0, 6.0), I8,
     "tmc.QConv"),
    ("qlinear-add", [X, ("x2", SHAPE, (-2.0, 3.0), I8)], qlinear_binary("QLinearAdd", (-6.0, 7.0)),
     (-6.0, 7.0), I8, "tmc.QAdd"),
    ("qlinear-mul-broadcast", [X, ("x2", [1, 8, 1, 1], (-1.0, 1.0), I8)],
     qlinear_binary("QLinearMul", (-4.0, 4.0)), (-4.0, 4.0), I8, "tmc.QMul"),
    ("qlinear-matmul", [("x", [3, 6], (-4.0, 4.0), I8)], qlinear("QLinearMatMul", (-3.0, 3.0),
                                                                 False), (-3.0, 3.0), I8,
     "tmc.QFc"),
]


def node_available():
    return shutil.which("node") and os.path.isdir(os.path.join(ROOT, "node_modules",
                                                               "onnxruntime-node"))


def run_case(tinymlc, work, case):
    name, ins, body, out_range, out_type, expected = case
    m, out_scale = model(name, ins, body, out_range, out_type)
    d = os.path.join(work, name)
    os.makedirs(d)
    path = os.path.join(d, "model.onnx")
    onnx.save(m, path)
    rng = np.random.default_rng(abs(hash(name)) % 1000)
    specs, args = [], []
    for (n, shape, (lo, hi), _) in ins:
        # A little beyond the quantised range, so saturation is exercised too.
        x = rng.uniform(lo * 1.1, hi * 1.1, size=shape).astype(np.float32)
        f = os.path.join(d, n + ".bin")
        x.tofile(f)
        specs.append("%s=float32:%s:%s" % (n, "x".join(map(str, shape)), f))
        args += ["--input", "%s=%s" % (n, f)]
    ref = os.path.join(d, "ref")
    os.makedirs(ref)
    r = subprocess.run(["node", os.path.join(HERE, "ort_run.js"), path, ref] + specs,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False, "onnxruntime failed: " + r.stderr.strip()[:300]
    got, evald = os.path.join(d, "gen"), os.path.join(d, "eval")
    r = subprocess.run([tinymlc, "compile", path, "-o", os.path.join(d, "code")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False, "tinymlc compile failed: " + r.stderr.strip()[:300]
    summary = r.stderr
    r = subprocess.run([tinymlc, "run", path, "--output-dir", got] + args,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False, "tinymlc run failed: " + r.stderr.strip()[:300]
    if expected not in summary:
        return False, "no %s in the compile: %s" % (expected, summary.splitlines()[0])
    if "in float between them" in summary:
        line = [s for s in summary.splitlines() if "in float between them" in s][0]
        return False, "float left: " + line.strip()[:300]
    r = subprocess.run([tinymlc, "run", path, "--evaluate", "--output-dir", evald] + args,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False, "tinymlc run --evaluate failed: " + r.stderr.strip()[:300]
    a = open(os.path.join(got, "y.bin"), "rb").read()
    if a != open(os.path.join(evald, "y.bin"), "rb").read():
        return False, "the evaluator and the generated code disagree"
    y = np.frombuffer(a, np.float32)
    want = np.fromfile(os.path.join(ref, "y.bin"), np.float32)
    if y.shape != want.shape:
        return False, "output has %d elements, ONNX Runtime %d" % (y.size, want.size)
    steps = np.abs(y.astype(np.float64) - want) / out_scale
    exact = np.mean(steps < 1e-3) * 100
    if steps.max() > 1.0 + 1e-3:
        return False, "max %.2f steps from ONNX Runtime (%.1f%% exact)" % (steps.max(), exact)
    return True, "%s; %d elements, %.1f%% equal to ONNX Runtime, all within one step" % (
        expected, y.size, exact)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--keep", help="work in this directory and keep it")
    ap.add_argument("--filter", default="")
    args = ap.parse_args()
    if not node_available():
        print("SKIPPED: node or onnxruntime-node missing (scripts/install-deps.sh test)")
        return 77
    tinymlc = os.path.abspath(args.tinymlc)
    work = args.keep or tempfile.mkdtemp(prefix="tinymlc-qdq-ops-")
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    failed = 0
    try:
        for case in CASES:
            if args.filter not in case[0]:
                continue
            ok, detail = run_case(tinymlc, work, case)
            failed += not ok
            print("%-4s %-18s %s" % ("ok" if ok else "FAIL", case[0], detail))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("qdq-ops: %d of %d cases failed" % (failed, len(CASES)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
