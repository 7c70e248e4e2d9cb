#!/usr/bin/python3
"""The targets tier: the generated code on the QEMU boards, bit for bit
against the host build.

For each real model the host build supports (tests/models/run_models.py's
required list, with its --dim/--shape pins), compiles the model for the host
and for a board, builds both with the same flags (-O2 -ffp-contract=off; see
firmware.py), runs both on the model's reference input (ref/input_K.bin) and
requires every output byte to be identical. Boards: mps2-an386 (Cortex-M4F)
for every model; mps3-an547 (Cortex-M55) and riscv32-virt (RV32IMAC) for the
MLPerf Tiny models (float and int8 QDQ) and digits-cnn. The host outputs are also checked against
ONNX Runtime's within run_models.py's tolerance, so "identical" is identical
to a correct answer.

Exit code 77 (ctest: skipped) when the cross tools or the models are
missing; the message says which.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "models"))
import firmware as fw  # noqa: E402
import run_models  # noqa: E402

MLPERF_TINY = ["mlperf-tiny-ic-resnet8-float", "mlperf-tiny-vww-mobilenetv1-float", "digits-cnn",
               "mlperf-tiny-kws-dscnn-qdq", "mlperf-tiny-vww-mobilenetv1-qdq",
               "mlperf-tiny-ic-resnet8-qdq", "mlperf-tiny-ad-autoencoder-qdq"]
BOARDS = {"mps2-an386": None, "mps3-an547": MLPERF_TINY, "riscv32-virt": MLPERF_TINY}


def load_ref(models_dir, name, extra):
    """The model's path, ref.json, the input bytes of the inputs not bound by
    --const (graph order), its folder and `extra` with {ref} filled in."""
    folder, _, file = name.partition(":")
    d = os.path.join(models_dir, folder)
    ref = json.load(open(os.path.join(d, "ref", "ref.json")))
    extra = [a.replace("{ref}", os.path.join(d, "ref")) for a in extra]
    consts = {a.split("=")[0] for a, prev in zip(extra[1:], extra) if prev == "--const"}
    inputs = [open(os.path.join(d, "ref", i["file"]), "rb").read() for i in ref["inputs"]
              if i["name"] not in consts]
    return os.path.join(d, file or "model.onnx"), ref, inputs, d, extra


def build_and_run(tinymlc, board, model, extra, inputs, num_outputs, work, tag=""):
    gen = os.path.join(work, board + tag, "gen")
    fw.compile_model(tinymlc, model, extra, board, "m", gen)
    runner = os.path.join(work, board + tag, "runner.c")
    fw.write_runner(runner, "m", inputs, num_outputs)
    exe = fw.build(board, gen, "m", runner, os.path.join(work, board + tag, "build"))
    rc, out, _ = fw.run(board, exe)
    if rc != 0:
        raise RuntimeError("%s: exit status %d: %s" % (board, rc, out.strip()[-300:]))
    return fw.outputs(out)


def max_ulp(a, b):
    """The largest distance in float32 units in the last place between a and b."""
    x = np.frombuffer(bytes(a), np.int32).astype(np.int64)
    y = np.frombuffer(bytes(b), np.int32).astype(np.int64)
    x = np.where(x < 0, -(x & 0x7FFFFFFF), x)
    y = np.where(y < 0, -(y & 0x7FFFFFFF), y)
    return int(np.abs(x - y).max()) if x.size == y.size and x.size else None


def check_against_reference(ref, refdir, got):
    for k, o in enumerate(ref["outputs"]):
        dtype = run_models.DTYPES[o["dtype"]]
        g = np.frombuffer(bytes(got.get(k, b"")), dtype).astype(np.float64)
        w = np.fromfile(os.path.join(refdir, "ref", o["file"]), dtype).astype(np.float64)
        if g.size != w.size:
            return "output %s: %d elements, expected %d" % (o["name"], g.size, w.size)
        tol = np.maximum(1e-4 + 1e-3 * np.abs(w), 2 * float(o.get("max_abs_diff_opt_vs_noopt", 0)))
        if not (np.abs(g - w) <= tol).all():
            return "host output %s differs from ONNX Runtime beyond tolerance" % o["name"]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--models", default=os.environ.get(
        "TINYMLC_MODELS", os.path.join(os.path.dirname(ROOT), "shared", "models")))
    ap.add_argument("--boards", default=",".join(BOARDS), help="comma-separated")
    ap.add_argument("--only", default="", help="comma-separated model names (default: all)")
    ap.add_argument("--keep", help="work in this directory and keep it")
    args = ap.parse_args()
    if not os.path.isdir(args.models):
        print("SKIPPED: no models directory at %s; set TINYMLC_MODELS" % args.models)
        return 77
    boards = [b for b in args.boards.split(",") if b]
    missing = [b for b in boards if fw.missing_tools(b)]
    if missing:
        print("SKIPPED: the cross tools for %s are not installed (scripts/install-deps.sh cross)"
              % ", ".join(missing))
        return 77
    tinymlc = os.path.abspath(args.tinymlc)
    models = [(n, extra) for n, extra, status in run_models.MODELS if status == "required"]
    if args.only:
        models = [m for m in models if m[0] in args.only.split(",")]
    work = args.keep or tempfile.mkdtemp(prefix="tinymlc-targets-")
    failures = 0
    try:
        for name, extra in models:
            model, ref, inputs, refdir, extra = load_ref(args.models, name, extra)
            mwork = os.path.join(work, name.replace(":", "_"))
            t = time.time()
            try:
                host = build_and_run(tinymlc, "host", model, extra, inputs, len(ref["outputs"]),
                                     mwork)
            except RuntimeError as e:
                failures += 1
                print("FAIL %-40s host: %s" % (name, e))
                continue
            bad = check_against_reference(ref, refdir, host)
            if bad:
                failures += 1
                print("FAIL %-40s %s" % (name, bad))
                continue
            for board in boards:
                if BOARDS.get(board) is not None and name not in BOARDS[board]:
                    continue
                t = time.time()
                try:
                    got = build_and_run(tinymlc, board, model, extra, inputs,
                                        len(ref["outputs"]), mwork)
                except RuntimeError as e:
                    failures += 1
                    print("FAIL %-40s %-13s %s" % (name, board, str(e)[:400]))
                    continue
                ulps = [max_ulp(got.get(k, b""), host[k]) for k in host]
                if got == host:
                    nbytes = sum(len(v) for v in got.values())
                    print("ok   %-40s %-13s %d output bytes identical to the host (%.1fs)"
                          % (name, board, nbytes, time.time() - t))
                else:
                    failures += 1
                    diff = [k for k in host if got.get(k) != host[k]]
                    print("FAIL %-40s %-13s outputs %s differ from the host build (by up to "
                          "%s float32 ulp)" % (name, board, diff, max(u or 0 for u in ulps)))
                if board == "mps3-an547" and name == "mlperf-tiny-ic-resnet8-float":
                    # Two RAM regions: DTCM capped at 64K, the rest of the arena in ISRAM
                    # (its own linker section, another memory of the board).
                    t = time.time()
                    try:
                        got = build_and_run(tinymlc, board, model, extra + ["--ram-limit", "64K"],
                                            inputs, len(ref["outputs"]), mwork, "-2regions")
                        rep = json.load(open(os.path.join(mwork, board + "-2regions", "gen",
                                                          "report.json")))
                        used = [r["used_bytes"] for r in rep["memory"]["regions"]]
                    except RuntimeError as e:
                        got, used = None, str(e)[:300]
                    ok = got == host and isinstance(used, list) and len(used) == 2 and all(used)
                    failures += not ok
                    print("%-4s %-40s %-13s two regions (dtcm %s): outputs %s (%.1fs)"
                          % ("ok" if ok else "FAIL", name, board, used,
                             "identical to the host" if got == host else "DIFFER",
                             time.time() - t))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("targets: %d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
