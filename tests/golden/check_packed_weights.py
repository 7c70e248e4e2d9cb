#!/usr/bin/python3
"""Packed weights end to end: 8-bit constants are stored as little-endian
uint64_t words in <name>_weights.cpp. Binds one input of ONNX conformance
cases to a constant (--const), so the generated code reads an int8/uint8
weight through its packed words, builds and runs it with `tinymlc run` (host
compiler, -Werror) and compares with ONNX's expected output, exactly.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

TESTDATA = os.environ.get("TINYMLC_ONNX_TESTDATA", "/usr/share/libonnx-testdata/data")

# case, the input bound to a constant (its index), the input fed at run time
CASES = [
    ("test_add_uint8", "y", 1, "x"),          # 60 bytes: 8 words, the last padded
    ("test_clip_default_int8_max", "max", 1, "x"),  # 1 byte: one padded word
    ("test_clip_default_int8_min", "min", 1, "x"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    args = ap.parse_args()
    import onnx
    from onnx import TensorProto, numpy_helper
    failures = 0
    for case, const, index, live in CASES:
        d = os.path.join(TESTDATA, "node", case)
        data = os.path.join(d, "test_data_set_0")
        with tempfile.TemporaryDirectory() as out:
            gen = os.path.join(out, "gen")
            r = subprocess.run([args.tinymlc, "compile", os.path.join(d, "model.onnx"), "-q",
                                "-o", gen, "--name", "m", "--const",
                                "%s=%s" % (const, os.path.join(data, "input_%d.pb" % index))],
                               capture_output=True, text=True)
            weights = open(os.path.join(gen, "m_weights.cpp")).read() if r.returncode == 0 else ""
            packed = "extern const uint64_t\n" in weights and "\nm_%s[" % const in weights
            if r.returncode != 0 or not packed:
                print("FAIL %s: the constant is not stored as words: %s" % (case, r.stderr))
                failures += 1
                continue
            r = subprocess.run([args.tinymlc, "run", os.path.join(d, "model.onnx"), "--const",
                                "%s=%s" % (const, os.path.join(data, "input_%d.pb" % index)),
                                "--input", "%s=%s" % (live, os.path.join(data, "input_0.pb")),
                                "--output-dir", out], capture_output=True, text=True)
            if r.returncode != 0:
                print("FAIL %s: tinymlc run: %s" % (case, r.stderr))
                failures += 1
                continue
            t = TensorProto()
            t.ParseFromString(open(os.path.join(data, "output_0.pb"), "rb").read())
            want = numpy_helper.to_array(t)
            name = onnx.load(os.path.join(d, "model.onnx")).graph.output[0].name
            got = np.fromfile(os.path.join(out, name + ".bin"), want.dtype).reshape(want.shape)
            if not np.array_equal(got, want):
                print("FAIL %s: outputs differ from ONNX's expected output" % case)
                failures += 1
                continue
            print("ok   %s (%s %s packed in words)" % (case, want.dtype, const))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
