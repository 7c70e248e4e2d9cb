#!/usr/bin/python3
"""Real models against ONNX Runtime's reference outputs.

For every model in ../shared/models (or $TINYMLC_MODELS) listed below, runs
`tinymlc run` on ref/input_K.bin and compares each output with ref/output_K.bin:
|got - ref| <= max(1e-4 + 1e-3 * |ref|, 2 * max_abs_diff_opt_vs_noopt), the
second term being twice the spread between two correct ONNX Runtime runs
(ref.json). digits-cnn also runs the 360 held-out images and must classify
them as well as ONNX Runtime does (355/360). silero-vad-v5 also runs as a
stream of 10 frames, each frame's stateN fed back as the next state, against
ONNX Runtime run the same way (onnxruntime-node, tests/models/silero_stream.js;
`npm install --ignore-scripts` in the checkout installs it).

Quantised (QDQ) models are held to one quantisation step instead: the step is
the scale of the DequantizeLinear that produces the output (or, for a float
Softmax output, the one that feeds the Softmax); at least 99% of the output
elements must be within one step (plus 1e-5) of ONNX Runtime's, and
classifiers must pick the same class. They are also run a second time with
`tinymlc run --evaluate` (the compiler's own evaluator), which must give the
same bytes as the generated code, and a third time with `--io int8` on the
quantised inputs (ref/input_K.q.bin), where outputs made by a DequantizeLinear
come back as integers within one step of ref/output_K.q.bin. digits-cnn-qdq-torch runs the 360 held-out
images and must score at least 98.0% (PyTorch's own int8: 356/360).

Models marked `pending` name the issue that will make them compile; they are
tried and reported, and do not fail the run. Exit code 77 (ctest: skipped)
when the models directory is missing.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Silero's input and state have dynamic dims; sr only picks the 16 kHz
# branch of its If nodes, so it is compiled in as a constant.
SILERO_PINS = ["--shape", "input=1x512", "--shape", "state=2x1x128",
               "--const", "sr={ref}/input_2.bin"]

# name, extra tinymlc arguments ({ref}: the model's ref folder), required or
# the issue that will bring it
MODELS = [
    ("mnist-8", [], "required"),
    ("tflm-hello-world-sine", ["--dim", "N=1"], "required"),
    ("digits-cnn", [], "required"),
    ("digits-cnn:model_unfused_bn.onnx", [], "required"),
    ("mlperf-tiny-ic-resnet8-float", [], "required"),
    ("mlperf-tiny-vww-mobilenetv1-float", [], "required"),
    ("mobilenetv2-035-96-random", [], "required"),
    ("resnet8-cifar-random", [], "required"),
    ("silero-vad-v5", SILERO_PINS, "required"),
    ("mlperf-tiny-kws-dscnn-qdq", [], "required"),
    ("mlperf-tiny-vww-mobilenetv1-qdq", [], "required"),
    ("mlperf-tiny-ic-resnet8-qdq", [], "required"),
    ("mlperf-tiny-ad-autoencoder-qdq", [], "required"),
    ("digits-cnn-qdq-torch", [], "required"),
]

# Quantised models: one quantisation step, and whether the output is a class.
QUANTISED = {
    "mlperf-tiny-kws-dscnn-qdq": True,
    "mlperf-tiny-vww-mobilenetv1-qdq": True,
    "mlperf-tiny-ic-resnet8-qdq": True,
    "mlperf-tiny-ad-autoencoder-qdq": False,
    "digits-cnn-qdq-torch": True,
}

DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "int32": np.int32,
          "int8": np.int8, "uint8": np.uint8, "bool": np.bool_}


def out_file(name):
    s = "".join(c if (c.isalnum() or c in "_.-") else "_" for c in name)
    return ("_" + s if s in ("", ".", "..") else s) + ".bin"


def run(tinymlc, model, args, inputs, outdir):
    cmd = [tinymlc, "run", model] + args
    for name, path in inputs:
        cmd += ["--input", "%s=%s" % (name, path)]
    cmd += ["--output-dir", outdir]
    t = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return r, time.time() - t


def output_steps(model):
    """Output name -> the scale of the DequantizeLinear that produces it (or
    feeds the Softmax that produces it)."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(model)
    consts = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    producer = {}
    for n in m.graph.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    consts[n.output[0]] = numpy_helper.to_array(a.t)
        for o in n.output:
            producer[o] = n
    steps = {}
    for o in m.graph.output:
        n = producer.get(o.name)
        if n is not None and n.op_type == "Softmax":
            n = producer.get(n.input[0])
        if n is not None and n.op_type == "DequantizeLinear" and n.input[1] in consts:
            steps[o.name] = float(np.max(consts[n.input[1]]))
    return steps


def check_quantised(outdir, d, ref, model, classify):
    steps = output_steps(model)
    details = []
    for o in ref["outputs"]:
        got = np.fromfile(os.path.join(outdir, out_file(o["name"])), np.float32)
        want = np.fromfile(os.path.join(d, "ref", o["file"]), np.float32)
        if got.size != want.size:
            return False, "output %s: %d elements, expected %d" % (o["name"], got.size, want.size)
        step = steps.get(o["name"])
        if step is None:
            return False, "output %s: no DequantizeLinear step found" % o["name"]
        err = np.abs(got.astype(np.float64) - want)
        within = float((err <= step + 1e-5).mean())
        if within < 0.99:
            return False, "output %s: %.1f%% of elements within one step (%.4g), need 99%%; " \
                "max |err| %.3g" % (o["name"], 100 * within, step, err.max())
        if classify and got.argmax() != want.argmax():
            return False, "output %s: class %d, ONNX Runtime %d" % (
                o["name"], got.argmax(), want.argmax())
        details.append("%s: %.1f%% within one step %.4g, max |err| %.3g steps" % (
            o["name"], 100 * within, step, err.max() / step))
    return True, "; ".join(details)


def check_integer_io(tinymlc, model, extra, d, ref, work, classify):
    """--io int8 on ref/input_K.q.bin: outputs made by a DequantizeLinear come
    back as integers and must be within one step (1) of ref/output_K.q.bin on
    99% of elements; float outputs are checked as in check_quantised."""
    inputs = [(i["name"], os.path.join(d, "ref", i["quant"]["file"])) for i in ref["inputs"]]
    outdir = tempfile.mkdtemp(dir=work)
    r, _ = run(tinymlc, model, extra + ["--io", "int8"], inputs, outdir)
    if r.returncode != 0:
        return False, "--io int8 failed: " + r.stderr.strip()[:200]
    for o in ref["outputs"]:
        q = o.get("quant")
        if not q:
            continue
        got = np.fromfile(os.path.join(outdir, out_file(o["name"])), DTYPES[q["dtype"]])
        want = np.fromfile(os.path.join(d, "ref", q["file"]), DTYPES[q["dtype"]])
        err = np.abs(got.astype(np.int64) - want.astype(np.int64))
        if got.size != want.size or (err <= 1).mean() < 0.99:
            return False, "--io int8: output %s not within one step of %s" % (o["name"], q["file"])
        if classify and got.argmax() != want.argmax():
            return False, "--io int8: output %s: class %d, ONNX Runtime %d" % (
                o["name"], got.argmax(), want.argmax())
    if not all(o.get("quant") for o in ref["outputs"]):
        ok, detail = check_quantised(outdir, d, ref, model, classify)
        if not ok:
            return False, "--io int8: " + detail
    return True, "--io int8 ok"


def same_bytes(dir_a, dir_b, ref):
    for o in ref["outputs"]:
        a = open(os.path.join(dir_a, out_file(o["name"])), "rb").read()
        b = open(os.path.join(dir_b, out_file(o["name"])), "rb").read()
        if a != b:
            return False
    return True


def check_model(tinymlc, models_dir, entry, work):
    name, extra, status = entry
    folder, _, file = name.partition(":")
    d = os.path.join(models_dir, folder)
    model = os.path.join(d, file or "model.onnx")
    ref = json.load(open(os.path.join(d, "ref", "ref.json")))
    refdir = os.path.join(d, "ref")
    extra = [a.replace("{ref}", refdir) for a in extra]
    consts = {a.split("=")[0] for a, prev in zip(extra[1:], extra) if prev == "--const"}
    inputs = [(i["name"], os.path.join(refdir, i["file"])) for i in ref["inputs"]
              if i["name"] not in consts]
    outdir = tempfile.mkdtemp(dir=work)
    r, secs = run(tinymlc, model, extra, inputs, outdir)
    if r.returncode != 0:
        return False, "tinymlc failed: " + (r.stderr.strip().splitlines() or ["?"])[0]
    if name in QUANTISED:
        ok, detail = check_quantised(outdir, d, ref, model, QUANTISED[name])
        if not ok:
            return ok, detail
        evaldir = tempfile.mkdtemp(dir=work)
        r, _ = run(tinymlc, model, extra + ["--evaluate"], inputs, evaldir)
        if r.returncode != 0:
            return False, "tinymlc run --evaluate failed: " + r.stderr.strip()[:200]
        if not same_bytes(outdir, evaldir, ref):
            return False, "the evaluator and the generated code disagree"
        ok, io_detail = check_integer_io(tinymlc, model, extra, d, ref, work, QUANTISED[name])
        if not ok:
            return ok, io_detail
        return True, "%.1fs, %s; evaluator bit-exact; %s" % (secs, detail, io_detail)
    worst = ""
    worst_ratio = 0.0
    for o in ref["outputs"]:
        got = np.fromfile(os.path.join(outdir, out_file(o["name"])), DTYPES[o["dtype"]])
        want = np.fromfile(os.path.join(d, "ref", o["file"]), DTYPES[o["dtype"]])
        if got.size != want.size:
            return False, "output %s: %d elements, expected %d" % (o["name"], got.size, want.size)
        spread = float(o.get("max_abs_diff_opt_vs_noopt", 0.0))
        g, w = got.astype(np.float64), want.astype(np.float64)
        tol = np.maximum(1e-4 + 1e-3 * np.abs(w), 2 * spread)
        err = np.abs(g - w)
        ratio = float((err / tol).max()) if err.size else 0.0
        if ratio > worst_ratio:
            worst_ratio = ratio
            worst = "%s max |err| %.3g (tolerance used %.0f%%)" % (o["name"], err.max(), 100 * ratio)
        if not (err <= tol).all():
            i = int(np.argmax(err > tol))
            return False, "output %s[%d] = %r, expected %r (|err| %.3g > tol %.3g)" % (
                o["name"], i, got[i], want[i], err[i], tol[i])
    return True, "%.1fs, %s" % (secs, worst or "exact")


def digits_accuracy(tinymlc, models_dir, work):
    d = os.path.join(models_dir, "digits-cnn")
    images = os.path.join(d, "data", "test_images_f32.bin")
    labels = np.fromfile(os.path.join(d, "data", "test_labels_i32.bin"), np.int32)
    outdir = tempfile.mkdtemp(dir=work)
    r, _ = run(tinymlc, os.path.join(d, "model.onnx"), [], [("input", images)], outdir)
    if r.returncode != 0:
        return False, "tinymlc failed: " + r.stderr.strip()
    logits = np.fromfile(os.path.join(outdir, "logits.bin"), np.float32).reshape(-1, 10)
    correct = int((logits.argmax(1) == labels).sum())
    ok = correct >= 355 and logits.shape[0] == 360
    return ok, "%d/%d held-out images correct (ONNX Runtime: 355/360)" % (correct, labels.size)


STREAM_DRIVER = r"""
#include "vad.h"
#include <stdio.h>
#include <string.h>
/* frames.bin: n frames of 512 floats; writes per frame prob + stateN. */
int main(int argc, char **argv) {
  static float frame[512], state[256], prob[1], next[256];
  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
  if (!in || !out || argc != 3) return 2;
  memset(state, 0, sizeof state);
  while (fread(frame, sizeof frame, 1, in) == 1) {
    const void *inputs[2] = {frame, state};
    void *outputs[2] = {prob, next};
    vad_invoke(inputs, outputs);
    fwrite(prob, sizeof prob, 1, out);
    fwrite(next, sizeof next, 1, out);
    memcpy(state, next, sizeof state);
  }
  return fclose(out) != 0;
}
"""


def silero_stream(tinymlc, models_dir, work, frames=10):
    """Silero VAD fed its own state for `frames` frames, against ONNX Runtime."""
    d = os.path.join(models_dir, "silero-vad-v5")
    model = os.path.join(d, "model.onnx")
    ort = os.path.join(ROOT, "node_modules", "onnxruntime-node")
    if not os.path.isdir(ort) or not shutil.which("node"):
        return False, ("needs node and onnxruntime-node: run `npm install --ignore-scripts` in "
                       "%s (scripts/install-deps.sh test does)" % ROOT)
    w = tempfile.mkdtemp(dir=work)
    # Seeded audio-like frames: a swept tone in noise, louder in the middle.
    rng = np.random.default_rng(20261123)
    t = np.arange(frames * 512) / 16000.0
    env = np.repeat(np.hanning(frames + 2)[1:-1], 512)
    audio = 0.4 * env * np.sin(2 * np.pi * (200 + 400 * t) * t) + 0.02 * rng.standard_normal(t.size)
    audio.astype(np.float32).tofile(os.path.join(w, "frames.bin"))
    r = subprocess.run(["node", os.path.join(HERE, "silero_stream.js"), model,
                        os.path.join(w, "frames.bin"), os.path.join(w, "ort.bin")],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return False, "onnxruntime-node failed: " + r.stderr.strip()[:200]
    gen = os.path.join(w, "gen")
    args = [a.replace("{ref}", os.path.join(d, "ref")) for a in SILERO_PINS]
    r = subprocess.run([tinymlc, "compile", model, "--name", "vad", "-o", gen] + args,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return False, "tinymlc compile failed: " + r.stderr.strip()[:200]
    with open(os.path.join(w, "main.cpp"), "w") as f:
        f.write(STREAM_DRIVER)
    exe = os.path.join(w, "stream")
    r = subprocess.run([os.environ.get("CXX", "c++"), "-std=c++11", "-O2", "-Wall", "-Wextra",
                        "-Werror", "-pedantic", "-fno-exceptions", "-fno-rtti", "-I" + gen,
                        os.path.join(w, "main.cpp"), os.path.join(gen, "vad.cpp"),
                        os.path.join(gen, "vad_weights.cpp"), "-o", exe, "-lm"],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return False, "building the stream driver failed: " + r.stderr.strip()[:200]
    r = subprocess.run([exe, os.path.join(w, "frames.bin"), os.path.join(w, "ours.bin")],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return False, "stream driver exited with %d" % r.returncode
    got = np.fromfile(os.path.join(w, "ours.bin"), np.float32).astype(np.float64)
    want = np.fromfile(os.path.join(w, "ort.bin"), np.float32).astype(np.float64)
    if got.size != want.size or got.size != frames * 257:
        return False, "%d values, expected %d" % (got.size, frames * 257)
    tol = 1e-4 + 1e-3 * np.abs(want)
    err = np.abs(got - want)
    if not (err <= tol).all():
        i = int(np.argmax(err > tol))
        return False, "frame %d value %d: %r, ONNX Runtime %r" % (i // 257, i % 257, got[i], want[i])
    probs = want.reshape(frames, 257)[:, 0]
    return True, "%d frames, max |err| %.3g (probabilities %.3f..%.3f)" % (
        frames, err.max(), probs.min(), probs.max())


def digits_qdq_accuracy(tinymlc, models_dir, work):
    d = os.path.join(models_dir, "digits-cnn")
    images = os.path.join(d, "data", "test_images_f32.bin")
    labels = np.fromfile(os.path.join(d, "data", "test_labels_i32.bin"), np.int32)
    outdir = tempfile.mkdtemp(dir=work)
    model = os.path.join(models_dir, "digits-cnn-qdq-torch", "model.onnx")
    r, _ = run(tinymlc, model, [], [("input", images)], outdir)
    if r.returncode != 0:
        return False, "tinymlc failed: " + r.stderr.strip()
    logits = np.fromfile(os.path.join(outdir, "logits.bin"), np.float32).reshape(-1, 10)
    correct = int((logits.argmax(1) == labels).sum())
    ok = correct >= 353 and logits.shape[0] == 360
    return ok, "%d/%d held-out images correct (%.2f%%; need 98.0%%; PyTorch int8: 356/360)" % (
        correct, labels.size, 100.0 * correct / labels.size)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--models", default=os.environ.get(
        "TINYMLC_MODELS", os.path.join(os.path.dirname(ROOT), "shared", "models")))
    ap.add_argument("--filter", default="", help="only models whose name matches this regex")
    args = ap.parse_args()
    if not os.path.isdir(args.models):
        print("SKIPPED: no models directory at %s; set TINYMLC_MODELS to run the real-model "
              "tier" % args.models)
        return 77
    tinymlc = os.path.abspath(args.tinymlc)
    work = tempfile.mkdtemp(prefix="tinymlc-models-")
    failures = 0
    try:
        for entry in MODELS:
            if args.filter and not re.search(args.filter, entry[0]):
                continue
            ok, detail = check_model(tinymlc, args.models, entry, work)
            status = entry[2]
            if status == "required":
                failures += not ok
                print("%-4s %-40s %s" % ("ok" if ok else "FAIL", entry[0], detail))
            else:
                print("%-4s %-40s %s -- %s" % ("new!" if ok else "todo", entry[0], status,
                                                 detail if ok else detail[:120]))
        for label, check in (("silero-vad-v5 10-frame stream", silero_stream),
                             ("digits-cnn accuracy", digits_accuracy),
                             ("digits-cnn-qdq-torch accuracy", digits_qdq_accuracy)):
            if args.filter and not re.search(args.filter, label):
                continue
            ok, detail = check(tinymlc, args.models, work)
            failures += not ok
            print("%-4s %-40s %s" % ("ok" if ok else "FAIL", label, detail))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("models: %d required checks failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
