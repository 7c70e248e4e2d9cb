#!/usr/bin/python3
"""Post-training quantisation benchmark: accuracy and error of tinymlc's int8.

For each model and calibration method, quantises the float model with
`tinymlc run --quantize int8 --calibration DIR`, runs the generated code on
held-out inputs and measures it against the float build of the same model:
- digits-cnn: calibrated on data/calib_images_f32.bin (200 training images),
  top-1 accuracy on the 360 held-out images (data/test_*); bar: >= 98.0%.
- mlperf-tiny-vww-mobilenetv1-float, mlperf-tiny-ic-resnet8-float: calibrated
  on 100 seeded uniform random inputs in the range of ref/input_0.bin, output
  SQNR against the float build over 100 other seeded random inputs (all
  outputs of all samples pooled); bar: >= 20 dB.
Also: weight bytes (flash) and arena, float against int8, from the reports.
Writes bench/results/quantization.md.

Usage: bench/quantization.py --tinymlc build/compiler/tinymlc [--methods minmax,...]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.environ.get("TINYMLC_MODELS",
                            os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "models"))
if not os.path.isdir(MODELS_DIR):
    MODELS_DIR = "/work/shared/models"

DIGITS_BAR = 98.0
SQNR_BAR = 20.0
RANDOM_MODELS = ["mlperf-tiny-vww-mobilenetv1-float", "mlperf-tiny-ic-resnet8-float"]
CALIB_SEED, TEST_SEED = 1, 2
NUM_RANDOM = 100


def run(tinymlc, model, inputs, extra, work):
    """`tinymlc run` on `inputs` ([(name, file)]); returns (outputs, report, stderr)."""
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    keep = os.path.join(work, "build")
    shutil.rmtree(keep, ignore_errors=True)
    cmd = [tinymlc, "run", model, "--name", "m", "--output-dir", out, "--work-dir", keep] + extra
    for name, path in inputs:
        cmd += ["--input", "%s=%s" % (name, path) if name else path]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError("%s failed:\n%s" % (" ".join(cmd), r.stderr))
    report = json.load(open(os.path.join(keep, "gen", "m.report.json")))
    outs = {}
    for o in report["outputs"]:
        fn = "".join(c if (c.isalnum() or c in "_.-") else "_" for c in o["name"]) + ".bin"
        outs[o["name"]] = np.fromfile(os.path.join(out, fn), dtype=np.float32)
    return outs, report, r.stderr, secs


def sqnr_db(ref, got):
    noise = float(np.sum((got.astype(np.float64) - ref) ** 2))
    sig = float(np.sum(ref.astype(np.float64) ** 2))
    return float("inf") if noise == 0 else 10 * np.log10(sig / noise)


def method_args(method):
    if method.startswith("percentile"):
        p = method.split(":")[1] if ":" in method else "99.99"
        return ["--calibration-method", "percentile", "--percentile", p]
    return ["--calibration-method", method]


def digits(tinymlc, method, work):
    d = os.path.join(MODELS_DIR, "digits-cnn")
    model = os.path.join(d, "model.onnx")
    calib = os.path.join(work, "calib-digits")
    os.makedirs(calib, exist_ok=True)
    dst = os.path.join(calib, "calib_images_f32.bin")
    if not os.path.exists(dst):
        shutil.copy(os.path.join(d, "data", "calib_images_f32.bin"), dst)
    test = os.path.join(d, "data", "test_images_f32.bin")
    labels = np.fromfile(os.path.join(d, "data", "test_labels_i32.bin"), dtype=np.int32)
    fouts, frep, _, _ = run(tinymlc, model, [(None, test)], [], work)
    qouts, qrep, err, secs = run(tinymlc, model, [(None, test)],
                                 ["--quantize", "int8", "--calibration", calib] +
                                 method_args(method), work)
    f = list(fouts.values())[0].reshape(len(labels), -1)
    q = list(qouts.values())[0].reshape(len(labels), -1)
    return {
        "model": "digits-cnn", "method": method,
        "float": 100.0 * float(np.mean(f.argmax(1) == labels)),
        "int8": 100.0 * float(np.mean(q.argmax(1) == labels)),
        "agree": 100.0 * float(np.mean(f.argmax(1) == q.argmax(1))),
        "sqnr": sqnr_db(f, q), "metric": "accuracy %", "bar": DIGITS_BAR,
        "samples": len(labels), "secs": secs,
        "weights": (frep["flash"]["weights_bytes"], qrep["flash"]["weights_bytes"]),
        "arena": (frep["memory"]["arena_bytes"], qrep["memory"]["arena_bytes"]),
        "report": qrep.get("quantization"),
    }


def random_model(tinymlc, name, method, work):
    d = os.path.join(MODELS_DIR, name)
    model = os.path.join(d, "model.onnx")
    spec = json.load(open(os.path.join(d, "ref", "spec.json")))
    inp = spec["inputs"][0]
    shape = inp["shape"]
    ref = np.fromfile(os.path.join(d, "ref", inp["file"]), dtype=np.float32)
    lo, hi = float(ref.min()), float(ref.max())
    calib = os.path.join(work, "calib-" + name)
    test = os.path.join(work, "test-" + name + ".bin")
    if not os.path.isdir(calib):
        os.makedirs(calib)
        rng = np.random.default_rng(CALIB_SEED)
        rng.uniform(lo, hi, size=[NUM_RANDOM] + shape).astype(np.float32).tofile(
            os.path.join(calib, inp["name"] + ".bin"))
        rng = np.random.default_rng(TEST_SEED)
        rng.uniform(lo, hi, size=[NUM_RANDOM] + shape).astype(np.float32).tofile(test)
    fouts, frep, _, _ = run(tinymlc, model, [(inp["name"], test)], [], work)
    qouts, qrep, err, secs = run(tinymlc, model, [(inp["name"], test)],
                                 ["--quantize", "int8", "--calibration", calib] +
                                 method_args(method), work)
    f = np.concatenate([fouts[k] for k in sorted(fouts)])
    q = np.concatenate([qouts[k] for k in sorted(qouts)])
    first = sorted(fouts)[0]
    fo = fouts[first].reshape(NUM_RANDOM, -1)
    qo = qouts[first].reshape(NUM_RANDOM, -1)
    return {
        "model": name, "method": method, "sqnr": sqnr_db(f, q), "metric": "SQNR dB",
        "bar": SQNR_BAR, "samples": NUM_RANDOM, "secs": secs,
        "agree": 100.0 * float(np.mean(fo.argmax(1) == qo.argmax(1))),
        "range": (lo, hi),
        "weights": (frep["flash"]["weights_bytes"], qrep["flash"]["weights_bytes"]),
        "arena": (frep["memory"]["arena_bytes"], qrep["memory"]["arena_bytes"]),
        "report": qrep.get("quantization"),
    }


def measure(tinymlc, methods, work):
    rows = []
    for m in methods:
        rows.append(digits(tinymlc, m, work))
        for name in RANDOM_MODELS:
            rows.append(random_model(tinymlc, name, m, work))
    return rows


def passes(r):
    return (r["int8"] if r["model"] == "digits-cnn" else r["sqnr"]) >= r["bar"]


def table(rows):
    head = ["model", "calibration", "float", "int8", "bar", "top-1 agree", "output SQNR dB",
            "weights B float -> int8", "arena B float -> int8", "worst activation (SQNR dB)",
            "compile+run s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        worst = "-"
        acts = (r.get("report") or {}).get("activations") or []
        if acts:
            a = acts[0]
            worst = "%s (%s)" % (a["tensor"], "exact" if a["sqnr_db"] is None
                                 else "%.1f" % a["sqnr_db"])
        if r["model"] == "digits-cnn":
            fl, q, bar = "%.2f%%" % r["float"], "%.2f%%" % r["int8"], ">= %.1f%%" % r["bar"]
        else:
            fl, q, bar = "-", "%.1f dB" % r["sqnr"], ">= %.0f dB" % r["bar"]
        lines.append("| " + " | ".join([
            r["model"], r["method"], fl, q + ("" if passes(r) else " **FAIL**"), bar,
            "%.1f%%" % r["agree"], "%.1f" % r["sqnr"],
            "{:,} -> {:,}".format(*r["weights"]), "{:,} -> {:,}".format(*r["arena"]), worst,
            "%.1f" % r["secs"]]) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--methods", default="minmax,percentile:99.99,entropy,mse",
                    help="comma-separated: minmax, percentile[:P], entropy, mse")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "quantization.md"))
    args = ap.parse_args()
    tinymlc = os.path.abspath(args.tinymlc)
    work = tempfile.mkdtemp(prefix="tinymlc-ptq-")
    try:
        rows = measure(tinymlc, args.methods.split(","), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = ["# Post-training quantisation (int8) by tinymlc", "",
            "Generated by `bench/quantization.py --tinymlc build/compiler/tinymlc`. "
            "digits-cnn: calibrated on `data/calib_images_f32.bin` (200 training images), "
            "accuracy on the 360 held-out images. The MLPerf Tiny float models: calibrated on "
            "%d uniform random inputs (seed %d) in the range of `ref/input_0.bin`, output SQNR "
            "against the float build over %d others (seed %d). \"float\" and \"int8\" are "
            "both tinymlc's generated code run on the host; top-1 agreement is between them."
            % (NUM_RANDOM, CALIB_SEED, NUM_RANDOM, TEST_SEED), "", table(rows), ""]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    open(args.out, "w").write("\n".join(text))
    print("\n".join(text))
    return 0 if all(passes(r) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
